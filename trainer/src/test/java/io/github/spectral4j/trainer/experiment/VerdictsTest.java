package io.github.spectral4j.trainer.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.spectral4j.core.LayerRole;
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

/**
 * The coord check's verdicts against core's predictions, on hand-made slopes (including those measured on
 * MNIST, quoted in the test names) and on synthetic power laws.
 */
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

  private static final List<LayerRole> ROLES = Verdicts.mlpRoles(4);

  private static Verdict judge(Parametrization p, double... slopes) {
    return judge(p, Optimizer.SGD, slopes);
  }

  private static Verdict judge(Parametrization p, Optimizer o, double... slopes) {
    return Verdicts.judge(p, o, LAYERS, ROLES, slopes, ratios(1.5), WIDTHS, FIT, new TreeMap<>());
  }

  private static Verdict judge(Parametrization p, double[][] ratios, TreeMap<Integer, String> diverged, double... slopes) {
    return Verdicts.judge(p, Optimizer.SGD, LAYERS, ROLES, slopes, ratios, WIDTHS, FIT, diverged);
  }

  @Test
  void spectralPassesWithFlatSlopesAndFailsJustOutsideTheTolerances() {
    Verdict ok = judge(Parametrization.SPECTRAL, 0.1, -0.1, 0.05, 0.15);
    assertTrue(ok.pass(), ok.reason());
    assertTrue(ok.reason().contains("W4 +0.15 (|slope| <= 0.15)"), ok.reason());
    assertTrue(judge(Parametrization.SPECTRAL, 0.11, 0, 0, 0).failed());
    assertTrue(judge(Parametrization.SPECTRAL, 0, 0, -0.101, 0).failed());
    Verdict out = judge(Parametrization.MUP, 0, 0, 0, -0.16);
    assertTrue(out.failed());
    assertTrue(out.reason().contains("W4 -0.16 is not |slope| <= 0.15"), out.reason());
  }

  @Test
  void spectralFailsWhenAnInitialNormLeavesTheBand() {
    double[][] r = ratios(1.5);
    r[2][4] = 2.3;
    Verdict v = judge(Parametrization.SPECTRAL, r, new TreeMap<>(), new double[4]);
    assertTrue(v.failed());
    assertTrue(v.reason().contains("w_spec_ratio of W3 at width 2048 is 2.30"), v.reason());
    r[2][4] = 0.89;
    assertTrue(judge(Parametrization.SPECTRAL, r, new TreeMap<>(), new double[4]).failed());
    // μP is not held to the band
    assertTrue(judge(Parametrization.MUP, r, new TreeMap<>(), new double[4]).pass());
  }

  /** SGD, default MNIST run: standard −0.57, +0.09, +0.19, +0.70. */
  @Test
  void standardUnderSgdNeedsTheOutputBlowUpAndNamesTheHiddenLayersItCannotJudge() {
    Verdict v = judge(Parametrization.STANDARD, -0.57, 0.09, 0.19, 0.70);
    assertTrue(v.pass(), v.reason());
    assertTrue(v.reason().contains("not judged: W2, W3 (grows like n^1/2 at small steps, but under SGD"), v.reason());
    assertTrue(judge(Parametrization.STANDARD, -0.3, 5, -5, 0.3).pass(), "hidden layers are not judged");
    Verdict no = judge(Parametrization.STANDARD, -0.5, 0.9, 0.9, 0.29);
    assertTrue(no.failed());
    assertTrue(no.reason().contains("W4 +0.29 is not >= +0.30"), no.reason());
    assertTrue(judge(Parametrization.STANDARD, -0.29, 0, 0, 1).failed(), "the input layer's decay is judged");
  }

  /** SGD, default MNIST run: ntk −0.53, −0.53, −0.55, −0.14. */
  @Test
  void ntkUnderSgdNeedsEveryHiddenLayerFrozenAndAFlatOutput() {
    Verdict v = judge(Parametrization.NTK, -0.53, -0.53, -0.55, -0.14);
    assertTrue(v.pass(), v.reason());
    assertTrue(judge(Parametrization.NTK, -0.5, -0.29, -0.6, 0).failed());
    assertTrue(judge(Parametrization.NTK, -0.5, -0.5, -0.6, 0.4).failed(), "the output does not blow up under ntk");
  }

  /**
   * The case: {@code coord-check --optimizer adam} failed standard and ntk because only SGD had
   * predictions. Adam at η = 10⁻⁵ on MNIST measured standard −0.01, +0.76, +0.82, +1.25 and ntk −0.01,
   * +0.33, +0.38, +0.86; those pass, and SGD's pictures (output blow-up only, frozen ntk) fail.
   */
  @Test
  void adamHasPredictionsOfItsOwn() {
    Verdict standard = judge(Parametrization.STANDARD, Optimizer.ADAM, -0.01, 0.76, 0.82, 1.25);
    assertTrue(standard.pass(), standard.reason());
    Verdict ntk = judge(Parametrization.NTK, Optimizer.ADAM, -0.01, 0.33, 0.38, 0.86);
    assertTrue(ntk.pass(), ntk.reason());
    assertTrue(judge(Parametrization.STANDARD, Optimizer.ADAM, -0.57, 0.09, 0.19, 0.70).failed());
    assertTrue(judge(Parametrization.NTK, Optimizer.ADAM, -0.53, -0.53, -0.55, -0.14).failed());
    assertTrue(judge(Parametrization.MUP, Optimizer.ADAM, 0.02, 0.04, 0.07, 0.04).pass());
    assertTrue(judge(Parametrization.SPECTRAL, Optimizer.ADAM, 0.00, -0.01, -0.01, -0.03).pass());
  }

  /** Normalized updates, η = 0.1 on MNIST: standard −0.59, −0.41, −0.40, +0.09; ntk −0.49, −0.50, −0.50, −0.05. */
  @Test
  void normalizedUpdatesHavePredictionsOfTheirOwn() {
    Verdict standard = judge(Parametrization.STANDARD, Optimizer.NORMALIZED, -0.59, -0.41, -0.40, 0.09);
    assertTrue(standard.pass(), standard.reason());
    assertTrue(standard.reason().contains("W2 -0.41 (in [-0.60, +0.10])"), standard.reason());
    assertTrue(judge(Parametrization.NTK, Optimizer.NORMALIZED, -0.49, -0.50, -0.50, -0.05).pass());
    assertTrue(judge(Parametrization.STANDARD, Optimizer.NORMALIZED, -0.59, 0.3, 0.3, 0.09).failed());
  }

  @Test
  void divergenceFailsExceptAsAPredictedBlowUp() {
    TreeMap<Integer, String> d = new TreeMap<>(Map.of(4096, "non-finite loss at step 7"));
    Verdict s = judge(Parametrization.SPECTRAL, ratios(1.5), d, new double[4]);
    assertTrue(s.failed());
    assertTrue(s.reason().contains("diverged at width 4096 (non-finite loss at step 7)"), s.reason());
    Verdict st = judge(Parametrization.STANDARD, ratios(1.5), d, new double[4]);
    assertTrue(st.pass(), st.reason());
    assertTrue(Verdicts.judge(Parametrization.NTK, Optimizer.ADAM, LAYERS, ROLES, new double[4], ratios(1.5), WIDTHS,
        FIT, d).pass(), "ntk's output grows under adam");
    assertTrue(judge(Parametrization.NTK, ratios(1.5), d, new double[4]).failed(), "but not under sgd");
    TreeMap<Integer, String> all = new TreeMap<>(Map.of(128, "x"));
    assertTrue(judge(Parametrization.STANDARD, ratios(1.5), all, new double[4]).failed());
  }

  @Test
  void whatNoPredictionCoversIsNotApplicableNotAFailure() {
    Verdict few = Verdicts.judge(Parametrization.MUP, Optimizer.SGD, LAYERS, ROLES, new double[4], ratios(1.5), WIDTHS,
        new int[] {4096}, new TreeMap<>());
    assertEquals(Verdict.Status.NOT_APPLICABLE, few.status());
    assertFalse(few.failed());
    assertTrue(few.reason().contains("at least 2 widths"), few.reason());
    Verdict bias = Verdicts.judge(Parametrization.SPECTRAL, Optimizer.ADAM, List.of("b1"), List.of(LayerRole.BIAS),
        new double[] {0.4}, new double[][] {{1.5}}, new int[] {1024}, new int[] {1024, 2048}, new TreeMap<>());
    assertEquals(Verdict.Status.NOT_APPLICABLE, bias.status(), bias.reason());
    assertTrue(bias.reason().contains("b1 (a bias has no features of its own"), bias.reason());
    assertTrue(judge(Parametrization.SPECTRAL, 0, Double.NaN, 0, 0).failed(), "an unfittable judged slope fails");
    assertTrue(judge(Parametrization.STANDARD, -0.5, Double.NaN, Double.NaN, 1).pass(),
        "a NaN in a layer that is not judged does not matter");
  }

  static LongStream seeds() {
    return LongStream.range(0, 200);
  }

  /**
   * Synthetic power laws {@code C·n^a} (exact below the input dimension too, with a different exponent
   * there to show that only the fit widths count): the report recovers every exponent and its verdict
   * agrees with the SGD thresholds written out by hand.
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
    CoordCheckReport.Setup setup = new CoordCheckReport.Setup("synthetic", Optimizer.SGD, 0.1, 10, 128, seed, 1, INPUT_DIM, 10, false);
    CoordCheckReport report = CoordCheckReport.of(setup, WIDTHS, LAYERS, ps, values, Map.of());
    assertEquals(ps.size() * metrics * LAYERS.size(), report.series().size());
    for (int p = 0; p < ps.size(); p++) {
      for (int l = 0; l < LAYERS.size(); l++) {
        Series s = report.series(ps.get(p), LAYERS.get(l), "rms_dh");
        assertEquals(slopes[p][l], s.slope(), FIT_TOLERANCE);
        assertEquals(0, s.slopeStdErr(), 1e-6);
      }
      double[] a = slopes[p];
      boolean flat = Math.abs(a[0]) <= 0.1 && Math.abs(a[1]) <= 0.1 && Math.abs(a[2]) <= 0.1 && Math.abs(a[3]) <= 0.15;
      boolean expected = switch (ps.get(p)) {
        case STANDARD -> a[0] <= -0.3 && a[3] >= 0.3;
        case NTK -> a[0] <= -0.3 && a[1] <= -0.3 && a[2] <= -0.3 && Math.abs(a[3]) <= 0.15;
        case MUP -> flat;
        case SPECTRAL -> flat && ratio[p] >= 0.9 && ratio[p] <= 2.2;
      };
      assertEquals(expected, report.verdicts().get(p).pass(), report.verdicts().get(p).reason());
    }
    assertEquals(report.verdicts().stream().noneMatch(Verdict::failed), report.allPass());
  }
}
