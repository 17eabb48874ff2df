package io.github.spectral4j.trainer.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.spectral4j.core.LayerRule;
import io.github.spectral4j.core.ParameterKind;
import io.github.spectral4j.core.Parametrization;
import io.github.spectral4j.simd.Blas;
import io.github.spectral4j.simd.FloatMatrix;
import io.github.spectral4j.trainer.ThreadAllocation;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The GPT's model-level behaviour: features, probe, generation, determinism, allocation. */
class GptTest {
  private static final GptConfig SMALL = GptConfig.of(16).withContext(8).withVocabulary(13);

  private static int[] tokens(int n, int vocabulary, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int[] t = new int[n];
    for (int i = 0; i < n; i++) {
      t[i] = r.nextInt(vocabulary);
    }
    return t;
  }

  @Test
  void sameSeedSameModelOtherSeedOtherModel() {
    Gpt a = Gpt.initialize(SMALL, 5);
    Gpt b = Gpt.initialize(SMALL, 5);
    Gpt c = Gpt.initialize(SMALL, 6);
    for (int i = 0; i < a.parameters().size(); i++) {
      assertArrayEquals(a.parameters().get(i).value().data(), b.parameters().get(i).value().data());
    }
    assertNotEquals(a.parameters().get(0).value().get(0, 0), c.parameters().get(0).value().get(0, 0));
    // Parameters from different streams: the four projections of a block are not copies of each other.
    assertNotEquals(a.parameters().get(3).value().get(0, 0), a.parameters().get(4).value().get(0, 0));
  }

  @Test
  void everyParameterTrainsUnderCoresRuleForItsNameAndKind() {
    GptConfig c = GptConfig.of(256).withBaseWidth(64).withParametrization(Parametrization.MUP);
    Gpt gpt = Gpt.initialize(c, 1);
    List<LayerRule> rules = c.rules();
    assertEquals(rules.size(), gpt.parameters().size());
    for (int i = 0; i < rules.size(); i++) {
      Parameter p = gpt.parameters().get(i);
      assertEquals(rules.get(i), p.rule(), p.name());
      assertEquals(p.rule().layer().name(), p.name());
      double rms = Blas.frobeniusNorm(p.value()) / Math.sqrt(p.size());
      double expected = Math.hypot(p.rule().initStd(), p.rule().initMean());
      // the smallest Gaussian tensor has 64·256 draws: the RMS is within 1/√(2n) ≈ 0.6 % of σ, 5 % is > 8 of those
      assertEquals(expected, rms, 0.05 * expected + 1e-12, p.name());
    }
    // μP transfer from width 64: the readout's σ is the standard one at the base times 64/256.
    assertEquals(1 / Math.sqrt(64) * 64 / 256, gpt.parameters().getLast().rule().initStd(), 1e-12);
    assertEquals(ParameterKind.OUTPUT, gpt.parameters().getLast().kind());
    assertTrue(gpt.parameters().get(0).isEmbedding());
    assertTrue(gpt.parameters().get(2).isVectorLike());
    // Attention: 1/√16 at the base head width, μP's √16/64 at head width 64.
    assertEquals(4.0 / 64, gpt.attentionMultiplier(), 1e-15);
    assertEquals(0.25, Gpt.initialize(c.withWidth(64), 1).attentionMultiplier(), 1e-15);
  }

  @Test
  void depthTransferScalesBranchesAndBlockRatesOnly() {
    GptConfig base = GptConfig.of(32).withParametrization(Parametrization.MUP).withBlocks(2);
    GptConfig deep = base.withBlocks(8).withBaseBlocks(2);
    Gpt g = Gpt.initialize(deep, 1);
    assertEquals(0.5, g.residualMultiplier(), 1e-15); // √(2/8)
    assertEquals(1.0, Gpt.initialize(base, 1).residualMultiplier());
    List<LayerRule> own = base.withBlocks(8).rules();
    List<LayerRule> transferred = deep.rules();
    for (int i = 0; i < own.size(); i++) {
      String name = own.get(i).layer().name();
      double ratio = transferred.get(i).learningRateMultiplier() / own.get(i).learningRateMultiplier();
      // Adam: block parameters' rates × √(L_b/L); embeddings, final norm and readout unchanged
      assertEquals(name.startsWith("blocks.") ? 0.5 : 1.0, ratio, 1e-15, name);
      assertEquals(own.get(i).initStd(), transferred.get(i).initStd(), name);
    }
  }

  @Test
  void gradientsAreBitIdenticalForAnyThreadCount() {
    // width 64, 8 x 64 tokens: the GEMMs run on several threads, RMSNorm's rows and gain columns, GELU's and the
    // residual adds' entries (32768 each and more) and
    // attention's (sequence, head) pairs are split into as many shares as threads (3: uneven shares, vector tails)
    GptConfig c = GptConfig.of(64);
    int[] x = tokens(512, 128, 5);
    int[] y = tokens(512, 128, 6);
    int threads = Blas.parallelism();
    try {
      Blas.setParallelism(1);
      Gpt one = Gpt.initialize(c, 3);
      double lossOne = one.forwardBackward(x, y);
      for (int t : new int[] {2, 3}) {
        Blas.setParallelism(t);
        Gpt many = Gpt.initialize(c, 3);
        assertEquals(lossOne, many.forwardBackward(x, y), t + " threads");
        for (int i = 0; i < one.parameters().size(); i++) {
          assertArrayEquals(one.parameters().get(i).gradient().data(), many.parameters().get(i).gradient().data(),
              one.parameters().get(i).name() + ", " + t + " threads");
        }
      }
    } finally {
      Blas.setParallelism(threads);
    }
  }


