package io.github.spectral4j.trainer.nn;

import io.github.spectral4j.simd.Blas;
import io.github.spectral4j.simd.Elementwise;
import io.github.spectral4j.simd.FloatMatrix;
import io.github.spectral4j.simd.Fused;
import java.util.List;
import java.util.Objects;

/**
 * The GELU nonlinearity, element-wise, in its tanh form {@code φ(x) = ½x(1 + tanh u)},
 * {@code u = √(2/π)(x + 0.044715x³)}, with {@code φ'(x) = ½(1 + tanh u) + ½x(1 − tanh²u)·√(2/π)(1 +
 * 3·0.044715x²)}. Forward keeps φ'(x) itself ({@link Elementwise#geluWithDerivative}, vectorised float, within
 * a few ulps of the exact values), so backward is one product {@code ∂x = ∂y ⊙ φ'(x)}
 * ({@link Elementwise#multiply}): no second exponential and no read of the pre-activation. After a bias-free
 * {@link Linear} ({@link #forwardAfter}, as {@link Sequential} runs them) both are done by that layer's GEMM
 * write-back ({@link Fused#gemmGelu}, {@link Fused#gemmScaled}): the pre-activation is never stored, and neither
 * the forward nor the backward pass runs over memory on its own. The results are bit for bit those of the
 * separate passes of {@link Elementwise#gelu} and {@link Elementwise#geluBackward}. Measured (the GPT's
 * 1024 × 2048 × 512 products, one thread, thread CPU time, paired medians of 100 interleaved calls, loaded
 * Zen 5): GEMM with GELU 0.97–0.98 × the GEMM and then the pass, backward 0.95–0.97 ×; GELU's arithmetic,
 * not its memory traffic, was most of the pass. No parameters. Large inputs
 * of the separate passes are split into {@code Blas.parallelism()} contiguous ranges of entries run by
 * {@link Blas#forEachTask}; every entry is computed by the same code, so results are bit-identical for any
 * thread count.
 */
public final class Gelu implements Module {
  /** Below this many entries a pass runs on the calling thread (forking costs more than it saves). */
  private static final int PARALLEL_ENTRIES = 1 << 15;

  private final int width;
  // Created once: the shares read the pass in progress from these fields, so a pass allocates nothing.
  private final java.util.function.IntConsumer forwardShare = this::forwardShare;
  private final java.util.function.IntConsumer backwardShare = this::backwardShare;
  private float[] gradientIn;
  private float[] input;
  private int shares;
  private final Workspaces<Work> works;
  private Work last;

  private static final class Work {
    final FloatMatrix output;
    final FloatMatrix inputGradient;
    /** φ'(x) of every entry, kept from forward for backward. */
    final FloatMatrix derivative;

    Work(int rows, int width) {
      output = FloatMatrix.zeros(rows, width);
      inputGradient = FloatMatrix.zeros(rows, width);
      derivative = FloatMatrix.zeros(rows, width);
    }
  }

  /** @param width columns of input and output */
  public Gelu(int width) {
    this.width = Checks.positive("GELU width", width);
    this.works = new Workspaces<>(rows -> new Work(rows, this.width));
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
    Checks.columns("gelu", input, width);
    Work w = works.get(input.rows());
    last = w;
    this.input = input.data();
    try {
      run(this.input.length, forwardShare);
    } finally {
      this.input = null;
    }
    return w.output;
  }

  /**
   * {@code forward(layer.forward(input))}, the layer followed by this module as {@link Sequential} runs them:
   * for a layer without bias, φ and φ' computed by the layer's GEMM write-back ({@link Fused#gemmGelu})
   * straight into this module's buffers, bit-identical, without the pre-activation's store and the pass over
   * it; with a bias, the two forward passes in turn. Either way both modules' state is that of the two passes
   * (except that the layer's {@code lastOutput} is not kept).
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
    if (layer.bias() != null) {
      return forward(layer.forward(input));
    }
    Work w = works.get(input.rows());
    layer.forwardGelu(input, w.output, w.derivative);
    last = w;
    return w.output;
  }

  /** Runs {@code share} over the entries, split into fixed contiguous ranges when there are many. */
  private void run(int entries, java.util.function.IntConsumer share) {
    shares = entries < PARALLEL_ENTRIES ? 1 : Math.max(1, Blas.parallelism());
    if (shares == 1) {
      share.accept(0);
    } else {
      Blas.forEachTask(shares, share);
    }
  }

  private static int split(int count, int parts, int part) {
    return (int) ((long) count * part / parts);
  }

  private void forwardShare(int part) {
    float[] x = input;
    Elementwise.geluWithDerivative(split(x.length, shares, part), split(x.length, shares, part + 1), x,
        last.output.data(), last.derivative.data());
  }

  @Override
  public FloatMatrix backward(FloatMatrix outputGradient) {
    Checks.forwardDone("gelu", last);
    Checks.sameShape("gelu", outputGradient, last.output);
    gradientIn = outputGradient.data();
    try {
      run(gradientIn.length, backwardShare);
    } finally {
      gradientIn = null;
    }
    return last.inputGradient;
  }

  /**
   * {@code backward(layer.backward(outputGradient, step))} for the layer that follows this module and whose
   * last input was this module's last output: the derivative kept by forward is applied by the layer's GEMM
   * write-back while it produces {@code ∂y} ({@link Fused#gemmScaled}), bit-identical, one pass instead of
   * two. A gradient of fewer rows than the forward's takes the two passes.
   *
   * @param layer the layer after this module
   * @param outputGradient the layer's output gradient; not modified
   * @param step an optimizer's offer for the layer's parameters ({@link Module#backward(FloatMatrix,
   *     FusedStep)}), or null for none
   * @return this module's input gradient, a work buffer
   * @throws IllegalStateException if there was no forward pass, or the layer's input was not this
   *     module's output
   */
  public FloatMatrix backwardThrough(Linear layer, FloatMatrix outputGradient, FusedStep step) {
    Checks.forwardDone("gelu", last);
    if (layer.lastInput() != last.output) {
      throw new IllegalStateException(layer + " did not last run on the output of " + this);
    }
    if (Objects.requireNonNull(outputGradient, "outputGradient").rows() != last.output.rows()) {
      return backward(layer.backward(outputGradient, step));
    }
    layer.backwardScaled(outputGradient, last.inputGradient, last.derivative, step);
    return last.inputGradient;
  }

  private void backwardShare(int part) {
    float[] dy = gradientIn;
    Elementwise.multiply(split(dy.length, shares, part), split(dy.length, shares, part + 1), dy,
        last.derivative.data(), last.inputGradient.data());
  }

  @Override
  public String toString() {
    return "Gelu[" + width + "]";
  }
}
