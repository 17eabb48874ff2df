package io.github.spectral4j.trainer.nn;

/**
 * An optimizer's offer, passed to a model's backward pass, to apply a parameter's gradient step where the
 * gradient is produced: for a parameter it covers, the module applies {@code W ← W + α·G} as it forms
 * {@code G = ∂loss/∂W} (a {@link Linear} weight: {@code C = W − η_l·(m·δᵀX)} in the write-back of the weight
 * gradient's GEMM, {@code io.github.spectral4j.simd.Fused.gemmUpdate}), so that G is never stored nor read
 * again, and reports {@code ‖ΔW‖_F} and the new {@code ‖W‖_F}. A module that cannot, or a parameter the offer
 * does not cover, writes the gradient as usual and the optimizer applies it in its step. A backward pass given
 * an offer is the first half of that optimizer's next step: the step that follows skips the parameters
 * applied here. Modules call it in the order they form the gradients; its implementations are not
 * thread-safe.
 */
public interface FusedStep {

  /**
   * α of {@code W ← W + α·G} for {@code parameter} in this backward pass, or NaN when the optimizer applies
   * that parameter's gradient in its own step (then the module writes the gradient).
   *
   * @param parameter not modified
   * @return α (e.g. −η_l for plain SGD), or NaN
   * @throws IllegalStateException if the parameter was already applied by a backward pass whose step has
   *     not been taken yet
   */
  float scale(Parameter parameter);

  /**
   * Reports that the module applied {@code W ← W + α·G} to {@code parameter} with α from {@link #scale}.
   *
   * @param parameter not modified here (its value was, by the module)
   * @param updateNorm {@code ‖α·G‖_F}
   * @param valueNorm {@code ‖W‖_F} of the new value; NaN or infinite when an element became non-finite
   */
  void applied(Parameter parameter, double updateNorm, double valueNorm);
}
