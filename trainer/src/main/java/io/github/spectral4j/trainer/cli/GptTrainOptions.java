package io.github.spectral4j.trainer.cli;

import io.github.spectral4j.trainer.nn.GptConfig;
import java.util.List;
import picocli.CommandLine.Option;

/** The options of {@code train --model gpt} that the MLP does not have (mixed into {@link TrainCommand}). */
final class GptTrainOptions {
  /** GPT-only options: refused for the MLP. */
  static final List<String> NAMES =
      List.of(
          "--width", "--blocks", "--heads", "--context", "--base-width", "--matrix-lr", "--eval-windows",
          "--sample-chars", "--temperature", "--prompt");

  @Option(names = "--width", paramLabel = "D", defaultValue = "128", description = "GPT: residual width (default: ${DEFAULT-VALUE}).")
  int width;

  @Option(names = "--blocks", paramLabel = "L", defaultValue = "" + GptConfig.BLOCKS, description = "GPT: transformer blocks (default: ${DEFAULT-VALUE}).")
  int blocks;

  @Option(names = "--heads", paramLabel = "H", defaultValue = "" + GptConfig.HEADS, description = "GPT: attention heads, dividing the width (default: ${DEFAULT-VALUE}).")
  int heads;

  @Option(names = "--context", paramLabel = "T", defaultValue = "" + GptConfig.CONTEXT, description = "GPT: tokens per sequence (default: ${DEFAULT-VALUE}).")
  int context;

  @Option(names = "--base-width", paramLabel = "D", defaultValue = "64", description = "GPT: base width for width transfer; 0 for the parametrization's own rules (default: ${DEFAULT-VALUE}).")
  int baseWidth;

  @Option(names = "--matrix-lr", paramLabel = "X", defaultValue = "0.05", description = "GPT with --optimizer muon: η of the orthogonalised matrices (default: ${DEFAULT-VALUE}).")
  double matrixLr;

  @Option(names = "--eval-windows", paramLabel = "N", defaultValue = "512", description = "GPT: held-out windows evaluated at the end, evenly spaced; 0 for all (default: ${DEFAULT-VALUE}).")
  int evalWindows;

  @Option(names = "--sample-chars", paramLabel = "N", defaultValue = "240", description = "GPT: characters of text generated at the end (default: ${DEFAULT-VALUE}).")
  int sampleChars;

  @Option(names = "--temperature", paramLabel = "X", defaultValue = "0.8", description = "GPT: sampling temperature of that text; 0 takes the most likely character (default: ${DEFAULT-VALUE}).")
  double temperature;

  @Option(names = "--prompt", paramLabel = "TEXT", defaultValue = "The ", description = "GPT: text the sample continues (default: \"${DEFAULT-VALUE}\").")
  String prompt;
}
