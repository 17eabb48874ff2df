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
    // With the squares: the same av and out bits, Σ a_ij² to float accuracy (each row summed in float), the
    // same bits for every thread count.
    double exactSquares = 0;
    for (float x : a) {
      exactSquares += (double) x * x;
    }
    double squares1 = 0;
    for (int threads : new int[] {1, 2, 3}) {
      float[] av = new float[m];
      float[] out = new float[n];
      double squares = GramProducts.gramTimesSquares(kernels, m, n, a, v, av, out, shares, threads);
      assertArrayEquals(av1, av, "av with the squares, " + threads + " threads");
      assertArrayEquals(out1, out, "out with the squares, " + threads + " threads");
      if (threads == 1) {
        squares1 = squares;
        assertEquals(exactSquares, squares, 2 * Math.ulp(1f) * n * exactSquares, "Σ a²");
      } else {
        assertEquals(squares1, squares, "Σ a² with " + threads + " threads");
      }
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

  /** A row's squares by hand (3² + 4² = 25 in each of the rows, 6 rows: 150), and a non-finite entry's sum. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("impls")
  void squaresByHandAndNonFiniteEntries(String impl) {
    Kernels kernels = Reference.kernels(impl);
    int m = 6;
    int n = 37;
    float[] a = new float[m * n];
    for (int i = 0; i < m; i++) {
      a[i * n + i] = 3;
      a[i * n + n - 1 - i] = 4;
    }
    float[] v = new float[n];
    java.util.Arrays.fill(v, 1f);
    float[][] shares = new float[0][];
    assertEquals(150, GramProducts.gramTimesSquares(kernels, m, n, a, v, new float[m], new float[n], shares, 1));
    a[5 * n + 20] = Float.NaN;
    assertEquals(Double.NaN, GramProducts.gramTimesSquares(kernels, m, n, a, v, new float[m], new float[n], shares, 1));
    a[5 * n + 20] = Float.NEGATIVE_INFINITY;
    assertEquals(Double.POSITIVE_INFINITY,
        GramProducts.gramTimesSquares(kernels, m, n, a, v, new float[m], new float[n], shares, 1));
    a[5 * n + 20] = 1e20f; // finite, its float square is not
    assertEquals(Double.POSITIVE_INFINITY,
        GramProducts.gramTimesSquares(kernels, m, n, a, v, new float[m], new float[n], shares, 1));
  }

  static Stream<String> impls() {
    return Stream.of(KernelsTest.IMPLS);
  }
}
