package io.github.spectral4j.trainer.nn;

import io.github.spectral4j.simd.Blas;
import io.github.spectral4j.simd.FloatMatrix;
import java.util.List;
import java.util.Objects;

/**
 * A residual connection around a branch: {@code Y = X + α·f(X)}, with α the branch multiplier (1 in a
 * plain network; depth-μP scales it with the number of blocks, Bordelon et al. 2023 and Tensor Programs
 * VI). Backward: {@code ∂X = ∂Y + ∂f(α·∂Y)}, the branch's own input gradient of {@code α·∂Y}.
 */
public final class Residual implements Module {
  private final Module branch;
  private final float multiplier;
  private final Workspaces<Work> works;
  private Work last;

  private static final class Work {
    final FloatMatrix output;
    final FloatMatrix inputGradient;
    final FloatMatrix scaledGradient;

    Work(int rows, int width, boolean scaled) {
      output = FloatMatrix.zeros(rows, width);
      inputGradient = FloatMatrix.zeros(rows, width);
      scaledGradient = scaled ? FloatMatrix.zeros(rows, width) : null;
    }
  }

  /**
   * @param branch {@code f}; its input and output widths must agree
   * @param multiplier α, finite and &gt; 0
   */
  public Residual(Module branch, double multiplier) {
    this.branch = Objects.requireNonNull(branch, "branch");
    if (branch.inputWidth() != branch.outputWidth()) {
      throw new IllegalArgumentException("a residual branch must keep the width, got " + branch.inputWidth() + " -> "
          + branch.outputWidth() + " (" + branch + ")");
    }
    if (!(multiplier > 0) || !Double.isFinite(multiplier)) {
      throw new IllegalArgumentException("residual branch multiplier must be finite and > 0, got " + multiplier);
    }
    this.multiplier = (float) multiplier;
    boolean scaled = this.multiplier != 1f;
    int width = branch.inputWidth();
    this.works = new Workspaces<>(rows -> new Work(rows, width, scaled));
  }

  /** The branch {@code f}. */
  public Module branch() {
    return branch;
  }

  /** The branch multiplier α. */
  public double multiplier() {
    return multiplier;
  }

  @Override
  public List<Parameter> parameters() {
    return branch.parameters();
  }

  @Override
  public int inputWidth() {
    return branch.inputWidth();
  }

  @Override
  public int outputWidth() {
    return branch.outputWidth();
  }

  @Override
  public FloatMatrix forward(FloatMatrix input) {
    Checks.columns("residual", input, inputWidth());
    FloatMatrix f = branch.forward(input);
    Work w = works.get(input.rows());
    System.arraycopy(input.data(), 0, w.output.data(), 0, w.output.data().length);
    Blas.axpy(multiplier, f.data(), w.output.data());
    last = w;
    return w.output;
  }

  @Override
  public FloatMatrix backward(FloatMatrix outputGradient) {
    Checks.forwardDone("residual", last);
    Checks.sameShape("residual", outputGradient, last.output);
    FloatMatrix g = outputGradient;
    if (last.scaledGradient != null) {
      g = last.scaledGradient;
      System.arraycopy(outputGradient.data(), 0, g.data(), 0, g.data().length);
      Blas.scal(multiplier, g.data());
    }
    FloatMatrix df = branch.backward(g);
    float[] dx = last.inputGradient.data();
    System.arraycopy(outputGradient.data(), 0, dx, 0, dx.length);
    Blas.axpy(1f, df.data(), dx);
    return last.inputGradient;
  }

  @Override
  public String toString() {
    return "Residual[" + (multiplier != 1f ? multiplier + " * " : "") + branch + "]";
  }
}
