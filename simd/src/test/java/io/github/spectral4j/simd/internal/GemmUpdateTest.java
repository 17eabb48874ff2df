package io.github.spectral4j.simd.internal;

import static io.github.spectral4j.simd.internal.Reference.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The gradient step in the product's write-back ({@link Kernels#gemmUpdate}) leaves W and D bit for bit as the
 * same implementation's gemm into G (β = 0) followed by {@code u = s·g}, {@code w = w + u} does, on every
 * route of the product (gemv, thin and small NT, full and partial tiles, few rows with four-row tiles, a row
 * split, several k slices), with a row stride above n, with and without D, on 1, 2 and 3 threads; its sums of
 * squares are the same on every thread count and match a double oracle of the new values.
 */
class GemmUpdateTest {
  private static final String[] IMPLS = {"scalar", "panama"};

  @Test
  void handComputedStep() {
    for (String impl : IMPLS) {
      Kernels kernels = Reference.kernels(impl);
      // Aᵀ·B with A = [1 2; 3 4] (k = 2 rows, m = 2 columns), B = [1 0 2; 0 1 -1]:
      // Aᵀ·B = [1 3 -1; 2 4 0]; γ = 2 gives G = [2 6 -2; 4 8 0]; s = -0.5: u = [-1 -3 1; -2 -4 -0].
      float[] a = {1, 2, 3, 4};
      float[] b = {1, 0, 2, 0, 1, -1};
      float[] w = {1, 1, 1, 1, 1, 1};
      float[] d = new float[6];
      double[] sums = new double[2];
      kernels.gemmUpdate(true, false, 2, 3, 2, 2f, a, 2, b, 3, -0.5f, w, 3, d, 1, sums);
      assertArrayEquals(new float[] {0, -2, 2, -1, -3, 1}, w, 0f, impl);
      assertArrayEquals(new float[] {-1, -3, 1, -2, -4, 0}, d, 0f, impl);
      assertEquals(1 + 9 + 1 + 4 + 16, sums[0], 0, impl);
      assertEquals(0 + 4 + 4 + 1 + 9 + 1, sums[1], 0, impl);
    }
  }

  static Stream<Arguments> cases() {
    // {m, n, k, transposes (0 = all four, 1 = TN only)}: gemv (m = 1, n = 1), thin and small A·Bᵀ, k = 1,
    // partial tiles, several k slices (k > 1024), few rows with four-row tiles (10, 14, 302 split in two),
    // the MLP step's weight gradients (a row split at 1024 × 784; a column split of taller rectangles with
    // op(A) packed once for both threads at 1024 × 1024 and 400 × 512); then random shapes.
    int[][] fixed = {
      {1, 70, 13, 0}, {9, 1, 40, 0}, {1, 1, 3, 0}, {7, 65, 31, 0}, {33, 128, 64, 0}, {48, 64, 1, 0},
      {128, 256, 200, 0}, {61, 200, 1025, 0}, {10, 1024, 128, 1}, {14, 130, 17, 0}, {302, 200, 64, 1},
      {1024, 784, 128, 1}, {13, 129, 2100, 1}, {1024, 1024, 128, 1}, {400, 512, 100, 0}
    };
    List<Arguments> list = new ArrayList<>();
    long seed = 9100;
    for (String impl : IMPLS) {
      for (int[] s : fixed) {
        for (int t = 0; t < 4; t++) {
          if (s[3] == 1 && t != 2) {
            continue;
          }
          list.add(Arguments.of(impl, s[0], s[1], s[2], t >= 2, t % 2 == 1, seed++));
        }
      }
      SplittableRandom r = new SplittableRandom(seed);
      for (int i = 0; i < 40; i++) {
        list.add(Arguments.of(impl, 1 + r.nextInt(140), 1 + r.nextInt(300), 1 + r.nextInt(200), r.nextBoolean(),
            r.nextBoolean(), seed++));
      }
    }
    return list.stream();
  }

