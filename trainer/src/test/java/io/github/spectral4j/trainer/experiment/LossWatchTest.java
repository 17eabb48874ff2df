package io.github.spectral4j.trainer.experiment;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.spectral4j.core.ModelShape;
import io.github.spectral4j.core.Optimizer;
import io.github.spectral4j.core.Parametrization;
import io.github.spectral4j.simd.Blas;
import io.github.spectral4j.trainer.Activation;
import io.github.spectral4j.trainer.Loss;
import io.github.spectral4j.trainer.Mlp;
import org.junit.jupiter.api.Test;

/** The divergence threshold by hand: ten times max(first loss, chance), and the layer that grew most. */
class LossWatchTest {
  private static Mlp model() {
    ModelShape shape = ModelShape.of(new int[] {7, 13, 5}, false);
    return Mlp.initialize(shape, Activation.RELU, shape.rules(Parametrization.SPECTRAL, Optimizer.SGD), 3);
  }

  @Test
  void crossEntropyThresholdIsTenTimesTheLargerOfFirstLossAndChance() {
    LossWatch w = new LossWatch(model(), Loss.CROSS_ENTROPY);
    double chance = Math.log(5);
    assertNull(w.check(1, 1.0)); // below chance: the reference is ln 5
    assertNull(w.check(2, 10 * chance));
    assertTrue(w.check(3, 10 * chance * 1.0001).startsWith("training diverged at step 3: loss "));
    LossWatch high = new LossWatch(model(), Loss.CROSS_ENTROPY);
    assertNull(high.check(5, 4.0)); // above chance: the reference is the first loss
    assertNull(high.check(6, 40.0));
    assertTrue(high.check(7, 40.01).contains("exceeds 10 times its reference 4.000 (max of step 5's loss and chance)"));
  }

  @Test
  void mseChanceIsOneHalfAndNaNIsLeftToTheTrainer() {
    LossWatch w = new LossWatch(model(), Loss.MSE);
    assertNull(w.check(1, 0.01));
    assertNull(w.check(2, 5.0));
    assertTrue(w.check(3, 5.01) != null);
    assertNull(w.check(4, Double.NaN), "non-finite values are the trainer's DivergenceException");
  }

  @Test
  void namesTheLayerWhoseWeightsGrewMost() {
    Mlp m = model();
    LossWatch w = new LossWatch(m, Loss.CROSS_ENTROPY);
    w.check(1, 2);
    Blas.scal(3f, m.weight(0).data());
    Blas.scal(50f, m.weight(1).data());
    String message = w.check(2, 1e6);
    assertTrue(message.contains("layer W2 grew most, its weights' Frobenius norm ×50.0 since step 1"), message);
  }
}
