package io.github.spectral4j.simd;

/** PLACEHOLDER (final signatures): norms derived from the spectrum. */
public final class SpectralNorms {
  private SpectralNorms() {}

  /** Stable rank ‖A‖_F² / ‖A‖*², in [1, rank(A)]. */
  public static double stableRank(FloatMatrix a) {
    double f = Blas.frobeniusNorm(a);
    double s = new PowerIteration(a.rows(), a.cols()).run(a).sigma();
    return f * f / (s * s);
  }

  /** Spectral norm ‖A‖* (largest singular value) to about 1e-6 relative. */
  public static double spectralNorm(FloatMatrix a) {
    return new PowerIteration(a.rows(), a.cols()).run(a).sigma();
  }
}