  @ParameterizedTest(name = "{0} m={1} n={2} k={3} transA={4} transB={5} seed={6}")
  @MethodSource("cases")
  void stepIsTheProductFollowedByTheUpdate(String impl, int m, int n, int k, boolean ta, boolean tb, long seed) {
    Kernels kernels = Reference.kernels(impl);
    SplittableRandom r = new SplittableRandom(seed);
    int ldw = n + (r.nextBoolean() ? 0 : 1 + r.nextInt(3));
    float gamma = r.nextBoolean() ? 1f : (float) (0.25 + r.nextDouble());
    float scale = (float) -(0.01 + r.nextDouble());
    float[] a = random(r, m * k);
    float[] b = random(r, k * n);
    float[] w0 = random(r, m * ldw);
    int lda = ta ? m : k;
    int ldb = tb ? k : n;
    String what = impl + " " + (ta ? "T" : "N") + (tb ? "T" : "N") + " " + m + "x" + n + "x" + k + " ldw " + ldw;

    float[] g = new float[m * ldw];
    kernels.gemm(ta, tb, m, n, k, gamma, a, lda, b, ldb, 0f, g, ldw, 1);
    float[] expectedW = w0.clone();
    float[] expectedD = new float[m * ldw];
    double od = 0;
    double ow = 0;
    for (int i = 0; i < m; i++) {
      for (int j = 0, o = i * ldw; j < n; j++, o++) {
        float u = scale * g[o];
        expectedD[o] = u;
        expectedW[o] = expectedW[o] + u;
        od += (double) u * u;
        ow += (double) expectedW[o] * expectedW[o];
      }
    }
    if (ldw == n) {
      // the implementation's own pass gives the same elements
      float[] passW = w0.clone();
      float[] passD = new float[m * n];
      kernels.update(m, n, scale, g, passD, passW, null, null, null, null, null, null, null, new double[2]);
      assertArrayEquals(expectedW, passW, 0f, what + ": the separate pass");
    }
    double[] first = null;
    for (int threads = 1; threads <= 3; threads++) {
      for (boolean keep : new boolean[] {true, false}) {
        float[] w = w0.clone();
        float[] d = keep ? new float[m * ldw] : null;
        double[] sums = new double[2];
        kernels.gemmUpdate(ta, tb, m, n, k, gamma, a, lda, b, ldb, scale, w, ldw, d, threads, sums);
        String how = what + " on " + threads + " threads" + (keep ? "" : " without D");
        assertArrayEquals(expectedW, w, 0f, how);
        if (keep) {
          assertArrayEquals(expectedD, d, 0f, how);
        }
        if (first == null) {
          first = sums;
          // Squares of positive terms: the Panama kernel's float sums over 64-element panels stay within
          // 64 float roundings of the exact sum (relative 3.9e-6), the scalar kernel's double sums far closer.
          double tol = impl.equals("scalar") ? 1e-12 : 4e-6;
          assertEquals(od, sums[0], tol * od, how + ": sum of u²");
          assertEquals(ow, sums[1], tol * ow, how + ": sum of w²");
        } else {
          assertEquals(Double.doubleToLongBits(first[0]), Double.doubleToLongBits(sums[0]), how + ": sum of u²");
          assertEquals(Double.doubleToLongBits(first[1]), Double.doubleToLongBits(sums[1]), how + ": sum of w²");
        }
      }
    }
  }

  static Stream<Arguments> nanCases() {
    return Stream.of(IMPLS).flatMap(impl -> Stream.of(
        Arguments.of(impl, 1, 40, 5), Arguments.of(impl, 10, 1024, 128), Arguments.of(impl, 70, 130, 9),
        Arguments.of(impl, 13, 129, 1100)));
  }

  @ParameterizedTest(name = "{0} m={1} n={2} k={3}")
  @MethodSource("nanCases")
  void aNonFiniteGradientMakesTheSumsNonFinite(String impl, int m, int n, int k) {
    Kernels kernels = Reference.kernels(impl);
    SplittableRandom r = new SplittableRandom(m * 31L + n);
    float[] a = random(r, k * m);
    float[] b = random(r, k * n);
    a[r.nextInt(a.length)] = r.nextBoolean() ? Float.NaN : Float.POSITIVE_INFINITY;
    float[] w = random(r, m * n);
    double[] sums = new double[2];
    kernels.gemmUpdate(true, false, m, n, k, 1f, a, m, b, n, -0.1f, w, n, null, 2, sums);
    assertFalse(Double.isFinite(sums[1]), impl + ": " + sums[1]);
  }
}
