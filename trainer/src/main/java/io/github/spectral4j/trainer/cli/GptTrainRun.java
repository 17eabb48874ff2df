package io.github.spectral4j.trainer.cli;

import io.github.spectral4j.core.Parametrization;
import io.github.spectral4j.trainer.Checkpoint;
import io.github.spectral4j.trainer.Diagnostics;
import io.github.spectral4j.trainer.DivergenceException;
import io.github.spectral4j.trainer.GptTraining;
import io.github.spectral4j.trainer.GptTrainingConfig;
import io.github.spectral4j.trainer.UpdateMode;
import io.github.spectral4j.trainer.nn.GptConfig;
import io.github.spectral4j.trainer.optim.OptimizerKind;
import io.github.spectral4j.trainer.text.TextCorpus;
import io.github.spectral4j.trainer.text.TokenBatches;
import java.io.Closeable;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.ParseResult;

/**
 * {@code spectral4j train --model gpt}: trains the character-level GPT on the bundled Brown corpus,
 * prints the training loss, the held-out loss in bits per character and a generated sample, and
 * optionally saves a checkpoint that {@code --resume} continues bit-identically. Kept apart from
 * {@link TrainCommand}'s MLP path, which it shares the common options with.
 */
final class GptTrainRun {
  /** The MLP's options, refused with {@code --model gpt}. */
  private static final List<String> MLP_ONLY =
      List.of(
          "--dims", "--bias", "--activation", "--loss", "--epochs", "--base-dims", "--dataset", "--images", "--labels",
          "--test-fraction");
  /** Options that define the run, fixed by the checkpoint when resuming. */
  private static final List<String> RUN_OPTIONS =
      List.of(
          "--width", "--blocks", "--heads", "--context", "--base-width", "--parametrization", "--optimizer",
          "--update-mode", "--lr", "--matrix-lr", "--batch", "--seed", "--momentum", "--weight-decay");
  static final int DEFAULT_BATCH = 16;
  /**
   * Sequences of held-out text in the diagnostics' probe batch: 4 × 64 = 256 tokens, plenty for RMS
   * statistics over a module output's width, at the cost of a quarter of a training step's forward pass.
   */
  static final int PROBE_SEQUENCES = 4;
  static final long DEFAULT_STEPS = 1000;

  private final TrainCommand c;
  private final GptTrainOptions g;

  GptTrainRun(TrainCommand command, GptTrainOptions options) {
    this.c = command;
    this.g = options;
  }

  /** Whether {@code --model} names the GPT ({@code mlp} or {@code gpt}, any case; else one line, exit 2). */
  static boolean selected(String model) {
    String m = model.trim().toLowerCase(Locale.ROOT);
    if (!m.equals("mlp") && !m.equals("gpt")) {
      throw new IllegalArgumentException("unknown --model '" + model + "' (expected one of: mlp, gpt)");
    }
    return m.equals("gpt");
  }

  /** Refuses a GPT-only option in an MLP run. */
  static void refuseGptOptions(ParseResult parsed) {
    for (String option : GptTrainOptions.NAMES) {
      if (parsed.hasMatchedOption(option)) {
        throw new IllegalArgumentException(option + " needs --model gpt");
      }
    }
  }

  /**
   * A learning rate for the default GPT (width 128, base width 64; with a base width every rule is the
   * standard one at the base, so one η serves every width). Held-out bits per character after 300
   * steps, seed 1: AdamW 0.003 / 0.01 / 0.03 → 3.30 / 3.16 / 3.69; Muon (AdamW 0.01) with matrix η
   * 0.02 / 0.05 / 0.1 → 3.19 / 3.05 / 3.03; SGD 0.5 → 3.65, 2 diverges at step 12; Newton–Schulz
   * normalized 0.05 with momentum 0.9 → 2.98.
   */
  static double defaultLearningRate(OptimizerKind kind) {
    return switch (kind) {
      case SGD -> 0.5;
      case ADAM, MUON -> 0.01;
      case NORMALIZED -> 0.05;
    };
  }

  Integer call() throws IOException {
    ParseResult parsed = c.spec.commandLine().getParseResult();
    for (String option : MLP_ONLY) {
      if (parsed.hasMatchedOption(option)) {
        throw new IllegalArgumentException(option + " is an MLP option; --model gpt does not take it");
      }
    }
    if (c.resume != null) {
      for (String option : RUN_OPTIONS) {
        if (parsed.hasMatchedOption(option)) {
          throw new IllegalArgumentException(
              option + " cannot be combined with --resume: the run continues with the checkpoint's configuration");
        }
      }
    }
    if (c.steps != null && c.steps < 1) {
      throw new IllegalArgumentException("--steps must be >= 1, got " + c.steps);
    }
    if (c.diagnosticsEvery < 0) {
      throw new IllegalArgumentException("--diagnostics-every must be >= 0, got " + c.diagnosticsEvery);
    }
    if (g.evalWindows < 0) {
      throw new IllegalArgumentException("--eval-windows must be >= 0, got " + g.evalWindows);
    }
    if (g.sampleChars < 0) {
      throw new IllegalArgumentException("--sample-chars must be >= 0, got " + g.sampleChars);
    }
    if (!(g.temperature >= 0) || !Double.isFinite(g.temperature)) {
      throw new IllegalArgumentException("--temperature must be finite and >= 0, got " + g.temperature);
    }
    if (g.prompt.isEmpty() || !g.prompt.chars().allMatch(ch -> ch < TextCorpus.VOCABULARY)) {
      throw new IllegalArgumentException("--prompt must be non-empty ASCII text, got \"" + g.prompt + "\"");
    }
    GptTrainingConfig config = c.resume != null ? GptTraining.checkpointConfig(c.resume) : config(parsed);
    c.checkCheckpointTarget();
    try (Closeable lock = c.checkpoint == null ? null : Checkpoint.lockForWriting(c.checkpoint)) {
      return train(config);
    }
  }

