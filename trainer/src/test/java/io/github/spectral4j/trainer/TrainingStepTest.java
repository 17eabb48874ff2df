package io.github.spectral4j.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.spectral4j.simd.Blas;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The MLP training step at sizes where every GEMM and every split pass runs on several threads: the same
 * losses and parameters bit for bit on 1, 2 and 3 threads, and no allocation in steady state on 1 and 2.
 */
class TrainingStepTest {
  private static final Dataset DATA = Dataset.mnist10k().subset(0, 1024);

  static Stream<TrainingConfig> configs() {
    // 128 × 512 × 784 multiply-adds: above the GEMMs' parallel threshold (2^21); 128 × 512 bias-gradient
    // sums and 128 × 784 batch floats: above the split thresholds of the column sums and the fill (2^15)
    TrainingConfig base = TrainingConfig.defaults(new int[] {784, 512, 256, 10}).withBatchSize(128);
    return Stream.of(
        base,
        base.withBias(true).withMomentum(0.9),
        base.withBias(true).withActivation(Activation.GELU).withLoss(Loss.MSE));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("configs")
  void stepsAreBitIdenticalForAnyThreadCount(TrainingConfig c) {
    int threads = Blas.parallelism();
    try {
      Blas.setParallelism(1);
      Training one = new Training(c, DATA);
      double[] losses = steps(one, 4);
      for (int t : new int[] {2, 3}) {
        Blas.setParallelism(t);
        Training many = new Training(c, DATA);
        assertArrayEquals(losses, steps(many, 4), t + " threads");
        for (int i = 0; i < one.model().parameters().size(); i++) {
          assertArrayEquals(one.model().parameters().get(i).value().data(),
              many.model().parameters().get(i).value().data(),
              one.model().parameters().get(i).name() + " after 4 steps on " + t + " threads");
        }
      }
    } finally {
      Blas.setParallelism(threads);
    }
  }

  /**
   * The probe's rows riding along in the batch ({@link Training#step(Diagnostics)}, measured every step)
   * change no bit of the run: the same losses and parameters as plain steps on 1, 2 and 3 threads — also
   * below {@link Blas#rowIndependentFrom()}, where the step runs without them.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("ridingConfigs")
  void probeRowsRidingAlongChangeNoBit(TrainingConfig c) {
    int threads = Blas.parallelism();
    try {
      for (int t : new int[] {1, 2, 3}) {
        Blas.setParallelism(t);
        Training plain = new Training(c, DATA);
        double[] losses = steps(plain, 4);
        Training riding = new Training(c, DATA);
        Diagnostics d = new Diagnostics(riding.model(), DATA.range(0, 16).inputs());
        double[] ridingLosses = new double[4];
        for (int i = 0; i < 4; i++) {
          ridingLosses[i] = riding.step(d);
          Measurement m = d.measure(riding);
          long expected = c.batchSize() >= Blas.rowIndependentFrom() ? riding.stepCount() - 1 : riding.stepCount();
          assertEquals(expected, m.featureStep(), "the step of the features");
        }
        assertArrayEquals(losses, ridingLosses, "losses on " + t + " threads");
        for (int i = 0; i < plain.model().parameters().size(); i++) {
          assertArrayEquals(plain.model().parameters().get(i).value().data(),
              riding.model().parameters().get(i).value().data(),
              plain.model().parameters().get(i).name() + " after 4 riding steps on " + t + " threads");
        }
      }
    } finally {
      Blas.setParallelism(threads);
    }
  }

  static Stream<TrainingConfig> ridingConfigs() {
    return Stream.concat(configs(), Stream.of(
        TrainingConfig.defaults(new int[] {784, 100, 37, 10}).withBatchSize(45).withBias(true),
        TrainingConfig.defaults(new int[] {784, 64, 10}).withBatchSize(16)));
  }

  private static double[] steps(Training t, int n) {
    double[] losses = new double[n];
    for (int i = 0; i < n; i++) {
      losses[i] = t.step();
    }
    return losses;
  }

  /** A step that carries a probe's rows allocates nothing either, once its buffers exist. */
  @org.junit.jupiter.api.Tag("allocation")
  @Test
  void aSteadyStateStepWithRidingProbeAllocatesNothing() {
    int threads = Blas.parallelism();
    try {
      for (int t : new int[] {1, 2}) {
        Blas.setParallelism(t);
        TrainingConfig c = TrainingConfig.defaults(new int[] {784, 512, 256, 10}).withBatchSize(128).withBias(true);
        Training training = new Training(c, Dataset.mnist10k().subset(0, 128 * 12));
        Diagnostics d = new Diagnostics(training.model(), DATA.range(0, 16).inputs());
        int round = training.stepsPerEpoch() + 1;
        long least = ThreadAllocation.during(round, () -> training.step(d));
        assertEquals(0, least, "least bytes allocated by a round of an epoch and a riding step on " + t + " threads");
      }
    } finally {
      Blas.setParallelism(threads);
    }
  }

  @org.junit.jupiter.api.Tag("allocation")
  @Test
  void aSteadyStateStepAllocatesNothing() {
    int threads = Blas.parallelism();
    try {
      // ThreadAllocation.during: rounds of steps run until one allocates nothing (C2 compiles the Vector API
      // kernels late on a loaded machine); a step that allocates never gets there. Each round is one epoch
      // and one step (here 13 steps), so it always draws a new batch order: that draw refills the
      // permutation in place and must allocate nothing either. Plain SGD: the weights' steps are the
      // fused ones (Fused.gemmUpdate in the weight gradients' GEMMs), the biases' the optimizer's pass.
      for (int t : new int[] {1, 2}) {
        Blas.setParallelism(t);
        TrainingConfig c = TrainingConfig.defaults(new int[] {784, 512, 256, 10}).withBatchSize(128).withBias(true);
        Training training = new Training(c, Dataset.mnist10k().subset(0, 128 * 12));
        assertEquals(true, training.optimizer().fusedStep() != null, "the fused step is offered");
        int round = training.stepsPerEpoch() + 1;
        long least = ThreadAllocation.during(round, training::step);
        assertEquals(0, least, "least bytes allocated by a round of an epoch and a step on " + t + " threads");
      }
    } finally {
      Blas.setParallelism(threads);
    }
  }
}
