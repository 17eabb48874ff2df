package io.github.spectral4j.trainer.nn;

import io.github.spectral4j.simd.FloatMatrix;
import io.github.spectral4j.simd.Fused;
import io.github.spectral4j.trainer.Activation;
import java.util.List;
import java.util.Objects;

/**
 * An element-wise nonlinearity {@code y = φ(x)} from {@link Activation} (ReLU, GELU, tanh, identity), with
 * backward {@code ∂x = ∂y ⊙ φ'(x)}. No parameters. For GELU in a transformer {@link Gelu} is faster (it
 * keeps tanh from the forward pass); this one evaluates φ' from x, as the MLP does. ReLU runs branch-free
 * on {@code simd}'s kernels, its derivative {@code [x > 0]} read from the output ({@code y > 0} exactly
 * where {@code x > 0}); next to a {@link Linear} ({@link #forwardAfter}, {@link #backwardThrough}) it is
 * applied by that layer's GEMM write-back and costs no pass of its own.
 */
public final class Pointwise implements Module {
  private final Activation activation;
  /** φ's id, for messages: computed once, since {@code id()} allocates a new string. */
  private final String name;
  private final int width;
  private final Workspaces<Work> works;
  /** Input gradients of a backward pass over the first rows of the last forward's ({@link Module#backward}). */
  private final Workspaces<FloatMatrix> leadingGradients;
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
    this.name = activation.id();
    this.width = Checks.positive("activation width", width);
    this.works = new Workspaces<>(rows -> new Work(rows, this.width));
    this.leadingGradients = new Workspaces<>(rows -> FloatMatrix.zeros(rows, this.width));
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
    Checks.columns(name, input, width);
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
    Checks.columns(name, input, width);
    Checks.outputShape(name, output, input.rows(), width);
    compute(input, output);
  }

  /**
   * {@code forward(layer.forward(input))}, the layer followed by this module as {@link Sequential} runs
   * them: for ReLU, computed by the layer's GEMM write-back straight into this module's output
   * (bit-identical, without the pre-activation's store and the two passes over it); for other φ, the two
   * forward passes in turn. Either way both modules' state is that of the two passes.
   *
   * @param layer the layer before this module, whose output width is this module's
   * @param input the layer's input; not modified, and must stay unchanged until backward
   * @return this module's output, a work buffer
   * @throws IllegalArgumentException if the layer's output width is not this module's, or the input has
   *     the wrong number of columns
   */
  public FloatMatrix forwardAfter(Linear layer, FloatMatrix input) {
    if (layer.outputWidth() != width) {
      throw new IllegalArgumentException(layer + " gives width " + layer.outputWidth() + ", " + this + " takes " + width);
    }
    if (activation != Activation.RELU) {
      return forward(layer.forward(input));
    }
    Work w = works.get(input.rows());
    layer.forwardRectified(input, w.output);
    last = w;
    lastInput = null; // ReLU's backward reads the output
    return w.output;
  }

  /**
   * {@code backward(layer.backward(outputGradient))} for the layer that follows this module and whose
   * last input was this module's last output: for ReLU, the derivative {@code [x > 0]} is applied by the
   * layer's GEMM write-back while it produces {@code ∂x} (bit-identical, one pass instead of two); for
   * other φ, the two backward passes in turn. Either way the layer's parameter gradients are written.
   *
   * @param layer the layer after this module
   * @param outputGradient the layer's output gradient; not modified
   * @return this module's input gradient, a work buffer
   * @throws IllegalStateException if there was no forward pass, or the layer's input was not this
   *     module's output
   */
  public FloatMatrix backwardThrough(Linear layer, FloatMatrix outputGradient) {
    return backwardThrough(layer, outputGradient, null);
  }

  /**
   * {@link #backwardThrough(Linear, FloatMatrix)} with an optimizer's {@link FusedStep} for the layer's
   * parameters ({@link Module#backward(FloatMatrix, FusedStep)}); this module's input gradient is the same.
   *
   * @param layer the layer after this module
   * @param outputGradient the layer's output gradient; not modified
   * @param step the offer, or null for none
   * @return this module's input gradient, a work buffer
   * @throws IllegalStateException as {@link #backwardThrough(Linear, FloatMatrix)}
   */
  public FloatMatrix backwardThrough(Linear layer, FloatMatrix outputGradient, FusedStep step) {
    if (activation != Activation.RELU) {
      return backward(layer.backward(outputGradient, step));
    }
    Checks.forwardDone(name, last);
    if (layer.lastInput() != last.output) {
      throw new IllegalStateException(layer + " did not last run on the output of " + this);
    }
    // The layer checks the gradient's shape (all the rows of its last output, or its first rows).
    FloatMatrix inputGradient = inputGradient(Objects.requireNonNull(outputGradient, "outputGradient").rows());
    layer.backward(outputGradient, inputGradient, 0f, last.output, step);
    return inputGradient;
  }

  /** The buffer for {@code ∂x} of a backward pass over the first {@code rows} rows of the last forward's. */
  private FloatMatrix inputGradient(int rows) {
    return rows >= 1 && rows < last.output.rows() ? leadingGradients.get(rows) : last.inputGradient;
  }

  private void compute(FloatMatrix input, FloatMatrix output) {
    float[] x = input.data();
    float[] y = output.data();
    switch (activation) {
      case RELU -> Fused.rectify(x, y);
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
    Checks.forwardDone(name, last);
    int rows = Checks.leadingRows(name, outputGradient, last.output);
    float[] dy = outputGradient.data();
    float[] dx = inputGradient(rows).data();
    switch (activation) {
      case RELU -> {
        if (rows == last.output.rows()) {
          Fused.keepWherePositive(last.output.data(), dy, dx);
        } else {
          // The first rows only: the same selection, element by element (exact either way).
          float[] y = last.output.data();
          for (int i = 0; i < dy.length; i++) {
            dx[i] = y[i] > 0 ? dy[i] : 0f;
          }
        }
      }
      case IDENTITY -> System.arraycopy(dy, 0, dx, 0, dy.length);
      default -> {
        float[] x = lastInput.data();
        for (int i = 0; i < dy.length; i++) { // the gradient's rows: all, or the first ones
          dx[i] = dy[i] * activation.derivative(x[i]);
        }
      }
    }
    return inputGradient(rows);
  }

  @Override
  public String toString() {
    return "Pointwise[" + name + " " + width + "]";
  }
}
