package io.github.spectral4j.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.spectral4j.simd.FloatMatrix;
import org.junit.jupiter.api.Test;

class LossTest {
  @Test
  void crossEntropyHandCase() {
    // Two equal logits: loss ln 2, gradient (softmax − onehot)/B = (0.5 − 1, 0.5)/2 per row of a batch of 2.
    FloatMatrix z = FloatMatrix.of(2, 2, 0, 0, 3, 3);
    FloatMatrix g = FloatMatrix.zeros(2, 2);
    double loss = Loss.CROSS_ENTROPY.lossAndGradient(z, new Batch(FloatMatrix.zeros(2, 1), new int[] {0, 1}), g);
    assertEquals(Math.log(2), loss, 1e-12);
    assertArrayEquals(new float[] {-0.25f, 0.25f, 0.25f, -0.25f}, g.data(), 1e-7f);
  }

  @Test
  void crossEntropyIsStableForHugeLogits() {
    FloatMatrix z = FloatMatrix.of(1, 3, 1000f, 0f, -1000f);
    FloatMatrix g = FloatMatrix.zeros(1, 3);
    double loss = Loss.CROSS_ENTROPY.lossAndGradient(z, new Batch(FloatMatrix.zeros(1, 1), new int[] {1}), g);
    assertEquals(1000, loss, 1e-9);
    assertArrayEquals(new float[] {1f, -1f, 0f}, g.data(), 1e-7f);
  }

  @Test
  void mseHandCase() {
    // ½‖(2, 0) − (0, 1)‖² = ½·5, gradient (2, −1) for a batch of one.
    FloatMatrix z = FloatMatrix.of(1, 2, 2f, 0f);
    FloatMatrix g = FloatMatrix.zeros(1, 2);
    double loss = Loss.MSE.lossAndGradient(z, new Batch(FloatMatrix.zeros(1, 1), new int[] {1}), g);
    assertEquals(2.5, loss, 1e-12);
    assertArrayEquals(new float[] {2f, -1f}, g.data());
  }

  @Test
  void rejectsLabelOutOfRange() {
    FloatMatrix z = FloatMatrix.zeros(1, 2);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Loss.MSE.lossAndGradient(z, new Batch(FloatMatrix.zeros(1, 1), new int[] {2}), FloatMatrix.zeros(1, 2)));
    assertTrue(e.getMessage().contains("label 2"), e.getMessage());
  }

  @Test
  void parsesNames() {
    assertEquals(Loss.CROSS_ENTROPY, Loss.parse("cross-entropy"));
    assertEquals(Loss.MSE, Loss.parse("MSE"));
    assertThrows(IllegalArgumentException.class, () -> Loss.parse("hinge"));
    assertEquals(UpdateMode.NEWTON_SCHULZ, UpdateMode.parse("newton-schulz"));
  }
}
