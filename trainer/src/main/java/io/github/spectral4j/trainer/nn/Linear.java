package io.github.spectral4j.trainer.nn;

import io.github.spectral4j.core.LayerRole;
import io.github.spectral4j.core.LayerRule;
import io.github.spectral4j.simd.Blas;
import io.github.spectral4j.simd.FloatMatrix;
import io.github.spectral4j.simd.Fused;
import java.util.List;
import java.util.Objects;

/**
 * A dense layer on row vectors, {@code Y = m·X·Wᵀ + m_b·1·bᵀ}, with {@code W} ({@code fanOut × fanIn})
 * drawn from {@code N(0, σ²)} and an optional bias {@code b} ({@code 1 × fanOut}, a fan-in-1 matrix as in
 * arXiv 2310.17813, drawn with its own rule's σ), m and m_b the rules' forward multipliers. Backward:
 * {@code ∂W = m·∂Yᵀ·X} (GEMM TN), {@code ∂b = m_b·Σ_rows ∂Y}, {@code ∂X = m·∂Y·W} (GEMM NN); given an
 * optimizer's {@link FusedStep} covering W, {@code W ← W + α·(m·∂Yᵀ·X)} by that GEMM instead, ∂X first.
 */
public final class Linear implements Module {
  private final String name;
  private final Parameter weight;
  private final Parameter bias;
  private final float multiplier;
  private final float biasMultiplier;
  private final List<Parameter> parameters;
  private final Workspaces<Work> works;
  /** Input gradients of a backward pass over the first rows of the last forward's ({@link Module#backward}). */
  private final Workspaces<FloatMatrix> leadingGradients;
  /** ‖ΔW‖_F and ‖W‖_F of a weight updated in place ({@link FusedStep}). */
  private final double[] norms = new double[2];
  private Work last;
  private FloatMatrix lastInput;
  /** Whether the last forward wrote the rectified output elsewhere ({@link #forwardRectified}). */
  private boolean lastRectified;

  private static final class Work {
    final FloatMatrix output;
    FloatMatrix inputGradient;

    Work(int rows, int out) {
      output = FloatMatrix.zeros(rows, out);
    }
  }

  /**
   * A freshly initialised layer; each parameter is named as its rule's layer (e.g. {@code blocks.0.mlp.up.weight}).
   *
   * @param name the layer's dotted name, e.g. {@code blocks.0.mlp.up}
   * @param weightRule the weight's rule: its layer gives fan-in and fan-out, σ and m
   * @param biasRule the bias's rule (a {@code BIAS} layer of fan-out {@code weightRule}'s), or
   *     {@code null} for no bias
   * @param seed seeds the initialisation
   * @throws IllegalArgumentException if the bias rule does not fit the weight
   */
  public Linear(String name, LayerRule weightRule, LayerRule biasRule, long seed) {
    this(name, weightRule, biasRule, Seeds.derive(seed, 0), Seeds.derive(seed, 1));
  }

  /** A layer whose weight and bias are drawn from the given seeds (as the MLP draws them). */
  Linear(String name, LayerRule weightRule, LayerRule biasRule, long weightSeed, long biasSeed) {
    this.name = Objects.requireNonNull(name, "name");
    Objects.requireNonNull(weightRule, "weightRule");
    int fanIn = weightRule.layer().fanIn();
    int fanOut = weightRule.layer().fanOut();
    this.weight = Parameter.gaussian(weightRule.layer().name(), weightRule, fanOut, fanIn, weightSeed);
    this.multiplier = (float) weightRule.forwardMultiplier();
    if (biasRule != null) {
      if (biasRule.layer().role() != LayerRole.BIAS || biasRule.layer().fanOut() != fanOut) {
        throw new IllegalArgumentException(name + ": bias rule " + biasRule.layer() + " does not fit a weight with fanOut "
            + fanOut + " (need a BIAS layer of fanOut " + fanOut + ")");
      }
      this.bias = Parameter.gaussian(biasRule.layer().name(), biasRule, 1, fanOut, biasSeed);
      this.biasMultiplier = (float) biasRule.forwardMultiplier();
      this.parameters = List.of(weight, bias);
    } else {
      this.bias = null;
      this.biasMultiplier = 0f;
      this.parameters = List.of(weight);
    }
    this.works = new Workspaces<>(rows -> new Work(rows, fanOut));
    this.leadingGradients = new Workspaces<>(rows -> FloatMatrix.zeros(rows, fanIn));
  }

