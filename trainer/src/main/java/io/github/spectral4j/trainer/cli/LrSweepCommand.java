package io.github.spectral4j.trainer.cli;

import io.github.spectral4j.core.Optimizer;
import io.github.spectral4j.core.Parametrization;
import io.github.spectral4j.trainer.Dataset;
import io.github.spectral4j.trainer.MemoryBudget;
import io.github.spectral4j.trainer.experiment.LrSweep;
import io.github.spectral4j.trainer.experiment.LrSweepReport;
import io.github.spectral4j.trainer.experiment.LrSweepShard;
import io.github.spectral4j.trainer.experiment.OutputDirectory;
import io.github.spectral4j.trainer.experiment.Progress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code spectral4j lr-sweep}: see {@link LrSweep}. Exit 0 when every transfer verdict passes, 1 otherwise. */
@Command(
    name = "lr-sweep",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Train an MLP d-n-n-n-10 (ReLU; biases with --bias) for every (parametrization, width, learning rate), with width transfer from --base-width, and score each run by its mean training loss over the last --score-steps steps (diverged = +inf). If a parametrization transfers, its best learning rate stays put as the width grows.",
      "Write DIR/lr-sweep.json (a diverged run has \"loss\": null, \"diverged\": true) and DIR/lr-sweep.png; print the loss grid, the optimum per width and how far it moves. Exit status: 0 all verdicts pass (spectral/mup move at most one grid step, standard at least ×4), 1 a verdict fails, 2 bad input."
    })
