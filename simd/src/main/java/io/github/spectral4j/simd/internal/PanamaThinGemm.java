package io.github.spectral4j.simd.internal;

import static io.github.spectral4j.simd.internal.PanamaConstants.FLOAT;
import static io.github.spectral4j.simd.internal.PanamaConstants.LANES;
import static io.github.spectral4j.simd.internal.PanamaLevel1.FLOAT_VECTOR;

import jdk.incubator.vector.FloatVector;

/**
 * C = α·A·Bᵀ + β·C for a thin A (m ≤ {@link #MAX_M} rows, e.g. a probe batch times a weight matrix):
 * computed as its transpose Cᵀ = B·Aᵀ, so the big operand B is streamed once, unpacked, row by row.
 * Aᵀ is packed once into a k × w panel (w = one or two vectors, rows past m zero), and a micro-kernel
 * broadcasts one element of each of 12 (one vector) or 6 (two vectors) rows of B per step of k against
 * the panel's vector(s): 12 independent accumulators, each holding one column of C, written back through
 * a small tile. Packing B for a handful of rows of C would cost more than the product; dot products
 * of rows of A and B would need a lane sum per element of C.
 *
 * <p>Each element of C is one chain of fused multiply-adds over k in order, from zero, then
 * α·s (+ β·C in one fused multiply-add), whatever row group or thread computes it: the result does
 * not depend on the blocking or on the thread count.
 */
final class PanamaThinGemm {
  /** The most rows of A (of C) this path takes: two vectors of the panel. */
  static final int MAX_M = 2 * LANES;

  /** Rows of B per micro-kernel call: 12 with a one-vector panel, 6 with a two-vector one. */
  private static final int ROWS_ONE = 12;

  private static final int ROWS_TWO = 6;

  static {
    // The write-back tile is the GEMM's MR × NR one.
    assert PanamaConstants.MR * PanamaConstants.NR >= ROWS_ONE * LANES && ROWS_ONE == 2 * ROWS_TWO;
  }

  private PanamaThinGemm() {}

  /** C (m × n) = α·A (m × k)·Bᵀ (B n × k) + β·C, m ≤ {@link #MAX_M}, all row-major. */
  static void gemmNT(
      int m, int n, int k, float alpha, float[] a, int lda, float[] b, int ldb, float beta, float[] c, int ldc,
      int threads) {
    int width = m <= LANES ? LANES : 2 * LANES;
    int group = width == LANES ? ROWS_ONE : ROWS_TWO;
    // The panel lives in the caller's GEMM packing buffer for B, the tiles in each thread's GEMM tile.
    float[] panel = PanamaGemm.workspace().packB(k * width);
    // panel(p, i) = A(i, p) for i < m, 0 for m ≤ i < width.
    for (int p = 0, d = 0; p < k; p++, d += width) {
      for (int i = 0; i < m; i++) {
        panel[d + i] = a[i * lda + p];
      }
      for (int i = m; i < width; i++) {
        panel[d + i] = 0f;
      }
    }
    int groups = (n + group - 1) / group;
    int t = (long) m * n * k < PanamaConstants.THIN_PARALLEL_THRESHOLD ? 1 : Math.min(threads, groups);
    if (t <= 1) {
      rows(0, n, width, m, k, alpha, panel, b, ldb, beta, c, ldc);
      return;
    }
    Call call = GemmCall.claim(CALLS, Call::new);
    call.set(t, groups, m, n, k, alpha, panel, width, b, ldb, beta, c, ldc);
    call.group = group;
    call.run(t);
  }

  private static final ThreadLocal<Call> CALLS = ThreadLocal.withInitial(Call::new);

  /** One calling thread's forked thin product: A is the packed panel, {@code lda} its width. */
  private static final class Call extends GemmCall {
    int group;

    @Override
    public void accept(int task) {
      int j0 = Parallel.split(groups, tasks, task) * group;
      int j1 = Math.min(n, Parallel.split(groups, tasks, task + 1) * group);
      rows(j0, j1, lda, m, k, alpha, a, b, ldb, beta, c, ldc);
    }
  }

