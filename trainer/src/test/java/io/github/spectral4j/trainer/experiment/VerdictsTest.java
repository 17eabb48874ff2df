package io.github.spectral4j.trainer.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.spectral4j.core.Optimizer;
import io.github.spectral4j.core.Parametrization;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The coord check's verdict thresholds, on hand-made slopes and on synthetic power laws. */
class VerdictsTest {
  private static final List<String> LAYERS = List.of("W1", "W2", "W3", "W4");
  private static final int[] WIDTHS = {128, 256, 512, 1024, 2048, 4096};
  private static final int[] FIT = {1024, 2048, 4096};
  private static final int INPUT_DIM = 784;
  /** Slopes recovered from exact power laws agree to this (float-free double arithmetic). */
  private static final double FIT_TOLERANCE = 1e-9;

  private static double[][] ratios(double value) {
    double[][] r = new double[LAYERS.size()][WIDTHS.length];
    for (double[] row : r) {
      Arrays.fill(row, value);
    }
    return r;
  }

  private static Verdict judge(Parametrization p, double... slopes) {
    return Verdicts.judge(p, LAYERS, slopes, ratios(1.5), WIDTHS, FIT, new TreeMap<>());
  }

  @Test
  void spectralPassesWithFlatSlopesAndFailsJustOutsideTheTolerances() {
    Verdict ok = judge(Parametrization.SPECTRAL, 0.1, -0.1, 0.05, 0.15);
    assertTrue(ok.pass(), ok.reason());
    assertTrue(ok.reason().contains("W4 +0.15"), ok.reason());
    assertFalse(judge(Parametrization.SPECTRAL, 0.11, 0, 0, 0).pass());
    assertFalse(judge(Parametrization.SPECTRAL, 0, 0, -0.101, 0).pass());
    Verdict out = judge(Parametrization.MUP, 0, 0, 0, -0.16);
    assertFalse(out.pass());
    assertTrue(out.reason().contains("W4 slope -0.16 exceeds ±0.15"), out.reason());
  }

  @Test
  void spectralFailsWhenAnInitialNormLeavesTheBand() {
    double[][] r = ratios(1.5);
    r[2][4] = 2.3;
    Verdict v = Verdicts.judge(Parametrization.SPECTRAL, LAYERS, new double[4], r, WIDTHS, FIT, new TreeMap<>());
    assertFalse(v.pass());
    assertTrue(v.reason().contains("w_spec_ratio of W3 at width 2048 is 2.30"), v.reason());
    r[2][4] = 0.89;
    assertFalse(Verdicts.judge(Parametrization.SPECTRAL, LAYERS, new double[4], r, WIDTHS, FIT, new TreeMap<>()).pass());
    // μP is not held to the band
    assertTrue(Verdicts.judge(Parametrization.MUP, LAYERS, new double[4], r, WIDTHS, FIT, new TreeMap<>()).pass());
  }

  @Test
  void standardNeedsTheOutputBlowUp() {
    assertTrue(judge(Parametrization.STANDARD, -0.5, 0, 0, 0.3).pass());
    Verdict no = judge(Parametrization.STANDARD, 0.9, 0.9, 0.9, 0.29);
    assertFalse(no.pass());
    assertTrue(no.reason().contains("+0.29 < +0.30"), no.reason());
  }

  @Test
  void ntkNeedsEveryHiddenLayerFrozen() {
    Verdict v = judge(Parametrization.NTK, -0.5, -0.3, -0.6, 0.4);
    assertTrue(v.pass(), v.reason());
    assertFalse(judge(Parametrization.NTK, -0.5, -0.29, -0.6, -1).pass());
  }

  @Test
  void divergenceFailsExceptAsStandardsBlowUp() {
    TreeMap<Integer, String> d = new TreeMap<>(Map.of(4096, "non-finite loss at step 7"));
    Verdict s = Verdicts.judge(Parametrization.SPECTRAL, LAYERS, new double[4], ratios(1.5), WIDTHS, FIT, d);
    assertFalse(s.pass());
    assertTrue(s.reason().contains("diverged at width 4096 (non-finite loss at step 7)"), s.reason());
    Verdict st = Verdicts.judge(Parametrization.STANDARD, LAYERS, new double[4], ratios(1.5), WIDTHS, FIT, d);
    assertTrue(st.pass(), st.reason());
    TreeMap<Integer, String> all = new TreeMap<>(Map.of(128, "x"));
    assertFalse(Verdicts.judge(Parametrization.STANDARD, LAYERS, new double[4], ratios(1.5), WIDTHS, FIT, all).pass());
  }

