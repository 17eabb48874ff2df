package io.github.spectral4j.trainer.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.spectral4j.core.Parametrization;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Issue 10's lr-sweep verdicts on hand-made grids, and the optimum against a scalar reference on random ones. */
class GptLrSweepReportTest {
  private static final double INF = Double.POSITIVE_INFINITY;
  private static final int[] WIDTHS = {64, 128, 256, 512};
  private static final double[] LRS = {0x1p-12, 0x1p-11, 0x1p-10, 0x1p-9, 0x1p-8};
  private static final GptLrSweepReport.Setup SETUP =
      new GptLrSweepReport.Setup("brown", 100, 16, 1, 64, 8, 2, 4, 64, 2);

  /** A bowl per width with its minimum at grid index {@code best[w]}, 2.0 + 0.1·distance² bits. */
  private static double[][] bowls(int... best) {
    double[][] g = new double[WIDTHS.length][LRS.length];
    for (int w = 0; w < WIDTHS.length; w++) {
      for (int l = 0; l < LRS.length; l++) {
        g[w][l] = 2.0 + 0.1 * (l - best[w]) * (l - best[w]);
      }
    }
    return g;
  }

  private static GptLrSweepReport report(List<Parametrization> ps, double[][]... grids) {
    return GptLrSweepReport.of(SETUP, ps, WIDTHS, LRS, grids, 1.0);
  }

  private static GptLrSweepReport.Transfer transfer(GptLrSweepReport r, Parametrization p) {
    return r.transfers().stream().filter(t -> t.parametrization() == p).findFirst().orElseThrow();
  }

  @Test
  void spectralPassesWithinOneStepAndFailsBeyond() {
    GptLrSweepReport r = report(List.of(Parametrization.SPECTRAL, Parametrization.MUP), bowls(2, 2, 3, 3),
        bowls(1, 2, 3, 3));
    GptLrSweepReport.Transfer s = transfer(r, Parametrization.SPECTRAL);
    assertEquals(2.0, s.ratio());
    assertEquals(1, s.steps());
    assertTrue(s.pass(), s.reason());
    // width 64's best (index 2) at width 512 (best index 3): 2.1 − 2.0
    assertEquals(0.1, s.penalty(), 1e-12);
    GptLrSweepReport.Transfer m = transfer(r, Parametrization.MUP);
    assertEquals(4.0, m.ratio());
    assertFalse(m.pass(), m.reason());
    assertFalse(r.allPass());
  }

  @Test
  void standardPassesByMovingFourTimes() {
    GptLrSweepReport r = report(List.of(Parametrization.STANDARD), bowls(4, 3, 3, 2));
    GptLrSweepReport.Transfer t = transfer(r, Parametrization.STANDARD);
    assertEquals(4.0, t.ratio());
    assertTrue(t.pass(), t.reason());
    assertTrue(t.reason().contains("spectral not swept"), t.reason());
  }

  @Test
  void standardMovingLessPassesOnlyIfItsSmallWidthOptimumLosesMoreThanSpectrals() {
    double[][] standard = bowls(3, 3, 2, 2);
    standard[3][3] = 2.35; // width 512 at width 64's best η: +0.35 bits
    double[][] spectral = bowls(3, 3, 3, 2);
    spectral[3][3] = 2.05; // +0.05
    GptLrSweepReport r = report(List.of(Parametrization.STANDARD, Parametrization.SPECTRAL), standard, spectral);
    GptLrSweepReport.Transfer t = transfer(r, Parametrization.STANDARD);
    assertEquals(2.0, t.ratio());
    assertEquals(0.35, t.penalty(), 1e-12);
    assertTrue(t.pass(), t.reason());
    assertTrue(r.allPass());

    spectral[3][3] = 2.5; // spectral now loses more: standard has shown nothing
    GptLrSweepReport worse = report(List.of(Parametrization.STANDARD, Parametrization.SPECTRAL), standard, spectral);
    assertFalse(transfer(worse, Parametrization.STANDARD).pass());
    assertTrue(transfer(worse, Parametrization.STANDARD).reason().contains("neither"));
  }

