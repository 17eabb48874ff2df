package io.github.spectral4j.trainer;

import io.github.spectral4j.core.LayerRule;
import io.github.spectral4j.core.ModelShape;
import io.github.spectral4j.core.Optimizer;
import io.github.spectral4j.core.Parametrization;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Everything that determines a training run: the MLP's dimensions {@code [d_0, …, d_L]}, bias and
 * activation, the parametrization and optimizer whose per-layer rules (from {@code core}) set
 * initialisation, forward multipliers and learning rates {@code η_l = η·mult_l}, the global rate η, the
 * batch size, the seed, and optionally base dimensions for width transfer (μTransfer: the rules are
 * taken relative to the base shape, {@link ModelShape#rules(Parametrization, Optimizer, ModelShape)}).
 * Immutable: the arrays are copied in and out.
 *
 * @param dims MLP dimensions, at least two, each ≥ 1
 * @param bias whether every layer has a bias
 * @param activation hidden-layer nonlinearity (the output layer has none)
 * @param parametrization init, multipliers and learning rates per layer
 * @param optimizer SGD (with momentum), AdamW, or normalized updates
 * @param learningRate global rate η, finite and &gt; 0
 * @param batchSize examples per step, ≥ 1
 * @param seed seeds initialisation and the batch order
 * @param baseDims dimensions of the base model for width transfer, same depth; {@code null} for none
 * @param momentum heavy-ball momentum μ ∈ [0, 1) for SGD and NORMALIZED; ignored by Adam (β1 = 0.9)
 * @param weightDecay ≥ 0: L2 for SGD, decoupled for Adam (AdamW) and NORMALIZED
 * @param loss training loss
 * @param updateMode how NORMALIZED normalizes its update
 */
public record TrainingConfig(
    int[] dims,
    boolean bias,
    Activation activation,
    Parametrization parametrization,
    Optimizer optimizer,
    double learningRate,
    int batchSize,
    long seed,
    int[] baseDims,
    double momentum,
    double weightDecay,
    Loss loss,
    UpdateMode updateMode) {

  /** Validates every component; throws {@link IllegalArgumentException} naming the bad value. */
  public TrainingConfig {
    Objects.requireNonNull(dims, "dims");
    Objects.requireNonNull(activation, "activation");
    Objects.requireNonNull(parametrization, "parametrization");
    Objects.requireNonNull(optimizer, "optimizer");
    Objects.requireNonNull(loss, "loss");
    Objects.requireNonNull(updateMode, "updateMode");
    dims = dims.clone();
    ModelShape shape = ModelShape.of(dims, bias);
    if (baseDims != null) {
      baseDims = baseDims.clone();
      shape.rules(parametrization, optimizer, ModelShape.of(baseDims, bias));
    }
    if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
      throw new IllegalArgumentException("learning rate must be finite and > 0, got " + learningRate);
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
    }
    if (!(momentum >= 0 && momentum < 1)) {
      throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
    }
    if (!(weightDecay >= 0) || !Double.isFinite(weightDecay)) {
      throw new IllegalArgumentException("weight decay must be finite and >= 0, got " + weightDecay);
    }
  }

  /**
   * ReLU, no bias, {@code SPECTRAL}, {@code SGD}, η = 0.1, batch 128, seed 1, no width transfer, no
   * momentum or weight decay, cross-entropy, {@code EXACT}.
   */
  public static TrainingConfig defaults(int[] dims) {
    return new TrainingConfig(
        dims, false, Activation.RELU, Parametrization.SPECTRAL, Optimizer.SGD, 0.1, 128, 1L, null,
        0.0, 0.0, Loss.CROSS_ENTROPY, UpdateMode.EXACT);
  }

  @Override
  public int[] dims() {
    return dims.clone();
  }

  @Override
  public int[] baseDims() {
    return baseDims == null ? null : baseDims.clone();
  }

  /** The model's shape from {@link #dims()} and {@link #bias()}. */
  public ModelShape shape() {
    return ModelShape.of(dims, bias);
  }

  /** The per-layer rules in {@link ModelShape#layers()} order, relative to the base shape if any. */
  public List<LayerRule> rules() {
    ModelShape shape = shape();
    return baseDims == null
        ? shape.rules(parametrization, optimizer)
        : shape.rules(parametrization, optimizer, ModelShape.of(baseDims, bias));
  }

  /** A copy with {@code dims} replaced (validated like the constructor). */
  public TrainingConfig withDims(int[] v) {
    return new TrainingConfig(v, bias, activation, parametrization, optimizer, learningRate, batchSize, seed, baseDims, momentum, weightDecay, loss, updateMode);
  }

  /** A copy with {@code bias} replaced (validated like the constructor). */
  public TrainingConfig withBias(boolean v) {
    return new TrainingConfig(dims, v, activation, parametrization, optimizer, learningRate, batchSize, seed, baseDims, momentum, weightDecay, loss, updateMode);
  }

  /** A copy with {@code activation} replaced (validated like the constructor). */
  public TrainingConfig withActivation(Activation v) {
    return new TrainingConfig(dims, bias, v, parametrization, optimizer, learningRate, batchSize, seed, baseDims, momentum, weightDecay, loss, updateMode);
  }

  /** A copy with {@code parametrization} replaced (validated like the constructor). */
  public TrainingConfig withParametrization(Parametrization v) {
    return new TrainingConfig(dims, bias, activation, v, optimizer, learningRate, batchSize, seed, baseDims, momentum, weightDecay, loss, updateMode);
  }

  /** A copy with {@code optimizer} replaced (validated like the constructor). */
  public TrainingConfig withOptimizer(Optimizer v) {
    return new TrainingConfig(dims, bias, activation, parametrization, v, learningRate, batchSize, seed, baseDims, momentum, weightDecay, loss, updateMode);
  }

  /** A copy with {@code learningRate} replaced (validated like the constructor). */
  public TrainingConfig withLearningRate(double v) {
    return new TrainingConfig(dims, bias, activation, parametrization, optimizer, v, batchSize, seed, baseDims, momentum, weightDecay, loss, updateMode);
  }

  /** A copy with {@code batchSize} replaced (validated like the constructor). */
  public TrainingConfig withBatchSize(int v) {
    return new TrainingConfig(dims, bias, activation, parametrization, optimizer, learningRate, v, seed, baseDims, momentum, weightDecay, loss, updateMode);
  }

  /** A copy with {@code seed} replaced (validated like the constructor). */
  public TrainingConfig withSeed(long v) {
    return new TrainingConfig(dims, bias, activation, parametrization, optimizer, learningRate, batchSize, v, baseDims, momentum, weightDecay, loss, updateMode);
  }

  /** Width transfer from {@code v}; {@code null} turns it off. */
  public TrainingConfig withBaseDims(int[] v) {
    return new TrainingConfig(dims, bias, activation, parametrization, optimizer, learningRate, batchSize, seed, v, momentum, weightDecay, loss, updateMode);
  }

  /** A copy with {@code momentum} replaced (validated like the constructor). */
  public TrainingConfig withMomentum(double v) {
    return new TrainingConfig(dims, bias, activation, parametrization, optimizer, learningRate, batchSize, seed, baseDims, v, weightDecay, loss, updateMode);
  }

  /** A copy with {@code weightDecay} replaced (validated like the constructor). */
  public TrainingConfig withWeightDecay(double v) {
    return new TrainingConfig(dims, bias, activation, parametrization, optimizer, learningRate, batchSize, seed, baseDims, momentum, v, loss, updateMode);
  }

  /** A copy with {@code loss} replaced (validated like the constructor). */
  public TrainingConfig withLoss(Loss v) {
    return new TrainingConfig(dims, bias, activation, parametrization, optimizer, learningRate, batchSize, seed, baseDims, momentum, weightDecay, v, updateMode);
  }

  /** A copy with {@code updateMode} replaced (validated like the constructor). */
  public TrainingConfig withUpdateMode(UpdateMode v) {
    return new TrainingConfig(dims, bias, activation, parametrization, optimizer, learningRate, batchSize, seed, baseDims, momentum, weightDecay, loss, v);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TrainingConfig c
        && Arrays.equals(dims, c.dims)
        && bias == c.bias
        && activation == c.activation
        && parametrization == c.parametrization
        && optimizer == c.optimizer
        && Double.compare(learningRate, c.learningRate) == 0
        && batchSize == c.batchSize
        && seed == c.seed
        && Arrays.equals(baseDims, c.baseDims)
        && Double.compare(momentum, c.momentum) == 0
        && Double.compare(weightDecay, c.weightDecay) == 0
        && loss == c.loss
        && updateMode == c.updateMode;
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        Arrays.hashCode(dims), bias, activation, parametrization, optimizer, learningRate, batchSize,
        seed, Arrays.hashCode(baseDims), momentum, weightDecay, loss, updateMode);
  }

  @Override
  public String toString() {
    return "TrainingConfig[dims=" + Arrays.toString(dims) + ", bias=" + bias + ", activation="
        + activation.id() + ", parametrization=" + parametrization.id() + ", optimizer="
        + optimizer.id() + ", lr=" + learningRate + ", batch=" + batchSize + ", seed=" + seed
        + ", baseDims=" + (baseDims == null ? "none" : Arrays.toString(baseDims)) + ", momentum="
        + momentum + ", weightDecay=" + weightDecay + ", loss=" + loss.id() + ", updateMode="
        + updateMode.id() + "]";
  }
}
