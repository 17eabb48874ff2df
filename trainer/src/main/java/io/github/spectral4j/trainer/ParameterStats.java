package io.github.spectral4j.trainer;

import io.github.spectral4j.core.ParameterKind;

/**
 * The spectral condition's quantities for one {@link io.github.spectral4j.trainer.nn.Parameter} at one
 * point of training (Condition 1 of arXiv 2310.17813: {@code ‖m·W‖ ≈ ‖m·ΔW‖ ≈ √(fo/fi)}), each norm the
 * one its kind's targets are stated in ({@link ParameterKind#norm()}, from {@code core}):
 *
 * <ul>
 *   <li>dense matrices, attention projections, readouts: the spectral norm {@code σ₁(W)} (ℓ2→ℓ2), target
 *       {@code √(fo/fi)} (a fused {@code attention_qkv} is measured stacked, {@code [3d, d]}: between its
 *       largest block's norm and √3 times it, against one block's target; a convolution as stored);
 *   <li>embeddings ({@code "l1-to-l2"}): {@code max_j ‖W e_j‖₂}, the largest 2-norm of one token's vector
 *       (a column of {@code W = Eᵀ}, a row of the stored table), because a one-hot input has ℓ1 norm 1;
 *       target {@code √(width/1)} (effective fan-in 1, {@code core}'s {@code Layer.ruleFanIn()});
 *   <li>biases and norm gains ({@code "l2"}): the vector's 2-norm {@code ‖v‖₂}, target {@code √(n/1)}.
 * </ul>
 *
 * Names are the report's ({@code coord-check.json}, {@code train --diagnostics-every}): {@code w} is the
 * parameter now, {@code dw} its total change {@code W − W₀} since the diagnostics' reference point, and
 * {@code update} the last step's {@code ΔW_t}. Norms are of the stored parameter; the ratios multiply by
 * {@code |m|}, the rule's forward multiplier, because Condition 1 is about the matrix the layer applies.
 *
 * @param name the parameter's name ({@code W1}, {@code blocks.0.mlp.up.weight}, …)
 * @param kind its {@code core} kind, which chooses the norm
 * @param fanIn its layer's fan-in (the vocabulary for an embedding, 1 for a vector)
 * @param fanOut its layer's fan-out
 * @param multiplier {@code |m|}, the absolute forward multiplier of its rule
 * @param targetNorm Condition 1's target {@code √(fo/fi)} with the rule's fans ({@code LayerRule.targetWeightNorm()})
 * @param wNorm {@code ‖W‖} in the kind's norm
 * @param dwNorm {@code ‖W − W₀‖} in the kind's norm
 * @param dwStableRank {@code ‖W − W₀‖_F²/‖W − W₀‖*²} for spectral kinds (NaN before the first change,
 *     and for embeddings and vectors, whose norm is not the spectral one)
 * @param updateNorm {@code ‖ΔW_t‖} of the last step, in the kind's norm
 * @param updateFrobeniusNorm {@code ‖ΔW_t‖_F} of the last step
 * @param stableRank {@code ‖W‖_F²/‖W‖*²} for spectral kinds, NaN otherwise
 * @param alignment for a dense layer's weight, {@code ‖ΔW_t·Hᵀ‖_F/(‖ΔW_t‖*·‖H‖_F)} with {@code H} the
 *     layer's inputs on the first probe rows: 1 when the update is aligned with the incoming features, about
 *     {@code 1/√rank} when random; NaN where not measured (before the first update, other kinds)
 */
public record ParameterStats(
    String name,
    ParameterKind kind,
    int fanIn,
    int fanOut,
    double multiplier,
    double targetNorm,
    double wNorm,
    double dwNorm,
    double dwStableRank,
    double updateNorm,
    double updateFrobeniusNorm,
    double stableRank,
    double alignment) {

  /** {@code w_spec_ratio}: {@code |m|·‖W‖/√(fo/fi)}, 1 when the parameter meets Condition 1 exactly. */
  public double wSpecRatio() {
    return multiplier * wNorm / targetNorm;
  }

  /** {@code dw_spec_ratio}: {@code |m|·‖W − W₀‖/√(fo/fi)}. */
  public double dwSpecRatio() {
    return multiplier * dwNorm / targetNorm;
  }

  /** {@code update_spec_ratio}: {@code |m|·‖ΔW_t‖/√(fo/fi)}. */
  public double updateSpecRatio() {
    return multiplier * updateNorm / targetNorm;
  }
}
