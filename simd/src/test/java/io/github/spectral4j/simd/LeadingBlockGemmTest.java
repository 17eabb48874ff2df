package io.github.spectral4j.simd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The leading-block products ({@link Blas#gemm(boolean, boolean, int, int, int, float, FloatMatrix,
 * FloatMatrix, float, FloatMatrix)} and the masked {@link Fused#gemmMasked(boolean, boolean, int, int, int,
 * float, FloatMatrix, FloatMatrix, float, FloatMatrix, FloatMatrix)}): a hand-computed case, a double oracle
 * on awkward sizes, bit-identity with the whole-matrix products on copies of the blocks, C outside its block
 * untouched, and the row-independence a batch with ride-along rows relies on (the first rows of a taller
 * product are those of the shorter one, bit for bit), on 1, 2 and 3 threads.
 */
class LeadingBlockGemmTest {
  /** Sizes that hit vector tails, the small-m, thin and packed paths (MR = 6 row tiles), and the fork thresholds. */
  private static final int[] SIZES = {1, 2, 3, 5, 7, 13, 16, 17, 31, 33, 47, 64, 97, 130};

  @Test
  void handComputedRowPrefix() {
    // A = [1 2; 3 4; 5 6] (3 rows, the last one riding along), B = [1 0; 1 1]: the first 2 rows of A·B.
    FloatMatrix a = FloatMatrix.of(3, 2, 1, 2, 3, 4, 5, 6);
    FloatMatrix b = FloatMatrix.of(2, 2, 1, 0, 1, 1);
    FloatMatrix c = FloatMatrix.of(3, 2, 9, 9, 9, 9, -7, -7);
    Blas.gemm(false, false, 2, 2, 2, 1f, a, b, 0f, c);
    assertArrayEquals(new float[] {3, 2, 7, 4, -7, -7}, c.data());
    // Aᵀ's leading 2 × 2 block times B, from the first two rows of A only: [1 3; 2 4]·B = [4 3; 6 4]
    FloatMatrix d = FloatMatrix.zeros(2, 2);
    Blas.gemm(true, false, 2, 2, 2, 1f, a, b, 0f, d);
    assertArrayEquals(new float[] {4, 3, 6, 4}, d.data());
    // masked by the first two rows of a taller mask [1 −1; 0 2; 5 5]
    FloatMatrix mask = FloatMatrix.of(3, 2, 1, -1, 0, 2, 5, 5);
    FloatMatrix e = FloatMatrix.of(2, 2, 1, 1, 1, 1);
    Fused.gemmMasked(false, false, 2, 2, 2, 1f, a, b, 1f, mask, e);
    assertArrayEquals(new float[] {4, 0, 0, 5}, e.data());
  }