  /** Columns [j0, j1) of C, from rows [j0, j1) of B. */
  private static void rows(
      int j0, int j1, int width, int m, int k, float alpha, float[] panel, float[] b, int ldb, float beta,
      float[] c, int ldc) {
    float[] tile = PanamaGemm.workspace().tile;
    int j = j0;
    if (width == LANES) {
      for (; j + ROWS_ONE <= j1; j += ROWS_ONE) {
        kernel12(k, panel, b, j * ldb, ldb, tile);
        store(tile, width, ROWS_ONE, m, j, alpha, beta, c, ldc);
      }
      for (; j < j1; j++) {
        kernel1(k, panel, b, j * ldb, tile);
        store(tile, width, 1, m, j, alpha, beta, c, ldc);
      }
    } else {
      for (; j + ROWS_TWO <= j1; j += ROWS_TWO) {
        kernel6x2(k, panel, b, j * ldb, ldb, tile);
        store(tile, width, ROWS_TWO, m, j, alpha, beta, c, ldc);
      }
      for (; j < j1; j++) {
        kernel1x2(k, panel, b, j * ldb, tile);
        store(tile, width, 1, m, j, alpha, beta, c, ldc);
      }
    }
  }

  /** C(i, j + r) = α·tile(r, i) (+ β·C) for r &lt; rows, i &lt; m. */
  private static void store(
      float[] tile, int width, int rows, int m, int j, float alpha, float beta, float[] c, int ldc) {
    for (int r = 0; r < rows; r++) {
      for (int i = 0, t = r * width, o = j + r; i < m; i++, t++, o += ldc) {
        c[o] = beta == 0 ? tile[t] * alpha : Math.fma(tile[t], alpha, beta * c[o]);
      }
    }
  }

