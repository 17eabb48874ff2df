package io.github.spectral4j.core;

import java.util.Objects;

/**
 * What a parametrization prescribes for one parameter. Its entries are initialised
 * {@code W ~ initMean + N(0, initStd²)} (0 and σ for weights; 0 and 0 for biases; 1 and 0 for norm
 * gains), the layer computes {@code forwardMultiplier · W·h}, and it trains with learning rate
 * {@code η_l = η · learningRateMultiplier} for a global rate η, decoupled weight decay
 * {@code λ_l = λ · weightDecayMultiplier} (one convention for every optimizer: each step shrinks the
 * parameter by the factor {@code 1 − η_l·λ_l}; for SGD's L2 form {@code G + λ_l W} this is the same
 * shrink) and, for Adam, {@code ε_l = ε · epsilonMultiplier}. {@code targetWeightNorm} and
 * {@code targetUpdateNorm} are Condition 1's targets {@code ‖W_l‖ = ‖ΔW_l‖ = √(fo/fi)} in the kind's
 * norm ({@link ParameterKind#norm()}), stated for every parametrization so that diagnostics can
 * compare them with what is measured.
 *
 * <p>Weight decay across width: relative to a base model, {@code weightDecayMultiplier = 1/learningRateMultiplier},
 * so {@code η_l·λ_l = η·λ} at every width — the fraction of the weight removed per step does not
 * change with width (mup's MuAdamW keeps {@code lr·wd} fixed the same way), while the update
 * {@code η_l·G} follows the parametrization. Without a base the model is its own base: multiplier 1,
 * {@code λ_l = λ} as a PyTorch user would set it. Norm gains are not decayed (multiplier 0): decay
 * pulls towards 0, and a gain's neutral value is 1.
 *
 * <p>Adam's ε across width: Adam divides by {@code √v + ε}, {@code √v ≈} the gradient's RMS. If the
 * gradient's RMS shrinks with width (it does for every parameter upstream of a readout whose entries
 * shrink like {@code 1/n}) and ε stays, ε eventually dominates and Adam silently becomes SGD with a
 * tiny rate. So {@code ε_l} follows the layer's gradient RMS: relative to a base model,
 * {@code epsilonMultiplier = RMS(∇W_l)/RMS(∇W_l at the base)} (Everett et al. 2024, <i>Scaling
 * Exponents Across Parameterizations and Optimizers</i>); without a base, 1.
 *
 * @param layer the layer this rule is for
 * @param initStd standard deviation σ of the Gaussian initialisation, ≥ 0 (0: constant init)
 * @param forwardMultiplier constant the layer's output is multiplied by (1 except for NTK), &gt; 0
 * @param learningRateMultiplier factor on the global learning rate (for {@code NORMALIZED}: the norm of
 *     the update per unit of learning rate), &gt; 0
 * @param targetWeightNorm {@code √(fanOut/fanIn)} with {@link Layer#ruleFanIn()}, {@link Layer#ruleFanOut()}
 * @param targetUpdateNorm {@code √(fanOut/fanIn)}, per unit of learning rate
 * @param initMean the constant added to the Gaussian draw: 1 for norm gains, 0 otherwise
 * @param weightDecayMultiplier factor on the global weight decay λ, ≥ 0
 * @param epsilonMultiplier factor on Adam's ε, &gt; 0
 */
public record LayerRule(
    Layer layer,
    double initStd,
    double forwardMultiplier,
    double learningRateMultiplier,
    double targetWeightNorm,
    double targetUpdateNorm,
    double initMean,
    double weightDecayMultiplier,
    double epsilonMultiplier) {

  /** Validates that every number is finite and in range; the message names the layer and the value. */
  public LayerRule {
    Objects.requireNonNull(layer, "layer");
    checkNonNegative("initStd", initStd, layer);
    check("forwardMultiplier", forwardMultiplier, layer);
    check("learningRateMultiplier", learningRateMultiplier, layer);
    check("targetWeightNorm", targetWeightNorm, layer);
    check("targetUpdateNorm", targetUpdateNorm, layer);
    if (!Double.isFinite(initMean)) {
      throw new IllegalArgumentException("layer " + layer.name() + ": initMean must be finite, got " + initMean);
    }
    checkNonNegative("weightDecayMultiplier", weightDecayMultiplier, layer);
    check("epsilonMultiplier", epsilonMultiplier, layer);
  }

  /**
   * A rule with init mean 0 and weight-decay and ε multipliers 1 (a model that is its own base).
   *
   * @param layer the layer this rule is for
   * @param initStd standard deviation of the initialisation, ≥ 0
   * @param forwardMultiplier &gt; 0
   * @param learningRateMultiplier &gt; 0
   * @param targetWeightNorm &gt; 0
   * @param targetUpdateNorm &gt; 0
   */
  public LayerRule(
      Layer layer,
      double initStd,
      double forwardMultiplier,
      double learningRateMultiplier,
      double targetWeightNorm,
      double targetUpdateNorm) {
    this(layer, initStd, forwardMultiplier, learningRateMultiplier, targetWeightNorm, targetUpdateNorm, 0, 1, 1);
  }

  private static void check(String what, double value, Layer layer) {
    if (!(value > 0) || !Double.isFinite(value)) {
      throw new IllegalArgumentException(
          "layer " + layer.name() + ": " + what + " must be finite and > 0, got " + value);
    }
  }

  private static void checkNonNegative(String what, double value, Layer layer) {
    if (!(value >= 0) || !Double.isFinite(value)) {
      throw new IllegalArgumentException(
          "layer " + layer.name() + ": " + what + " must be finite and >= 0, got " + value);
    }
  }

  /**
   * The spectral norm the initialised matrix is expected to have, {@code m·σ·(√fanIn + √fanOut)} (for
   * a constant init, {@code m·|mean|·√(fanIn·fanOut)}, the norm of a constant matrix).
   */
  public double expectedInitSpectralNorm() {
    double fi = layer.fanIn();
    double fo = layer.fanOut();
    return forwardMultiplier
        * (initStd * (Math.sqrt(fi) + Math.sqrt(fo)) + Math.abs(initMean) * Math.sqrt(fi * fo));
  }

}
