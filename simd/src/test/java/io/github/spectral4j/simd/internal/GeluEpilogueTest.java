package io.github.spectral4j.simd.internal;

import static io.github.spectral4j.simd.internal.Reference.random;
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
 * The GELU's kept derivative and the product by it in the GEMM's write-back: {@link Kernels#gemmScaled} is
 * bit for bit the GEMM followed by the element-wise product on every route of the Panama GEMM (gemv, thin
 * A, few rows, transposed, packed, several k slices, partial tiles) and on 1, 2 and 3 threads, and with
 * {@link Kernels#geluWithDerivative}'s φ' it is bit for bit the GEMM followed by {@link Kernels#geluBackward};
 * geluWithDerivative is {@link Kernels#gelu} and geluBackward's factor, special values included, and φ and
 * φ' against their double-precision definitions.
 */
class GeluEpilogueTest {
  private static final String[] IMPLS = {"scalar", "panama"};

  /** φ(x) = ½x(1 + tanh u), u = √(2/π)(x + 0.044715x³), in double. */
  private static double gelu(double x) {
    double u = Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x);
    return 0.5 * x * (1 + Math.tanh(u));
  }

  /** φ'(x) in double. */
  private static double geluDerivative(double x) {
    double u = Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x);
    double t = Math.tanh(u);
    return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * Math.sqrt(2 / Math.PI) * (1 + 3 * 0.044715 * x * x);
  }

  static Stream<Arguments> impls() {
    return Stream.of(IMPLS).map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("impls")
  void handComputedCase(String impl) {
    Kernels kernels = Reference.kernels(impl);
    float[] x = {1, -1, 0, 2};
    float[] y = new float[4];
    float[] d = new float[4];
    kernels.geluWithDerivative(0, 4, x, y, d);
    // φ(1) = 0.841192, φ(−1) = −0.158808, φ(0) = 0, φ(2) = 1.954598; φ'(1) = 1.082964, φ'(−1) = −0.082964,
    // φ'(0) = ½, φ'(2) = 1.086099
    assertArrayEquals(new float[] {0.841192f, -0.158808f, 0f, 1.954598f}, y, 2e-6f);
    assertArrayEquals(new float[] {1.082964f, -0.082964f, 0.5f, 1.086099f}, d, 2e-6f);
    // A = [1 2; -1 0], B = [1 0; 0 -1]: A·B = [1 -2; -1 0], times F = d: [1.082964 0.165928; -0.5 0]
    float[] s = new float[4];
    kernels.gemmScaled(false, false, 2, 2, 2, 1f, new float[] {1, 2, -1, 0}, 2, new float[] {1, 0, 0, -1}, 2, 0f, s, 2,
        1, d, 2);
    assertArrayEquals(new float[] {1.082964f, 0.165928f, -0.5f, 0f}, s, 4e-6f);
  }

  static Stream<Arguments> cases() {
    // gemv (m = 1, n = 1), thin A·Bᵀ (m ≤ 32), few rows (m ≤ 192), the transposed route (A·Bᵀ with
    // 64 or 128 rows and n ≥ 4m), the packed route's full and partial tiles, several k slices (k > 1024),
    // the GPT's MLP shape at small size; then random shapes.
    int[][] fixed = {
      {1, 70, 13}, {9, 1, 40}, {7, 65, 31}, {32, 100, 20}, {33, 128, 64}, {64, 300, 40}, {128, 600, 70},
      {61, 200, 1025}, {200, 257, 33}, {256, 512, 128}, {13, 129, 2100}
    };
    List<Arguments> list = new ArrayList<>();
    long seed = 9100;
    for (String impl : IMPLS) {
      for (int[] s : fixed) {
        list.add(Arguments.of(impl, s[0], s[1], s[2], seed++));
      }
      SplittableRandom r = new SplittableRandom(seed);
      for (int i = 0; i < 24; i++) {
        list.add(Arguments.of(impl, 1 + r.nextInt(260), 1 + r.nextInt(300), 1 + r.nextInt(300), seed++));
      }
    }
    return list.stream();
  }

  @ParameterizedTest(name = "{0} m={1} n={2} k={3} seed={4}")
  @MethodSource("cases")
  void scaledEpilogueIsTheGemmFollowedByTheProduct(String impl, int m, int n, int k, long seed) {
    Kernels kernels = Reference.kernels(impl);
    SplittableRandom r = new SplittableRandom(seed + 1);
    boolean ta = r.nextBoolean();
    boolean tb = r.nextBoolean();
    float alpha = r.nextBoolean() ? 1f : (float) (0.25 + r.nextDouble());
    float beta = r.nextBoolean() ? 0f : (float) (r.nextDouble() - 0.5);
    float[] a = random(r, m * k);
    float[] b = random(r, k * n);
    float[] c0 = random(r, m * n);
    float[] f = random(r, m * n);
    f[0] = -0f;
    f[f.length - 1] = 0f;
    int lda = ta ? m : k;
    int ldb = tb ? k : n;
    float[] expected = c0.clone();
    kernels.gemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, expected, n, 1);
    for (int i = 0; i < m * n; i++) {
      expected[i] = expected[i] * f[i];
    }
    String what = impl + " " + (ta ? "T" : "N") + (tb ? "T" : "N") + " " + m + "x" + n + "x" + k + " β=" + beta;
    for (int threads = 1; threads <= 3; threads++) {
      float[] got = c0.clone();
      kernels.gemmScaled(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, got, n, threads, f, n);
      assertArrayEquals(expected, got, 0f, what + " on " + threads + " threads");
    }
    // Back-propagation through a GELU: the product by its kept φ' is geluBackward of the GEMM's result.
    float[] pre = random(r, m * n);
    for (int i = 0; i < pre.length; i++) {
      pre[i] *= 4;
    }
    float[] phi = new float[m * n];
    float[] d = new float[m * n];
    kernels.geluWithDerivative(0, m * n, pre, phi, d);
    float[] keep = new float[m * n];
    kernels.gelu(0, m * n, pre, phi, keep);
    float[] dy = c0.clone();
    kernels.gemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, dy, n, 1);
    float[] dx = new float[m * n];
    kernels.geluBackward(0, m * n, pre, keep, dy, dx);
    float[] got = c0.clone();
    kernels.gemmScaled(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, got, n, 2, d, n);
    assertArrayEquals(dx, got, 0f, what + " through a GELU");
  }

  static Stream<Arguments> vectorCases() {
    List<Arguments> list = new ArrayList<>();
    for (String impl : IMPLS) {
      for (long seed = 0; seed < 120; seed++) {
        list.add(Arguments.of(impl, seed));
      }
    }
    return list.stream();
  }

  @ParameterizedTest(name = "{0} seed={1}")
  @MethodSource("vectorCases")
  void geluWithDerivativeIsGeluAndItsBackward(String impl, long seed) {
    Kernels kernels = Reference.kernels(impl);
    SplittableRandom r = new SplittableRandom(seed);
    int n = r.nextInt(300);
    int from = r.nextInt(5);
    float[] special = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE,
        -Float.MIN_VALUE, -9.99f, -10.5f, 87f, -40f};
    float[] x = new float[from + n];
    float[] dy = new float[from + n];
    for (int i = 0; i < x.length; i++) {
      x[i] = r.nextInt(8) == 0 ? special[r.nextInt(special.length)] : (float) (4 * r.nextGaussian());
      dy[i] = (float) r.nextGaussian();
    }
    float[] y = new float[from + n];
    float[] keep = new float[from + n];
    kernels.gelu(from, from + n, x, y, keep);
    float[] dx = new float[from + n];
    kernels.geluBackward(from, from + n, x, keep, dy, dx);
    float[] y2 = new float[from + n];
    float[] d = new float[from + n];
    kernels.geluWithDerivative(from, from + n, x, y2, d);
    assertArrayEquals(y, y2, 0f, "φ");
    for (int i = from; i < from + n; i++) {
      double xi = x[i];
      if (Double.isFinite(xi) && Math.abs(xi) < 30) {
        assertEquals(gelu(xi), y2[i], 1e-6 * (1 + Math.abs(xi)), "φ at x = " + xi);
        assertEquals(geluDerivative(xi), d[i], 1e-6 * (1 + xi * xi), "φ' at x = " + xi);
      }
    }
    float[] dx2 = new float[from + n];
    kernels.multiply(n, dy, from, d, from, dx2, from);
    assertArrayEquals(dx, dx2, 0f, "dy·φ'");
    // in place (y = x), as the GEMM's default pass runs it on C
    float[] inPlace = x.clone();
    float[] d2 = new float[from + n];
    kernels.geluWithDerivative(from, from + n, inPlace, inPlace, d2);
    for (int i = from; i < from + n; i++) {
      assertEquals(Float.floatToRawIntBits(y[i]), Float.floatToRawIntBits(inPlace[i]), "in place φ at " + i);
      assertEquals(Float.floatToRawIntBits(d[i]), Float.floatToRawIntBits(d2[i]), "in place φ' at " + i);
    }
  }
}
