package io.github.spectral4j.trainer.nn;

import io.github.spectral4j.simd.FloatMatrix;
import io.github.spectral4j.trainer.Activation;
import java.util.List;
import java.util.Objects;

/**
 * An element-wise nonlinearity {@code y = φ(x)} from {@link Activation} (ReLU, GELU, tanh, identity), with
 * backward {@code ∂x = ∂y ⊙ φ'(x)}. No parameters. For GELU in a transformer {@link Gelu} is faster (it
 * keeps tanh from the forward pass); this one evaluates φ' from x, as the MLP does.
 */
public final class Pointwise implements Module {
  private final Activation activation;
  private final int width;
  private final Workspaces<Work> works;
  private Work last;
  private FloatMatrix lastInput;

  private static final class Work {
    final FloatMatrix output;
    final FloatMatrix inputGradient;

    Work(int rows, int width) {
      output = FloatMatrix.zeros(rows, width);
      inputGradient = FloatMatrix.zeros(rows, width);
    }
  }

  /**
   * @param activation φ
   * @param width columns of input and output
   */
  public Pointwise(Activation activation, int width) {
    this.activation = Objects.requireNonNull(activation, "activation");
    this.width = Checks.positive("activation width", width);
    this.works = new Workspaces<>(rows -> new Work(rows, this.width));
  }

  /** φ. */
  public Activation activation() {
    return activation;
  }

  @Override
  public List<Parameter> parameters() {
    return List.of();
  }

  @Override
  public int inputWidth() {
    return width;
  }

  @Override
  public int outputWidth() {
    return width;
  }

  @Override
  public FloatMatrix forward(FloatMatrix input) {
    Checks.columns(activation.id(), input, width);
    Work w = works.get(input.rows());
    compute(input, w.output);
    last = w;
    lastInput = input;
    return w.output;
  }

  /**
   * {@code output = φ(input)} into a caller's buffer, without touching this module's state (the last
   * {@link #forward} and its {@link #backward} stay valid).
   *
   * @param input {@code rows × width}; not modified
   * @param output the same shape; modified (may be {@code input} itself)
   * @throws IllegalArgumentException if a shape does not fit
   */
  public void apply(FloatMatrix input, FloatMatrix output) {
    Checks.columns(activation.id(), input, width);
    Checks.outputShape(activation.id(), output, input.rows(), width);
    compute(input, output);
  }

  private void compute(FloatMatrix input, FloatMatrix output) {
    float[] x = input.data();
    float[] y = output.data();
    switch (activation) {
      case RELU -> {
        for (int i = 0; i < x.length; i++) {
          y[i] = x[i] > 0 ? x[i] : 0f;
        }
      }
      case IDENTITY -> System.arraycopy(x, 0, y, 0, x.length);
      default -> {
        for (int i = 0; i < x.length; i++) {
          y[i] = activation.apply(x[i]);
        }
      }
    }
  }

  @Override
  public FloatMatrix backward(FloatMatrix outputGradient) {
    Checks.forwardDone(activation.id(), last);
    Checks.sameShape(activation.id(), outputGradient, last.output);
    float[] x = lastInput.data();
    float[] dy = outputGradient.data();
    float[] dx = last.inputGradient.data();
    switch (activation) {
      case RELU -> {
        for (int i = 0; i < x.length; i++) {
          dx[i] = x[i] > 0 ? dy[i] : 0f;
        }
      }
      case IDENTITY -> System.arraycopy(dy, 0, dx, 0, dy.length);
      default -> {
        for (int i = 0; i < x.length; i++) {
          dx[i] = dy[i] * activation.derivative(x[i]);
        }
      }
    }
    return last.inputGradient;
  }

  @Override
  public String toString() {
    return "Pointwise[" + activation.id() + " " + width + "]";
  }
}
