package io.github.spectral4j.simd;

/**
 * PLACEHOLDER (final signatures): top-k singular triplets by Golub–Kahan–Lanczos bidiagonalisation
 * with full reorthogonalisation. The solvers issue implements it.
 */
public final class Lanczos {
  /**
   * Outcome: singular values descending, left vectors as columns of a rows×k matrix, right vectors as
   * columns of a cols×k matrix, residual bound per value.
   */
  public record Result(
      double[] singularValues,
      FloatMatrix leftVectors,
      FloatMatrix rightVectors,
      double[] residualBounds,
      boolean converged,
      int matVecs) {}

  public Lanczos(int rows, int cols, int k) {}

  public Lanczos setOptions(int maxIterations, double tolerance) {
    return this;
  }

  public Result compute(FloatMatrix a) {
    throw new UnsupportedOperationException("Lanczos not implemented yet");
  }
}
