package io.github.spectral4j.trainer.optim;

import io.github.spectral4j.simd.FloatMatrix;
import io.github.spectral4j.simd.Fused;
import io.github.spectral4j.trainer.nn.Parameter;

/**
 * What every optimizer keeps for one parameter: the parameter, its last update and that update's norm,
 * and the {@link FusedProducts} its pass forms when asked.
 */
final class Slot {
  final Parameter parameter;
  final FloatMatrix update;
  double updateNorm;
  /** ‖θ‖_F right after the last {@link #apply}; NaN before it. */
  double valueNorm = Double.NaN;
  /** Products the pass forms when they are requested, or null. */
  FusedProducts products;
  /**
   * Whether {@link #update} holds the last step's update: false after a step applied in the backward pass
   * ({@link #appliedInBackward}), which keeps only the norms.
   */
  boolean updateKept = true;
  /** Whether a backward pass applied this parameter's step for the next step to adopt ({@code FusedStep}). */
  boolean appliedInBackward;

  Slot(Parameter parameter) {
    this.parameter = parameter;
    this.update = FloatMatrix.zeros(parameter.value().rows(), parameter.value().cols());
  }

  /**
   * Adds the update to the value in one pass that also measures ‖ΔW‖₂ and ‖W‖₂ ({@code norms} is
   * scratch of three entries, modified) and forms the requested {@link #products}: the new value's norm
   * is finite exactly when every entry is.
   *
   * @return whether the value is finite
   */
  boolean apply(double[] norms) {
    if (products != null && products.requested) {
      return applyScaled(0f, null, norms);
    }
    Fused.addWithNorms(update.data(), parameter.value().data(), norms);
    return applied(norms);
  }

  /**
   * Sets the update to {@code α·g} and adds it to the value in one pass (g null: the update as stored),
   * with the norms and products of {@link #apply}: plain SGD's step reads G and W once.
   *
   * @return whether the value is finite
   */
  boolean applyScaled(float alpha, FloatMatrix g, double[] norms) {
    FusedProducts p = products;
    if (p != null && p.requested) {
      Fused.updateWithDifferenceGram(
          alpha, g, update, parameter.value(), p.reference, p.x, p.ax, p.aOut, p.y, p.ey, p.eOut, norms);
      p.served(norms[2]);
    } else {
      Fused.update(alpha, g, update, parameter.value(), norms);
    }
    return applied(norms);
  }

  /**
   * Forms the requested {@link #products} on the value as it is, in a pass that only reads W and W₀
   * ({@link Fused#differenceGramTimes}): for a step applied where W was written without a pass of ours that
   * formed them (in the backward pass's GEMM, {@link #appliedInBackward}, through {@code Fused.gemmUpdate} of a
   * {@code FusedStep} other than this optimizer's), the products the update pass forms (from 64 rows on the
   * Vector API the same bits). A step applied by {@link #gemmUpdate} has already served them.
   */
  void formProducts() {
    FusedProducts p = products;
    if (p != null && p.requested) {
      double drift = Fused.differenceGramTimes(parameter.value(), p.reference, p.x, p.ax, p.aOut, p.y, p.ey, p.eOut);
      p.served(Math.sqrt(drift));
    }
  }

  /**
   * The step {@code W ← W + α·(γ·op(A)·op(B))} applied by the weight gradient's GEMM for a backward pass
   * ({@code FusedStep}; {@link #update} not written), with the requested {@link #products} formed in its
   * write-back on the new W ({@link Fused#gemmUpdateWithDifferenceGram}: W₀ the only extra read, where a pass
   * after the step read W and W₀ again). {@code norms} is scratch of three entries, modified: ‖ΔW‖_F and ‖W‖_F
   * in its first two.
   */
  void gemmUpdate(float alpha, boolean transA, boolean transB, int m, int n, int k, float gamma, FloatMatrix a,
      FloatMatrix b, double[] norms) {
    FusedProducts p = products;
    if (p != null && p.requested) {
      Fused.gemmUpdateWithDifferenceGram(transA, transB, m, n, k, gamma, a, b, alpha, parameter.value(), null,
          p.reference, p.x, p.ax, p.aOut, p.y, p.ey, p.eOut, norms);
      p.served(norms[2]);
    } else {
      Fused.gemmUpdate(transA, transB, m, n, k, gamma, a, b, alpha, parameter.value(), null, norms);
    }
  }

  /**
   * Records an update added to the value by the optimizer's own pass, with {@code norms[0] = ‖ΔW‖_F} and
   * {@code norms[1] = ‖W‖_F} of the new value, as {@link #apply} does.
   *
   * @return whether the value is finite
   */
  boolean applied(double[] norms) {
    updateNorm = norms[0];
    valueNorm = norms[1];
    updateKept = true;
    return Double.isFinite(norms[1]);
  }

  /** Records a step applied in the backward pass, with its norms; {@link #update} is not written. */
  void appliedInBackward(double updateNorm, double valueNorm) {
    this.updateNorm = updateNorm;
    this.valueNorm = valueNorm;
    updateKept = false;
    appliedInBackward = true;
  }
}
