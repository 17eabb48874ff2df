package io.github.spectral4j.simd.internal;

import static io.github.spectral4j.simd.internal.Reference.assertClose;
import static io.github.spectral4j.simd.internal.Reference.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Kernels#update}, the optimizer's pass: d and w bit for bit as {@code d = α·g; w += d} element by
 * element (so a step is the same with and without the fused products, on either implementation), without
 * products the norms of addWithSquares bit for bit, and with them the norms and the Gram products of the new W and of W − ref against double oracles, on awkward shapes.
 */
class OptimizerPassTest {

  /** A hand-computed 2 × 3 case: every value exact in float. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"scalar", "panama"})
  void twoByThreeByHand(String impl) {
    Kernels kernels = Reference.kernels(impl);
    float[] g = {2, 0, -4, 6, 2, 0};
    float[] w = {1, 1, 1, 0, 0, 0};
    float[] d = new float[6];
    float[] ref = {1, 0, 1, 0, 0, -1};
    float[] x = {1, 0, 1};
    float[] y = {0, 1, 1};
    float[] ax = new float[2];
    float[] aOut = {9, 9, 9};
    float[] ey = new float[2];
    float[] eOut = {9, 9, 9};
    double[] sums = new double[3];
    kernels.update(2, 3, -0.5f, g, d, w, ref, x, ax, aOut, y, ey, eOut, sums);
    assertArrayEquals(new float[] {-1, -0f, 2, -3, -1, -0f}, d); // −0.5·0 = −0
    assertArrayEquals(new float[] {0, 1, 3, -3, -1, 0}, w); // W' = W + D
    // E = W' − ref = [-1 1 2; -3 -1 1]
    assertArrayEquals(new float[] {3, -3}, ax); // W'·x
    assertArrayEquals(new float[] {9, 6, 9}, aOut); // W'ᵀ·(3, -3) = (0+9, 3+3, 9-0)
    assertArrayEquals(new float[] {3, 0}, ey); // E·y
    assertArrayEquals(new float[] {-3, 3, 6}, eOut); // Eᵀ·(3, 0)
    assertEquals(1 + 4 + 9 + 1, sums[0]);
    assertEquals(1 + 9 + 9 + 1, sums[1]);
    assertEquals(1 + 1 + 4 + 9 + 1 + 1, sums[2]);
  }

  static Stream<Arguments> cases() {
    List<Arguments> cases = new ArrayList<>();
    int[] sizes = {1, 2, 3, 7, 13, 16, 31, 127, 207};
    long seed = 1;
    for (String impl : KernelsTest.IMPLS) {
      for (int m : new int[] {1, 3, 13, PanamaOptimizerPass.SPLIT_ROWS, 131}) {
        for (int n : sizes) {
          cases.add(Arguments.of(impl, m, n, seed++));
        }
      }
      SplittableRandom random = new SplittableRandom(7);
      for (int i = 0; i < 100; i++) {
        cases.add(Arguments.of(impl, 1 + random.nextInt(40), 1 + random.nextInt(300), seed++));
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} m={1} n={2} seed={3}")
  @MethodSource("cases")
  void matchesTheElementwiseStepAndDoubleOracles(String impl, int m, int n, long seed) {
    Kernels kernels = Reference.kernels(impl);
    SplittableRandom random = new SplittableRandom(seed);
    float alpha = (float) -random.nextDouble(0.01, 2);
    float[] g = random(random, m * n);
    float[] w0 = random(random, m * n);
    float[] ref = random(random, m * n);
    float[] x = random(random, n);
    float[] y = random(random, n);
    float[] expectedD = new float[m * n];
    float[] expectedW = w0.clone();
    for (int k = 0; k < m * n; k++) {
      expectedD[k] = alpha * g[k];
      expectedW[k] += expectedD[k];
    }

    // Without products: the bits of the element-wise step; the norms of d and of the new w.
    float[] d = new float[m * n];
    float[] w = w0.clone();
    double[] sums = {Double.NaN, Double.NaN};
    kernels.update(m, n, alpha, g, d, w, null, null, null, null, null, null, null, sums);
    assertArrayEquals(expectedD, d, "d = α·g");
    assertArrayEquals(expectedW, w, "w + d");
    assertSquares(expectedD, sums[0], n, "Σd²");
    assertSquares(expectedW, sums[1], n, "Σw²");
    double[] addSums = new double[2];
    kernels.addWithSquares(m * n, expectedD, w0.clone(), addSums);
    assertArrayEquals(addSums, sums, "without products, the sums of addWithSquares bit for bit");

    // d as given (g null): the same w.
    float[] wGiven = w0.clone();
    double[] sumsGiven = new double[2];
    kernels.update(m, n, alpha, null, expectedD.clone(), wGiven, null, null, null, null, null, null, null, sumsGiven);
    assertArrayEquals(expectedW, wGiven, "w + given d");
    assertSquares(expectedW, sumsGiven[1], n, "Σw² (d given)");

    // With products: the same d and w, and the Gram products of W' and E = W' − ref.
    float[] dp = new float[m * n];
    float[] wp = w0.clone();
    float[] ax = filled(m);
    float[] aOut = filled(n);
    float[] ey = filled(m);
    float[] eOut = filled(n);
    double[] sp = new double[3];
    kernels.update(m, n, alpha, g, dp, wp, ref, x, ax, aOut, y, ey, eOut, sp);
    assertArrayEquals(expectedD, dp, "d with products");
    assertArrayEquals(expectedW, wp, "w with products");
    float[] e = new float[m * n];
    for (int k = 0; k < m * n; k++) {
      e[k] = expectedW[k] - ref[k];
    }
    assertSquares(expectedD, sp[0], n, "Σd² with products");
    assertSquares(expectedW, sp[1], n, "Σw² with products");
    assertSquares(e, sp[2], n, "ΣE²");
    assertGram(m, n, expectedW, x, ax, aOut, "W'");
    assertGram(m, n, e, y, ey, eOut, "E");

    // d as given, with products: the same products.
    float[] wq = w0.clone();
    float[] ax2 = filled(m);
    float[] aOut2 = filled(n);
    float[] ey2 = filled(m);
    float[] eOut2 = filled(n);
    kernels.update(m, n, alpha, null, expectedD.clone(), wq, ref, x, ax2, aOut2, y, ey2, eOut2, new double[3]);
    assertArrayEquals(expectedW, wq, "w + given d with products");
    assertArrayEquals(ax, ax2, "W'·x (d given)");
    assertArrayEquals(eOut, eOut2, "Eᵀ·E·y (d given)");
  }

  static Stream<Arguments> readCases() {
    List<Arguments> cases = new ArrayList<>();
    long seed = 5000;
    for (int m : new int[] {PanamaOptimizerPass.SPLIT_ROWS, 65, 66, 67, 131, 200}) {
      for (int n : new int[] {1, 15, 16, 17, 100, 1031}) {
        cases.add(Arguments.of(m, n, seed++));
      }
    }
    SplittableRandom random = new SplittableRandom(13);
    for (int i = 0; i < 170; i++) {
      cases.add(Arguments.of(PanamaOptimizerPass.SPLIT_ROWS + random.nextInt(200), 1 + random.nextInt(300), seed++));
    }
    return cases.stream();
  }

  /**
   * The read-only pass ({@link Kernels#differenceGramTimes} with both products, from
   * {@link PanamaOptimizerPass#SPLIT_ROWS} rows on the Vector API): on the W an update pass has just written,
   * the products and Σ E² of that pass, bit for bit, on 1, 2 and 3 threads; W and ref not written.
   */
  @ParameterizedTest(name = "panama m={0} n={1} seed={2}")
  @MethodSource("readCases")
  void readOnlyPassGivesTheUpdatePassProductsOnAnyThreadCount(int m, int n, long seed) {
    Kernels kernels = Reference.kernels("panama");
    SplittableRandom random = new SplittableRandom(seed);
    float[] g = random(random, m * n);
    float[] w = random(random, m * n);
    float[] ref = random(random, m * n);
    float[] x = random(random, n);
    float[] y = random(random, n);
    float[] ax = filled(m);
    float[] aOut = filled(n);
    float[] ey = filled(m);
    float[] eOut = filled(n);
    double[] sums = new double[3];
    kernels.update(m, n, -0.3f, g, new float[m * n], w, ref, x, ax, aOut, y, ey, eOut, sums);
    float[] wAfter = w.clone();
    float[] refBefore = ref.clone();
    int threads = Parallel.parallelism();
    try {
      for (int t = 1; t <= 3; t++) {
        Parallel.setParallelism(t);
        float[] rax = filled(m);
        float[] raOut = filled(n);
        float[] rey = filled(m);
        float[] reOut = filled(n);
        double squares = kernels.differenceGramTimes(m, n, w, ref, n, x, rax, raOut, y, rey, reOut);
        assertArrayEquals(ax, rax, "W·x on " + t + " threads");
        assertArrayEquals(aOut, raOut, "Wᵀ·W·x on " + t + " threads");
        assertArrayEquals(ey, rey, "E·y on " + t + " threads");
        assertArrayEquals(eOut, reOut, "Eᵀ·E·y on " + t + " threads");
        assertEquals(sums[2], squares, "Σ E² on " + t + " threads");
        assertArrayEquals(wAfter, w, "W is only read");
        assertArrayEquals(refBefore, ref, "ref is only read");
      }
    } finally {
      Parallel.setParallelism(threads);
    }
  }

