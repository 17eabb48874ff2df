package io.github.spectral4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.spectral4j.core.Prediction.Quantity;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The predictions against the exponents derived by hand in {@link Predictions}' class comment, then
 * the initial-norm exponents against the rules' own closed form at large widths.
 */
class PredictionsTest {
  private static final LayerRole[] MLP = {LayerRole.INPUT, LayerRole.HIDDEN, LayerRole.OUTPUT};

  private static void assertSlopes(Quantity q, Parametrization p, Optimizer o, double... expected) {
    for (int i = 0; i < MLP.length; i++) {
      Prediction pr = Predictions.of(q, p, o, MLP[i]);
      assertEquals(expected[i], pr.slope(), 0, q.id() + " " + p.id() + " " + o.id() + " " + MLP[i] + ": " + pr);
    }
  }

  @Test
  void featureUpdateExponentsByHand() {
    for (Optimizer o : Optimizer.values()) {
      assertSlopes(Quantity.RMS_DH, Parametrization.SPECTRAL, o, 0, 0, 0);
      assertSlopes(Quantity.RMS_DH, Parametrization.MUP, o, 0, 0, 0);
    }
    assertSlopes(Quantity.RMS_DH, Parametrization.STANDARD, Optimizer.SGD, -0.5, 0.5, 1);
    assertSlopes(Quantity.RMS_DH, Parametrization.NTK, Optimizer.SGD, -0.5, -0.5, 0);
    assertSlopes(Quantity.RMS_DH, Parametrization.STANDARD, Optimizer.ADAM, 0, 1, 1.5);
    assertSlopes(Quantity.RMS_DH, Parametrization.NTK, Optimizer.ADAM, 0, 0.5, 1);
    assertSlopes(Quantity.RMS_DH, Parametrization.STANDARD, Optimizer.NORMALIZED, -0.5, 0, 0.5);
    assertSlopes(Quantity.RMS_DH, Parametrization.NTK, Optimizer.NORMALIZED, -0.5, -0.5, 0);
  }

  @Test
  void updateNormExponentsByHand() {
    assertSlopes(Quantity.DW_SPEC_RATIO, Parametrization.STANDARD, Optimizer.SGD, -0.5, 0.5, 1);
    assertSlopes(Quantity.DW_SPEC_RATIO, Parametrization.STANDARD, Optimizer.ADAM, 0, 1, 1);
    assertSlopes(Quantity.DW_SPEC_RATIO, Parametrization.NTK, Optimizer.ADAM, 0, 0.5, 0.5);
    assertSlopes(Quantity.DW_SPEC_RATIO, Parametrization.STANDARD, Optimizer.NORMALIZED, -0.5, 0, 0.5);
    assertSlopes(Quantity.DW_SPEC_RATIO, Parametrization.SPECTRAL, Optimizer.NORMALIZED, 0, 0, 0);
  }

  @Test
  void initialisationExponentsByHandDoNotDependOnTheOptimizer() {
    for (Optimizer o : Optimizer.values()) {
      assertSlopes(Quantity.RMS_H, Parametrization.STANDARD, o, 0, 0, 0);
      assertSlopes(Quantity.RMS_H, Parametrization.MUP, o, 0, 0, -0.5);
      assertSlopes(Quantity.RMS_H, Parametrization.SPECTRAL, o, 0, 0, -0.5);
      assertSlopes(Quantity.W_SPEC_RATIO, Parametrization.STANDARD, o, 0, 0, 0.5);
      assertSlopes(Quantity.W_SPEC_RATIO, Parametrization.NTK, o, 0, 0, 0.5);
      assertSlopes(Quantity.W_SPEC_RATIO, Parametrization.SPECTRAL, o, 0, 0, 0);
    }
    assertTrue(Predictions.initialNormBand(Parametrization.SPECTRAL));
    assertFalse(Predictions.initialNormBand(Parametrization.MUP));
  }