  /** Twelve rows of B at {@code bOff} (stride ldb) against a one-vector panel: 12 accumulators. */
  private static void kernel12(int k, float[] panel, float[] b, int bOff, int ldb, float[] tile) {
    FloatVector c0 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c1 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c2 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c3 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c4 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c5 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c6 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c7 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c8 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c9 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c10 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c11 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    int o0 = bOff;
    int o1 = o0 + ldb;
    int o2 = o1 + ldb;
    int o3 = o2 + ldb;
    int o4 = o3 + ldb;
    int o5 = o4 + ldb;
    int o6 = o5 + ldb;
    int o7 = o6 + ldb;
    int o8 = o7 + ldb;
    int o9 = o8 + ldb;
    int o10 = o9 + ldb;
    int o11 = o10 + ldb;
    for (int p = 0; p < k; p++) {
      FloatVector x = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, panel, p * LANES));
      c0 = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, b[o0 + p])).fma(x, c0);
      c1 = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, b[o1 + p])).fma(x, c1);
      c2 = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, b[o2 + p])).fma(x, c2);
      c3 = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, b[o3 + p])).fma(x, c3);
      c4 = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, b[o4 + p])).fma(x, c4);
      c5 = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, b[o5 + p])).fma(x, c5);
      c6 = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, b[o6 + p])).fma(x, c6);
      c7 = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, b[o7 + p])).fma(x, c7);
      c8 = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, b[o8 + p])).fma(x, c8);
      c9 = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, b[o9 + p])).fma(x, c9);
      c10 = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, b[o10 + p])).fma(x, c10);
      c11 = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, b[o11 + p])).fma(x, c11);
    }
    FLOAT_VECTOR.cast(c0).intoArray(tile, 0);
    FLOAT_VECTOR.cast(c1).intoArray(tile, LANES);
    FLOAT_VECTOR.cast(c2).intoArray(tile, 2 * LANES);
    FLOAT_VECTOR.cast(c3).intoArray(tile, 3 * LANES);
    FLOAT_VECTOR.cast(c4).intoArray(tile, 4 * LANES);
    FLOAT_VECTOR.cast(c5).intoArray(tile, 5 * LANES);
    FLOAT_VECTOR.cast(c6).intoArray(tile, 6 * LANES);
    FLOAT_VECTOR.cast(c7).intoArray(tile, 7 * LANES);
    FLOAT_VECTOR.cast(c8).intoArray(tile, 8 * LANES);
    FLOAT_VECTOR.cast(c9).intoArray(tile, 9 * LANES);
    FLOAT_VECTOR.cast(c10).intoArray(tile, 10 * LANES);
    FLOAT_VECTOR.cast(c11).intoArray(tile, 11 * LANES);
  }

  /** One row of B against a one-vector panel: the operations of {@link #kernel12} for that row. */
  private static void kernel1(int k, float[] panel, float[] b, int bOff, float[] tile) {
    FloatVector c0 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    for (int p = 0; p < k; p++) {
      c0 = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, b[bOff + p]))
          .fma(FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, panel, p * LANES)), c0);
    }
    FLOAT_VECTOR.cast(c0).intoArray(tile, 0);
  }

  /** Six rows of B against a two-vector panel: 12 accumulators. */
  private static void kernel6x2(int k, float[] panel, float[] b, int bOff, int ldb, float[] tile) {
    FloatVector c00 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c01 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c10 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c11 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c20 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c21 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c30 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c31 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c40 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c41 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c50 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c51 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    int o0 = bOff;
    int o1 = o0 + ldb;
    int o2 = o1 + ldb;
    int o3 = o2 + ldb;
    int o4 = o3 + ldb;
    int o5 = o4 + ldb;
    for (int p = 0; p < k; p++) {
      FloatVector x0 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, panel, 2 * p * LANES));
      FloatVector x1 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, panel, (2 * p + 1) * LANES));
      FloatVector s = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, b[o0 + p]));
      c00 = s.fma(x0, c00);
      c01 = s.fma(x1, c01);
      s = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, b[o1 + p]));
      c10 = s.fma(x0, c10);
      c11 = s.fma(x1, c11);
      s = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, b[o2 + p]));
      c20 = s.fma(x0, c20);
      c21 = s.fma(x1, c21);
      s = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, b[o3 + p]));
      c30 = s.fma(x0, c30);
      c31 = s.fma(x1, c31);
      s = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, b[o4 + p]));
      c40 = s.fma(x0, c40);
      c41 = s.fma(x1, c41);
      s = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, b[o5 + p]));
      c50 = s.fma(x0, c50);
      c51 = s.fma(x1, c51);
    }
    int w = 2 * LANES;
    FLOAT_VECTOR.cast(c00).intoArray(tile, 0);
    FLOAT_VECTOR.cast(c01).intoArray(tile, LANES);
    FLOAT_VECTOR.cast(c10).intoArray(tile, w);
    FLOAT_VECTOR.cast(c11).intoArray(tile, w + LANES);
    FLOAT_VECTOR.cast(c20).intoArray(tile, 2 * w);
    FLOAT_VECTOR.cast(c21).intoArray(tile, 2 * w + LANES);
    FLOAT_VECTOR.cast(c30).intoArray(tile, 3 * w);
    FLOAT_VECTOR.cast(c31).intoArray(tile, 3 * w + LANES);
    FLOAT_VECTOR.cast(c40).intoArray(tile, 4 * w);
    FLOAT_VECTOR.cast(c41).intoArray(tile, 4 * w + LANES);
    FLOAT_VECTOR.cast(c50).intoArray(tile, 5 * w);
    FLOAT_VECTOR.cast(c51).intoArray(tile, 5 * w + LANES);
  }

  /** One row of B against a two-vector panel: the operations of {@link #kernel6x2} for that row. */
  private static void kernel1x2(int k, float[] panel, float[] b, int bOff, float[] tile) {
    FloatVector c0 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c1 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    for (int p = 0; p < k; p++) {
      FloatVector s = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, b[bOff + p]));
      c0 = s.fma(FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, panel, 2 * p * LANES)), c0);
      c1 = s.fma(FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, panel, (2 * p + 1) * LANES)), c1);
    }
    FLOAT_VECTOR.cast(c0).intoArray(tile, 0);
    FLOAT_VECTOR.cast(c1).intoArray(tile, LANES);
  }
}