  @Test
  void divergenceAtTheWidestWidthIsAnInfinitePenaltyAndAllDivergedIsAFailure() {
    double[][] standard = bowls(3, 3, 3, 2);
    standard[3][3] = INF; // width 64's best η diverges at width 512
    double[][] spectral = bowls(3, 3, 3, 3);
    GptLrSweepReport r = report(List.of(Parametrization.STANDARD, Parametrization.SPECTRAL), standard, spectral);
    GptLrSweepReport.Transfer t = transfer(r, Parametrization.STANDARD);
    assertEquals(INF, t.penalty());
    assertTrue(t.pass(), t.reason());
    JsonNode cell = r.json().get("results").get(3 * LRS.length + 3);
    assertTrue(cell.get("loss").isNull() && cell.get("diverged").asBoolean(), cell.toString());
    assertTrue(r.json().get("transfer").get(0).get("penalty").isNull());
    assertTrue(r.csv().contains("standard,512," + LRS[3] + ",,true\n"), r.csv());

    double[][] dead = bowls(2, 2, 2, 2);
    java.util.Arrays.fill(dead[2], INF);
    GptLrSweepReport d = report(List.of(Parametrization.SPECTRAL), dead);
    assertFalse(transfer(d, Parametrization.SPECTRAL).pass());
    assertTrue(d.table().contains("(all diverged)"), d.table());
  }

  @Test
  void ntkHasNoVerdictAndOneWidthNone() {
    GptLrSweepReport r = report(List.of(Parametrization.NTK), bowls(0, 1, 3, 4));
    assertNull(transfer(r, Parametrization.NTK).pass());
    assertTrue(r.allPass());
    GptLrSweepReport one = GptLrSweepReport.of(SETUP, List.of(Parametrization.SPECTRAL), new int[] {64}, LRS,
        new double[][][] {{{3, 2, 1, 2, 3}}}, 1.0);
    assertNull(transfer(one, Parametrization.SPECTRAL).pass());
  }

  static LongStream seeds() {
    return LongStream.range(0, 250);
  }

  /** On random grids with random divergences, the optimum is the scalar argmin and the verdicts follow the bars. */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void optimaAndVerdictsMatchAScalarReference(long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    double[][][] g = new double[2][WIDTHS.length][LRS.length];
    for (double[][] a : g) {
      for (double[] b : a) {
        for (int l = 0; l < b.length; l++) {
          b[l] = rnd.nextInt(8) == 0 ? INF : 1.5 + rnd.nextDouble();
        }
      }
    }
    List<Parametrization> ps = List.of(Parametrization.STANDARD, Parametrization.SPECTRAL);
    GptLrSweepReport r = GptLrSweepReport.of(SETUP, ps, WIDTHS, LRS, g, 1.0);
    int[][] best = new int[2][WIDTHS.length];
    for (int p = 0; p < 2; p++) {
      for (int w = 0; w < WIDTHS.length; w++) {
        int b = -1;
        for (int l = 0; l < LRS.length; l++) {
          if (g[p][w][l] != INF && (b < 0 || g[p][w][l] < g[p][w][b])) {
            b = l;
          }
        }
        best[p][w] = b;
        LrSweepGrid.Optimum o = r.optima().get(p * WIDTHS.length + w);
        assertEquals(b < 0 ? Double.NaN : LRS[b], o.lr());
      }
    }
    boolean anyDead = false;
    int[] spread = new int[2];
    for (int p = 0; p < 2; p++) {
      int lo = 99;
      int hi = -1;
      for (int b : best[p]) {
        anyDead |= b < 0 && p == 1;
        lo = Math.min(lo, b < 0 ? lo : b);
        hi = Math.max(hi, b);
      }
      spread[p] = hi - lo;
    }
    GptLrSweepReport.Transfer s = transfer(r, Parametrization.SPECTRAL);
    boolean spectralDead = java.util.Arrays.stream(best[1]).anyMatch(b -> b < 0);
    assertEquals(!spectralDead && spread[1] <= 1, s.pass(), s.reason());
    boolean standardDead = java.util.Arrays.stream(best[0]).anyMatch(b -> b < 0);
    if (!standardDead) {
      double pen0 = g[0][3][best[0][0]] - g[0][3][best[0][3]];
      double pen1 = spectralDead ? Double.NaN : g[1][3][best[1][0]] - g[1][3][best[1][3]];
      boolean expected = spread[0] >= 2 || (!Double.isNaN(pen1) && pen0 > pen1);
      assertEquals(expected, transfer(r, Parametrization.STANDARD).pass(), transfer(r, Parametrization.STANDARD).reason());
    } else {
      assertFalse(transfer(r, Parametrization.STANDARD).pass());
    }
    assertEquals(anyDead, spectralDead);
  }
}