  private GptTrainingConfig config(ParseResult parsed) {
    OptimizerKind kind = OptimizerKind.parse(parsed.hasMatchedOption("--optimizer") ? c.optimizer : "adam");
    Parametrization p = Parametrization.parse(c.parametrization);
    GptConfig model = new GptConfig(g.width, g.blocks, g.heads, g.context, GptConfig.VOCABULARY, p, kind.rules(), g.baseWidth);
    double rate = c.lr != null ? c.lr : defaultLearningRate(kind);
    int batch = parsed.hasMatchedOption("--batch") ? c.batch : DEFAULT_BATCH;
    return new GptTrainingConfig(
        model, kind, rate, g.matrixLr, batch, c.seed, c.momentum, c.weightDecay, UpdateMode.parse(c.updateMode));
  }

  private Integer train(GptTrainingConfig config) {
    PrintWriter out = c.spec.commandLine().getOut();
    TextCorpus corpus = TextCorpus.brown();
    GptTraining training = c.resume != null ? GptTraining.resume(c.resume, corpus) : new GptTraining(config, corpus);
    GptConfig m = config.model();
    long total = c.steps != null ? c.steps : DEFAULT_STEPS;
    int windows = g.evalWindows == 0 ? training.heldOutWindows() : Math.min(g.evalWindows, training.heldOutWindows());
    out.printf(
        Locale.ROOT,
        "train gpt on %s: width %d, %d blocks, %d heads, context %d, %s%s, %s, lr %s%s, batch %d, seed %d; "
            + "%d train / %d held-out tokens; %d steps%s%n",
        corpus.name(), m.width(), m.blocks(), m.heads(), m.context(), m.parametrization().id(),
        m.baseWidth() == 0 ? "" : " (base width " + m.baseWidth() + ")", config.optimizer().id(), config.learningRate(),
        config.optimizer() == OptimizerKind.MUON ? ", matrix lr " + config.matrixLearningRate() : "",
        config.batchSize(), config.seed(), corpus.train().length(), corpus.heldOut().length(), total,
        c.resume != null ? " (resumed at step " + training.stepCount() + ")" : "");
    Diagnostics diagnostics = null;
    if (c.diagnosticsEvery > 0) {
      // A fixed probe of held-out text, the same for every run of this seed (as coord-check's).
      TokenBatches held = new TokenBatches(corpus.heldOut(), PROBE_SEQUENCES, m.context(), config.seed());
      int[] probe = new int[PROBE_SEQUENCES * m.context()];
      held.fill(0, probe, new int[probe.length]);
      diagnostics = new Diagnostics(training.model(), probe);
      out.println("diagnostics columns and their healthy ranges: README.md, \"Reading the output\"");
    }
    long report = Math.max(1, total / 10);
    double sum = 0;
    int count = 0;
    long start = System.nanoTime();
    try {
      for (long i = 1; i <= total; i++) {
        sum += training.step();
        count++;
        if (i % report == 0 || i == total) {
          double nats = sum / count;
          out.printf(
              Locale.ROOT, "step %6d  loss %.4f  (%.3f bits/char)  %.1f s%n", training.stepCount(), nats,
              GptTraining.bitsPerCharacter(nats), (System.nanoTime() - start) / 1e9);
          sum = 0;
          count = 0;
        }
        if (diagnostics != null && i % c.diagnosticsEvery == 0) {
          DiagnosticsTable.print(out, diagnostics.measure(training));
        }
      }
    } catch (DivergenceException e) {
      c.spec.commandLine().getErr().println("spectral4j: " + e.getMessage());
      return 1;
    }
    double heldOut = training.heldOutLoss(windows);
    out.printf(
        Locale.ROOT, "held-out loss %.4f  %.3f bits/char (%d of %d windows, %d tokens)%n", heldOut,
        GptTraining.bitsPerCharacter(heldOut), windows, training.heldOutWindows(), (long) windows * m.context());
    if (g.sampleChars > 0) {
      String text = training.sample(g.prompt, g.sampleChars, g.temperature);
      out.printf(Locale.ROOT, "sample (temperature %s, seed %d):%n%s%s%n", g.temperature, config.seed(), g.prompt, text);
    }
    if (c.checkpoint != null) {
      training.save(c.checkpoint);
      out.println("checkpoint saved to " + c.checkpoint + " at step " + training.stepCount());
    }
    return 0;
  }
}