  /** The weight {@code W}, {@code fanOut × fanIn}. */
  public Parameter weight() {
    return weight;
  }

  /** The bias {@code b}, or {@code null} if the layer has none. */
  public Parameter bias() {
    return bias;
  }

  /**
   * The input {@code X} of the last {@link #forward} (the caller's matrix, not copied), e.g. for the
   * alignment of an update with the features it acts on; null before the first forward pass.
   */
  public FloatMatrix lastInput() {
    return lastInput;
  }

  @Override
  public List<Parameter> parameters() {
    return parameters;
  }

  @Override
  public int inputWidth() {
    return weight.value().cols();
  }

  @Override
  public int outputWidth() {
    return weight.value().rows();
  }

  @Override
  public FloatMatrix forward(FloatMatrix input) {
    Checks.columns(name, input, inputWidth());
    Work w = works.get(input.rows());
    compute(input, w.output, false);
    last = w;
    lastInput = input;
    lastRectified = false;
    return w.output;
  }

  /**
   * The forward pass followed by the rectifier, {@code output = max(m·input·Wᵀ + m_b·1·bᵀ, 0)} (ReLU, NaN
   * giving 0), written into a caller's buffer by the GEMM's write-back: bit-identical to {@link #forward}
   * and then {@code Pointwise(RELU)}, without the two passes over the output. The pass is recorded for
   * {@link #backward} as by {@link #forward}; the pre-activation is never stored, so {@link #lastOutput}
   * refuses until the next {@link #forward}.
   */
  void forwardRectified(FloatMatrix input, FloatMatrix output) {
    Checks.columns(name, input, inputWidth());
    Checks.outputShape(name, output, input.rows(), outputWidth());
    Work w = works.get(input.rows());
    compute(input, output, true);
    last = w;
    lastInput = input;
    lastRectified = true;
  }

  /**
   * The forward map into a caller's buffer, {@code output = m·input·Wᵀ + m_b·1·bᵀ}, without touching
   * this layer's state: the last {@link #forward} and its {@link #backward} stay valid (diagnostics run a
   * probe batch through the layer this way between training steps).
   *
   * @param input {@code rows × inputWidth()}; not modified
   * @param output {@code rows × outputWidth()}; modified
   * @throws IllegalArgumentException if a shape does not fit
   */
  public void apply(FloatMatrix input, FloatMatrix output) {
    Checks.columns(name, input, inputWidth());
    Checks.outputShape(name, output, input.rows(), outputWidth());
    compute(input, output, false);
  }

  /** The bias (and the rectifier) in the GEMM's write-back: as Blas.gemm, then Blas.axpy per row, bit for bit. */
  private void compute(FloatMatrix input, FloatMatrix output, boolean rectify) {
    Fused.gemmBiasRectify(false, true, multiplier, input, weight.value(), biasMultiplier,
        bias == null ? null : bias.value().data(), rectify, output);
  }

  /**
   * As {@link #backward} for a first layer, whose input needs no gradient: writes the parameters'
   * gradients only, skipping the product {@code m·∂Y·W}.
   *
   * @param outputGradient {@code ∂loss/∂Y}, the shape of the last output; not modified
   * @throws IllegalStateException if there was no forward pass
   */
  public void backwardParameters(FloatMatrix outputGradient) {
    backward(outputGradient, null, 0f, null, null);
  }

  /**
   * {@link #backwardParameters(FloatMatrix)} with an optimizer's {@link FusedStep}: the weight, if the offer
   * covers it, is updated in place ({@link Module#backward(FloatMatrix, FusedStep)}).
   *
   * @param outputGradient {@code ∂loss/∂Y}, the shape of the last output (or of its first rows); not modified
   * @param step the offer, or null for none
   * @throws IllegalStateException if there was no forward pass
   */
  public void backwardParameters(FloatMatrix outputGradient, FusedStep step) {
    backward(outputGradient, null, 0f, null, step);
  }

  /** The output of the last forward pass (a work buffer), for modules that reuse it in backward. */
  FloatMatrix lastOutput() {
    Checks.forwardDone(name, last);
    if (lastRectified) {
      throw new IllegalStateException(name + ": the last forward pass stored only the rectified output");
    }
    return last.output;
  }

  @Override
  public FloatMatrix backward(FloatMatrix outputGradient) {
    return backward(outputGradient, (FusedStep) null);
  }

