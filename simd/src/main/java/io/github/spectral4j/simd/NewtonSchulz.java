package io.github.spectral4j.simd;

/**
 * PLACEHOLDER (final signatures): orthogonalise a matrix by Newton–Schulz iteration (Muon quintic or
 * convergent cubic). The solvers issue implements it.
 */
public final class NewtonSchulz {
  public enum Mode {
    QUINTIC,
    CUBIC
  }

  /** Outcome: steps taken and the orthogonality error ‖XXᵀ − I‖_F (XᵀX for tall X). */
  public record Result(int steps, double orthogonalityError) {}

  public NewtonSchulz(int rows, int cols) {}

  public NewtonSchulz setOptions(Mode mode, int steps) {
    return this;
  }

  /** Writes the orthogonalised g into out (same shape); g is not modified. */
  public Result orthogonalize(FloatMatrix g, FloatMatrix out) {
    throw new UnsupportedOperationException("NewtonSchulz not implemented yet");
  }
}