  @Test
  void missingSlopesFail() {
    Verdict few = Verdicts.judge(Parametrization.MUP, LAYERS, new double[4], ratios(1.5), WIDTHS, new int[] {4096},
        new TreeMap<>());
    assertFalse(few.pass());
    assertTrue(few.reason().contains("at least 2 widths"), few.reason());
    assertFalse(judge(Parametrization.SPECTRAL, 0, Double.NaN, 0, 0).pass());
    // a NaN in a layer the verdict does not look at does not matter
    assertTrue(judge(Parametrization.STANDARD, Double.NaN, Double.NaN, Double.NaN, 1).pass());
  }

  static LongStream seeds() {
    return LongStream.range(0, 200);
  }

  /**
   * Synthetic power laws {@code C·n^a} (exact below the input dimension too, with a different exponent
   * there to show that only the fit widths count): the report recovers every exponent and its verdict
   * agrees with the thresholds applied to the true exponents.
   */
  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void reportRecoversPowerLawsAndJudgesThem(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<Parametrization> ps = List.of(Parametrization.values());
    int metrics = CoordCheckReport.METRICS.size();
    double[][][][] values = new double[ps.size()][metrics][LAYERS.size()][WIDTHS.length];
    double[][] slopes = new double[ps.size()][LAYERS.size()];
    double[] ratio = new double[ps.size()];
    for (int p = 0; p < ps.size(); p++) {
      ratio[p] = 0.8 + 1.6 * random.nextDouble();
      // half the parametrizations get exponents near the thresholds, so that both outcomes occur
      double spread = random.nextBoolean() ? 0.15 : 0.8;
      for (int m = 0; m < metrics; m++) {
        for (int l = 0; l < LAYERS.size(); l++) {
          double a = random.nextDouble(-spread, spread);
          double c = Math.exp(random.nextDouble(-5, 2));
          if (m == CoordCheckReport.RMS_DH) {
            slopes[p][l] = a;
          }
          for (int w = 0; w < WIDTHS.length; w++) {
            double exponent = WIDTHS[w] >= INPUT_DIM ? a : a + 0.5;
            values[p][m][l][w] = m == CoordCheckReport.W_SPEC_RATIO ? ratio[p] : c * Math.pow(WIDTHS[w], exponent);
          }
        }
      }
    }
    CoordCheckReport.Setup setup = new CoordCheckReport.Setup("synthetic", Optimizer.SGD, 0.1, 10, 128, seed, 1, INPUT_DIM, 10);
    CoordCheckReport report = CoordCheckReport.of(setup, WIDTHS, LAYERS, ps, values, Map.of());
    assertEquals(ps.size() * metrics * LAYERS.size(), report.series().size());
    for (int p = 0; p < ps.size(); p++) {
      for (int l = 0; l < LAYERS.size(); l++) {
        Series s = report.series(ps.get(p), LAYERS.get(l), "rms_dh");
        assertEquals(slopes[p][l], s.slope(), FIT_TOLERANCE);
        assertEquals(0, s.slopeStdErr(), 1e-6);
      }
      double[] a = slopes[p];
      boolean expected = switch (ps.get(p)) {
        case STANDARD -> a[3] >= 0.3;
        case NTK -> a[0] <= -0.3 && a[1] <= -0.3 && a[2] <= -0.3;
        case MUP -> Math.abs(a[0]) <= 0.1 && Math.abs(a[1]) <= 0.1 && Math.abs(a[2]) <= 0.1 && Math.abs(a[3]) <= 0.15;
        case SPECTRAL -> Math.abs(a[0]) <= 0.1 && Math.abs(a[1]) <= 0.1 && Math.abs(a[2]) <= 0.1
            && Math.abs(a[3]) <= 0.15 && ratio[p] >= 0.9 && ratio[p] <= 2.2;
      };
      assertEquals(expected, report.verdicts().get(p).pass(), report.verdicts().get(p).reason());
    }
    assertEquals(report.verdicts().stream().allMatch(Verdict::pass), report.allPass());
  }
}
