/**
 * Where the rules meet the kernels: an MLP trained under any parametrization, per-layer spectral
 * diagnostics, the coord-check and learning-rate-transfer experiments, and the {@code spectral4j} CLI.
 */
module io.github.spectral4j.trainer {
  requires io.github.spectral4j.core;
  requires io.github.spectral4j.simd;
  requires info.picocli;
  requires com.fasterxml.jackson.databind;
  requires java.desktop; // Java2D + ImageIO for the experiments' PNG plots (headless)

  exports io.github.spectral4j.trainer;
  exports io.github.spectral4j.trainer.nn;
  exports io.github.spectral4j.trainer.optim;
  exports io.github.spectral4j.trainer.text;

  opens io.github.spectral4j.trainer.cli to info.picocli;
}
