package io.github.spectral4j.trainer.optim;

import io.github.spectral4j.simd.FloatMatrix;
import io.github.spectral4j.simd.Fused;
import io.github.spectral4j.trainer.nn.Parameter;

/** What every optimizer keeps for one parameter: the parameter, its last update and that update's norm. */
final class Slot {
  final Parameter parameter;
  final FloatMatrix update;
  double updateNorm;
  /** ‖θ‖_F right after the last {@link #apply}; NaN before it. */
  double valueNorm = Double.NaN;

  Slot(Parameter parameter) {
    this.parameter = parameter;
    this.update = FloatMatrix.zeros(parameter.value().rows(), parameter.value().cols());
  }

  /**
   * Adds the update to the value in one pass that also measures ‖ΔW‖₂ and ‖W‖₂ ({@code norms} is
   * scratch, modified): the new value's norm is finite exactly when every entry is.
   *
   * @return whether the value is finite
   */
  boolean apply(double[] norms) {
    Fused.addWithNorms(update.data(), parameter.value().data(), norms);
    updateNorm = norms[0];
    valueNorm = norms[1];
    return Double.isFinite(norms[1]);
  }
}
