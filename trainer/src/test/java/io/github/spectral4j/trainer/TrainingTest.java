package io.github.spectral4j.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.spectral4j.core.Optimizer;
import io.github.spectral4j.core.Parametrization;
import io.github.spectral4j.simd.FloatMatrix;
import io.github.spectral4j.simd.SpectralNorms;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class TrainingTest {
  private static final Dataset DATA = Dataset.mnist10k().subset(0, 2000);

  @TempDir Path dir;

  static Stream<TrainingConfig> configs() {
    TrainingConfig base = TrainingConfig.defaults(new int[] {784, 48, 32, 10}).withBatchSize(32).withLearningRate(0.5);
    return Stream.of(
        base,
        base.withMomentum(0.9).withWeightDecay(1e-3).withBias(true),
        base.withOptimizer(Optimizer.ADAM).withLearningRate(1e-2).withWeightDecay(1e-2).withBias(true),
        base.withOptimizer(Optimizer.NORMALIZED).withLearningRate(0.05).withMomentum(0.5),
        base.withOptimizer(Optimizer.NORMALIZED).withLearningRate(0.05).withUpdateMode(UpdateMode.NEWTON_SCHULZ).withBias(true),
        base.withParametrization(Parametrization.NTK).withActivation(Activation.TANH).withLoss(Loss.MSE),
        base.withParametrization(Parametrization.MUP).withBaseDims(new int[] {784, 16, 16, 10}).withActivation(Activation.GELU));
  }

  private static double[] run(Training t, int steps) {
    double[] losses = new double[steps];
    for (int i = 0; i < steps; i++) {
      losses[i] = t.step();
    }
    return losses;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("configs")
  void sameSeedGivesBitIdenticalLosses(TrainingConfig c) {
    double[] a = run(new Training(c, DATA), 6);
    double[] b = run(new Training(c, DATA), 6);
    assertArrayEquals(a, b);
    double[] other = run(new Training(c.withSeed(2), DATA), 6);
    assertFalse(Arrays.equals(a, other), "a different seed must change the run");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("configs")
  void resumeContinuesBitIdentically(TrainingConfig c) {
    int n = 40; // more than one epoch of 2000/32 = 62 steps when doubled
    Training straight = new Training(c, DATA);
    double[] all = run(straight, 2 * n);

    Training first = new Training(c, DATA);
    run(first, n);
    Path file = dir.resolve("run.ckpt");
    first.save(file);
    Training resumed = Training.resume(file, DATA);
    assertEquals(n, resumed.stepCount());
    assertEquals(c, resumed.config());
    double[] rest = run(resumed, n);
    assertArrayEquals(Arrays.copyOfRange(all, n, 2 * n), rest);
    for (int l = 0; l < straight.model().depth(); l++) {
      assertArrayEquals(straight.model().weight(l).data(), resumed.model().weight(l).data(), "W" + (l + 1));
      if (c.bias()) {
        assertArrayEquals(straight.model().bias(l), resumed.model().bias(l), "b" + (l + 1));
      }
      assertArrayEquals(straight.lastUpdate(l).data(), resumed.lastUpdate(l).data());
    }
  }

  @Test
  void sgdUpdateIsMinusRateTimesMultiplierTimesGradient() {
    TrainingConfig c = TrainingConfig.defaults(new int[] {784, 40, 10}).withBatchSize(16).withBias(true);
    Training t = new Training(c, DATA);
    t.fuseUpdates(false); // the gradients stored, for the formula (FusedStepTrainingTest: the fused step's bits)
    t.step();
    for (int l = 0; l < 2; l++) {
      float lr = (float) (c.learningRate() * t.model().weightRule(l).learningRateMultiplier());
      float[] g = t.model().weightGradient(l).data();
      float[] d = t.lastUpdate(l).data();
      for (int k = 0; k < g.length; k++) {
        assertEquals(-lr * g[k], d[k]);
      }
      float blr = (float) (c.learningRate() * t.model().biasRule(l).learningRateMultiplier());
      float[] gb = t.model().biasGradient(l);
      for (int k = 0; k < gb.length; k++) {
        assertEquals(-blr * gb[k], t.lastBiasUpdate(l)[k]);
      }
    }
  }

  @Test
  void adamFirstStepIsSignLike() {
    TrainingConfig c =
        TrainingConfig.defaults(new int[] {784, 40, 10}).withBatchSize(16).withOptimizer(Optimizer.ADAM).withLearningRate(1e-2);
    Training t = new Training(c, DATA);
    t.step();
    for (int l = 0; l < 2; l++) {
      double lr = c.learningRate() * t.model().weightRule(l).learningRateMultiplier();
      float[] g = t.model().weightGradient(l).data();
      float[] d = t.lastUpdate(l).data();
      for (int k = 0; k < g.length; k++) {
        if (Math.abs(g[k]) > 1e-5) {
          assertEquals(-lr * Math.signum(g[k]), d[k], 1e-3 * lr);
        }
      }
    }
  }

  @Test
  void newtonSchulzUpdateHasRoughlyTheTargetNorm() {
    TrainingConfig c =
        TrainingConfig.defaults(new int[] {784, 64, 10}).withBatchSize(32).withOptimizer(Optimizer.NORMALIZED)
            .withUpdateMode(UpdateMode.NEWTON_SCHULZ).withLearningRate(0.1);
    Training t = new Training(c, DATA);
    t.step();
    for (int l = 0; l < 2; l++) {
      double target = c.learningRate() * t.model().weightRule(l).layer().spectralScale();
      double norm = SpectralNorms.spectralNorm(t.lastUpdate(l));
      assertTrue(norm > 0.6 * target && norm < 1.3 * target, "W" + (l + 1) + ": " + norm + " vs " + target);
    }
  }

  @Test
  void learnsMnist() {
    Dataset all = Dataset.mnist10k();
    TrainingConfig c = TrainingConfig.defaults(new int[] {784, 128, 10}).withLearningRate(1.0);
    Training t = new Training(c, all.subset(0, 9000));
    double first = t.step();
    run(t, 150);
    Dataset test = all.subset(9000, 1000);
    assertTrue(t.evaluateLoss(test) < 0.5 * first, "loss " + t.evaluateLoss(test) + " from " + first);
    assertTrue(t.accuracy(test) > 0.85, "accuracy " + t.accuracy(test));
  }

  @Test
  void divergenceNamesStepAndLayer() {
    TrainingConfig c =
        TrainingConfig.defaults(new int[] {784, 64, 64, 10}).withParametrization(Parametrization.STANDARD).withLearningRate(1e8);
    Training t = new Training(c, DATA);
    DivergenceException e = assertThrows(DivergenceException.class, () -> run(t, 50));
    assertTrue(e.step() >= 1 && e.step() <= 50, e.getMessage());
    assertTrue(e.getMessage().contains("step " + e.step()), e.getMessage());
    assertTrue(e.layer().matches("W[123]|b[123]|loss"), e.layer());
    if (!e.layer().equals("loss")) {
      assertTrue(e.getMessage().contains("layer " + e.layer()), e.getMessage());
    }
  }

  @Test
  void badCheckpointsAreReportedWithTheFileName() throws IOException {
    Training t = new Training(TrainingConfig.defaults(new int[] {784, 16, 10}), DATA);
    t.step();
    Path good = dir.resolve("good.ckpt");
    t.save(good);
    byte[] bytes = Files.readAllBytes(good);
    Path truncated = dir.resolve("truncated.ckpt");
    Files.write(truncated, Arrays.copyOf(bytes, bytes.length / 2));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Training.resume(truncated, DATA));
    assertTrue(e.getMessage().contains("truncated.ckpt") && e.getMessage().contains("truncated"), e.getMessage());
    Path garbage = dir.resolve("garbage.ckpt");
    Files.writeString(garbage, "hello, world");
    e = assertThrows(IllegalArgumentException.class, () -> Training.resume(garbage, DATA));
    assertTrue(e.getMessage().contains("garbage.ckpt"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Training.resume(good, DATA.subset(0, 1000)));
    assertTrue(e.getMessage().contains("1000"), e.getMessage());
    UncheckedIOException missing =
        assertThrows(UncheckedIOException.class, () -> Training.resume(dir.resolve("missing.ckpt"), DATA));
    assertTrue(missing.getMessage().contains("missing.ckpt"), missing.getMessage());
    UncheckedIOException unwritable =
        assertThrows(UncheckedIOException.class, () -> t.save(dir.resolve("no/such/dir/x.ckpt")));
    assertTrue(unwritable.getMessage().contains("x.ckpt"), unwritable.getMessage());
  }

  @Test
  void rejectsDataThatDoesNotFit() {
    assertThrows(IllegalArgumentException.class, () -> new Training(TrainingConfig.defaults(new int[] {100, 10}), DATA));
    assertThrows(IllegalArgumentException.class, () -> new Training(TrainingConfig.defaults(new int[] {784, 5}), DATA));
    assertThrows(
        IllegalArgumentException.class,
        () -> new Training(TrainingConfig.defaults(new int[] {784, 10}).withBatchSize(5000), DATA));
    assertThrows(IllegalArgumentException.class, () -> TrainingConfig.defaults(new int[] {784, 0, 10}));
    assertThrows(IllegalArgumentException.class, () -> TrainingConfig.defaults(new int[] {784, 10}).withLearningRate(0));
    assertThrows(
        IllegalArgumentException.class,
        () -> TrainingConfig.defaults(new int[] {784, 10, 10}).withBaseDims(new int[] {784, 10}));
  }

  @Test
  void evaluationDoesNotDisturbTraining() {
    TrainingConfig c = TrainingConfig.defaults(new int[] {784, 32, 10}).withBatchSize(32);
    Training a = new Training(c, DATA);
    Training b = new Training(c, DATA);
    a.step();
    b.step();
    a.accuracy(DATA);
    new Diagnostics(a.model(), FloatMatrix.zeros(8, 784)).measure(a);
    assertEquals(b.step(), a.step());
  }
}
