package io.github.spectral4j.simd.internal;

import static io.github.spectral4j.simd.internal.PanamaConstants.FLOAT;
import static io.github.spectral4j.simd.internal.PanamaConstants.LANES;
import static io.github.spectral4j.simd.internal.PanamaLevel1.FLOAT_VECTOR;
import static io.github.spectral4j.simd.internal.PanamaLevel1.axpy;
import static io.github.spectral4j.simd.internal.PanamaLevel1.dot;
import static io.github.spectral4j.simd.internal.PanamaLevel1.scal;
import static io.github.spectral4j.simd.internal.PanamaLevel1.sumLanes;

import jdk.incubator.vector.FloatVector;

/**
 * Matrix-vector products on the Vector API: y = α·A·x + β·y as dot products four rows at a time, and
 * y = α·Aᵀ·x + β·y as axpys four rows at a time (one load and store of y per four rows), with the
 * four-row building blocks {@link #dot4} and {@link #axpy4} that the fused Gram kernels reuse.
 */
final class PanamaGemv {
  private PanamaGemv() {}

  static void gemv(boolean transA, int m, int n, float alpha, float[] a, int lda, float[] x, float beta, float[] y) {
    if (!transA) {
      gemvN(m, n, alpha, a, lda, x, beta, y);
    } else {
      if (beta == 0) {
        java.util.Arrays.fill(y, 0, n, 0f);
      } else if (beta != 1) {
        scal(n, beta, y, 0);
      }
      int i = 0;
      for (; i + 4 <= m; i += 4) {
        axpy4(n, alpha * x[i], alpha * x[i + 1], alpha * x[i + 2], alpha * x[i + 3], a, i * lda, lda, y);
      }
      for (; i < m; i++) {
        axpy(n, alpha * x[i], a, i * lda, y, 0);
      }
    }
  }

  private static void gemvN(int m, int n, float alpha, float[] a, int lda, float[] x, float beta, float[] y) {
    int i = 0;
    for (; i + 4 <= m; i += 4) {
      dot4(n, a, i * lda, lda, x, 0, y, i, alpha, beta);
    }
    for (; i < m; i++) {
      float s = alpha * dot(n, a, i * lda, x, 0);
      y[i] = beta == 0 ? s : s + beta * y[i];
    }
  }

  /**
   * out[o + r] = α·(row r of the 4 rows at aOff)·x[xOff ..] + β·out[o + r] for r &lt; 4 (β = 0 overwrites). One load
   * of x serves four rows, and the four row sums are four independent FMA chains.
   */
  static void dot4(
      int n, float[] a, int aOff, int lda, float[] x, int xOff, float[] out, int o, float alpha, float beta) {
    int r0 = aOff;
    int r1 = aOff + lda;
    int r2 = aOff + 2 * lda;
    int r3 = aOff + 3 * lda;
    FloatVector s0 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector s1 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector s2 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector s3 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    int j = 0;
    int bound = FLOAT.loopBound(n);
    for (; j < bound; j += LANES) {
      FloatVector xv = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, x, xOff + j));
      s0 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, a, r0 + j)).fma(xv, s0);
      s1 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, a, r1 + j)).fma(xv, s1);
      s2 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, a, r2 + j)).fma(xv, s2);
      s3 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, a, r3 + j)).fma(xv, s3);
    }
    float d0 = sumLanes(s0);
    float d1 = sumLanes(s1);
    float d2 = sumLanes(s2);
    float d3 = sumLanes(s3);
    for (; j < n; j++) {
      float xj = x[xOff + j];
      d0 = Math.fma(a[r0 + j], xj, d0);
      d1 = Math.fma(a[r1 + j], xj, d1);
      d2 = Math.fma(a[r2 + j], xj, d2);
      d3 = Math.fma(a[r3 + j], xj, d3);
    }
    if (beta == 0) {
      out[o] = alpha * d0;
      out[o + 1] = alpha * d1;
      out[o + 2] = alpha * d2;
      out[o + 3] = alpha * d3;
    } else {
      out[o] = alpha * d0 + beta * out[o];
      out[o + 1] = alpha * d1 + beta * out[o + 1];
      out[o + 2] = alpha * d2 + beta * out[o + 2];
      out[o + 3] = alpha * d3 + beta * out[o + 3];
    }
  }

  /** y += s0·row0 + s1·row1 + s2·row2 + s3·row3 for the 4 rows at aOff: one load and store of y per 4 rows. */
  static void axpy4(int n, float s0, float s1, float s2, float s3, float[] a, int aOff, int lda, float[] y) {
    int r0 = aOff;
    int r1 = aOff + lda;
    int r2 = aOff + 2 * lda;
    int r3 = aOff + 3 * lda;
    FloatVector v0 = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, s0));
    FloatVector v1 = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, s1));
    FloatVector v2 = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, s2));
    FloatVector v3 = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, s3));
    int j = 0;
    int bound = FLOAT.loopBound(n);
    for (; j < bound; j += LANES) {
      FloatVector yv = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, y, j));
      yv = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, a, r0 + j)).fma(v0, yv);
      yv = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, a, r1 + j)).fma(v1, yv);
      yv = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, a, r2 + j)).fma(v2, yv);
      yv = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, a, r3 + j)).fma(v3, yv);
      yv.intoArray(y, j);
    }
    axpyTail4(j, n, s0, s1, s2, s3, a, r0, lda, y);
  }

  /** axpy4's scalar tail: y[j] += s_q·a[r0 + q·lda + j] for q = 0 … 3 in order, j ∈ [from, n). */
  static void axpyTail4(
      int from, int n, float s0, float s1, float s2, float s3, float[] a, int r0, int lda, float[] y) {
    int r1 = r0 + lda;
    int r2 = r1 + lda;
    int r3 = r2 + lda;
    for (int j = from; j < n; j++) {
      float yj = y[j];
      yj = Math.fma(a[r0 + j], s0, yj);
      yj = Math.fma(a[r1 + j], s1, yj);
      yj = Math.fma(a[r2 + j], s2, yj);
      yj = Math.fma(a[r3 + j], s3, yj);
      y[j] = yj;
    }
  }
}
