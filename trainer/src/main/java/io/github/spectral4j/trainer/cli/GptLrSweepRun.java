package io.github.spectral4j.trainer.cli;

import io.github.spectral4j.core.Optimizer;
import io.github.spectral4j.core.Parametrization;
import io.github.spectral4j.trainer.experiment.GptLrSweep;
import io.github.spectral4j.trainer.experiment.GptLrSweepReport;
import io.github.spectral4j.trainer.experiment.LrSweepShard;
import io.github.spectral4j.trainer.experiment.OutputDirectory;
import io.github.spectral4j.trainer.experiment.Progress;
import io.github.spectral4j.trainer.nn.GptConfig;
import io.github.spectral4j.trainer.text.TextCorpus;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.ParseResult;

/**
 * {@code spectral4j lr-sweep --model gpt}: {@link GptLrSweep} with the GPT's defaults for the options not
 * given (widths 64,128,256,512, base width 64, η = 2⁻¹² … 2⁻⁵, standard, μP and spectral, batch 16
 * sequences, 120 steps, 256 held-out windows), kept apart
 * from {@link LrSweepCommand}'s MLP path. Every input is checked before anything is trained.
 */
final class GptLrSweepRun {
  static final String DEFAULT_WIDTHS = "64,128,256,512";
  static final int DEFAULT_BASE_WIDTH = 64;
  static final List<String> DEFAULT_PARAMETRIZATIONS = List.of("standard", "mup", "spectral");
  static final int DEFAULT_BATCH = 16;
  /**
   * Steps per cell: the default grid (96 cells) then costs 1,179 s of CPU time (measured, cpu family 26:
   * a width-512 cell ≈ 40 s on one thread), ≈ 10 minutes on 2 cores, half issue 10's 20-minute bar, and
   * every width's optimum is already inside the grid with neighbours ≈ 0.03–0.16 bits/char worse (README).
   */
  static final int DEFAULT_STEPS = 120;
  /**
   * Held-out windows of 64 characters per score (16,384 characters): the same windows for every cell, so
   * cells are compared on identical text and the sampling noise mostly cancels between them.
   */
  static final int DEFAULT_EVAL_WINDOWS = 256;
  /** The MLP's options, refused with {@code --model gpt}. */
  private static final List<String> MLP_ONLY = List.of("--score-steps", "--bias", "--images", "--labels", "--limit");

  private final LrSweepCommand c;

  GptLrSweepRun(LrSweepCommand command) {
    this.c = command;
  }

  /** Whether {@code --model} names the GPT ({@code mlp} or {@code gpt}, any case; else one line, exit 2). */
  static boolean selected(String model) {
    String m = model.trim().toLowerCase(Locale.ROOT);
    if (!m.equals("mlp") && !m.equals("gpt")) {
      throw new IllegalArgumentException("unknown --model '" + model + "' (expected one of: mlp, gpt)");
    }
    return m.equals("gpt");
  }