final class LrSweepCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--widths", split = ",", paramLabel = "N,N,…", hideParamSyntax = true, defaultValue = "256,512,1024,2048",
      description = "Hidden widths (default: ${DEFAULT-VALUE}).")
  int[] widths;

  @Option(names = "--lrs", split = ",", paramLabel = "X,X,…", hideParamSyntax = true,
      description = "Base learning rates (default: powers of two ×2 apart: 2^-14 … 2^-4 for adam, 2^-8 … 2^2 for sgd, 2^-10 … 2^0 for normalized).")
  double[] lrs;

  @Option(names = "--optimizer", paramLabel = "NAME", defaultValue = "adam", description = "adam, sgd or normalized (default: ${DEFAULT-VALUE}).")
  String optimizer;

  @Option(names = "--steps", paramLabel = "T", defaultValue = "300", description = "Training steps (default: ${DEFAULT-VALUE}).")
  int steps;

  @Option(names = "--score-steps", paramLabel = "K", defaultValue = "50",
      description = "Score = mean training loss of the last K steps (default: ${DEFAULT-VALUE}).")
  int scoreSteps;

  @Option(names = "--base-width", paramLabel = "N", defaultValue = "256",
      description = "Width of the base model the hyperparameters transfer from (default: ${DEFAULT-VALUE}).")
  int baseWidth;

  @Option(names = "--parametrizations", split = ",", paramLabel = "NAME,…", hideParamSyntax = true, defaultValue = "standard,spectral",
      description = "Any of standard, ntk, mup, spectral (default: ${DEFAULT-VALUE}).")
  List<String> parametrizations;

  @Option(names = "--batch", paramLabel = "B", defaultValue = "128", description = "Batch size (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "Seed of initialisation and batch order (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--threads", paramLabel = "N",
      description = "Grid cells trained at once, each on one thread (default: the available processors).")
  Integer threads;

  @Option(names = "--out", paramLabel = "DIR", defaultValue = "results",
      description = "Directory for the reports, created if missing (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--bias", description = "Give every layer a bias (zero-initialised).")
  boolean bias;

  @Option(names = "--shard", paramLabel = "K/N",
      description = "Train only slice K of N of the grid (cells whose index is K-1 modulo N) and write DIR/lr-sweep.shard-K-of-N.json, e.g. one slice per task of a Slurm array, each with its own --out; then join the slices with --merge.")
  String shard;

  @Option(names = "--merge", arity = "1..*", paramLabel = "DIR",
      description = "Train nothing: join the slices written by --shard (every lr-sweep.shard-K-of-N.json in the DIRs) into DIR/lr-sweep.json and .png, the same report an unsharded run writes. Only --out may be given with it.")
  List<Path> merge;

  @Mixin CoordCheckCommand.DataOptions data = new CoordCheckCommand.DataOptions();

  @Option(names = "--model", paramLabel = "NAME", defaultValue = "mlp",
      description = "mlp, or gpt: the character-level GPT on the Brown corpus, scored by held-out bits per character (adam; defaults: widths 64,128,256,512, base width 64, lrs 2^-12 … 2^-5, parametrizations standard,mup,spectral, batch 16 sequences of 64 tokens, " + GptLrSweepRun.DEFAULT_STEPS + " steps).")
  String model;

  @Option(names = "--eval-windows", paramLabel = "N",
      description = "GPT: held-out windows of 64 characters each score averages over, the same for every cell (default: " + GptLrSweepRun.DEFAULT_EVAL_WINDOWS + ").")
  Integer evalWindows;

  @Override
  public Integer call() {
    if (merge != null) {
      return merge();
    }
    if (GptLrSweepRun.selected(model)) {
      return new GptLrSweepRun(this).call();
    }
    if (evalWindows != null) {
      throw new IllegalArgumentException("--eval-windows needs --model gpt");
    }
    List<Parametrization> ps = parametrizations.stream().map(Parametrization::parse).toList();
    Optimizer opt = Optimizer.parse(optimizer);
    LrSweep.Options options = new LrSweep.Options(
        ps, widths, lrs == null ? LrSweep.defaultLrs(opt) : lrs, opt, steps, baseWidth, batch, seed, scoreSteps,
        threads == null ? Runtime.getRuntime().availableProcessors() : threads, bias);
    int[] kn = shard == null ? null : LrSweepShard.parse(shard, options); // before any data is read
    Path dir = OutputDirectory.check(out);
    Dataset dataset = data.load();
    LrSweep.checkData(options, dataset);
    int widest = java.util.Arrays.stream(widths).max().orElse(1);
    MemoryBudget.requireMlp("lr-sweep at width " + widest,
        new int[] {dataset.inputDim(), widest, widest, widest, dataset.classes()}, opt, batch, options.threads());
    var err = spec.commandLine().getErr();
    var stdout = spec.commandLine().getOut();
    if (kn != null) {
      LrSweepShard slice = LrSweep.runShard(options, dataset, Progress.onStderr(err, "lr-sweep " + shard), kn[0], kn[1]);
      slice.write(dir);
      stdout.println("lr-sweep slice " + shard + ": " + slice.cells() + " cells; wrote " + dir.resolve(slice.fileName())
          + "; when every slice is done: lr-sweep --merge DIR... --out DIR");
      stdout.flush();
      return 0;
    }
    LrSweepReport report = LrSweep.run(options, dataset, Progress.onStderr(err, "lr-sweep"));
    stdout.print(report.table()); // the result, printed whether or not the files can be written
    stdout.flush();
    report.write(dir);
    stdout.println("wrote " + dir.resolve("lr-sweep.json") + ", " + dir.resolve("lr-sweep.png"));
    stdout.flush();
    return report.allPass() ? 0 : 1;
  }

  /** {@code --merge}: joins the slices into the report; refuses any option that would describe a grid. */
  private int merge() {
    for (CommandLine.Model.OptionSpec o : spec.commandLine().getParseResult().matchedOptions()) {
      if (!o.longestName().equals("--merge") && !o.longestName().equals("--out")) {
        throw new IllegalArgumentException(o.longestName() + " cannot be combined with --merge: the slices define the sweep");
      }
    }
    if (io.github.spectral4j.trainer.experiment.GptLrSweep.holdsGptSlices(merge)) {
      return GptLrSweepRun.merge(this);
    }
    Path dir = OutputDirectory.check(out);
    LrSweepReport report = LrSweepShard.merge(merge);
    var stdout = spec.commandLine().getOut();
    stdout.print(report.table());
    stdout.flush();
    report.write(dir);
    stdout.println("wrote " + dir.resolve("lr-sweep.json") + ", " + dir.resolve("lr-sweep.png"));
    stdout.flush();
    return report.allPass() ? 0 : 1;
  }
}
