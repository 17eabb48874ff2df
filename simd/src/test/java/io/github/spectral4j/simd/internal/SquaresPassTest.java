package io.github.spectral4j.simd.internal;

import static io.github.spectral4j.simd.internal.Reference.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link SquaresPass}, the optimizer's pass without products in blocks: on lengths of one block, around
 * block boundaries and past the parallel threshold, for both implementations and 1, 2 and 3 threads,
 * d and w are the element-wise step bit for bit, the sums are the same bits on every thread count and
 * are the blocks' own {@link Kernels#updateBlock} sums added in block order (the definition, against an
 * independent loop over blocks), within rounding of a double oracle, and {@link Kernels#addWithSquares}
 * of the same d gives the same bits.
 */
class SquaresPassTest {
  private int parallelism;

  @BeforeEach
  void saveParallelism() {
    parallelism = Parallel.parallelism();
  }

  @AfterEach
  void restoreParallelism() {
    Parallel.setParallelism(parallelism);
  }

  static Stream<Arguments> cases() {
    List<Arguments> cases = new ArrayList<>();
    int b = SquaresPass.BLOCK;
    int[] lengths = {1, 37, b - 1, b, b + 1, 2 * b - 5, SquaresPass.PARALLEL - 1, SquaresPass.PARALLEL,
        SquaresPass.PARALLEL + 17, 3 * b, 5 * b + 1033};
    long seed = 1;
    for (String impl : KernelsTest.IMPLS) {
      for (int n : lengths) {
        cases.add(Arguments.of(impl, n, seed++));
      }
      SplittableRandom random = new SplittableRandom(11);
      for (int i = 0; i < 12; i++) {
        cases.add(Arguments.of(impl, b + random.nextInt(4 * b), seed++));
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} n={1} seed={2}")
  @MethodSource("cases")
  void sameBitsOnEveryThreadCountAndTheBlocksSumsInOrder(String impl, int n, long seed) {
    Kernels kernels = Reference.kernels(impl);
    SplittableRandom random = new SplittableRandom(seed);
    float alpha = (float) -random.nextDouble(0.01, 2);
    float[] g = random(random, n);
    float[] w0 = random(random, n);
    float[] expectedD = new float[n];
    float[] expectedW = w0.clone();
    for (int k = 0; k < n; k++) {
      expectedD[k] = alpha * g[k];
      expectedW[k] += expectedD[k];
    }
    // The definition: each block's updateBlock sums, added in block order from 0.
    double[] blockwise = new double[2];
    float[] scratchW = w0.clone();
    float[] scratchD = new float[n];
    double[] s = new double[2];
    for (int from = 0; from < n; from += SquaresPass.BLOCK) {
      kernels.updateBlock(from, Math.min(n, from + SquaresPass.BLOCK), alpha, g, scratchD, scratchW, s);
      blockwise[0] += s[0];
      blockwise[1] += s[1];
    }
    double exactD = 0;
    double exactW = 0;
    for (int k = 0; k < n; k++) {
      exactD += (double) expectedD[k] * expectedD[k];
      exactW += (double) expectedW[k] * expectedW[k];
    }
    for (int threads = 1; threads <= 3; threads++) {
      Parallel.setParallelism(threads);
      float[] d = new float[n];
      float[] w = w0.clone();
      double[] sums = {Double.NaN, Double.NaN};
      kernels.update(1, n, alpha, g, d, w, null, null, null, null, null, null, null, sums);
      assertArrayEquals(expectedD, d, "d = α·g on " + threads + " threads");
      assertArrayEquals(expectedW, w, "w + d on " + threads + " threads");
      assertArrayEquals(blockwise, sums, "the blocks' sums in order on " + threads + " threads");
      // Squares are exact in double; only the additions round: n of them, relative 2⁻⁵³ each.
      assertEquals(exactD, sums[0], exactD * n * 0x1p-52, "Σd²");
      assertEquals(exactW, sums[1], exactW * n * 0x1p-52, "Σw²");

      float[] wAdd = w0.clone();
      double[] addSums = new double[2];
      kernels.addWithSquares(n, expectedD, wAdd, addSums);
      assertArrayEquals(expectedW, wAdd, "addWithSquares' w on " + threads + " threads");
      assertArrayEquals(sums, addSums, "addWithSquares' sums on " + threads + " threads");

      float[] wGiven = w0.clone();
      double[] givenSums = new double[2];
      kernels.update(1, n, alpha, null, expectedD.clone(), wGiven, null, null, null, null, null, null, null,
          givenSums);
      assertArrayEquals(expectedW, wGiven, "w + given d on " + threads + " threads");
      assertArrayEquals(sums, givenSums, "sums with d given on " + threads + " threads");

      // AdamW's pass: adamW, then this pass with d given, bit for bit (moments, d, w and the sums).
      float[] m0 = random(random, n);
      float[] v0 = random(random, n);
      for (int k = 0; k < n; k++) {
        v0[k] *= v0[k];
      }
      float[] am = m0.clone();
      float[] av = v0.clone();
      float[] ad = new float[n];
      float[] aw = w0.clone();
      kernels.adamW(0, n, g, am, av, aw, ad, 0.9f, 0.999f, 1.5f, 1.2f, 0.01f, 0.1f, 1e-8f);
      double[] adamSums = new double[2];
      kernels.addWithSquares(n, ad, aw, adamSums);
      float[] fm = m0.clone();
      float[] fv = v0.clone();
      float[] fd = new float[n];
      float[] fw = w0.clone();
      double[] fusedSums = {Double.NaN, Double.NaN};
      kernels.adamWWithSquares(n, g, fm, fv, fw, fd, 0.9f, 0.999f, 1.5f, 1.2f, 0.01f, 0.1f, 1e-8f, fusedSums);
      assertArrayEquals(am, fm, "AdamW's m on " + threads + " threads");
      assertArrayEquals(av, fv, "AdamW's v on " + threads + " threads");
      assertArrayEquals(ad, fd, "AdamW's d on " + threads + " threads");
      assertArrayEquals(aw, fw, "AdamW's w on " + threads + " threads");
      assertArrayEquals(adamSums, fusedSums, "AdamW's sums on " + threads + " threads");
    }
  }

  /** A hand-computed pass over two blocks and a bit: exact sums whatever the order. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"scalar", "panama"})
  void handComputedTwoBlocks(String impl) {
    Kernels kernels = Reference.kernels(impl);
    int n = 2 * SquaresPass.BLOCK + 3;
    float[] g = new float[n];
    float[] w = new float[n];
    Arrays.fill(g, 2f);
    Arrays.fill(w, 1f);
    g[n - 1] = 4f; // d = −2 there, w = −1
    double[] sums = new double[2];
    Parallel.setParallelism(2);
    kernels.update(1, n, -0.5f, g, new float[n], w, null, null, null, null, null, null, null, sums);
    assertEquals(n - 1 + 4, sums[0]); // d = −1 everywhere but the last, −2 there
    assertEquals(1, sums[1]); // w = 1 − 1 = 0 everywhere but the last, 1 − 2 = −1 there
    assertTrue(w[0] == 0f && w[n - 1] == -1f);
  }
}
