package io.github.spectral4j.trainer;

/**
 * The size of one module output {@code h_l} (the paper's features) on the diagnostics' fixed probe
 * batch, for Desideratum 1 of arXiv 2310.17813: {@code ‖h_l‖₂ = Θ(√n_l)} and {@code ‖Δh_l‖₂ = Θ(√n_l)},
 * i.e. {@code rms_h} and {@code rms_dh} are Θ(1) in the width. {@code rms(X) = ‖X‖_F/√(rows·cols)}.
 *
 * @param name the output's name ({@code layer1 … layerL} for an MLP, {@code embedding}, {@code block1} …,
 *     {@code logits} for a GPT)
 * @param width the output's columns {@code n_l}
 * @param rmsH {@code rms_h}: RMS of {@code h} now
 * @param rmsDh {@code rms_dh}: RMS of {@code h − h₀}, {@code h₀} recorded at the diagnostics' reference point
 */
public record FeatureStats(String name, int width, double rmsH, double rmsDh) {}
