package io.github.spectral4j.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.spectral4j.simd.FloatMatrix;
import org.junit.jupiter.api.Test;

/**
 * The per-step path whose tracking products the optimizer forms in its own pass over W
 * ({@link io.github.spectral4j.trainer.optim.FusedProducts}): the same spectral norms, to float rounding,
 * as the pass after the step, and close to the exact post-update measurement ({@link Diagnostics#measureToTolerance}).
 */
class DiagnosticsFusedTest {
  private static final Dataset DATA = Dataset.mnist10k().subset(0, 2000);

  /** Two identical runs, one measured through the optimizer's pass: every value and every weight equal. */
  @Test
  void fusedProductsGiveTheSameMeasurementsAsAPassAfterTheStep() {
    TrainingConfig c = TrainingConfig.defaults(new int[] {784, 96, 64, 10}).withBatchSize(32);
    Training fused = new Training(c, DATA);
    Training separate = new Training(c, DATA);
    FloatMatrix probe = DATA.range(100, 16).inputs();
    Diagnostics df = new Diagnostics(fused.model(), probe);
    Diagnostics ds = new Diagnostics(separate.model(), probe);
    ds.fuseProducts = false;
    for (int i = 0; i < 8; i++) {
      fused.step();
      separate.step();
      if (i == 5) {
        continue; // a gap: the next call is not incremental, and the products formed at step 6 go unused
      }
      Measurement a = df.measure(fused);
      Measurement b = ds.measure(separate);
      assertEquals(b.features(), a.features(), "features at step " + (i + 1));
      for (int l = 0; l < 3; l++) {
        ParameterStats x = a.parameters().get(l);
        ParameterStats y = b.parameters().get(l);
        String at = x.name() + " at step " + (i + 1);
        // The power iterations see the same products (up to the order of sums over two halves of the
        // rows, from 64 rows on): the same values to float rounding; the update's are the same bits.
        assertEquals(y.wNorm(), x.wNorm(), 1e-6 * y.wNorm(), "‖W‖* of " + at);
        assertEquals(y.dwNorm(), x.dwNorm(), 1e-5 * y.dwNorm(), "‖W − W₀‖* of " + at);
        assertEquals(y.updateNorm(), x.updateNorm(), "‖ΔW‖* of " + at);
        assertEquals(y.alignment(), x.alignment(), "alignment of " + at);
        // Frobenius norms: with products the pass sums each row's squares in float, without in double.
        assertEquals(y.updateFrobeniusNorm(), x.updateFrobeniusNorm(), 1e-6 * y.updateFrobeniusNorm(), "‖ΔW‖_F of " + at);
        assertEquals(y.stableRank(), x.stableRank(), 1e-6 * y.stableRank(), "stable rank of " + at);
        assertEquals(y.dwStableRank(), x.dwStableRank(), 1e-6 * y.dwStableRank(), "drift stable rank of " + at);
      }
    }
    for (int l = 0; l < 3; l++) {
      assertArrayEquals(separate.model().weight(l).data(), fused.model().weight(l).data(), "W" + (l + 1));
    }
  }

  /**
   * Plain SGD measured every step: a layer whose ΔW the diagnostics take from its factors (W1 here) is
   * updated in its weight gradient's GEMM, as in a plain step, ΔW not stored, and its products formed in that
   * GEMM's write-back (the request served at that step); the layers whose stored ΔW is
   * read (W2, W3: factors not the smaller read) keep the update pass that stores it and forms them. Weights
   * and losses are those of plain steps, bit for bit.
   */
  @Test
  void factoredLayersTakeTheGemmUpdateAndTheOthersKeepTheirUpdate() {
    TrainingConfig c = TrainingConfig.defaults(new int[] {784, 96, 64, 10}).withBatchSize(40);
    Training watched = new Training(c, DATA);
    Training plain = new Training(c, DATA);
    Diagnostics d = new Diagnostics(watched.model(), DATA.range(100, 16).inputs());
    for (int i = 0; i < 5; i++) {
      assertEquals(plain.step(), watched.step(d), "loss at step " + (i + 1));
      Measurement m = d.measure(watched);
      assertEquals(i + 1, m.step());
      if (i > 0) {
        // Requested at the last measurement: W1's step ran in the GEMM, W2's and W3's in the pass.
        assertEquals(false, watched.optimizer().keptUpdate(watched.model().weightParameter(0)), "W1 at step " + (i + 1));
        assertEquals(true, watched.optimizer().keptUpdate(watched.model().weightParameter(1)), "W2 at step " + (i + 1));
        assertEquals(true, watched.optimizer().keptUpdate(watched.model().weightParameter(2)), "W3 at step " + (i + 1));
      }
    }
    for (int l = 0; l < 3; l++) {
      assertArrayEquals(plain.model().weight(l).data(), watched.model().weight(l).data(), "W" + (l + 1));
    }
  }

  /**
   * Measured every step, the tracked norms stay close to the exact post-update measurement: ‖W‖* within
   * the power iterations' tolerance, and ‖W − W₀‖* (one tracking iteration per step) within 1e-2 after
   * 20 steps (measured: 2e-4 to 6e-4 here), as with the pass after the step.
   */
  @Test
  void trackedNormsStayCloseToTheExactMeasurement() {
    TrainingConfig c = TrainingConfig.defaults(new int[] {784, 256, 256, 10}).withBatchSize(64);
    Training t = new Training(c, DATA);
    FloatMatrix probe = DATA.range(100, 16).inputs();
    Diagnostics perStep = new Diagnostics(t.model(), probe);
    Diagnostics exact = new Diagnostics(t.model(), probe);
    Measurement tracked = null;
    for (int i = 0; i < 20; i++) {
      t.step();
      tracked = perStep.measure(t);
    }
    Measurement reference = exact.measureToTolerance(t);
    for (int l = 0; l < 3; l++) {
      ParameterStats s = tracked.parameters().get(l);
      ParameterStats r = reference.parameters().get(l);
      assertEquals(r.wNorm(), s.wNorm(), Diagnostics.TOLERANCE * r.wNorm(), "‖W‖* of " + s.name());
      assertEquals(r.dwNorm(), s.dwNorm(), 1e-2 * r.dwNorm(), "‖W − W₀‖* of " + s.name());
      assertEquals(r.updateNorm(), s.updateNorm(), Diagnostics.TOLERANCE * r.updateNorm(), "‖ΔW‖* of " + s.name());
      assertEquals(r.alignment(), s.alignment(), 2 * Diagnostics.TOLERANCE * r.alignment(), "alignment of " + s.name());
    }
  }
}
