package io.github.spectral4j.simd.internal;

import java.util.Arrays;

/**
 * The scalar optimizer pass of {@link Kernels#update}: the reference the Vector API version
 * ({@code PanamaOptimizerPass}) is tested against, and the fallback without {@code jdk.incubator.vector},
 * with a reference (without one the pass is {@link SquaresPass} of {@code d = α·g}): per row,
 * one sweep forms {@code d = α·g} and {@code w = w + d}, their squares and the dot products of the new
 * row and of its drift, and a second sweep, the row still in L1, accumulates {@code aOut} and {@code eOut}.
 */
final class OptimizerPass {
  private OptimizerPass() {}

  static void update(
      int m, int n, float alpha, float[] g, float[] d, float[] w, float[] ref, float[] x, float[] ax, float[] aOut,
      float[] y, float[] ey, float[] eOut, double[] sums) {
    Arrays.fill(aOut, 0, n, 0f);
    Arrays.fill(eOut, 0, n, 0f);
    double sd = 0;
    double sw = 0;
    double se = 0;
    for (int i = 0, r = 0; i < m; i++, r += n) {
      float qd = 0;
      float qw = 0;
      float qe = 0;
      float sx = 0;
      float sy = 0;
      for (int j = 0; j < n; j++) {
        float dj;
        if (g != null) {
          dj = alpha * g[r + j];
          d[r + j] = dj;
        } else {
          dj = d[r + j];
        }
        float wj = w[r + j] + dj;
        w[r + j] = wj;
        float e = wj - ref[r + j];
        qd = Math.fma(dj, dj, qd);
        qw = Math.fma(wj, wj, qw);
        qe = Math.fma(e, e, qe);
        sx = Math.fma(wj, x[j], sx);
        sy = Math.fma(e, y[j], sy);
      }
      sd += rowSquares(qd, d, null, r, n);
      sw += rowSquares(qw, w, null, r, n);
      se += rowSquares(qe, w, ref, r, n);
      ax[i] = sx;
      ey[i] = sy;
      for (int j = 0; j < n; j++) {
        aOut[j] = Math.fma(sx, w[r + j], aOut[j]);
        eOut[j] = Math.fma(sy, w[r + j] - ref[r + j], eOut[j]);
      }
    }
    sums[0] = sd;
    sums[1] = sw;
    sums[2] = se;
  }

  /**
   * A row's float sum of squares, or, when it overflowed (entries beyond about 1e19, or not finite), the
   * row's Σ (a − b)² (b null: Σ a²) again in double, which is finite exactly when every entry is.
   */
  static double rowSquares(float sum, float[] a, float[] b, int r, int n) {
    if (Float.isFinite(sum)) {
      return sum;
    }
    double s = 0;
    for (int j = 0; j < n; j++) {
      double v = b == null ? a[r + j] : a[r + j] - b[r + j];
      s += v * v;
    }
    return s;
  }
}