  @Test
  void bandsAndWhatIsNotJudged() {
    Prediction flat = Predictions.of(Quantity.RMS_DH, Parametrization.SPECTRAL, Optimizer.SGD, LayerRole.HIDDEN);
    assertEquals("|slope| <= 0.10", flat.band());
    assertTrue(flat.accepts(0.1) && flat.accepts(-0.1) && !flat.accepts(0.1001) && !flat.accepts(Double.NaN));
    Prediction out = Predictions.of(Quantity.RMS_DH, Parametrization.MUP, Optimizer.SGD, LayerRole.OUTPUT);
    assertTrue(out.accepts(-0.15) && !out.accepts(-0.151));
    Prediction blowUp = Predictions.of(Quantity.RMS_DH, Parametrization.STANDARD, Optimizer.SGD, LayerRole.OUTPUT);
    assertEquals(">= +0.30", blowUp.band());
    assertTrue(blowUp.accepts(0.3) && blowUp.accepts(7) && !blowUp.accepts(0.29));
    Prediction frozen = Predictions.of(Quantity.RMS_DH, Parametrization.NTK, Optimizer.SGD, LayerRole.HIDDEN);
    assertEquals("<= -0.30", frozen.band());
    Prediction hidden = Predictions.of(Quantity.RMS_DH, Parametrization.STANDARD, Optimizer.SGD, LayerRole.HIDDEN);
    assertTrue(hidden.predicted());
    assertFalse(hidden.judged());
    assertTrue(hidden.reason().contains("saturates the softmax"), hidden.reason());
    assertThrows(IllegalStateException.class, () -> hidden.accepts(0.5));
    // two paths less than a power of n apart: the band spans both
    Prediction mixed = Predictions.of(Quantity.RMS_DH, Parametrization.NTK, Optimizer.ADAM, LayerRole.HIDDEN);
    assertEquals("in [-0.10, +0.60]", mixed.band());
    for (Quantity q : Quantity.values()) {
      Prediction bias = Predictions.of(q, Parametrization.SPECTRAL, Optimizer.ADAM, LayerRole.BIAS);
      assertFalse(bias.predicted(), bias.toString());
      assertEquals(q, Quantity.parse(q.id()));
    }
    assertThrows(IllegalArgumentException.class, () -> Quantity.parse("dw_stable_rank"));
    assertThrows(IllegalArgumentException.class, () -> new Prediction(Quantity.RMS_H, Double.NaN, 0, 1, "x"));
    assertThrows(IllegalArgumentException.class, () -> new Prediction(Quantity.RMS_H, 0, 1, 0, "x"));
  }

  static java.util.stream.LongStream seeds() {
    return Seeds.cases();
  }

  /**
   * The predicted {@code w_spec_ratio} exponent equals the slope of the rule's own
   * {@code expectedInitSpectralNorm / targetWeightNorm} between widths {@code n} and {@code 4n}, for
   * random fixed input and output dimensions once {@code n} is far above them.
   */
  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void initialNormExponentMatchesTheRulesClosedForm(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int d = 1 + r.nextInt(2000);
    int c = 1 + r.nextInt(2000);
    int n = 1 << 26;
    Parametrization p = Parametrization.values()[r.nextInt(Parametrization.values().length)];
    Optimizer o = Optimizer.values()[r.nextInt(Optimizer.values().length)];
    LayerRole role = MLP[r.nextInt(MLP.length)];
    double slope = Math.log(ratio(p, o, role, d, c, 4 * n) / ratio(p, o, role, d, c, n)) / Math.log(4);
    // the finite-size part of σ(√fi + √fo) is √(small/large) ≤ √(2000/2^26) ≈ 0.005
    assertEquals(Predictions.of(Quantity.W_SPEC_RATIO, p, o, role).slope(), slope, 0.01,
        p + " " + o + " " + role + " d=" + d + " c=" + c);
  }

  private static double ratio(Parametrization p, Optimizer o, LayerRole role, int d, int c, int n) {
    Layer layer = switch (role) {
      case INPUT -> new Layer("W1", d, n, role);
      case HIDDEN -> new Layer("W2", n, n, role);
      default -> new Layer("W3", n, c, role);
    };
    LayerRule rule = p.rule(layer, o);
    return rule.expectedInitSpectralNorm() / rule.targetWeightNorm();
  }
}
