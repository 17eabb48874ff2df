package io.github.spectral4j.simd.internal;

import static io.github.spectral4j.simd.internal.PanamaConstants.FLOAT;
import static io.github.spectral4j.simd.internal.PanamaConstants.LANES;
import static io.github.spectral4j.simd.internal.PanamaConstants.SMALL_NT_PARALLEL_THRESHOLD;
import static io.github.spectral4j.simd.internal.PanamaConstants.THIN_N_PARALLEL_THRESHOLD;
import static io.github.spectral4j.simd.internal.PanamaGemv.dot4;
import static io.github.spectral4j.simd.internal.PanamaLevel1.FLOAT_VECTOR;
import static io.github.spectral4j.simd.internal.PanamaLevel1.foldLanes;

import jdk.incubator.vector.FloatVector;

/**
 * C = α·A·Bᵀ + β·C for a handful of rows of A (m &lt; {@link PanamaConstants#SMALL_M}) or of columns of C
 * (n ≤ {@link PanamaConstants#SMALL_N}) as dot products on unpacked, row-major B: the probe and alignment
 * products of the trainer's diagnostics, and the logits layer's forward product, where packing B would
 * cost more than the product.
 */
final class PanamaSmallGemm {
  static {
    // dots4x4 folds its accumulators eight at a time in the GEMM tile.
    assert PanamaConstants.MR * PanamaConstants.NR >= 8 * LANES;
  }

  private PanamaSmallGemm() {}

