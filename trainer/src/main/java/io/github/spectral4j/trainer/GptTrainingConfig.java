package io.github.spectral4j.trainer;

import io.github.spectral4j.trainer.nn.GptConfig;
import io.github.spectral4j.trainer.optim.OptimizerKind;
import java.util.Objects;

/**
 * Everything that determines a {@link GptTraining} run besides the corpus: the model (its shape,
 * parametrization and base width; its rules are built for {@code optimizer.rules()}), the optimizer
 * and its settings, the batch of {@code batchSize} sequences of {@code model.context()} tokens, and
 * the seed of initialisation, batches and the generated sample.
 *
 * @param model the GPT; its {@code optimizer} is replaced by {@code optimizer.rules()}
 * @param optimizer which optimizer trains it
 * @param learningRate η, finite and &gt; 0 (for {@code MUON}: the AdamW group's)
 * @param matrixLearningRate {@code MUON}'s η for the orthogonalised matrices, finite and &gt; 0
 *     (ignored by the others)
 * @param batchSize sequences per step, ≥ 1
 * @param seed seeds initialisation, the batches and the sample
 * @param momentum μ in [0, 1) for SGD, NORMALIZED and MUON's matrices
 * @param weightDecay λ, finite and ≥ 0
 * @param updateMode NORMALIZED's normalisation
 */
public record GptTrainingConfig(
    GptConfig model,
    OptimizerKind optimizer,
    double learningRate,
    double matrixLearningRate,
    int batchSize,
    long seed,
    double momentum,
    double weightDecay,
    UpdateMode updateMode) {

  /** Validates every component; throws {@link IllegalArgumentException} naming the bad value. */
  public GptTrainingConfig {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(optimizer, "optimizer");
    Objects.requireNonNull(updateMode, "updateMode");
    model = model.withOptimizer(optimizer.rules());
    if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
      throw new IllegalArgumentException("learning rate must be finite and > 0, got " + learningRate);
    }
    if (!(matrixLearningRate > 0) || !Double.isFinite(matrixLearningRate)) {
      throw new IllegalArgumentException("matrix learning rate must be finite and > 0, got " + matrixLearningRate);
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
    }
    if ((long) batchSize * model.context() > MemoryBudget.MAX_ARRAY / Math.max(1, model.vocabulary())) {
      throw new IllegalArgumentException(
          "batch " + batchSize + " × context " + model.context() + " tokens × vocabulary " + model.vocabulary()
              + " logits do not fit an array");
    }
    if (!(momentum >= 0 && momentum < 1)) {
      throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
    }
    if (!(weightDecay >= 0) || !Double.isFinite(weightDecay)) {
      throw new IllegalArgumentException("weight decay must be finite and >= 0, got " + weightDecay);
    }
  }
}
