package io.github.spectral4j.simd;

import java.util.Objects;

/**
 * Dense float32 linear algebra. PLACEHOLDER implementation (plain loops) with the final signatures;
 * the kernels issue replaces the bodies with the validated facade over the Vector API kernels.
 */
public final class Blas {
  private Blas() {}

  public static float dot(int n, float[] x, int xOff, float[] y, int yOff) {
    float s = 0;
    for (int i = 0; i < n; i++) s += x[xOff + i] * y[yOff + i];
    return s;
  }

  public static float dot(float[] x, float[] y) {
    return dot(x.length, x, 0, y, 0);
  }

  public static void axpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
    for (int i = 0; i < n; i++) y[yOff + i] += alpha * x[xOff + i];
  }

  public static void axpy(float alpha, float[] x, float[] y) {
    axpy(x.length, alpha, x, 0, y, 0);
  }

  public static void scal(int n, float alpha, float[] x, int xOff) {
    for (int i = 0; i < n; i++) x[xOff + i] *= alpha;
  }

  public static void scal(float alpha, float[] x) {
    scal(x.length, alpha, x, 0);
  }

  public static double nrm2(int n, float[] x, int xOff) {
    double s = 0;
    for (int i = 0; i < n; i++) s += (double) x[xOff + i] * x[xOff + i];
    return Math.sqrt(s);
  }

  public static double nrm2(float[] x) {
    return nrm2(x.length, x, 0);
  }

  /** Frobenius norm ‖A‖_F with double accumulation. */
  public static double frobeniusNorm(FloatMatrix a) {
    return nrm2(a.data());
  }

  /** y = α·op(A)·x + β·y, op(A) = A or Aᵀ. y is modified. */
  public static void gemv(boolean transA, float alpha, FloatMatrix a, float[] x, float beta, float[] y) {
    int m = a.rows(), n = a.cols();
    float[] d = a.data();
    if (!transA) {
      for (int i = 0; i < m; i++) y[i] = alpha * dot(n, d, i * n, x, 0) + (beta == 0 ? 0 : beta * y[i]);
    } else {
      for (int j = 0; j < n; j++) y[j] = beta == 0 ? 0 : beta * y[j];
      for (int i = 0; i < m; i++) axpy(n, alpha * x[i], d, i * n, y, 0);
    }
  }

  /** A = A + α·x·yᵀ. A is modified. */
  public static void ger(float alpha, float[] x, float[] y, FloatMatrix a) {
    int n = a.cols();
    for (int i = 0; i < a.rows(); i++) axpy(n, alpha * x[i], y, 0, a.data(), i * n);
  }

  /** C = α·op(A)·op(B) + β·C. C is modified. */
  public static void gemm(
      boolean transA, boolean transB, float alpha, FloatMatrix a, FloatMatrix b, float beta, FloatMatrix c) {
    Objects.requireNonNull(c);
    int m = c.rows(), n = c.cols();
    int k = transA ? a.rows() : a.cols();
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        float s = 0;
        for (int p = 0; p < k; p++) {
          float av = transA ? a.get(p, i) : a.get(i, p);
          float bv = transB ? b.get(j, p) : b.get(p, j);
          s += av * bv;
        }
        c.set(i, j, alpha * s + (beta == 0 ? 0 : beta * c.get(i, j)));
      }
    }
  }

  /** Threads used by gemm (default: available processors, or -Dspectral4j.threads). */
  public static int parallelism() {
    return 1;
  }

  /** Sets the threads used by gemm; results are bit-identical for any value. */
  public static void setParallelism(int threads) {}
}
