package io.github.spectral4j.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.spectral4j.core.Layer;
import io.github.spectral4j.core.LayerRole;
import io.github.spectral4j.core.Optimizer;
import io.github.spectral4j.core.Parametrization;
import io.github.spectral4j.simd.Blas;
import io.github.spectral4j.simd.FloatMatrix;
import io.github.spectral4j.trainer.nn.Linear;
import io.github.spectral4j.trainer.nn.Parameter;
import io.github.spectral4j.trainer.optim.Sgd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Plain SGD applied by the weight gradients' GEMMs ({@code ParameterOptimizer.fusedStep}) against the same
 * run with every update left to the optimizer's pass ({@link Training#fuseUpdates}): the same losses and
 * parameters bit for bit over several steps on 1, 2 and 3 threads, norms within the float sums' rounding,
 * ΔW recomputed bit for bit (also after an evaluation overwrote the step's buffers); divergence named with
 * the layer and the step; a checkpoint taken after fused steps resumes bit for bit.
 */
class FusedStepTrainingTest {
  private static final Dataset DATA = Dataset.mnist10k().subset(0, 1024);

  static Stream<TrainingConfig> configs() {
    // Widths that fork the GEMMs and take the row-tile route (512) and the few-row route (37, 10); a batch
    // below Blas.rowIndependentFrom(); a GELU MLP with MSE; weight decay (not fused: the pass as before);
    // the step's 1024 × 1024 weight gradient, a column split whose op(A) is packed once for both threads.
    TrainingConfig base = TrainingConfig.defaults(new int[] {784, 512, 37, 10}).withBatchSize(128);
    return Stream.of(
        base,
        TrainingConfig.defaults(new int[] {784, 1024, 1024, 10}).withBatchSize(128),
        base.withBias(true),
        base.withBias(true).withActivation(Activation.GELU).withLoss(Loss.MSE),
        TrainingConfig.defaults(new int[] {784, 64, 10}).withBatchSize(16).withBias(true),
        base.withWeightDecay(1e-3));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("configs")
  void fusedStepsAreThePassesBitForBit(TrainingConfig c) {
    int threads = Blas.parallelism();
    try {
      for (int t = 1; t <= 3; t++) {
        Blas.setParallelism(t);
        Training fused = new Training(c, DATA);
        Training passes = new Training(c, DATA);
        passes.fuseUpdates(false);
        for (int s = 1; s <= 4; s++) {
          assertEquals(passes.step(), fused.step(), "loss of step " + s + " on " + t + " threads");
          for (int l = 0; l < c.dims().length - 1; l++) {
            String what = "W" + (l + 1) + " at step " + s + " on " + t + " threads";
            assertArrayEquals(passes.model().weight(l).data(), fused.model().weight(l).data(), what);
            assertArrayEquals(passes.lastUpdate(l).data(), fused.lastUpdate(l).data(), "ΔW of " + what);
            if (c.bias()) {
              assertArrayEquals(passes.model().bias(l), fused.model().bias(l), "b of " + what);
            }
            double u = passes.lastUpdateFrobeniusNorm(l);
            double w = passes.weightFrobeniusNorm(l);
            assertEquals(u, fused.lastUpdateFrobeniusNorm(l), 2e-6 * u, "‖ΔW‖ of " + what);
            assertEquals(w, fused.weightFrobeniusNorm(l), 2e-6 * w, "‖W‖ of " + what);
          }
        }
        boolean plain = c.weightDecay() == 0;
        Parameter w1 = fused.model().weightParameter(0);
        assertEquals(!plain, fused.optimizer().keptUpdate(w1), "whether ΔW was stored");
        if (plain) {
          assertThrows(IllegalStateException.class, () -> fused.optimizer().lastUpdate(w1));
          assertThrows(IllegalStateException.class, () -> fused.model().weightGradient(0));
        }
      }
    } finally {
      Blas.setParallelism(threads);
    }
  }

  /** An evaluation after the step overwrites the factors' buffers: ΔW was recomputed before it ran. */
  @Test
  void lastUpdateSurvivesAnEvaluation() {
    TrainingConfig c = TrainingConfig.defaults(new int[] {784, 96, 10}).withBatchSize(32);
    Training fused = new Training(c, DATA);
    Training passes = new Training(c, DATA);
    passes.fuseUpdates(false);
    fused.step();
    passes.step();
    fused.model().forward(DATA.range(0, 32).inputs()); // the batch size: the step's buffers are overwritten
    fused.accuracy(DATA);
    for (int l = 0; l < 2; l++) {
      assertArrayEquals(passes.lastUpdate(l).data(), fused.lastUpdate(l).data(), "ΔW of W" + (l + 1));
    }
    assertEquals(passes.step(), fused.step(), "the next step");
  }

  /**
   * A NaN or infinite gradient applied by the weight gradient's GEMM: the optimizer's step names the parameter
   * and the step, as its own pass does.
   */
  @Test
  void aNonFiniteGradientIsNamedWithTheParameterAndTheStep() {
    for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY}) {
      Linear fc = new Linear("fc", Parametrization.STANDARD.rule(new Layer("fc.weight", 70, 300, LayerRole.HIDDEN),
          Optimizer.SGD), null, 3);
      Sgd sgd = new Sgd(fc.parameters(), 0.1, 0, 0);
      FloatMatrix x = FloatMatrix.gaussian(128, 70, 1.0, 1);
      FloatMatrix dy = FloatMatrix.gaussian(128, 300, 0.01, 2);
      fc.forward(x);
      fc.backward(dy, sgd.fusedStep());
      sgd.step();
      assertFalse(sgd.keptUpdate(fc.weight()), "step 1 was fused");
      dy.data()[4321] = bad;
      fc.forward(x);
      fc.backward(dy, sgd.fusedStep());
      DivergenceException e = assertThrows(DivergenceException.class, sgd::step);
      assertEquals("fc.weight", e.layer(), e.getMessage());
      assertEquals(2, e.step(), e.getMessage());
    }
  }

  /** A learning rate that overflows float: the offer leaves it to the pass, which names the layer and step. */
  @Test
  void divergenceNamesTheLayerAndTheStep() {
    TrainingConfig c = TrainingConfig.defaults(new int[] {784, 64, 10}).withBatchSize(32).withLearningRate(1e300);
    for (boolean fuse : new boolean[] {true, false}) {
      Training t = new Training(c, DATA);
      t.fuseUpdates(fuse);
      DivergenceException e = assertThrows(DivergenceException.class, t::step);
      assertEquals(1, e.step(), "fused " + fuse);
      assertEquals("W1", e.layer(), "fused " + fuse + ": " + e.getMessage());
      assertTrue(e.getMessage().contains("W1") && e.getMessage().contains("step 1"), e.getMessage());
    }
  }

  /** A checkpoint of fused steps keeps the update norms, not ΔW, and resumes bit for bit. */
  @Test
  void checkpointAfterFusedStepsResumesBitForBit(@TempDir Path dir) throws Exception {
    TrainingConfig c = TrainingConfig.defaults(new int[] {784, 48, 10}).withBatchSize(32).withBias(true);
    Training straight = new Training(c, DATA);
    for (int i = 0; i < 3; i++) {
      straight.step();
    }
    Path file = dir.resolve("run.ckpt");
    straight.save(file);
    Training resumed = Training.resume(file, DATA);
    Parameter w1 = resumed.model().weightParameter(0);
    assertFalse(resumed.optimizer().keptUpdate(w1));
    assertEquals(straight.lastUpdateFrobeniusNorm(0), resumed.lastUpdateFrobeniusNorm(0));
    assertEquals(straight.lastUpdateFrobeniusNorm(1), resumed.lastUpdateFrobeniusNorm(1));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> resumed.lastUpdate(0));
    assertTrue(e.getMessage().contains("W1") && e.getMessage().contains("checkpoint"), e.getMessage());
    // the biases' updates are applied by the optimizer's pass and stored
    assertArrayEquals(straight.lastBiasUpdate(0), resumed.lastBiasUpdate(0));
    for (int i = 0; i < 3; i++) {
      assertEquals(straight.step(), resumed.step(), "step " + (i + 4));
    }
    for (int l = 0; l < 2; l++) {
      assertArrayEquals(straight.model().weight(l).data(), resumed.model().weight(l).data());
      assertArrayEquals(straight.lastUpdate(l).data(), resumed.lastUpdate(l).data());
    }
    assertTrue(Files.size(file) > 0);
  }

  /** Momentum needs G: no offer. AdamW never offers. */
  @Test
  void onlyPlainSgdOffersTheFusedStep() {
    TrainingConfig c = TrainingConfig.defaults(new int[] {784, 32, 10}).withBatchSize(16);
    assertTrue(new Training(c, DATA).optimizer().fusedStep() != null);
    assertEquals(null, new Training(c.withMomentum(0.9), DATA).optimizer().fusedStep());
    assertEquals(null, new Training(c.withOptimizer(Optimizer.ADAM).withLearningRate(1e-3), DATA).optimizer()
        .fusedStep());
    Training decayed = new Training(c.withWeightDecay(1e-2), DATA);
    assertTrue(Float.isNaN(decayed.optimizer().fusedStep().scale(decayed.model().weightParameter(0))),
        "weight decay: the pass");
  }

  /** Two fused backward passes without the optimizer's step in between: refused, not applied twice. */
  @Test
  void aSecondBackwardBeforeTheStepIsRefused() {
    TrainingConfig c = TrainingConfig.defaults(new int[] {784, 32, 10}).withBatchSize(16);
    Training t = new Training(c, DATA);
    Mlp model = t.model();
    FloatMatrix x = DATA.range(0, 16).inputs();
    FloatMatrix logits = model.forward(x);
    FloatMatrix dLogits = FloatMatrix.zeros(logits.rows(), logits.cols());
    dLogits.data()[3] = 1f;
    model.backward(dLogits, t.optimizer().fusedStep());
    model.forward(x);
    assertThrows(IllegalStateException.class, () -> model.backward(dLogits, t.optimizer().fusedStep()));
  }
}