  @Override
  public FloatMatrix backward(FloatMatrix outputGradient, FusedStep step) {
    Checks.forwardDone(name, last);
    FloatMatrix inputGradient = inputGradient(Checks.leadingRows(name, outputGradient, last.output));
    backward(outputGradient, inputGradient, 0f, null, step);
    return inputGradient;
  }

  /**
   * This layer's buffer for {@code ∂X} of a backward pass over the first {@code rows} rows of the last
   * forward pass (all of them, or fewer: {@link Module#backward}).
   */
  FloatMatrix inputGradient(int rows) {
    if (rows < lastInput.rows()) {
      return leadingGradients.get(rows);
    }
    if (last.inputGradient == null) {
      last.inputGradient = FloatMatrix.zeros(lastInput.rows(), inputWidth());
    }
    return last.inputGradient;
  }

  /**
   * Backward pass that writes {@code ∂X} into a caller's buffer: {@code inputGradient = m·∂Y·W + β·inputGradient}
   * (β = 1 accumulates, as attention does for its three projections of one input), or skips ∂X when
   * {@code inputGradient} is null. Parameter gradients are overwritten.
   */
  void backward(FloatMatrix outputGradient, FloatMatrix inputGradient, float beta) {
    backward(outputGradient, inputGradient, beta, null, null);
  }

  /**
   * As {@link #backward(FloatMatrix, FloatMatrix, float)}, with {@code ∂X} then set to 0 wherever
   * {@code mask} is not positive, by the GEMM's write-back: with the output of a rectifier that produced
   * this layer's input as the mask, {@code inputGradient} is the gradient before that rectifier
   * (its derivative is [x &gt; 0], and its output is positive exactly where its input is). A null mask
   * masks nothing. An output gradient of the last forward's first r rows (fewer than its rows:
   * {@link Module#backward}) back-propagates those rows only: ∂W and ∂b from them, {@code inputGradient} with
   * r rows, the mask's first r rows used — the products on row prefixes of the forward's buffers, no copy.
   */
  void backward(FloatMatrix outputGradient, FloatMatrix inputGradient, float beta, FloatMatrix mask) {
    backward(outputGradient, inputGradient, beta, mask, null);
  }

  /**
   * As {@link #backward(FloatMatrix, FloatMatrix, float, FloatMatrix)}, with the weight updated in place when
   * {@code step} covers it: {@code W ← W + α·(m·∂Yᵀ·X)} by the weight gradient's GEMM
   * ({@link Fused#gemmUpdate}), whose gradient is then never written. {@code ∂X} is formed first, from the
   * weight before its update.
   */
  void backward(FloatMatrix outputGradient, FloatMatrix inputGradient, float beta, FloatMatrix mask, FusedStep step) {
    Checks.forwardDone(name, last);
    int r = Checks.leadingRows(name, outputGradient, last.output);
    boolean all = r == lastInput.rows();
    if (inputGradient != null) {
      if (mask == null) {
        Blas.gemm(false, false, multiplier, outputGradient, weight.value(), beta, inputGradient);
      } else if (all || mask.rows() == r) {
        Fused.gemmMasked(false, false, multiplier, outputGradient, weight.value(), beta, mask, inputGradient);
      } else {
        Fused.gemmMasked(false, false, r, inputWidth(), outputWidth(), multiplier, outputGradient, weight.value(),
            beta, mask, inputGradient);
      }
    }
    float alpha = step == null ? Float.NaN : step.scale(weight);
    if (!Float.isNaN(alpha)) {
      // G = m·∂Yᵀ·X added as α·G to W tile by tile: the bits of the GEMM into G and then the optimizer's pass
      // (the step's own call, so that it can form what it needs of the new W in the same write-back).
      step.gemmUpdate(weight, alpha, true, false, outputWidth(), inputWidth(), r, multiplier, outputGradient,
          lastInput, norms);
      weight.markApplied();
    } else if (all) {
      Blas.gemm(true, false, multiplier, outputGradient, lastInput, 0f, weight.gradientToWrite());
    } else {
      Blas.gemm(true, false, outputWidth(), inputWidth(), r, multiplier, outputGradient, lastInput, 0f,
          weight.gradientToWrite());
    }
    if (bias != null) {
      // m_b·Σ_rows ∂Y, split by columns among the GEMM's threads (each column summed in row order)
      Fused.columnSums(outputGradient, biasMultiplier, bias.gradient().data());
    }
  }

  @Override
  public String toString() {
    return "Linear[" + name + " " + inputWidth() + " -> " + outputWidth() + (bias != null ? " + bias" : "") + "]";
  }
}