  @Test
  void featuresAreTheModuleOutputs() {
    Gpt gpt = Gpt.initialize(SMALL, 1);
    assertEquals(List.of("embedding", "block1", "block2", "logits"), gpt.featureNames());
    FloatMatrix logits = gpt.forward(tokens(16, 13, 1));
    assertTrue(gpt.feature(3) == logits);
    assertEquals(16, gpt.feature(0).rows());
    assertEquals(16, gpt.feature(1).cols());
    // Embedding = token row + position row (multipliers are 1 in the spectral parametrization).
    int[] t = tokens(16, 13, 1);
    float expected = gpt.parameters().get(0).value().get(t[9], 3) + gpt.parameters().get(1).value().get(9 % 8, 3);
    assertEquals(expected, gpt.feature(0).get(9, 3), 1e-6f);
  }

  @Test
  void logitsDoNotSeeLaterTokens() {
    Gpt gpt = Gpt.initialize(SMALL, 3);
    int[] a = tokens(8, 13, 3);
    int[] b = a.clone();
    b[5] = (b[5] + 1) % 13;
    float[] za = gpt.forward(a).data().clone();
    float[] zb = gpt.forward(b).data();
    for (int i = 0; i < 8 * 13; i++) {
      if (i < 5 * 13) {
        assertEquals(za[i], zb[i], "row " + i / 13 + " sees token 5");
      }
    }
    assertNotEquals(za[5 * 13], zb[5 * 13]);
  }

  @Test
  void greedyGenerationTakesTheArgmaxAndSlidesTheWindow() {
    Gpt gpt = Gpt.initialize(SMALL, 4);
    int[] prompt = {1, 2, 3};
    int[] out = gpt.generate(prompt, 12, 0, new SplittableRandom(1)); // 15 tokens: the window slides past 8
    int[] text = new int[15];
    System.arraycopy(prompt, 0, text, 0, 3);
    System.arraycopy(out, 0, text, 3, 12);
    for (int k = 3; k < 15; k++) {
      int start = Math.max(0, k - 8);
      int[] window = new int[8];
      System.arraycopy(text, start, window, 0, k - start);
      float[] z = gpt.forward(window).data();
      int row = k - start - 1;
      int best = 0;
      for (int j = 1; j < 13; j++) {
        if (z[row * 13 + j] > z[row * 13 + best]) {
          best = j;
        }
      }
      assertEquals(best, text[k], "token " + k);
    }
    int[] sampled = gpt.generate(prompt, 20, 1.0, new SplittableRandom(7));
    assertArrayEquals(sampled, gpt.generate(prompt, 20, 1.0, new SplittableRandom(7)));
    assertThrows(IllegalArgumentException.class, () -> gpt.generate(new int[0], 1, 1, new SplittableRandom(1)));
  }

  @Test
  void backwardNeedsLossAndLossNeedsForward() {
    Gpt gpt = Gpt.initialize(SMALL, 1);
    assertThrows(IllegalStateException.class, gpt::backward);
    assertThrows(IllegalStateException.class, () -> gpt.loss(new int[8]));
    gpt.forward(tokens(8, 13, 1));
    assertThrows(IllegalStateException.class, gpt::backward);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> gpt.loss(new int[7]));
    assertTrue(e.getMessage().contains("7"), e.getMessage());
  }

  @Test
  void initialLossIsNearUniformAndATrainingStepAllocatesNothing() {
    Gpt gpt = Gpt.initialize(GptConfig.of(32).withContext(16), 9);
    int[] x = tokens(64, 128, 1);
    int[] y = tokens(64, 128, 2);
    double loss = gpt.forwardBackward(x, y);
    // Logits of RMS ~1 at init: the loss is within about one nat of log 128 = 4.85.
    assertTrue(Math.abs(loss - Math.log(128)) < 1.0, "initial loss " + loss);
    int threads = Blas.parallelism();
    try {
      // Until C2 has compiled them, the Vector API kernels allocate their vectors (KB per call, longer for
      // small shapes, longer on a loaded machine): rounds of 50 passes run until one allocates nothing,
      // for at most 60 s. A module that allocates per pass never gets there (its least round stays >= 50 B).
      // On 2 threads attention's 4 (sequence, head) pairs are split over simd's pool: its reused share tasks
      // must not allocate either.
      for (int t : new int[] {1, 2}) {
        Blas.setParallelism(t);
        Gpt small = Gpt.initialize(SMALL.withWidth(32).withHeads(2).withContext(16), 9);
        int[] xs = tokens(32, 13, 3);
        int[] ys = tokens(32, 13, 4);
        long least = Long.MAX_VALUE;
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (least > 0 && System.nanoTime() < deadline) {
          long before = ThreadAllocation.bytes();
          for (int i = 0; i < 50; i++) {
            small.forwardBackward(xs, ys);
          }
          least = Math.min(least, ThreadAllocation.bytes() - before);
        }
        assertEquals(0, least, "least bytes allocated by a round of 50 steady-state forward+backward passes, "
            + t + " threads");
      }
    } finally {
      Blas.setParallelism(threads);
    }
  }
}