  static Stream<Arguments> orderCases() {
    List<Arguments> cases = new ArrayList<>();
    long seed = 1000;
    for (String impl : KernelsTest.IMPLS) {
      for (int m : new int[] {1, 2, 3, 4, 5, 8, 9, 63, 64, 65, 66, 67, 131}) {
        for (int n : new int[] {1, 15, 16, 17, 100, 1031}) {
          cases.add(Arguments.of(impl, m, n, seed++));
        }
      }
      SplittableRandom random = new SplittableRandom(11);
      for (int i = 0; i < 60; i++) {
        cases.add(Arguments.of(impl, 1 + random.nextInt(150), 1 + random.nextInt(300), seed++));
      }
    }
    return cases.stream();
  }

  /**
   * The order of aOut's and eOut's sums, whatever the grouping of rows in the second sweep: each element
   * is a chain of fused multiply-adds from zero, one per row in row order, with the pass's own W·x and
   * E·y as coefficients; the Vector API pass, from {@link PanamaOptimizerPass#SPLIT_ROWS} rows, forms one
   * chain per fixed half of the rows (m/2 and the rest) and adds the second to the first. Bit for bit.
   */
  @ParameterizedTest(name = "{0} m={1} n={2} seed={3}")
  @MethodSource("orderCases")
  void productsAreOneFusedMultiplyAddPerRowInRowOrder(String impl, int m, int n, long seed) {
    Kernels kernels = Reference.kernels(impl);
    SplittableRandom random = new SplittableRandom(seed);
    float[] g = random(random, m * n);
    float[] w = random(random, m * n);
    float[] ref = random(random, m * n);
    float[] x = random(random, n);
    float[] y = random(random, n);
    float[] ax = filled(m);
    float[] aOut = filled(n);
    float[] ey = filled(m);
    float[] eOut = filled(n);
    kernels.update(m, n, -0.7f, g, new float[m * n], w, ref, x, ax, aOut, y, ey, eOut, new double[3]);
    boolean split = impl.equals("panama") && m >= PanamaOptimizerPass.SPLIT_ROWS;
    int half = split ? m / 2 : m;
    for (int j = 0; j < n; j++) {
      float a0 = 0;
      float e0 = 0;
      for (int i = 0; i < half; i++) {
        a0 = Math.fma(ax[i], w[i * n + j], a0);
        e0 = Math.fma(ey[i], w[i * n + j] - ref[i * n + j], e0);
      }
      float a1 = 0;
      float e1 = 0;
      for (int i = half; i < m; i++) {
        a1 = Math.fma(ax[i], w[i * n + j], a1);
        e1 = Math.fma(ey[i], w[i * n + j] - ref[i * n + j], e1);
      }
      assertEquals(split ? a0 + a1 : a0, aOut[j], "aOut[" + j + "]");
      assertEquals(split ? e0 + e1 : e0, eOut[j], "eOut[" + j + "]");
    }
  }

