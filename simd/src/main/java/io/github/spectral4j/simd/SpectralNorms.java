package io.github.spectral4j.simd;

/**
 * Norms read off the spectrum: the spectral norm ‖A‖* = σ₁ (the norm of the spectral condition
 * ‖W_l‖* = Θ(√(n_l/n_{l−1})) of Yang, Simon and Bernstein, arXiv 2310.17813) and the stable rank
 * ‖A‖_F²/‖A‖*², a smooth lower bound of the rank (≥ 1 for A ≠ 0). σ₁ comes from {@link SpectralNorm}
 * (Lanczos on AᵀA, one pass over A per step) to relative tolerance 1e-6 (its residual bound), falling
 * back to {@link Lanczos} with the Krylov space allowed to grow to min(m, n) in the rare case that
 * does not converge within its passes, so the answer always converges. Arguments are not modified;
 * non-finite entries are rejected with IllegalArgumentException. Each call allocates a solver: for
 * repeated calls on one shape keep a {@link SpectralNorm} instead (it also starts warm).
 */
public final class SpectralNorms {
  private static final double TOLERANCE = 1e-6;

  private SpectralNorms() {}

  /**
   * Stable rank ‖A‖_F² / ‖A‖*², in [1, rank(A)]; defined as 0 for the zero matrix (which has rank 0).
   */
  public static double stableRank(FloatMatrix a) {
    double s = spectralNorm(a);
    if (s == 0) {
      return 0;
    }
    double f = Blas.frobeniusNorm(a);
    // Rounding can put the ratio a hair below 1 for rank-one input; the true value never is.
    return Math.max(1, f * f / (s * s));
  }

  /** Spectral norm ‖A‖* (largest singular value) to about 1e-6 relative. */
  public static double spectralNorm(FloatMatrix a) {
    if (a == null) {
      throw new IllegalArgumentException("SpectralNorms: matrix is null");
    }
    int small = Math.min(a.rows(), a.cols());
    SpectralNorm.Result r = new SpectralNorm(a.rows(), a.cols()).setOptions(Math.max(1000, 2 * small), TOLERANCE).of(a);
    if (r.converged()) {
      return r.sigma();
    }
    return new Lanczos(a.rows(), a.cols(), 1).setOptions(small, TOLERANCE).compute(a).singularValues()[0];
  }
}
