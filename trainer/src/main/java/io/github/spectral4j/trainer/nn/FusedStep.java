package io.github.spectral4j.trainer.nn;

import io.github.spectral4j.simd.FloatMatrix;
import io.github.spectral4j.simd.Fused;

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

  /**
   * Applies {@code W ← W + α·G} to {@code parameter} with {@code G = γ·op(A)·op(B)} (op(A)'s leading m×k and
   * op(B)'s leading k×n blocks) formed by the GEMM whose write-back applies it, α from {@link #scale}, and
   * reports it as {@link #applied} does. The default runs {@link Fused#gemmUpdate(boolean, boolean, int, int,
   * int, float, FloatMatrix, FloatMatrix, float, FloatMatrix, FloatMatrix, double[])}, then {@link #applied}; an
   * optimizer overrides it to form in the same pass what it would otherwise read W again for after the step
   * (plain SGD: the power-iteration products requested of it on the new W, in
   * {@link Fused#gemmUpdateWithDifferenceGram}).
   *
   * @param parameter the parameter whose value W is updated; its value is modified
   * @param alpha α from {@link #scale}, not NaN
   * @param transA whether op(A) = Aᵀ
   * @param transB whether op(B) = Bᵀ
   * @param m rows of W
   * @param n columns of W
   * @param k the inner size
   * @param gamma γ
   * @param a A, not modified
   * @param b B, not modified
   * @param norms scratch of at least two entries, modified
   */
  default void gemmUpdate(Parameter parameter, float alpha, boolean transA, boolean transB, int m, int n, int k,
      float gamma, FloatMatrix a, FloatMatrix b, double[] norms) {
    Fused.gemmUpdate(transA, transB, m, n, k, gamma, a, b, alpha, parameter.value(), null, norms);
    applied(parameter, norms[0], norms[1]);
  }
}