  Integer call() {
    ParseResult parsed = c.spec.commandLine().getParseResult();
    for (String option : MLP_ONLY) {
      if (parsed.hasMatchedOption(option)) {
        throw new IllegalArgumentException(option + " is an MLP option; lr-sweep --model gpt does not take it");
      }
    }
    if (Optimizer.parse(c.optimizer) != Optimizer.ADAM) {
      throw new IllegalArgumentException("--optimizer " + c.optimizer + ": lr-sweep --model gpt runs adam");
    }
    int[] widths = parsed.hasMatchedOption("--widths") ? c.widths
        : Arrays.stream(DEFAULT_WIDTHS.split(",")).mapToInt(Integer::parseInt).toArray();
    List<Parametrization> ps = (parsed.hasMatchedOption("--parametrizations") ? c.parametrizations
        : DEFAULT_PARAMETRIZATIONS).stream().map(Parametrization::parse).toList();
    GptLrSweep.Options o = new GptLrSweep.Options(ps, widths, c.lrs == null ? GptLrSweep.defaultLrs() : c.lrs,
        parsed.hasMatchedOption("--steps") ? c.steps : DEFAULT_STEPS,
        parsed.hasMatchedOption("--base-width") ? c.baseWidth : DEFAULT_BASE_WIDTH,
        parsed.hasMatchedOption("--batch") ? c.batch : DEFAULT_BATCH, c.seed,
        c.evalWindows == null ? DEFAULT_EVAL_WINDOWS : c.evalWindows,
        c.threads == null ? Runtime.getRuntime().availableProcessors() : c.threads,
        GptConfig.BLOCKS, GptConfig.HEADS, GptConfig.CONTEXT);
    int[] kn = c.shard == null ? null : LrSweepShard.parse(c.shard);
    if (kn != null && kn[1] > o.cells()) {
      throw new IllegalArgumentException("--shard " + c.shard + ": the grid has only " + o.cells()
          + " cells, so at most " + o.cells() + " slices");
    }
    Path dir = OutputDirectory.check(c.out);
    TextCorpus corpus = TextCorpus.brown();
    GptLrSweep.check(o, corpus);
    PrintWriter err = c.spec.commandLine().getErr();
    PrintWriter stdout = c.spec.commandLine().getOut();
    long cpu0 = cpuNanos();
    long wall0 = System.nanoTime();
    if (kn != null) {
      GptLrSweep.Slice slice = GptLrSweep.runShard(o, corpus, Progress.onStderr(err, "lr-sweep " + c.shard), kn[0], kn[1]);
      slice.write(dir);
      stdout.println("lr-sweep --model gpt slice " + c.shard + ": " + slice.cells() + " cells; wrote "
          + dir.resolve(slice.fileName()) + "; when every slice is done: lr-sweep --merge DIR... --out DIR");
      stdout.println(times(wall0, cpu0));
      stdout.flush();
      return 0;
    }
    GptLrSweepReport report = GptLrSweep.run(o, corpus, Progress.onStderr(err, "lr-sweep"));
    stdout.print(report.table()); // the result, printed whether or not the files can be written
    stdout.println(times(wall0, cpu0));
    stdout.flush();
    report.write(dir);
    stdout.println("wrote " + dir.resolve("lr-sweep.json") + ", " + dir.resolve("lr-sweep.csv") + ", "
        + dir.resolve("lr-sweep.png"));
    stdout.flush();
    return report.allPass() ? 0 : 1;
  }

  /** {@code --merge} of GPT slices (the command has already refused every other option). */
  static int merge(LrSweepCommand c) {
    Path dir = OutputDirectory.check(c.out);
    GptLrSweepReport report = GptLrSweep.merge(c.merge);
    PrintWriter stdout = c.spec.commandLine().getOut();
    stdout.print(report.table());
    stdout.flush();
    report.write(dir);
    stdout.println("wrote " + dir.resolve("lr-sweep.json") + ", " + dir.resolve("lr-sweep.csv") + ", "
        + dir.resolve("lr-sweep.png"));
    stdout.flush();
    return report.allPass() ? 0 : 1;
  }

  /** Wall and CPU time of this JVM since the marks: CPU time says what the run costs on a shared machine. */
  private static String times(long wall0, long cpu0) {
    double wall = (System.nanoTime() - wall0) / 1e9;
    long cpu = cpuNanos();
    return cpu < 0 || cpu0 < 0 ? String.format(Locale.ROOT, "wall time %.1f s", wall)
        : String.format(Locale.ROOT, "wall time %.1f s, CPU time %.1f s (%.2f cores busy on average)", wall,
            (cpu - cpu0) / 1e9, (cpu - cpu0) / 1e9 / wall);
  }

  /** This process's CPU time in nanoseconds, −1 if the platform cannot tell. */
  private static long cpuNanos() {
    return ProcessHandle.current().info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(-1L);
  }
}
