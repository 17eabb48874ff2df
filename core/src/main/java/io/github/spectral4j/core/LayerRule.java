package io.github.spectral4j.core;

/**
 * What a parametrization prescribes for one layer. The layer's weights are initialised
 * {@code W ~ N(0, initStd²)}, it computes {@code forwardMultiplier · W·h}, and it trains with learning
 * rate {@code η · learningRateMultiplier} for a global base rate η. {@code targetWeightNorm} and
 * {@code targetUpdateNorm} are Condition 1's targets {@code ‖W_l‖* = ‖ΔW_l‖* = √(fanOut/fanIn)}, stated
 * for every parametrization so that diagnostics can compare them with what is measured.
 *
 * @param layer the layer this rule is for
 * @param initStd standard deviation σ of the Gaussian initialisation, &gt; 0
 * @param forwardMultiplier constant the layer's output is multiplied by (1 except for NTK)
 * @param learningRateMultiplier factor on the global learning rate (for {@code NORMALIZED}: the
 *     spectral norm of the update per unit of learning rate)
 * @param targetWeightNorm {@code √(fanOut/fanIn)}
 * @param targetUpdateNorm {@code √(fanOut/fanIn)}, per unit of learning rate
 */
public record LayerRule(
    Layer layer,
    double initStd,
    double forwardMultiplier,
    double learningRateMultiplier,
    double targetWeightNorm,
    double targetUpdateNorm) {

  /** Validates that every number is finite and positive. */
  public LayerRule {
    java.util.Objects.requireNonNull(layer, "layer");
    check("initStd", initStd, layer);
    check("forwardMultiplier", forwardMultiplier, layer);
    check("learningRateMultiplier", learningRateMultiplier, layer);
    check("targetWeightNorm", targetWeightNorm, layer);
    check("targetUpdateNorm", targetUpdateNorm, layer);
  }

  private static void check(String what, double value, Layer layer) {
    if (!(value > 0) || !Double.isFinite(value)) {
      throw new IllegalArgumentException(
          "layer " + layer.name() + ": " + what + " must be finite and > 0, got " + value);
    }
  }

  /** The spectral norm the initialised matrix is expected to have, {@code σ·(√fanIn + √fanOut)}. */
  public double expectedInitSpectralNorm() {
    return initStd * forwardMultiplier * (Math.sqrt(layer.fanIn()) + Math.sqrt(layer.fanOut()));
  }
}
