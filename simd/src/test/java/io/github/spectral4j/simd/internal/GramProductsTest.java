package io.github.spectral4j.simd.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The blocked Gram product: each kernel (scalar and Panama) against a double reference on shapes
 * around the block size, the same bits for 1, 2 and 3 threads, and the row-offset kernel against the
 * whole-matrix one on a block.
 */
class GramProductsTest {
  static Stream<Arguments> cases() {
    List<Arguments> cases = new ArrayList<>();
    long seed = 1;
    int block = GramProducts.BLOCK_ROWS;
    for (String impl : KernelsTest.IMPLS) {
      for (int m : new int[] {1, 5, block - 1, block, block + 1, 3 * block + 7}) {
        for (int n : new int[] {1, 13, 207, 1030}) {
          cases.add(Arguments.of(impl, m, n, seed++));
        }
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} {1}x{2} seed={3}")
  @MethodSource("cases")
  void blockedProductIsExactEnoughAndTheSameForEveryThreadCount(String impl, int m, int n, long seed) {
    Kernels kernels = Reference.kernels(impl);
    SplittableRandom random = new SplittableRandom(seed);
    float[] a = new float[m * n];
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) random.nextDouble(-1, 1);
    }
    float[] v = new float[n];
    for (int j = 0; j < n; j++) {
      v[j] = (float) random.nextDouble(-1, 1);
    }
    float[][] shares = new float[GramProducts.blocks(m) - 1][n];
    float[] av1 = new float[m];
    float[] out1 = new float[n];
    GramProducts.gramTimes(kernels, m, n, a, v, av1, out1, shares, 1);
    double[] exactAv = new double[m];
    for (int i = 0; i < m; i++) {
      double s = 0;
      double abs = 0;
      for (int j = 0; j < n; j++) {
        s += (double) a[i * n + j] * v[j];
        abs += Math.abs((double) a[i * n + j] * v[j]);
      }
      exactAv[i] = s;
      assertEquals(s, av1[i], 4 * Math.ulp(1f) * n * abs + 1e-30, "av[" + i + "]");
    }
    for (int j = 0; j < n; j++) {
      double s = 0;
      double abs = 0;
      for (int i = 0; i < m; i++) {
        s += exactAv[i] * a[i * n + j];
        abs += Math.abs(exactAv[i] * a[i * n + j]);
      }
      assertEquals(s, out1[j], 4 * Math.ulp(1f) * (n + m) * abs + 1e-30, "out[" + j + "]");
    }
    for (int threads : new int[] {2, 3}) {
      float[] av = new float[m];
      float[] out = new float[n];
      GramProducts.gramTimes(kernels, m, n, a, v, av, out, shares, threads);
      assertArrayEquals(av1, av, "av with " + threads + " threads");
      assertArrayEquals(out1, out, "out with " + threads + " threads");
    }
    // The offset kernel on the last block equals the plain kernel on a copy of that block.
    int r0 = (GramProducts.blocks(m) - 1) * GramProducts.BLOCK_ROWS;
    int rows = m - r0;
    float[] blockCopy = java.util.Arrays.copyOfRange(a, r0 * n, m * n);
    float[] avPlain = new float[rows];
    float[] outPlain = new float[n];
    kernels.gramTimes(rows, n, blockCopy, n, v, avPlain, outPlain);
    float[] avOff = new float[m];
    float[] outOff = new float[n];
    kernels.gramTimes(rows, n, a, r0 * n, n, v, avOff, r0, outOff);
    assertArrayEquals(avPlain, java.util.Arrays.copyOfRange(avOff, r0, m));
    assertArrayEquals(outPlain, outOff);
  }

  static Stream<Arguments> backwardCases() {
    List<Arguments> cases = new ArrayList<>();
    long seed = 100;
    for (int m : new int[] {1, 3, 4, 5, 8, 9, 37}) {
      for (int n : new int[] {1, 7, 15, 16, 17, 31, 33, 207, 1023, 1024, 1039, 2048}) {
        cases.add(Arguments.of(m, n, seed++));
      }
    }
    return cases.stream();
  }

  /**
   * The Panama Gram kernel sweeps each four rows' axpy from the last column to the first; every element
   * must still get the bits of the forward four-row kernels (PanamaGemv.dot4, then PanamaGemv.axpy4,
   * one-row dot and axpy for the last m mod 4 rows), tails included, and the backward axpy alone the
   * forward one's bits.
   */
  @ParameterizedTest(name = "panama {0}x{1} seed={2}")
  @MethodSource("backwardCases")
  void backwardSweepGivesTheForwardKernelsBits(int m, int n, long seed) {
    Reference.kernels("panama");
    SplittableRandom random = new SplittableRandom(seed);
    float[] a = Reference.random(random, m * n);
    float[] v = Reference.random(random, n);
    float[] av = new float[m];
    float[] out = new float[n];
    PanamaGram.gramTimes(m, n, a, 0, n, v, av, 0, out);
    float[] avForward = new float[m];
    float[] outForward = new float[n];
    int i = 0;
    for (; i + 4 <= m; i += 4) {
      PanamaGemv.dot4(n, a, i * n, n, v, 0, avForward, i, 1f, 0f);
      PanamaGemv.axpy4(n, avForward[i], avForward[i + 1], avForward[i + 2], avForward[i + 3], a, i * n, n, outForward);
    }
    for (; i < m; i++) {
      avForward[i] = PanamaLevel1.dot(n, a, i * n, v, 0);
      PanamaLevel1.axpy(n, avForward[i], a, i * n, outForward, 0);
    }
    assertArrayEquals(avForward, av, "A·v");
    assertArrayEquals(outForward, out, "Aᵀ·(A·v)");
    if (m >= 4) {
      float[] y = Reference.random(random, n);
      float[] yBackward = y.clone();
      PanamaGemv.axpy4(n, v[0], -v[n - 1], 0.5f, 3f, a, 0, n, y);
      PanamaGram.axpy4Backward(n, v[0], -v[n - 1], 0.5f, 3f, a, 0, n, yBackward);
      assertArrayEquals(y, yBackward, "axpy4Backward");
    }
  }
}
