package io.github.spectral4j.simd.internal;

import static io.github.spectral4j.simd.internal.Reference.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The GEMM epilogue (bias, rectifier, mask applied by the write-back) is bit for bit the GEMM followed by
 * the separate passes of the same implementation, on every path of the Panama GEMM (full and partial
 * tiles, several k slices, gemv and thin-A routes) and any thread count; the rectifier and the mask kernels
 * are bit for bit their scalar definitions, NaN, signed zeros and infinities included.
 */
class GemmEpilogueTest {
  private static final String[] IMPLS = {"scalar", "panama"};

  @ParameterizedTest(name = "{0}")
  @MethodSource("impls")
  void handComputedBiasRectifierAndMask(String impl) {
    Kernels kernels = Reference.kernels(impl);
    // A = [1 2 3; -1 0 2], B = [1 0; 0 1; 1 -1]: A·B = [4 -1; 1 -2]; α = 2 gives [8 -2; 2 -4].
    float[] a = {1, 2, 3, -1, 0, 2};
    float[] b = {1, 0, 0, 1, 1, -1};
    float[] c = new float[4];
    // + 0.5·[1 -4] per row = [8.5 -4; 2.5 -6], rectified: [8.5 0; 2.5 0]
    kernels.gemmEpilogue(false, false, 2, 2, 3, 2f, a, 3, b, 2, 0f, c, 2, 1, 0.5f, new float[] {1, -4}, true, null, 0);
    assertArrayEquals(new float[] {8.5f, 0, 2.5f, 0}, c, 0f);
    // masked by [1 -1; 0 NaN]: only the first element is kept; β = 1 adds the previous C to the product
    float[] mask = {1, -1, 0, Float.NaN};
    kernels.gemmEpilogue(false, false, 2, 2, 3, 2f, a, 3, b, 2, 1f, c, 2, 1, 0f, null, false, mask, 2);
    assertArrayEquals(new float[] {16.5f, 0, 0, 0}, c, 0f);
  }

  static Stream<Arguments> impls() {
    return Stream.of(IMPLS).map(Arguments::of);
  }

  static Stream<Arguments> cases() {
    // Fixed shapes hit each route: gemv (m = 1, n = 1), thin A·Bᵀ (m ≤ 32), full 6 × 64 tiles, partial
    // tiles, several k slices (k > 1024), and the MLP step's own shapes; then random shapes.
    int[][] fixed = {
      {1, 70, 13}, {9, 1, 40}, {7, 65, 31}, {32, 100, 20}, {33, 128, 64}, {48, 64, 1}, {128, 256, 200},
      {61, 200, 1025}, {128, 784, 128}, {13, 129, 2100}
    };
    List<Arguments> list = new ArrayList<>();
    long seed = 4242;
    for (String impl : IMPLS) {
      for (int[] s : fixed) {
        list.add(Arguments.of(impl, s[0], s[1], s[2], seed++));
      }
      SplittableRandom r = new SplittableRandom(seed);
      for (int i = 0; i < 20; i++) {
        list.add(Arguments.of(impl, 1 + r.nextInt(140), 1 + r.nextInt(300), 1 + r.nextInt(300), seed++));
      }
    }
    return list.stream();
  }

