package io.github.spectral4j.trainer.experiment;

import io.github.spectral4j.simd.Blas;
import io.github.spectral4j.trainer.Loss;
import io.github.spectral4j.trainer.Mlp;
import java.util.Locale;
import java.util.Objects;

/**
 * Stops a run whose loss has grown far above where it started, before it reaches NaN: a step's batch
 * loss above {@code FACTOR × reference} is a divergence, with {@code reference = max(first loss, chance
 * loss)} — the chance loss is {@code ln C} for cross-entropy over {@code C} classes (uniform guessing)
 * and ½ for MSE on one-hot targets (predicting zeros). The message names the step and the weight layer
 * that grew most since the watch started ({@code ‖W_l‖_F / ‖W_l,0‖_F}), the usual culprit.
 *
 * <p>Why {@code FACTOR = 10}: ten times the chance loss of cross-entropy is {@code 10·ln C} nats, a
 * model that gives the right class a probability of {@code C^−10} on average — confidently wrong on
 * everything. Measured on MNIST (MLP 784-256-256-10, 700 steps, batch 128; peak batch loss over the
 * reference): spectral SGD η = 1, 4 peak at ×1.0, ×1.14; μP Adam η = 1 (100 times its default) peaks
 * at ×5.5 at step 4 and recovers to 0.096; spectral Adam η = 30 peaks at ×31 and ends at 1.37 (its
 * default η ends at 0.058); spectral SGD η = 16, 64, 1000 and standard SGD η = 10 reach 10⁸ to 10³⁰
 * and end at 2.303 = ln 10, a dead network that predicts one class, which is what {@code train --lr
 * 1000} used to report with exit 0. Ten times the reference sits between the worst run that recovered
 * (×5.5) and the best that did not (×31). The floor at the chance loss keeps a
 * resumed, well-trained run (first loss 0.01) from stopping at a noisy batch of 0.1. Not thread-safe.
 */
public final class LossWatch {
  /** A loss this many times the reference is a divergence. */
  public static final double FACTOR = 10;

  private final Mlp model;
  private final double chance;
  private final double[] initialNorms;
  private double reference = Double.NaN;
  private long firstStep;

  /**
   * Starts watching {@code model}, trained with {@code loss}; records each weight's Frobenius norm.
   *
   * @param model not modified
   */
  public LossWatch(Mlp model, Loss loss) {
    this.model = Objects.requireNonNull(model, "model");
    int classes = model.weight(model.depth() - 1).rows();
    this.chance = switch (Objects.requireNonNull(loss, "loss")) {
      case CROSS_ENTROPY -> Math.log(Math.max(2, classes));
      case MSE -> 0.5;
    };
    initialNorms = new double[model.depth()];
    for (int l = 0; l < initialNorms.length; l++) {
      initialNorms[l] = Blas.frobeniusNorm(model.weight(l));
    }
  }

  /**
   * Checks the loss of one step.
   *
   * @param step the 1-based number of the step that produced {@code loss}
   * @param loss its batch loss (finite: NaN and infinity are the trainer's own divergence)
   * @return null while the loss stays below the threshold, else a message naming the step, the loss,
   *     the threshold and the layer that grew most
   */
  public String check(long step, double loss) {
    if (Double.isNaN(reference)) {
      reference = Math.max(loss, chance);
      firstStep = step;
    }
    if (!(loss > FACTOR * reference)) {
      return null;
    }
    int worst = 0;
    double growth = 0;
    for (int l = 0; l < initialNorms.length; l++) {
      double g = Blas.frobeniusNorm(model.weight(l)) / initialNorms[l];
      if (g > growth || l == 0) {
        growth = g;
        worst = l;
      }
    }
    return String.format(Locale.ROOT,
        "training diverged at step %d: loss %.4g exceeds %s times its reference %.4g (max of step %d's loss and "
            + "chance); layer %s grew most, its weights' Frobenius norm ×%.3g since step %d (lower --lr)",
        step, loss, (long) FACTOR, reference, firstStep, model.weightRule(worst).layer().name(), growth, firstStep);
  }
}
