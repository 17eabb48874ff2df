package io.github.spectral4j.trainer.optim;

import io.github.spectral4j.simd.FloatMatrix;
import io.github.spectral4j.trainer.nn.Parameter;
import java.util.List;

/**
 * What every optimizer whose passes go through {@link Slots} shares: the parameters, the step count and
 * the per-parameter results of the last step ({@code ΔW}, {@code ‖ΔW‖_F}, {@code ‖θ‖_F}) that the slots
 * keep. Subclasses own the rest of their state and their checkpoint section.
 */
abstract sealed class SlotOptimizer implements ParameterOptimizer permits AdamW, Normalized, Sgd {
  final Slots slots;
  long steps;

  SlotOptimizer(Slots slots) {
    this.slots = slots;
  }

  @Override
  public final List<Parameter> parameters() {
    return slots.parameters;
  }

  @Override
  public final long stepCount() {
    return steps;
  }

  @Override
  public final FloatMatrix lastUpdate(Parameter parameter) {
    Slot s = slots.slot(parameter);
    if (!s.updateKept) {
      throw new IllegalStateException("the update of " + parameter.name() + " at step " + steps + " was applied in the"
          + " backward pass (plain SGD in the weight gradient's GEMM) and not stored; its norm is lastUpdateNorm,"
          + " and Training.lastUpdate recomputes it from the step's factors");
    }
    return s.update;
  }

  @Override
  public final boolean keptUpdate(Parameter parameter) {
    return slots.slot(parameter).updateKept;
  }

  @Override
  public final double lastUpdateNorm(Parameter parameter) {
    return slots.slot(parameter).updateNorm;
  }

  @Override
  public final double valueNorm(Parameter parameter) {
    return slots.slot(parameter).valueNorm;
  }

  /** The slots, for a {@link Muon} that steps two groups as one. */
  final Slots slots() {
    return slots;
  }

  /** Sets the step count, for a {@link Muon} that counts the steps of its groups. */
  final void setStepCount(long steps) {
    this.steps = steps;
  }
}
