package io.github.spectral4j.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.spectral4j.core.Parametrization;
import io.github.spectral4j.trainer.nn.Gpt;
import io.github.spectral4j.trainer.nn.GptConfig;
import io.github.spectral4j.trainer.nn.Parameter;
import io.github.spectral4j.trainer.optim.OptimizerKind;
import io.github.spectral4j.trainer.text.TextCorpus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class GptTrainingTest {
  /** 30 small samples of varied text: 27 train, 3 held out. */
  static final TextCorpus CORPUS = corpus("small", 0);

  @TempDir Path dir;

  static TextCorpus corpus(String name, int shift) {
    StringBuilder text = new StringBuilder();
    String[] words = {"the", "spectral", "norm", "of", "a", "weight", "matrix", "grows", "with", "width", "and", "features", "learn"};
    for (int s = 0; s < 30; s++) {
      if (s > 0) {
        text.append('\n');
      }
      for (int w = 0; w < 40; w++) {
        text.append(words[(s * 7 + w * (3 + shift) + w * w) % words.length]).append(w % 9 == 8 ? ".\n" : " ");
      }
      text.append('\n');
    }
    return TextCorpus.of(name, text.toString().getBytes(StandardCharsets.US_ASCII));
  }

  static GptTrainingConfig config(OptimizerKind kind, double lr) {
    GptConfig model = new GptConfig(16, 1, 2, 8, 128, Parametrization.SPECTRAL, kind.rules(), 8);
    return new GptTrainingConfig(model, kind, lr, 0.02, 3, 7, 0.9, 1e-2, UpdateMode.EXACT);
  }

  static Stream<GptTrainingConfig> configs() {
    return Stream.of(
        config(OptimizerKind.ADAM, 0.01),
        config(OptimizerKind.SGD, 0.2),
        config(OptimizerKind.NORMALIZED, 0.05),
        new GptTrainingConfig(config(OptimizerKind.NORMALIZED, 0.05).model(), OptimizerKind.NORMALIZED, 0.05, 0.02, 3, 7, 0, 0,
            UpdateMode.NEWTON_SCHULZ),
        config(OptimizerKind.MUON, 0.01));
  }

  private static double[] run(GptTraining t, int steps) {
    double[] losses = new double[steps];
    for (int i = 0; i < steps; i++) {
      losses[i] = t.step();
    }
    return losses;
  }

  @Test
  void sameSeedGivesBitIdenticalLossesAndTheLossFalls() {
    GptTrainingConfig c = config(OptimizerKind.ADAM, 0.02);
    double[] a = run(new GptTraining(c, CORPUS), 40);
    double[] b = run(new GptTraining(c, CORPUS), 40);
    assertArrayEquals(a, b);
    GptTrainingConfig other = new GptTrainingConfig(c.model(), c.optimizer(), 0.02, 0.02, 3, 8, 0.9, 1e-2, UpdateMode.EXACT);
    assertFalse(Arrays.equals(a, run(new GptTraining(other, CORPUS), 40)));
    double first = Arrays.stream(a, 0, 5).average().orElseThrow();
    double last = Arrays.stream(a, 35, 40).average().orElseThrow();
    assertTrue(last < first - 0.5, "loss " + first + " → " + last);
    assertTrue(first > Math.log(128) - 0.5 && first < Math.log(128) + 0.5, "starts near ln 128: " + first);
  }

  /**
   * The kernels fix each tile's summation order, so one thread and two give the same run to the bit
   * (width 128 and 128 tokens: the MLP's 128 × 512 × 128 product is above simd's parallel threshold).
   */
  @Test
  void resultsDoNotDependOnTheThreadCount() {
    GptConfig wide = new GptConfig(128, 1, 2, 16, 128, Parametrization.SPECTRAL, OptimizerKind.MUON.rules(), 8);
    GptTrainingConfig c = new GptTrainingConfig(wide, OptimizerKind.MUON, 0.01, 0.05, 8, 3, 0.9, 0, UpdateMode.EXACT);
    int before = io.github.spectral4j.simd.Blas.parallelism();
    try {
      io.github.spectral4j.simd.Blas.setParallelism(1);
      double[] one = run(new GptTraining(c, CORPUS), 4);
      io.github.spectral4j.simd.Blas.setParallelism(2);
      double[] two = run(new GptTraining(c, CORPUS), 4);
      assertArrayEquals(one, two);
    } finally {
      io.github.spectral4j.simd.Blas.setParallelism(before);
    }
  }

  /** Three steps, save, resume, three steps: the same values, losses and held-out loss as six steps. */
  @ParameterizedTest
  @MethodSource("configs")
  void resumedRunContinuesBitIdentically(GptTrainingConfig c) {
    GptTraining full = new GptTraining(c, CORPUS);
    double[] expected = run(full, 6);
    GptTraining half = new GptTraining(c, CORPUS);
    double[] first = run(half, 3);
    Path file = dir.resolve("half.ckpt");
    half.save(file);
    assertEquals(c, GptTraining.checkpointConfig(file));
    GptTraining resumed = GptTraining.resume(file, CORPUS);
    assertEquals(3, resumed.stepCount());
    double[] second = run(resumed, 3);
    double[] joined = new double[6];
    System.arraycopy(first, 0, joined, 0, 3);
    System.arraycopy(second, 0, joined, 3, 3);
    assertArrayEquals(expected, joined);
    List<Parameter> a = full.model().parameters();
    List<Parameter> b = resumed.model().parameters();
    for (int i = 0; i < a.size(); i++) {
      assertArrayEquals(a.get(i).value().data(), b.get(i).value().data(), a.get(i).name());
    }
    assertEquals(full.heldOutLoss(full.heldOutWindows()), resumed.heldOutLoss(resumed.heldOutWindows()));
    assertEquals(full.sample("the ", 20, 0.8), resumed.sample("the ", 20, 0.8));
  }

  @Test
  void resumeRefusesOtherDataAndOtherKinds() {
    GptTraining t = new GptTraining(config(OptimizerKind.ADAM, 0.01), CORPUS);
    t.step();
    Path file = dir.resolve("a.ckpt");
    t.save(file);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> GptTraining.resume(file, corpus("other", 1)));
    assertTrue(e.getMessage().contains("other data"), e.getMessage());
    Path mlp = dir.resolve("mlp.ckpt");
    new Training(TrainingConfig.defaults(new int[] {784, 8, 10}).withBatchSize(10), Dataset.mnist10k().subset(0, 100)).save(mlp);
    IllegalArgumentException kind = assertThrows(IllegalArgumentException.class, () -> GptTraining.resume(mlp, CORPUS));
    assertTrue(kind.getMessage().contains("not a gpt run"), kind.getMessage());
  }

  /** The batched held-out loss is the mean of each window's own loss, evaluated one window at a time. */
  @Test
  void heldOutLossIsTheMeanOverWindows() {
    GptTraining t = new GptTraining(config(OptimizerKind.ADAM, 0.01), CORPUS);
    run(t, 5);
    int w = t.heldOutWindows();
    assertTrue(w > 3, "windows " + w);
    Gpt single = Gpt.initialize(t.config().model(), 0);
    for (int i = 0; i < single.parameters().size(); i++) {
      single.parameters().get(i).value().copyFrom(t.model().parameters().get(i).value());
    }
    double sum = 0;
    int[] in = new int[8];
    int[] out = new int[8];
    for (int k = 0; k < w; k++) {
      CORPUS.heldOut().window(k * 8, 8, in, out, 0);
      single.forward(in);
      sum += single.loss(out);
    }
    assertEquals(sum / w, t.heldOutLoss(w), 1e-5 * sum / w);
    assertEquals(t.heldOutLoss(w), t.heldOutLoss(w)); // evaluation changes nothing
    assertThrows(IllegalArgumentException.class, () -> t.heldOutLoss(0));
    assertThrows(IllegalArgumentException.class, () -> t.heldOutLoss(w + 1));
    assertEquals(7.0, GptTraining.bitsPerCharacter(Math.log(128)), 1e-12);
  }

  @Test
  void sampleIsDeterministicAsciiText() {
    GptTraining t = new GptTraining(config(OptimizerKind.ADAM, 0.01), CORPUS);
    run(t, 3);
    String a = t.sample("the ", 50, 0.8);
    assertEquals(50, a.length());
    assertEquals(a, t.sample("the ", 50, 0.8));
    assertTrue(a.chars().allMatch(ch -> ch < 128), a);
    assertNotEquals(a, t.sample("the ", 50, 0));
    assertThrows(IllegalArgumentException.class, () -> t.sample("caf\u00e9", 5, 1));
    assertThrows(IllegalArgumentException.class, () -> t.sample("", 5, 1));
  }

  @Test
  void divergenceNamesWhatAndTheStep() {
    GptTrainingConfig c = config(OptimizerKind.SGD, 1e30);
    GptTraining t = new GptTraining(c, CORPUS);
    DivergenceException e = assertThrows(DivergenceException.class, () -> run(t, 20));
    assertTrue(e.step() >= 1 && e.step() <= 20, e.getMessage());
    assertTrue(e.getMessage().matches("training diverged: non-finite \\w+( in layer [\\w.]+)? at step \\d+"), e.getMessage());
  }

  /** Muon orthogonalises the GPT's dense matrices and leaves embeddings and norm gains to AdamW. */
  @Test
  void muonSplitsTheGptAsItsUsersDo() {
    GptTraining t = new GptTraining(config(OptimizerKind.MUON, 0.01), CORPUS);
    for (Parameter p : t.model().parameters()) {
      boolean matrix = p.name().endsWith(".weight") && !p.name().startsWith("embedding.");
      assertEquals(matrix, io.github.spectral4j.trainer.optim.Muon.orthogonalised(p), p.name());
    }
    t.step();
    Parameter query = t.model().parameters().stream().filter(p -> p.name().endsWith("query.weight")).findFirst().orElseThrow();
    double target = 0.02 * query.rule().layer().spectralScale();
    double sigma = io.github.spectral4j.simd.SpectralNorms.spectralNorm(t.optimizer().lastUpdate(query));
    // ΔW = −η_M·NS(B) − η_M·λ·W: Newton–Schulz's singular values land in [0.7, 1.2], decay adds little.
    assertTrue(sigma > 0.65 * target && sigma < 1.25 * target, "‖ΔW‖* = " + sigma + ", η_M = " + target);
  }

  /** A training step allocates nothing once the JIT has compiled it. */
  @org.junit.jupiter.api.Tag("allocation")
  @Test
  void stepsAllocateLittle() {
    GptTraining t = new GptTraining(config(OptimizerKind.ADAM, 0.01), CORPUS);
    assertEquals(0, ThreadAllocation.during(3000, t::step), "bytes allocated by 3000 steps");
  }

  @Test
  void aSizeBombIsRefusedBeforeAllocating() {
    GptConfig huge = new GptConfig(1 << 16, 4, 4, 64, 128, Parametrization.SPECTRAL, OptimizerKind.ADAM.rules(), 0);
    GptTrainingConfig c = new GptTrainingConfig(huge, OptimizerKind.ADAM, 1e-3, 0.02, 16, 1, 0, 0, UpdateMode.EXACT);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new GptTraining(c, CORPUS));
    assertTrue(e.getMessage().contains("width 65536"), e.getMessage());
  }
}