  /**
   * C = α·A·Bᵀ + β·C for few rows of A or few columns of C: with B row-major, each C(i, j) is the dot
   * product of row i of A with row j of B, both contiguous, so nothing is packed. Four rows of B at a
   * time are read once from memory (and stay in L1) while they meet all m rows of A (held in L1/L2),
   * four by four: 16 independent accumulators and 8 vector loads per 16 FMAs. Packing all of B for
   * a few rows of C would cost more than the product itself. Every element of C gets the same sequence
   * of operations (one vector accumulator over k in order, the fixed-order lane sum, a scalar tail) in
   * whatever block it falls, so the result does not depend on the blocking or on the thread count. Threads
   * split the columns in groups of four or, when C has fewer columns than rows, the rows in blocks of four.
   */
  static void smallNT(
      int m, int n, int k, float alpha, float[] a, int lda, float[] b, int ldb, float beta, float[] c, int ldc,
      int threads) {
    // Few columns and many rows (the logits layer, n = 10 against a batch of 128) split the rows, in
    // blocks of four; otherwise the columns, in groups of four.
    boolean byRows = n < m;
    int groups = byRows ? (m + 3) / 4 : (n + 3) / 4;
    long threshold = byRows ? THIN_N_PARALLEL_THRESHOLD : SMALL_NT_PARALLEL_THRESHOLD;
    int t = (long) m * n * k < threshold ? 1 : Math.min(threads, groups);
    if (t <= 1) {
      smallNT(0, m, 0, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
      return;
    }
    Call call = GemmCall.claim(CALLS, Call::new);
    call.set(t, groups, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    call.byRows = byRows;
    call.run(t);
  }

  private static final ThreadLocal<Call> CALLS = ThreadLocal.withInitial(Call::new);

  /** One calling thread's forked small-m product: its arguments in fields, reused from call to call. */
  private static final class Call extends GemmCall {
    boolean byRows;

    @Override
    public void accept(int task) {
      int x0 = Parallel.split(groups, tasks, task) * 4;
      int x1 = Parallel.split(groups, tasks, task + 1) * 4;
      if (byRows) {
        smallNT(x0, Math.min(m, x1), 0, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
      } else {
        smallNT(0, m, x0, Math.min(n, x1), k, alpha, a, lda, b, ldb, beta, c, ldc);
      }
    }

  }

  /** Rows [i0, i1) × columns [j0, j1) of the product. */
  private static void smallNT(
      int i0, int i1, int j0, int j1, int k, float alpha, float[] a, int lda, float[] b, int ldb, float beta,
      float[] c, int ldc) {
    int j = j0;
    for (; j + 4 <= j1; j += 4) {
      int i = i0;
      for (; i + 4 <= i1; i += 4) {
        dots4x4(k, a, i * lda, lda, b, j * ldb, ldb, c, i * ldc + j, ldc, alpha, beta);
      }
      for (; i < i1; i++) {
        dot4(k, b, j * ldb, ldb, a, i * lda, c, i * ldc + j, alpha, beta);
      }
    }
    // The last columns (fewer than four): four rows of A against one row of B at a time, through the
    // tile since that column of C is strided (one load of B per four FMAs, where dot1 needs two per one).
    float[] t = PanamaGemm.workspace().tile;
    for (; j < j1; j++) {
      int i = i0;
      for (; i + 4 <= i1; i += 4) {
        int o = i * ldc + j;
        t[0] = c[o];
        t[1] = c[o + ldc];
        t[2] = c[o + 2 * ldc];
        t[3] = c[o + 3 * ldc];
        dot4(k, a, i * lda, lda, b, j * ldb, t, 0, alpha, beta);
        c[o] = t[0];
        c[o + ldc] = t[1];
        c[o + 2 * ldc] = t[2];
        c[o + 3 * ldc] = t[3];
      }
      for (; i < i1; i++) {
        c[i * ldc + j] = scaled(dot1(k, a, i * lda, b, j * ldb, t), alpha, beta, c[i * ldc + j]);
      }
    }
  }

  private static float scaled(float s, float alpha, float beta, float c) {
    return beta == 0 ? alpha * s : alpha * s + beta * c;
  }

  /**
   * x·y with one accumulator, in the element order of {@link #dots4x4} and {@link PanamaGemv#dot4}. The lanes are
   * summed through t with {@link PanamaLevel1#foldLanes}, not passed to sumLanes: dot1 runs a few times per
   * product at most, so C2 may compile it while the call site is cold and then leaves a 127-byte sumLanes out
   * of line, boxing the accumulator (384 B per 6 × 70 × 33 product in a JVM that had run other shapes first).
   */
  private static float dot1(int n, float[] x, int xOff, float[] y, int yOff, float[] t) {
    FloatVector acc = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    int p = 0;
    int bound = FLOAT.loopBound(n);
    for (; p < bound; p += LANES) {
      acc = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, x, xOff + p))
          .fma(FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, y, yOff + p)), acc);
    }
    FLOAT_VECTOR.cast(acc).intoArray(t, 0);
    float s = foldLanes(t, 0);
    for (; p < n; p++) {
      s = Math.fma(x[xOff + p], y[yOff + p], s);
    }
    return s;
  }

  /**
   * C(i + r, j + q) = α·(row r of the 4 A rows at aOff)·(row q of the 4 B rows at bOff) + β·C for r, q &lt; 4:
   * the vector sums of rows 0–1 and then 2–3 of A ({@link #sums2x4}, eight accumulators each), their lanes
   * folded through the tile, then the scalar tails in element order, as in dot1. (The rows of A left over below a
   * multiple of four go through {@link PanamaGemv#dot4}, with the four B rows as its matrix: the same operations.)
   * As one method of sixteen accumulators this was 1876 bytes of bytecode, past what C2 compiles whole in
   * every JVM history (see KernelMethodSizeTest); the halves load B twice, which costs nothing while two
   * loads per cycle feed the two FMA pipes.
   */
  private static void dots4x4(
      int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc, float alpha,
      float beta) {
    int a0 = aOff;
    int a1 = a0 + lda;
    int a2 = a1 + lda;
    int a3 = a2 + lda;
    int b0 = bOff;
    int b1 = b0 + ldb;
    int b2 = b1 + ldb;
    int b3 = b2 + ldb;
    int bound = FLOAT.loopBound(k);
    float[] t = PanamaGemm.workspace().tile;
    sums2x4(bound, a, a0, lda, b, b0, ldb, t);
    float s00 = foldLanes(t, 0);
    float s01 = foldLanes(t, LANES);
    float s02 = foldLanes(t, 2 * LANES);
    float s03 = foldLanes(t, 3 * LANES);
    float s10 = foldLanes(t, 4 * LANES);
    float s11 = foldLanes(t, 5 * LANES);
    float s12 = foldLanes(t, 6 * LANES);
    float s13 = foldLanes(t, 7 * LANES);
    sums2x4(bound, a, a2, lda, b, b0, ldb, t);
    float s20 = foldLanes(t, 0);
    float s21 = foldLanes(t, LANES);
    float s22 = foldLanes(t, 2 * LANES);
    float s23 = foldLanes(t, 3 * LANES);
    float s30 = foldLanes(t, 4 * LANES);
    float s31 = foldLanes(t, 5 * LANES);
    float s32 = foldLanes(t, 6 * LANES);
    float s33 = foldLanes(t, 7 * LANES);
    int p = bound;
    for (; p < k; p++) {
      float x0 = a[a0 + p];
      float x1 = a[a1 + p];
      float x2 = a[a2 + p];
      float x3 = a[a3 + p];
      float y0 = b[b0 + p];
      float y1 = b[b1 + p];
      float y2 = b[b2 + p];
      float y3 = b[b3 + p];
      s00 = Math.fma(x0, y0, s00);
      s01 = Math.fma(x0, y1, s01);
      s02 = Math.fma(x0, y2, s02);
      s03 = Math.fma(x0, y3, s03);
      s10 = Math.fma(x1, y0, s10);
      s11 = Math.fma(x1, y1, s11);
      s12 = Math.fma(x1, y2, s12);
      s13 = Math.fma(x1, y3, s13);
      s20 = Math.fma(x2, y0, s20);
      s21 = Math.fma(x2, y1, s21);
      s22 = Math.fma(x2, y2, s22);
      s23 = Math.fma(x2, y3, s23);
      s30 = Math.fma(x3, y0, s30);
      s31 = Math.fma(x3, y1, s31);
      s32 = Math.fma(x3, y2, s32);
      s33 = Math.fma(x3, y3, s33);
    }
    int o = cOff;
    c[o] = scaled(s00, alpha, beta, c[o]);
    c[o + 1] = scaled(s01, alpha, beta, c[o + 1]);
    c[o + 2] = scaled(s02, alpha, beta, c[o + 2]);
    c[o + 3] = scaled(s03, alpha, beta, c[o + 3]);
    o += ldc;
    c[o] = scaled(s10, alpha, beta, c[o]);
    c[o + 1] = scaled(s11, alpha, beta, c[o + 1]);
    c[o + 2] = scaled(s12, alpha, beta, c[o + 2]);
    c[o + 3] = scaled(s13, alpha, beta, c[o + 3]);
    o += ldc;
    c[o] = scaled(s20, alpha, beta, c[o]);
    c[o + 1] = scaled(s21, alpha, beta, c[o + 1]);
    c[o + 2] = scaled(s22, alpha, beta, c[o + 2]);
    c[o + 3] = scaled(s23, alpha, beta, c[o + 3]);
    o += ldc;
    c[o] = scaled(s30, alpha, beta, c[o]);
    c[o + 1] = scaled(s31, alpha, beta, c[o + 1]);
    c[o + 2] = scaled(s32, alpha, beta, c[o + 2]);
    c[o + 3] = scaled(s33, alpha, beta, c[o + 3]);
  }

  /**
   * The vector sums over [0, bound) of rows a0 and a0 + lda of A against the four B rows from b0, into t as eight
   * vectors (row r, column q at (4r + q)·LANES). The sums go through memory: as calls of sumLanes they boxed the
   * accumulators that C2 left out of line (about 1.2 KB per call).
   */
  private static void sums2x4(int bound, float[] a, int a0, int lda, float[] b, int b0, int ldb, float[] t) {
    FloatVector c00 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c01 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c02 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c03 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c10 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c11 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c12 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c13 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    int a1 = a0 + lda;
    int b1 = b0 + ldb;
    int b2 = b1 + ldb;
    int b3 = b2 + ldb;
    for (int p = 0; p < bound; p += LANES) {
      FloatVector v0 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, b, b0 + p));
      FloatVector v1 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, b, b1 + p));
      FloatVector v2 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, b, b2 + p));
      FloatVector v3 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, b, b3 + p));
      FloatVector x = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, a, a0 + p));
      c00 = x.fma(v0, c00);
      c01 = x.fma(v1, c01);
      c02 = x.fma(v2, c02);
      c03 = x.fma(v3, c03);
      x = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, a, a1 + p));
      c10 = x.fma(v0, c10);
      c11 = x.fma(v1, c11);
      c12 = x.fma(v2, c12);
      c13 = x.fma(v3, c13);
    }
    FLOAT_VECTOR.cast(c00).intoArray(t, 0);
    FLOAT_VECTOR.cast(c01).intoArray(t, LANES);
    FLOAT_VECTOR.cast(c02).intoArray(t, 2 * LANES);
    FLOAT_VECTOR.cast(c03).intoArray(t, 3 * LANES);
    FLOAT_VECTOR.cast(c10).intoArray(t, 4 * LANES);
    FLOAT_VECTOR.cast(c11).intoArray(t, 5 * LANES);
    FLOAT_VECTOR.cast(c12).intoArray(t, 6 * LANES);
    FLOAT_VECTOR.cast(c13).intoArray(t, 7 * LANES);
  }
}