  static Stream<Long> seeds() {
    return LongStream.range(0, 240).boxed();
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void leadingBlocksMatchTheDoubleOracleAndTheProductOfCopies(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    boolean transA = r.nextBoolean();
    boolean transB = r.nextBoolean();
    int m = SIZES[r.nextInt(SIZES.length)];
    int n = SIZES[r.nextInt(SIZES.length)];
    int k = SIZES[r.nextInt(SIZES.length)];
    // Each matrix is larger than its block by 0–5 rows and, unless the case is of row prefixes, columns.
    boolean prefixes = r.nextInt(3) == 0;
    int wider = prefixes ? 1 : 6;
    FloatMatrix a = transA ? gaussian(k + r.nextInt(6), m + r.nextInt(wider), r) : gaussian(m + r.nextInt(6), k + r.nextInt(wider), r);
    FloatMatrix b = transB ? gaussian(n + r.nextInt(6), k + r.nextInt(wider), r) : gaussian(k + r.nextInt(6), n + r.nextInt(wider), r);
    FloatMatrix c = gaussian(m + r.nextInt(6), n + r.nextInt(wider), r);
    FloatMatrix mask = gaussian(m + r.nextInt(6), n + r.nextInt(wider), r);
    float alpha = (float) r.nextDouble(-2, 2);
    float beta = r.nextInt(3) == 0 ? 0f : (float) r.nextDouble(-1, 1);
    FloatMatrix before = c.copy();

    int threads = Blas.parallelism();
    try {
      float[][] results = new float[3][];
      float[][] masked = new float[3][];
      for (int t = 1; t <= 3; t++) {
        Blas.setParallelism(t);
        FloatMatrix ct = before.copy();
        Blas.gemm(transA, transB, m, n, k, alpha, a, b, beta, ct);
        results[t - 1] = ct.data();
        FloatMatrix cm = before.copy();
        Fused.gemmMasked(transA, transB, m, n, k, alpha, a, b, beta, mask, cm);
        masked[t - 1] = cm.data();
      }
      assertArrayEquals(results[0], results[1], "2 threads");
      assertArrayEquals(results[0], results[2], "3 threads");
      assertArrayEquals(masked[0], masked[1], "masked, 2 threads");
      assertArrayEquals(masked[0], masked[2], "masked, 3 threads");

      // On row prefixes, the whole-matrix products on copies of the blocks give the same bits (otherwise a
      // copy's row length may pick another kernel: a matrix-vector product for one column, say).
      FloatMatrix ab = transA ? block(a, k, m) : block(a, m, k);
      FloatMatrix bb = transB ? block(b, n, k) : block(b, k, n);
      FloatMatrix cb = block(before, m, n);
      Blas.gemm(transA, transB, alpha, ab, bb, beta, cb);
      FloatMatrix cmb = block(before, m, n);
      Fused.gemmMasked(transA, transB, alpha, ab, bb, beta, block(mask, m, n), cmb);
      int cols = c.cols();
      for (int i = 0; i < c.rows(); i++) {
        for (int j = 0; j < cols; j++) {
          float got = results[0][i * cols + j];
          float gotMasked = masked[0][i * cols + j];
          if (i < m && j < n) {
            if (prefixes) {
              assertEquals(cb.get(i, j), got, 0f, "(" + i + ", " + j + ") against the copies");
              assertEquals(cmb.get(i, j), gotMasked, 0f, "masked (" + i + ", " + j + ") against the copies");
            }
            double exact = beta == 0 ? 0 : (double) beta * before.get(i, j);
            double scale = beta == 0 ? 0 : Math.abs(beta * before.get(i, j));
            for (int p = 0; p < k; p++) {
              double x = transA ? a.get(p, i) : a.get(i, p);
              double y = transB ? b.get(j, p) : b.get(p, j);
              exact += alpha * x * y;
              scale += Math.abs(alpha * x * y);
            }
            double tolerance = 4 * (k + 2) * Math.ulp(1f) * scale;
            assertEquals(exact, got, tolerance, "(" + i + ", " + j + ") against double");
            assertEquals(mask.get(i, j) > 0 ? got : 0f, gotMasked, 0f, "masked (" + i + ", " + j + ")");
          } else {
            assertEquals(before.get(i, j), got, 0f, "(" + i + ", " + j + ") outside the block is untouched");
            assertEquals(before.get(i, j), gotMasked, 0f, "masked (" + i + ", " + j + ") outside the block");
          }
        }
      }
    } finally {
      Blas.setParallelism(threads);
    }
  }

  /**
   * A training batch of at least {@link Blas#rowIndependentFrom()} rows with probe rows appended: the first
   * rows of every product of the step (forward A·Wᵀ with bias and rectifier, backward δ·W and δᵀ·X on the
   * leading rows) equal those of the batch alone, bit for bit, on 1, 2 and 3 threads — at training shapes
   * (packed kernel, forked; the logits layer's few columns) and awkward ones.
   */
  @ParameterizedTest(name = "batch {0} + {1} rows, {2} → {3}")
  @org.junit.jupiter.params.provider.CsvSource({
    "128, 16, 784, 512", "128, 16, 512, 10", "37, 5, 61, 33", "33, 1, 13, 7", "40, 3, 40, 9", "130, 14, 257, 129",
    "64, 16, 100, 1", "1, 16, 7, 5"
  })
  void rowsOfATallerBatchAreThoseOfTheBatchAlone(int rows, int extra, int fanIn, int fanOut) {
    int batch = Math.max(rows, Blas.rowIndependentFrom());
    SplittableRandom r = new SplittableRandom(batch * 31L + fanOut);
    FloatMatrix x = gaussian(batch + extra, fanIn, r);
    FloatMatrix w = gaussian(fanOut, fanIn, r);
    float[] bias = gaussian(1, fanOut, r).data();
    FloatMatrix delta = gaussian(batch, fanOut, r);
    FloatMatrix xAlone = block(x, batch, fanIn);
    int threads = Blas.parallelism();
    try {
      for (int t = 1; t <= 3; t++) {
        Blas.setParallelism(t);
        FloatMatrix tall = FloatMatrix.zeros(batch + extra, fanOut);
        Fused.gemmBiasRectify(false, true, 0.7f, x, w, 1.3f, bias, true, tall);
        FloatMatrix alone = FloatMatrix.zeros(batch, fanOut);
        Fused.gemmBiasRectify(false, true, 0.7f, xAlone, w, 1.3f, bias, true, alone);
        assertArrayEquals(alone.data(), java.util.Arrays.copyOf(tall.data(), batch * fanOut), "forward on " + t + " threads");

        FloatMatrix gradTall = FloatMatrix.zeros(fanOut, fanIn);
        Blas.gemm(true, false, fanOut, fanIn, batch, 0.7f, delta, x, 0f, gradTall);
        FloatMatrix gradAlone = FloatMatrix.zeros(fanOut, fanIn);
        Blas.gemm(true, false, 0.7f, delta, xAlone, 0f, gradAlone);
        assertArrayEquals(gradAlone.data(), gradTall.data(), "weight gradient on " + t + " threads");

        FloatMatrix dxTall = FloatMatrix.zeros(batch, fanIn);
        Fused.gemmMasked(false, false, batch, fanIn, fanOut, 0.7f, delta, w, 0f, x, dxTall);
        FloatMatrix dxAlone = FloatMatrix.zeros(batch, fanIn);
        Fused.gemmMasked(false, false, 0.7f, delta, w, 0f, xAlone, dxAlone);
        assertArrayEquals(dxAlone.data(), dxTall.data(), "input gradient on " + t + " threads");
      }
    } finally {
      Blas.setParallelism(threads);
    }
  }

  @Test
  void zeroAlphaScalesOnlyTheBlock() {
    FloatMatrix nan = FloatMatrix.of(2, 2, Float.NaN, Float.NaN, Float.NaN, Float.NaN);
    FloatMatrix c = FloatMatrix.of(2, 3, 1, 2, 3, 4, 5, 6);
    Blas.gemm(false, false, 1, 2, 2, 0f, nan, nan, 2f, c);
    assertArrayEquals(new float[] {2, 4, 3, 4, 5, 6}, c.data());
    Blas.gemm(false, false, 2, 1, 1, 0f, nan, nan, 0f, c);
    assertArrayEquals(new float[] {0, 4, 3, 0, 5, 6}, c.data());
    FloatMatrix d = FloatMatrix.of(2, 2, 1, 2, 3, 4);
    Fused.gemmMasked(false, false, 2, 2, 2, 0f, nan, nan, 1f, FloatMatrix.of(3, 2, 1, -1, 1, 1, 0, 0), d);
    assertArrayEquals(new float[] {1, 0, 3, 4}, d.data());
  }

  @Test
  void blocksOutsideTheMatricesAreRefusedNamingTheSizes() {
    FloatMatrix a = FloatMatrix.zeros(3, 2);
    FloatMatrix b = FloatMatrix.zeros(2, 4);
    FloatMatrix c = FloatMatrix.zeros(3, 4);
    assertMessage(() -> Blas.gemm(false, false, 4, 4, 2, 1f, a, b, 0f, c), "m=4", "1 <= m <= 3");
    assertMessage(() -> Blas.gemm(false, false, 3, 5, 2, 1f, a, b, 0f, c), "n=5", "1 <= n <= 4");
    assertMessage(() -> Blas.gemm(false, false, 3, 4, 3, 1f, a, b, 0f, c), "k=3", "1 <= k <= 2");
    assertMessage(() -> Blas.gemm(false, false, 0, 4, 2, 1f, a, b, 0f, c), "m=0");
    assertMessage(() -> Blas.gemm(true, false, 3, 4, 2, 1f, a, b, 0f, c), "1 <= m <= 2");
    assertMessage(() -> Blas.gemm(false, false, 2, 2, 2, 1f, a, b, 0f, FloatMatrix.wrap(3, 2, a.data())), "alias A");
    assertMessage(() -> Fused.gemmMasked(false, false, 3, 4, 2, 1f, a, b, 0f, FloatMatrix.zeros(2, 4), c),
        "at least 3x4", "2x4");
    assertMessage(() -> Fused.gemmMasked(false, false, 3, 4, 2, 1f, a, b, 0f, c, c), "C's own array");
  }

  private static void assertMessage(org.junit.jupiter.api.function.Executable call, String... parts) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    for (String p : parts) {
      assertTrue(e.getMessage().contains(p), "'" + e.getMessage() + "' should mention '" + p + "'");
    }
  }

  private static FloatMatrix gaussian(int rows, int cols, SplittableRandom r) {
    return FloatMatrix.gaussian(rows, cols, 1, r.nextLong());
  }

  /** A copy of the leading rows × cols block. */
  private static FloatMatrix block(FloatMatrix a, int rows, int cols) {
    FloatMatrix b = FloatMatrix.zeros(rows, cols);
    for (int i = 0; i < rows; i++) {
      System.arraycopy(a.data(), i * a.cols(), b.data(), i * cols, cols);
    }
    return b;
  }
}