  /** Split in two halves or not, the pass gives the same bits on one, two and three threads. */
  @ParameterizedTest(name = "m={0}")
  @ValueSource(ints = {7, PanamaOptimizerPass.SPLIT_ROWS, PanamaOptimizerPass.SPLIT_ROWS + 3, 201})
  void sameBitsOnOneAndTwoThreads(int m) {
    Kernels kernels = Reference.kernels("panama");
    int n = 131;
    SplittableRandom random = new SplittableRandom(m);
    float[] g = random(random, m * n);
    float[] w0 = random(random, m * n);
    float[] ref = random(random, m * n);
    float[] x = random(random, n);
    float[] y = random(random, n);
    float[][] results = new float[3][];
    double[][] sums = new double[3][3];
    int before = Parallel.parallelism();
    try {
      for (int threads = 1; threads <= 3; threads++) {
        Parallel.setParallelism(threads);
        float[] w = w0.clone();
        float[] ax = new float[m];
        float[] aOut = new float[n];
        float[] ey = new float[m];
        float[] eOut = new float[n];
        kernels.update(m, n, -0.3f, g, new float[m * n], w, ref, x, ax, aOut, y, ey, eOut, sums[threads - 1]);
        float[] all = new float[m * n + 2 * m + 2 * n];
        System.arraycopy(w, 0, all, 0, m * n);
        System.arraycopy(ax, 0, all, m * n, m);
        System.arraycopy(ey, 0, all, m * n + m, m);
        System.arraycopy(aOut, 0, all, m * n + 2 * m, n);
        System.arraycopy(eOut, 0, all, m * n + 2 * m + n, n);
        results[threads - 1] = all;
      }
    } finally {
      Parallel.setParallelism(before);
    }
    for (int t = 1; t < 3; t++) {
      assertArrayEquals(results[0], results[t], "W, W·x, E·y, WᵀW·x, EᵀE·y on " + (t + 1) + " threads");
      assertArrayEquals(sums[0], sums[t], "sums on " + (t + 1) + " threads");
    }
  }

