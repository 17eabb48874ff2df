package io.github.spectral4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.spectral4j.core.Prediction.Quantity;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The transformer outputs' exponents and bands against those derived by hand in {@link TransformerPredictions}. */
class TransformerPredictionsTest {

  private static void assertSlopes(Quantity q, Parametrization p, Optimizer o, double... expected) {
    List<Prediction> got = TransformerPredictions.outputs(q, p, o, expected.length - 2);
    assertEquals(expected.length, got.size());
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], got.get(i).slope(), 0, q.id() + " " + p.id() + " " + o.id() + " output " + i + ": " + got.get(i));
    }
  }

  @Test
  void adamExponentsByHand() {
    // standard: one row of ±η per token (0); ΔW·x sums fi ∝ n aligned terms in every block (+1); the readout's own +1
    assertSlopes(Quantity.RMS_DH, Parametrization.STANDARD, Optimizer.ADAM, 0, 1, 1, 1);
    assertSlopes(Quantity.RMS_DH, Parametrization.NTK, Optimizer.ADAM, 0, 0.5, 0.5, 0.5);
    assertSlopes(Quantity.RMS_DH, Parametrization.MUP, Optimizer.ADAM, 0, 0, 0, 0);
    assertSlopes(Quantity.RMS_DH, Parametrization.SPECTRAL, Optimizer.ADAM, 0, 0, 0, 0, 0);
    for (Optimizer o : Optimizer.values()) {
      assertSlopes(Quantity.RMS_H, Parametrization.STANDARD, o, 0, 0, 0, 0);
      assertSlopes(Quantity.RMS_H, Parametrization.MUP, o, 0, 0, 0, -0.5);
      assertSlopes(Quantity.RMS_H, Parametrization.SPECTRAL, o, 0, 0, -0.5);
      assertSlopes(Quantity.RMS_DH, Parametrization.SPECTRAL, o, 0, 0, 0, 0);
      assertSlopes(Quantity.RMS_DH, Parametrization.MUP, o, 0, 0, 0);
    }
  }

  @Test
  void sgdAndNormalizedExponentsByHand() {
    // standard SGD: the embedding row moves by η·δ, δ of RMS n^-1/2; blocks ΔW·x ∝ η·‖δ‖·‖x‖² = n^1/2
    assertSlopes(Quantity.RMS_DH, Parametrization.STANDARD, Optimizer.SGD, -0.5, 0.5, 0.5, 1);
    assertSlopes(Quantity.RMS_DH, Parametrization.STANDARD, Optimizer.NORMALIZED, -0.5, 0, 0, 0.5);
    assertSlopes(Quantity.RMS_DH, Parametrization.NTK, Optimizer.NORMALIZED, -0.5, 0, 0.5);
  }

  /** Issue 10's bars come out of the derivation for the default coord check (AdamW). */
  @Test
  void theIssuesBarsForAdam() {
    for (Parametrization p : List.of(Parametrization.SPECTRAL, Parametrization.MUP)) {
      for (Prediction pr : TransformerPredictions.outputs(Quantity.RMS_DH, p, Optimizer.ADAM, 2)) {
        assertEquals("|slope| <= 0.12", pr.band(), p + " " + pr);
        assertTrue(pr.accepts(0.12) && pr.accepts(-0.12) && !pr.accepts(0.1201) && !pr.accepts(-0.1201));
      }
    }
    List<Prediction> standard = TransformerPredictions.outputs(Quantity.RMS_DH, Parametrization.STANDARD, Optimizer.ADAM, 3);
    assertEquals("|slope| <= 0.12", standard.get(0).band());
    for (int l = 1; l <= 3; l++) {
      assertEquals(">= +1.00", standard.get(l).band(), standard.get(l).toString());
      assertTrue(standard.get(l).accepts(1.0) && standard.get(l).accepts(2.3) && !standard.get(l).accepts(0.99));
    }
    assertEquals(">= +0.20", standard.get(4).band());
    assertTrue(standard.get(4).accepts(0.2) && !standard.get(4).accepts(0.19));
  }

  /** core's rules keep the promise verdicts hold spectral and μP to: every derived rms_dh exponent is 0. */
  @Test
  void theRulesOfTheFeatureLearningParametrizationsKeepTheirPromise() {
    for (Parametrization p : Parametrization.values()) {
      boolean allFlat = true;
      for (Optimizer o : Optimizer.values()) {
        for (Prediction pr : TransformerPredictions.outputs(Quantity.RMS_DH, p, o, 2)) {
          allFlat &= pr.slope() == 0;
        }
        for (ParameterKind k : ParameterKind.values()) {
          allFlat &= Predictions.of(Quantity.RMS_DH, p, o, k).slope() == 0;
        }
        for (LayerRole r : List.of(LayerRole.INPUT, LayerRole.HIDDEN, LayerRole.OUTPUT)) {
          allFlat &= Predictions.of(Quantity.RMS_DH, p, o, r).slope() == 0;
        }
      }
      assertEquals(Predictions.promisesFeatureLearning(p), allFlat, p.toString());
    }
  }

  @Test
  void sgdGrowthUpstreamOfGrowingLogitsIsNotJudged() {
    List<Prediction> sgd = TransformerPredictions.outputs(Quantity.RMS_DH, Parametrization.STANDARD, Optimizer.SGD, 2);
    assertTrue(sgd.get(1).predicted() && !sgd.get(1).judged(), sgd.get(1).toString());
    assertTrue(sgd.get(1).reason().contains("saturates the softmax"));
    assertTrue(sgd.get(3).judged());
    assertEquals("<= -0.20", sgd.get(0).band());
  }

  @Test
  void weightRatiosBelongToParametersAndDepthChangesNoExponent() {
    for (Quantity q : List.of(Quantity.W_SPEC_RATIO, Quantity.DW_SPEC_RATIO)) {
      for (Prediction pr : TransformerPredictions.outputs(q, Parametrization.SPECTRAL, Optimizer.ADAM, 2)) {
        assertFalse(pr.predicted(), pr.toString());
      }
    }
    // ResidualDepth's factors are constants in n: every block is predicted alike at every depth
    for (Parametrization p : Parametrization.values()) {
      for (Optimizer o : Optimizer.values()) {
        List<Prediction> one = TransformerPredictions.outputs(Quantity.RMS_DH, p, o, 1);
        List<Prediction> six = TransformerPredictions.outputs(Quantity.RMS_DH, p, o, 6);
        assertEquals(one.get(0), six.get(0));
        for (int l = 1; l <= 6; l++) {
          assertEquals(one.get(1), six.get(l), p + " " + o + " block " + l);
        }
        assertEquals(one.get(2), six.get(7));
      }
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TransformerPredictions.outputs(Quantity.RMS_DH, Parametrization.MUP, Optimizer.ADAM, 0));
    assertTrue(e.getMessage().contains("0"), e.getMessage());
  }
}
