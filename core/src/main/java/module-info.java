/**
 * The scaling rules of <i>A Spectral Condition for Feature Learning</i> (Yang, Simon, Bernstein,
 * arXiv 2310.17813): per-layer initialisation scales, forward multipliers and learning-rate
 * multipliers that keep {@code ‖W_l‖* = Θ(√(n_l/n_{l-1}))} and {@code ‖ΔW_l‖* = Θ(√(n_l/n_{l-1}))}.
 * No dependencies.
 */
module io.github.spectral4j.core {
  exports io.github.spectral4j.core;
}