  @ParameterizedTest(name = "{0} m={1} n={2} k={3} seed={4}")
  @MethodSource("cases")
  void epilogueIsTheGemmFollowedByItsPasses(String impl, int m, int n, int k, long seed) {
    Kernels kernels = Reference.kernels(impl);
    SplittableRandom r = new SplittableRandom(seed);
    boolean ta = r.nextBoolean();
    boolean tb = r.nextBoolean();
    float alpha = r.nextBoolean() ? 1f : (float) (0.25 + r.nextDouble());
    float beta = r.nextBoolean() ? 0f : (float) (r.nextDouble() - 0.5);
    float[] a = random(r, m * k);
    float[] b = random(r, k * n);
    float[] c0 = random(r, m * n);
    float[] bias = random(r, n);
    float biasScale = r.nextBoolean() ? 1f : (float) (2 * r.nextDouble());
    float[] mask = random(r, m * n);
    // exact zeros, negative zeros and NaN in the mask, and a NaN row of A (a NaN row of C) when m > 1
    for (int i = 0; i < mask.length; i += 7) {
      mask[i] = i % 3 == 0 ? 0f : i % 3 == 1 ? -0f : Float.NaN;
    }
    if (m > 1) {
      int row = r.nextInt(m);
      for (int p = 0; p < k; p++) {
        a[ta ? p * m + row : row * k + p] = Float.NaN;
      }
    }
    int lda = ta ? m : k;
    int ldb = tb ? k : n;
    String what = impl + " " + (ta ? "T" : "N") + (tb ? "T" : "N") + " " + m + "x" + n + "x" + k;
    for (int variant = 0; variant < 4; variant++) {
      boolean withBias = variant == 0 || variant == 1;
      boolean rectify = variant == 1 || variant == 2;
      boolean withMask = variant == 3;
      float[] expected = c0.clone();
      kernels.gemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, expected, n, 1);
      for (int i = 0; i < m; i++) {
        if (withBias) {
          kernels.axpy(n, biasScale, bias, 0, expected, i * n);
        }
        if (rectify) {
          kernels.rectify(n, expected, i * n, expected, i * n);
        }
        if (withMask) {
          kernels.keepWherePositive(n, mask, i * n, expected, i * n, expected, i * n);
        }
      }
      for (int threads = 1; threads <= 3; threads++) {
        float[] got = c0.clone();
        kernels.gemmEpilogue(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, got, n, threads, biasScale,
            withBias ? bias : null, rectify, withMask ? mask : null, n);
        assertArrayEquals(expected, got, 0f, what + " bias=" + withBias + " rectify=" + rectify + " mask=" + withMask
            + " on " + threads + " threads");
      }
    }
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
  void rectifyAndMaskAreTheirScalarDefinitions(String impl, long seed) {
    Kernels kernels = Reference.kernels(impl);
    SplittableRandom r = new SplittableRandom(seed);
    int n = r.nextInt(300);
    int off = r.nextInt(5);
    float[] special = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE,
        -Float.MIN_VALUE};
    float[] x = new float[off + n];
    float[] m = new float[off + n];
    for (int i = 0; i < x.length; i++) {
      x[i] = r.nextInt(8) == 0 ? special[r.nextInt(special.length)] : (float) r.nextGaussian();
      m[i] = r.nextInt(8) == 0 ? special[r.nextInt(special.length)] : (float) r.nextGaussian();
    }
    float[] y = new float[n + 3];
    kernels.rectify(n, x, off, y, 3);
    float[] z = new float[n + 2];
    kernels.keepWherePositive(n, m, off, x, off, z, 2);
    for (int i = 0; i < n; i++) {
      float v = x[off + i];
      float rect = v > 0 ? v : 0f;
      float kept = m[off + i] > 0 ? v : 0f;
      // compared as bits: +0 and -0 differ, NaN equals NaN
      assertEquals(Float.floatToRawIntBits(rect), Float.floatToRawIntBits(y[3 + i]), "rectify(" + v + ") at " + i);
      assertEquals(Float.floatToRawIntBits(kept), Float.floatToRawIntBits(z[2 + i]),
          "keep(" + m[off + i] + ", " + v + ") at " + i);
    }
    for (int i = 0; i < 3; i++) {
      assertEquals(0f, y[i], "rectify wrote before its range");
    }
    // in place: y = x
    float[] inPlace = x.clone();
    kernels.rectify(n, inPlace, off, inPlace, off);
    for (int i = 0; i < n; i++) {
      assertTrue(inPlace[off + i] == y[3 + i] && Float.floatToRawIntBits(inPlace[off + i]) == Float.floatToRawIntBits(y[3 + i]),
          "in-place rectify at " + i);
    }
  }
}
