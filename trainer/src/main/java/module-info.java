/**
 * Where the rules meet the kernels: composable modules (an MLP and a character-level GPT among them)
 * trained under any parametrization, optimizers that own their state, spectral diagnostics, the
 * coord-check and learning-rate-transfer experiments, and the {@code spectral4j} CLI. Its public API
 * takes and returns {@code core} rules and {@code simd} matrices, so both are required transitively.
 */
module io.github.spectral4j.trainer {
  requires transitive io.github.spectral4j.core;
  requires transitive io.github.spectral4j.simd;
  requires info.picocli;
  requires com.fasterxml.jackson.databind;
  requires java.desktop; // Java2D + ImageIO for the experiments' PNG plots (headless)

  exports io.github.spectral4j.trainer;
  exports io.github.spectral4j.trainer.nn;
  exports io.github.spectral4j.trainer.optim;
  exports io.github.spectral4j.trainer.text;

  opens io.github.spectral4j.trainer.cli to info.picocli;
}
