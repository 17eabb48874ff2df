package io.github.spectral4j.trainer.experiment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.spectral4j.core.Optimizer;
import io.github.spectral4j.core.Parametrization;
import io.github.spectral4j.trainer.Dataset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Small real coord checks and sweeps on a synthetic teacher task (input dimension 16). */
class CoordCheckRunTest {
  private static final Dataset DATA = Dataset.teacher(16, 4, 400, 3);

  private static CoordCheck.Options options(List<Parametrization> ps, int steps) {
    return new CoordCheck.Options(ps, new int[] {64, 16, 32}, Optimizer.SGD, 0.1, steps, 32, 5, 1, 64);
  }

  @Test
  void measuresEveryMetricAndIsReproducible() {
    CoordCheckReport a = CoordCheck.run(options(List.of(Parametrization.values()), 2), DATA, Progress.silent());
    assertArrayEquals(new int[] {16, 32, 64}, a.fitWidths(), "widths are sorted; all are >= the input dimension");
    assertEquals(4 * 4 * 5, a.series().size());
    for (Series s : a.series()) {
      for (double v : s.values()) {
        assertTrue(v > 0 && Double.isFinite(v), s + ": " + v);
      }
      assertTrue(Double.isFinite(s.slope()), s.toString());
      if (s.metric().equals("dw_stable_rank")) {
        for (double v : s.values()) {
          assertTrue(v >= 1 - 1e-6, "stable rank >= 1: " + v);
        }
      }
    }
    CoordCheckReport b = CoordCheck.run(options(List.of(Parametrization.values()), 2), DATA, Progress.silent());
    assertEquals(a.json(), b.json(), "same seed, bit-identical report");
  }

  @Test
  void spectralInitialNormsAreInTheBand() {
    CoordCheckReport r = CoordCheck.run(options(List.of(Parametrization.SPECTRAL), 1), DATA, Progress.silent());
    for (String layer : List.of("W1", "W2", "W3", "W4")) {
      for (double v : r.series(Parametrization.SPECTRAL, layer, "w_spec_ratio").values()) {
        assertTrue(v >= 0.9 && v <= 2.2, layer + ": " + v);
      }
    }
  }

  @Test
  void optionsRejectBadValuesByName() {
    List<Parametrization> ps = List.of(Parametrization.MUP);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new CoordCheck.Options(ps, new int[] {16, -3}, Optimizer.SGD, 0.1, 1, 1, 1, 1, 1));
    assertTrue(e.getMessage().contains("-3"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> new CoordCheck.Options(ps, new int[] {16, 16}, Optimizer.SGD, 0.1, 1, 1, 1, 1, 1));
    assertTrue(e.getMessage().contains("16"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> new CoordCheck.Options(ps, new int[] {16}, Optimizer.SGD, Double.NaN, 1, 1, 1, 1, 1));
    assertTrue(e.getMessage().contains("NaN"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> new CoordCheck.Options(List.of(Parametrization.MUP, Parametrization.MUP), new int[] {16},
            Optimizer.SGD, 0.1, 1, 1, 1, 1, 1));
    assertTrue(e.getMessage().contains("mup,mup"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> CoordCheck.checkData(new CoordCheck.Options(ps, new int[] {16}, Optimizer.SGD, 0.1, 1, 380, 1, 1, 64),
            DATA));
    assertTrue(e.getMessage().contains("400 examples"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> new LrSweep.Options(ps, new int[] {16}, new double[] {0.1, 0}, Optimizer.ADAM, 10, 16, 8, 1, 5, 1));
    assertTrue(e.getMessage().contains("learning rate 0.0"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> new LrSweep.Options(ps, new int[] {16}, new double[] {0.1}, Optimizer.ADAM, 10, 16, 8, 1, 11, 1));
    assertTrue(e.getMessage().contains("11"), e.getMessage());
  }

  @Test
  void sweepScoresEveryCellAndDoesNotDependOnThreads() {
    List<Parametrization> ps = List.of(Parametrization.STANDARD, Parametrization.SPECTRAL);
    double[] lrs = {1e-3, 1e-2, 1e3};
    LrSweep.Options one = new LrSweep.Options(ps, new int[] {16, 32}, lrs, Optimizer.ADAM, 6, 16, 32, 2, 3, 1);
    LrSweep.Options two = new LrSweep.Options(ps, new int[] {16, 32}, lrs, Optimizer.ADAM, 6, 16, 32, 2, 3, 2);
    LrSweepReport a = LrSweep.run(one, DATA, Progress.silent());
    LrSweepReport b = LrSweep.run(two, DATA, Progress.silent());
    assertEquals(a.json(), b.json());
    assertEquals(4, a.optima().size());
    for (LrSweepGrid.Optimum o : a.optima()) {
      assertTrue(o.lr() == 1e-3 || o.lr() == 1e-2, o.toString());
    }
    assertTrue(a.json().get("results").size() == 12);
  }

  @Test
  void defaultGridsArePowersOfTwoTwoApart() {
    double[] adam = LrSweep.defaultLrs(Optimizer.ADAM);
    assertEquals(11, adam.length);
    assertEquals(Math.scalb(1.0, -14), adam[0]);
    assertEquals(Math.scalb(1.0, -4), adam[10]);
    for (Optimizer o : Optimizer.values()) {
      double[] g = LrSweep.defaultLrs(o);
      for (int i = 1; i < g.length; i++) {
        assertEquals(2.0, g[i] / g[i - 1]);
      }
    }
  }
}
