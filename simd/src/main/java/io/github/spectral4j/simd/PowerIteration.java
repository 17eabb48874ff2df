package io.github.spectral4j.simd;

/**
 * PLACEHOLDER (plain loops, final signatures): largest singular value σ₁ by power iteration on AᵀA,
 * warm-started from the previous right vector. The solvers issue replaces the body.
 */
public final class PowerIteration {
  /** Outcome of one run. */
  public record Result(double sigma, boolean converged, int iterations, int matVecs) {}

  private final int rows;
  private final int cols;
  private final float[] u;
  private final float[] v;
  private boolean warm;
  private int maxIterations = 1000;
  private double tolerance = 1e-6;

  public PowerIteration(int rows, int cols) {
    this.rows = rows;
    this.cols = cols;
    this.u = new float[rows];
    this.v = new float[cols];
  }

  public PowerIteration setOptions(int maxIterations, double tolerance) {
    this.maxIterations = maxIterations;
    this.tolerance = tolerance;
    return this;
  }

  public void reset() {
    warm = false;
  }

  public float[] leftVector() {
    return u;
  }

  public float[] rightVector() {
    return v;
  }

  public Result run(FloatMatrix a) {
    if (!warm) {
      java.util.Arrays.fill(v, (float) (1 / Math.sqrt(cols)));
      warm = true;
    }
    double sigma = 0;
    for (int it = 1; it <= maxIterations; it++) {
      Blas.gemv(false, 1f, a, v, 0f, u);
      double nu = Blas.nrm2(u);
      Blas.scal((float) (1 / nu), u);
      Blas.gemv(true, 1f, a, u, 0f, v);
      double s = Blas.nrm2(v);
      Blas.scal((float) (1 / s), v);
      if (Math.abs(s - sigma) <= tolerance * s) {
        return new Result(s, true, it, 2 * it);
      }
      sigma = s;
    }
    return new Result(sigma, false, maxIterations, 2 * maxIterations);
  }
}
