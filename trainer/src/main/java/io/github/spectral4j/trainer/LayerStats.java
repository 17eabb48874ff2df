package io.github.spectral4j.trainer;

/**
 * Spectral diagnostics of one weight layer {@code W_l} (fan-out × fan-in) at one point of training,
 * to compare with Condition 1 of arXiv 2310.17813, {@code ‖W_l‖* ≈ ‖ΔW_l‖* ≈ √(fanOut/fanIn)}, and
 * with Desideratum 1, {@code RMS(h_l) = Θ(1)} and {@code RMS(Δh_l) = Θ(1)}.
 *
 * @param layer the layer's name, {@code W1 … WL}
 * @param fanIn {@code n_{l-1}}
 * @param fanOut {@code n_l}
 * @param weightSpectralNorm {@code ‖W‖*}
 * @param driftSpectralNorm {@code ‖W − W₀‖*}, the total change since initialisation
 * @param driftStableRank {@code ‖W − W₀‖_F²/‖W − W₀‖*²} (NaN before the first update)
 * @param updateSpectralNorm {@code ‖ΔW_t‖*} of the last step
 * @param updateFrobeniusNorm {@code ‖ΔW_t‖_F} of the last step
 * @param stableRank {@code ‖W‖_F²/‖W‖*²}
 * @param rmsH RMS of the layer's output on the probe batch (post-activation; logits for the last layer)
 * @param rmsDh RMS of {@code h − h₀} on the probe batch, {@code h₀} measured at initialisation
 * @param alignment {@code ‖ΔW·H‖_F/(‖ΔW‖*·‖H‖_F)} with {@code H} the layer's inputs on the first
 *     rows of the probe batch (up to 4; NaN before the first update):
 *     1 when the update is aligned with the incoming features, about {@code 1/√rank} when random
 */
public record LayerStats(
    String layer,
    int fanIn,
    int fanOut,
    double weightSpectralNorm,
    double driftSpectralNorm,
    double driftStableRank,
    double updateSpectralNorm,
    double updateFrobeniusNorm,
    double stableRank,
    double rmsH,
    double rmsDh,
    double alignment) {

  /** Condition 1's target {@code √(fanOut/fanIn)}. */
  public double targetNorm() {
    return Math.sqrt((double) fanOut / fanIn);
  }
}
