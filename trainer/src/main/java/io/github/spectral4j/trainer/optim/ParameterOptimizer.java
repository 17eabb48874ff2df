package io.github.spectral4j.trainer.optim;

import io.github.spectral4j.core.Optimizer;
import io.github.spectral4j.simd.FloatMatrix;
import io.github.spectral4j.trainer.DivergenceException;
import io.github.spectral4j.trainer.UpdateMode;
import io.github.spectral4j.trainer.nn.FusedStep;
import io.github.spectral4j.trainer.nn.Parameter;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.List;

/**
 * An optimizer that owns its state and updates a fixed list of {@link Parameter}s in place from their
 * gradients: each {@link #step} computes every parameter's update {@code ΔW} (kept, see
 * {@link #lastUpdate}) with learning rate {@code η_l = η·rule.learningRateMultiplier()} from the
 * parameter's own {@code core} rule, adds it to the value and checks that the value stayed finite.
 * {@link #writeState} and {@link #readState} carry the optimizer's state (step count, momentum and
 * moment buffers, solver vectors, last updates) as one section of a checkpoint whose envelope (magic,
 * version, checksum, configuration) belongs to the caller; a run restored from it continues
 * bit-identically. Steps allocate nothing (except where an implementation says otherwise) and give
 * the same results for any thread count. Implementations are not thread-safe.
 */
public interface ParameterOptimizer {

  /** The parameters this optimizer updates, in the order it was given them (unmodifiable). */
  List<Parameter> parameters();

  /** Steps taken so far (restored by {@link #readState}). */
  long stepCount();

  /**
   * One update of every parameter from its current gradient. Gradients are not modified; values are.
   *
   * @throws DivergenceException naming the first parameter (in order) whose value became NaN or
   *     infinite, and the 1-based step; every parameter has been updated, and the run is not
   *     meant to continue
   */
  void step();

  /**
   * The update {@code ΔW} of the last step for {@code parameter}, a live buffer of the value's shape
   * (zeros before the first step), overwritten by the next step.
   *
   * @throws IllegalArgumentException if this optimizer does not update {@code parameter}
   * @throws IllegalStateException if the last step applied the update in the backward pass
   *     ({@link #fusedStep}) and kept no copy of it ({@link #keptUpdate} is false)
   */
  FloatMatrix lastUpdate(Parameter parameter);

  /**
   * Whether {@link #lastUpdate} holds the last step's update of {@code parameter}: false when that step was
   * applied in the backward pass ({@link #fusedStep}), which keeps {@link #lastUpdateNorm} and
   * {@link #valueNorm} but not ΔW (writing it cost about what the fusion saves: 0.07 to 0.17 ms more per
   * 1024 × 1024 layer, loaded machine), and after
   * restoring such a step from a checkpoint.
   *
   * @throws IllegalArgumentException if this optimizer does not update {@code parameter}
   */
  default boolean keptUpdate(Parameter parameter) {
    return true;
  }

  /**
   * This optimizer's offer for the next backward pass, to apply some parameters' steps where their gradients
   * are produced ({@link FusedStep}): then the next {@link #step} adopts those parameters' updates (checking
   * them for divergence in their order) and applies the others. A backward pass given the offer must be
   * followed by {@link #step} before another one. The default, and optimizers that cannot, return null.
   *
   * @return the offer (the same object each time), or null
   */
  default FusedStep fusedStep() {
    return null;
  }

  /**
   * {@code ‖ΔW‖_F} of the last step for {@code parameter}, measured while applying it (0 before the
   * first step).
   *
   * @throws IllegalArgumentException if this optimizer does not update {@code parameter}
   */
  double lastUpdateNorm(Parameter parameter);

  /**
   * {@code ‖θ‖_F} of {@code parameter} right after the last step, measured in the same pass that applied
   * the update (so diagnostics need not read the parameter again); NaN before the first step and after a
   * restore.
   *
   * @throws IllegalArgumentException if this optimizer does not update {@code parameter}
   */
  double valueNorm(Parameter parameter);

  /**
   * Has this optimizer form {@code products} inside its pass over {@code products.parameter()} at each
   * step for which they are {@linkplain FusedProducts#request requested} (replacing an earlier attachment
   * to that parameter), so that diagnostics need not read the parameter again after the step. The default
   * cannot, and the caller forms the products itself.
   *
   * @param products not modified here; written by the steps that serve its requests
   * @return whether this optimizer will form them
   * @throws IllegalArgumentException if this optimizer does not update the parameter
   */
  default boolean attach(FusedProducts products) {
    return false;
  }

  /**
   * Writes this optimizer's section: its kind, a section version, the step count, each parameter's
   * name and shape, then its state. {@code out} is modified; nothing else is.
   *
   * @throws IOException from {@code out}
   */
  void writeState(DataOutput out) throws IOException;

  /**
   * Restores the state written by {@link #writeState} of an optimizer of the same kind and settings
   * over parameters of the same names and shapes, so that the next step is the one the saved
   * optimizer would have taken. Every length is compared with this optimizer's before anything is
   * read into it, and nothing is allocated from a stored length. If it throws, the optimizer's state
   * is undefined and the optimizer should be discarded.
   *
   * @throws io.github.spectral4j.trainer.Checkpoint.Corrupt naming what differs (kind, version, parameter, length)
   * @throws IOException from {@code in}, e.g. {@link java.io.EOFException} for a truncated section
   */
  void readState(DataInput in) throws IOException;

  /**
   * The optimizer the MLP's {@code core} {@link Optimizer} kind names, with the {@code TrainingConfig}
   * meaning of each setting: {@code SGD} (momentum, L2 weight decay), {@code ADAM} (AdamW, β1 = 0.9,
   * β2 = 0.999, ε = 1e-8; momentum ignored) or {@code NORMALIZED} (in {@code mode}).
   *
   * @param parameters not modified; their values are updated by the optimizer's steps
   * @throws IllegalArgumentException naming an invalid setting
   */
  static ParameterOptimizer of(
      Optimizer kind, List<Parameter> parameters, double learningRate, double momentum, double weightDecay,
      UpdateMode mode) {
    return switch (kind) {
      case SGD -> new Sgd(parameters, learningRate, momentum, weightDecay);
      case ADAM -> new AdamW(parameters, learningRate, weightDecay);
      case NORMALIZED -> new Normalized(parameters, learningRate, mode, momentum, weightDecay);
    };
  }
}
