package io.github.spectral4j.simd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The facade of the GEMM epilogues ({@link Fused#gemmBiasRectify}, {@link Fused#gemmMasked}) and of the
 * rectifier's passes: hand-computed results, α = 0, and the argument checks. (The kernels' bit-identity
 * with the separate passes is {@code internal.GemmEpilogueTest}.)
 */
class FusedEpilogueTest {
  /** A = [1 2 3; 4 5 6]. */
  private static final FloatMatrix A23 = FloatMatrix.of(2, 3, 1, 2, 3, 4, 5, 6);

  /** B = [1 −1; 0 1; −1 0]ᵀ as a 2 × 3 matrix, so A·Bᵀ = [−2 1; −2 1]. */
  private static final FloatMatrix B23 = FloatMatrix.of(2, 3, 1, 0, -1, -1, 1, 0);

  @Test
  void biasAndRectifierHandComputed() {
    FloatMatrix c = FloatMatrix.of(2, 2, Float.NaN, Float.NaN, Float.NaN, Float.NaN); // overwritten
    // 2·A·Bᵀ = [−4 2; −4 2]; + 3·[2 −1] per row = [2 −1; 2 −1]
    Fused.gemmBiasRectify(false, true, 2f, A23, B23, 3f, new float[] {2, -1}, false, c);
    assertArrayEquals(new float[] {2, -1, 2, -1}, c.data());
    Fused.gemmBiasRectify(false, true, 2f, A23, B23, 3f, new float[] {2, -1}, true, c);
    assertArrayEquals(new float[] {2, 0, 2, 0}, c.data());
    Fused.gemmBiasRectify(false, true, 2f, A23, B23, 0f, null, true, c); // no bias: max([−4 2; −4 2], 0)
    assertArrayEquals(new float[] {0, 2, 0, 2}, c.data());
  }

  @Test
  void maskZeroesWhereTheMaskIsNotPositive() {
    FloatMatrix c = FloatMatrix.of(2, 2, 10, 10, 10, 10);
    FloatMatrix mask = FloatMatrix.of(2, 2, 1, 0, Float.NaN, 5);
    // A·Bᵀ + C = [8 11; 8 11], kept where the mask is positive
    Fused.gemmMasked(false, true, 1f, A23, B23, 1f, mask, c);
    assertArrayEquals(new float[] {8, 0, 0, 11}, c.data());
  }

  @Test
  void zeroAlphaReadsNeitherFactorButAppliesTheEpilogue() {
    FloatMatrix nan = FloatMatrix.of(2, 3, Float.NaN, Float.NaN, Float.NaN, Float.NaN, Float.NaN, Float.NaN);
    FloatMatrix c = FloatMatrix.of(2, 2, Float.NaN, 7, 7, 7);
    Fused.gemmBiasRectify(false, true, 0f, nan, nan, 1f, new float[] {1, -1}, true, c);
    assertArrayEquals(new float[] {1, 0, 1, 0}, c.data());
    FloatMatrix d = FloatMatrix.of(2, 2, 1, 2, 3, 4);
    Fused.gemmMasked(false, true, 0f, nan, nan, 2f, FloatMatrix.of(2, 2, 1, -1, -1, 1), d);
    assertArrayEquals(new float[] {2, 0, 0, 8}, d.data());
  }

  @Test
  void rectifyAndKeepWherePositive() {
    float[] x = {-1, 0, -0f, 2, Float.NaN, Float.POSITIVE_INFINITY};
    float[] y = new float[6];
    Fused.rectify(x, y);
    assertArrayEquals(new float[] {0, 0, 0, 2, 0, Float.POSITIVE_INFINITY}, y);
    float[] kept = new float[6];
    Fused.keepWherePositive(x, new float[] {1, 2, 3, 4, 5, 6}, kept);
    assertArrayEquals(new float[] {0, 0, 0, 4, 0, 6}, kept);
    Fused.rectify(x, x); // in place
    assertArrayEquals(y, x);
  }

  @Test
  void columnSumsHandComputed() {
    float[] out = {Float.NaN, Float.NaN, Float.NaN}; // overwritten
    Fused.columnSums(A23, 1f, out);
    assertArrayEquals(new float[] {5, 7, 9}, out);
    Fused.columnSums(A23, -0.5f, out);
    assertArrayEquals(new float[] {-2.5f, -3.5f, -4.5f}, out);
  }

  static java.util.stream.Stream<Long> seeds() {
    return java.util.stream.LongStream.range(0, 200).boxed();
  }

  /**
   * The column sums are the rows added by axpy in order, then scaled: bit for bit, on shapes below and above
   * the split threshold (2^15 elements), on 1, 2 and 3 threads.
   */
  @org.junit.jupiter.params.ParameterizedTest(name = "seed={0}")
  @org.junit.jupiter.params.provider.MethodSource("seeds")
  void columnSumsAreRowAxpysOnAnyThreadCount(long seed) {
    java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
    int m = 1 + r.nextInt(seed % 4 == 0 ? 400 : 40);
    int n = 1 + r.nextInt(seed % 4 == 0 ? 700 : 70);
    float scale = r.nextBoolean() ? 1f : (float) r.nextGaussian();
    FloatMatrix a = FloatMatrix.gaussian(m, n, 1.0, r.nextLong());
    float[] expected = new float[n];
    for (int i = 0; i < m; i++) {
      Blas.axpy(n, 1f, a.data(), i * n, expected, 0);
    }
    if (scale != 1f) {
      Blas.scal(scale, expected);
    }
    int threads = Blas.parallelism();
    try {
      for (int t = 1; t <= 3; t++) {
        Blas.setParallelism(t);
        float[] out = new float[n];
        Fused.columnSums(a, scale, out);
        assertArrayEquals(expected, out, m + "x" + n + " scale " + scale + " on " + t + " threads");
      }
    } finally {
      Blas.setParallelism(threads);
    }
  }

  @Test
  void badShapesAndAliasingAreRefused() {
    FloatMatrix c = FloatMatrix.zeros(2, 2);
    assertMessage(() -> Fused.gemmBiasRectify(false, true, 1f, A23, B23, 1f, new float[3], true, c), "length 3");
    assertMessage(() -> Fused.gemmBiasRectify(false, true, 1f, A23, B23, 1f, c.data(), true, c), "C's own array");
    assertMessage(() -> Fused.gemmBiasRectify(false, false, 1f, A23, B23, 1f, null, true, c), "inner sizes 3 and 2");
    assertMessage(() -> Fused.gemmMasked(false, true, 1f, A23, B23, 0f, FloatMatrix.zeros(2, 3), c), "2x3");
    assertMessage(() -> Fused.gemmMasked(false, true, 1f, A23, B23, 0f, c, c), "C's own array");
    FloatMatrix square = FloatMatrix.of(2, 2, 1, 2, 3, 4);
    assertMessage(() -> Fused.gemmMasked(false, false, 1f, square, c, 0f, FloatMatrix.zeros(2, 2), square),
        "must not alias A");
    assertMessage(() -> Fused.rectify(new float[2], new float[3]), "x has 2, y has 3");
    float[] m = new float[2];
    assertMessage(() -> Fused.keepWherePositive(m, new float[2], m), "must not be the mask");
    assertMessage(() -> Fused.keepWherePositive(new float[3], new float[2], new float[2]), "mask has 3");
    assertMessage(() -> Fused.columnSums(A23, 1f, new float[2]), "length 2");
    FloatMatrix row = FloatMatrix.of(1, 3, 1, 2, 3);
    assertMessage(() -> Fused.columnSums(row, 1f, row.data()), "A's own array");
  }

  private static void assertMessage(Runnable call, String part) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
    assertTrue(e.getMessage().contains(part), e.getMessage() + " should contain " + part);
  }
}
