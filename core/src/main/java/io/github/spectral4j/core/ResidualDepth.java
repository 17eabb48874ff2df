package io.github.spectral4j.core;

/**
 * Depth-μP: how a residual network's {@code L} blocks scale with depth, relative to a base depth
 * {@code L_b} (Bordelon et al. 2023, <i>Depthwise Hyperparameter Transfer in Residual Networks</i>;
 * Yang, Yu, Zhu, Hayou 2023, <i>Tensor Programs VI: Feature Learning in Infinite-Depth Neural
 * Networks</i>). Each block adds {@code branchMultiplier · f_l(x)} to the residual stream with
 * {@code branchMultiplier = √(L_b/L)} (the {@code a/√L} of depth-μP, with {@code a = √L_b} so that the
 * base model is an ordinary one), so that the sum of {@code L} branches stays Θ(1) at initialisation and
 * each block's feature update is {@code Θ(1/L)} of the stream, adding up to Θ(1). Learning rates of the
 * parameters inside blocks: SGD unchanged ({@code η·L^0}: the branch multiplier enters the update twice,
 * once in the gradient and once in the forward pass, which is the {@code 1/L} each block needs); Adam and
 * normalized updates, whose size does not follow the gradient's, {@code √(L_b/L)} (Tensor Programs VI's
 * {@code η/√L}). Adam's ε follows the block gradients, which carry one factor {@code √(L_b/L)}. At the
 * base depth every factor is 1. A model-level setting, not a layer's: the transformer applies
 * {@link #branchMultiplier()} to each branch and {@link #apply(LayerRule, Optimizer)} to the rules of the
 * parameters inside blocks (not to embeddings, the final norm or the readout).
 *
 * @param blocks the number of residual blocks {@code L ≥ 1}
 * @param baseBlocks the base model's {@code L_b ≥ 1}
 */
public record ResidualDepth(int blocks, int baseBlocks) {

  /** Validates; throws {@link IllegalArgumentException} naming a non-positive count. */
  public ResidualDepth {
    if (blocks < 1) {
      throw new IllegalArgumentException("residual blocks must be >= 1, got " + blocks);
    }
    if (baseBlocks < 1) {
      throw new IllegalArgumentException("base residual blocks must be >= 1, got " + baseBlocks);
    }
  }

  /**
   * A model that is its own base depth: every factor 1.
   *
   * @param blocks the number of residual blocks ≥ 1
   * @return {@code new ResidualDepth(blocks, blocks)}
   */
  public static ResidualDepth of(int blocks) {
    return new ResidualDepth(blocks, blocks);
  }

  /**
   * The factor on every residual branch's output, {@code √(L_b/L)}.
   *
   * @return 1 at the base depth
   */
  public double branchMultiplier() {
    return Math.sqrt((double) baseBlocks / blocks);
  }

  /**
   * The factor on the learning rate of parameters inside blocks: 1 for SGD, {@code √(L_b/L)} for Adam
   * and normalized updates.
   *
   * @param optimizer the update rule
   * @return 1 at the base depth
   */
  public double learningRateMultiplier(Optimizer optimizer) {
    return switch (optimizer) {
      case SGD -> 1.0;
      case ADAM, NORMALIZED -> branchMultiplier();
    };
  }

  /**
   * The rule of a parameter inside a residual block: learning rate times
   * {@link #learningRateMultiplier(Optimizer)}, weight decay divided by it (the shrink per step
   * {@code η_l·λ_l} stays), ε times {@link #branchMultiplier()}. Init and forward multiplier are
   * unchanged (the branch multiplier is applied once, to the branch's output).
   *
   * @param rule the width rule; not modified
   * @param optimizer the update rule {@code rule} is for
   * @return the rule at this depth
   */
  public LayerRule apply(LayerRule rule, Optimizer optimizer) {
    double lr = learningRateMultiplier(optimizer);
    return new LayerRule(
        rule.layer(),
        rule.initStd(),
        rule.forwardMultiplier(),
        rule.learningRateMultiplier() * lr,
        rule.targetWeightNorm(),
        rule.targetUpdateNorm(),
        rule.initMean(),
        rule.weightDecayMultiplier() / lr,
        rule.epsilonMultiplier() * branchMultiplier());
  }
}