  /** A row whose float sum of squares overflows is summed again in double; a NaN makes the sum NaN. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"scalar", "panama"})
  void hugeEntriesStillGiveFiniteNormsAndNaNGivesNaN(String impl) {
    Kernels kernels = Reference.kernels(impl);
    int m = 3;
    int n = 37;
    float[] g = new float[m * n];
    float[] w = new float[m * n];
    Arrays.fill(w, 1e20f);
    double[] sums = new double[3];
    float[] ref = new float[m * n];
    kernels.update(m, n, 1f, g, new float[m * n], w, ref, new float[n], new float[m], new float[n], new float[n],
        new float[m], new float[n], sums);
    double expected = m * n * (double) 1e20f * 1e20f;
    assertEquals(expected, sums[1], expected * 1e-12);
    assertEquals(expected, sums[2], expected * 1e-12);
    w[40] = Float.NaN;
    kernels.update(m, n, 1f, g, new float[m * n], w, null, null, null, null, null, null, null, sums);
    assertTrue(Double.isNaN(sums[1]));
    assertFalse(Double.isNaN(sums[0]));
  }

  private static void assertSquares(float[] v, double got, int n, String what) {
    double exact = 0;
    for (float f : v) {
      exact += (double) f * f;
    }
    assertClose(exact, (float) got, exact, n, what);
  }

  /** av = A·v and out = Aᵀ·av against the double oracle (av's error propagates into out: k = n + m). */
  private static void assertGram(int m, int n, float[] a, float[] v, float[] av, float[] out, String what) {
    double[] exactAv = new double[m];
    double[] absAv = new double[m];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        exactAv[i] += (double) a[i * n + j] * v[j];
        absAv[i] += Math.abs((double) a[i * n + j] * v[j]);
      }
      assertClose(exactAv[i], av[i], absAv[i], n, what + " ·v[" + i + "]");
    }
    for (int j = 0; j < n; j++) {
      double exact = 0;
      double scale = 0;
      for (int i = 0; i < m; i++) {
        exact += a[i * n + j] * exactAv[i];
        scale += Math.abs(a[i * n + j]) * absAv[i];
      }
      assertClose(exact, out[j], scale, n + m, what + "ᵀ·(·v)[" + j + "]");
    }
  }

  private static float[] filled(int n) {
    float[] a = new float[n];
    Arrays.fill(a, Float.NaN);
    return a;
  }
}
