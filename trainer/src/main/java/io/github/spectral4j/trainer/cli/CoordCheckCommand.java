package io.github.spectral4j.trainer.cli;

import io.github.spectral4j.core.Optimizer;
import io.github.spectral4j.core.Parametrization;
import io.github.spectral4j.trainer.Dataset;
import io.github.spectral4j.trainer.MemoryBudget;
import io.github.spectral4j.trainer.experiment.CoordCheck;
import io.github.spectral4j.trainer.experiment.CoordCheckReport;
import io.github.spectral4j.trainer.experiment.OutputDirectory;
import io.github.spectral4j.trainer.experiment.Progress;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code spectral4j coord-check}: see {@link CoordCheck}. Exit 0 when every verdict passes, 1 otherwise. */
@Command(
    name = "coord-check",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Train an MLP d-n-n-n-10 (ReLU; biases with --bias) at several widths n under each parametrization, from the same seed and on the same batches, and measure per layer how much its features move (RMS Δh on a fixed probe batch) and the spectral norms of W₀ and W_T − W₀.",
      "Feature learning at every width means RMS Δh independent of n: a fitted slope near 0 on a log-log plot. Each layer's slope is compared with the paper's prediction for its parametrization, role and optimizer (core's Predictions); a layer no prediction can judge is reported as such, and a parametrization with no judged layer gets n/a.",
      "Write DIR/coord-check.json, .csv and .png; print the slopes and a verdict per parametrization (README, section \"Reading the output\"). Exit status: 0 no verdict fails, 1 a verdict fails, 2 bad input."
    })
final class CoordCheckCommand implements Callable<Integer> {
  /**
   * The default base learning rate η of SGD and normalized updates, chosen so that no parametrization
   * diverges at width 4096 and every prediction holds on MNIST.
   */
  static final double DEFAULT_LR = 0.1;

  /**
   * The default η of Adam, 2⁻¹⁶: the predictions are those of small steps, and Adam's sign-like step
   * moves a standard-parametrized hidden feature by about {@code η·n} per step. Measured on MNIST
   * (widths 1024–4096, one seed): at η = 0.1 or 10⁻³ the standard model's features leave the linear
   * regime within ten steps and its slopes measure saturation (hidden −0.5 to −0.85 where +1 is predicted); at 10⁻⁴ the input layer
   * drifts to −0.09 against a predicted 0 (tolerance 0.10); at 10⁻⁵ every prediction holds with margin
   * (standard −0.01, +0.76, +0.82, +1.25; ntk −0.01, +0.33, +0.38, +0.86; spectral and μP within ±0.03).
   * Spectral's smallest feature update is then still far above float rounding.
   */
  static final double DEFAULT_ADAM_LR = 0x1p-16;

  @Spec CommandSpec spec;

  @Option(names = "--widths", split = ",", paramLabel = "N,N,…", hideParamSyntax = true,
      defaultValue = "128,256,512,1024,2048,4096",
      description = "Hidden widths (default: ${DEFAULT-VALUE}); slopes are fitted over those >= the input dimension.")
  int[] widths;

  @Option(names = "--parametrizations", split = ",", paramLabel = "NAME,…", hideParamSyntax = true,
      defaultValue = "standard,ntk,mup,spectral",
      description = "Any of standard, ntk, mup, spectral (default: ${DEFAULT-VALUE}).")
  List<String> parametrizations;

  @Option(names = "--optimizer", paramLabel = "NAME", defaultValue = "sgd", description = "sgd, adam or normalized (default: ${DEFAULT-VALUE}).")
  String optimizer;

  @Option(names = "--lr", paramLabel = "X",
      description = "Base learning rate η before the per-layer multipliers (default: 0.1 for sgd and normalized, 2^-16 for adam, whose sign-like steps leave the small-step regime the predictions are about at larger η).")
  Double lr;

  @Option(names = "--steps", paramLabel = "T", defaultValue = "10", description = "Training steps (default: ${DEFAULT-VALUE}).")
  int steps;

  @Option(names = "--batch", paramLabel = "B", defaultValue = "128", description = "Batch size (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "Seed of initialisation and batch order (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--repeats", paramLabel = "R", defaultValue = "2",
      description = "Average (geometric mean) over seeds S … S+R-1 (default: ${DEFAULT-VALUE}).")
  int repeats;

  @Option(names = "--probe", paramLabel = "N", defaultValue = "256", hidden = true,
      description = "Size of the probe batch, taken from the end of the dataset (default: ${DEFAULT-VALUE}).")
  int probe;

  @Option(names = "--out", paramLabel = "DIR", defaultValue = "results",
      description = "Directory for the reports, created if missing (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--bias", description = "Give every layer a bias (zero-initialised; its update counts in Δh).")
  boolean bias;

  @Mixin DataOptions data = new DataOptions();

  @Option(names = "--model", paramLabel = "NAME", defaultValue = "mlp",
      description = "mlp, or gpt: the character-level GPT on the Brown corpus (Adam; defaults: widths 64,128,256,512,1024, parametrizations standard,mup,spectral, lr 2^-8, batch 16 sequences of 64 tokens, one seed; series per module output: embedding, each block, logits).")
  String model;

  @Option(names = "--base-width", paramLabel = "N", defaultValue = "64",
      description = "GPT only: width every rule is transferred from (default: ${DEFAULT-VALUE}).")
  int baseWidth;

  @Override
  public Integer call() {
    if (model.equalsIgnoreCase("gpt")) {
      return gpt();
    }
    if (!model.equalsIgnoreCase("mlp")) {
      throw new IllegalArgumentException("--model " + model + ": expected mlp or gpt");
    }
    List<Parametrization> ps = parametrizations.stream().map(Parametrization::parse).toList();
    Optimizer opt = Optimizer.parse(optimizer);
    double rate = lr != null ? lr : opt == Optimizer.ADAM ? DEFAULT_ADAM_LR : DEFAULT_LR;
    CoordCheck.Options options = new CoordCheck.Options(ps, widths, opt, rate, steps, batch, seed, repeats, probe, bias);
    Path dir = OutputDirectory.check(out);
    Dataset dataset = data.load();
    CoordCheck.checkData(options, dataset);
    int widest = java.util.Arrays.stream(widths).max().orElse(1);
    MemoryBudget.requireMlp("coord-check at width " + widest,
        new int[] {dataset.inputDim(), widest, widest, widest, dataset.classes()}, options.optimizer(), batch, 1);
    var err = spec.commandLine().getErr();
    var stdout = spec.commandLine().getOut();
    long start = System.nanoTime();
    CoordCheckReport report = CoordCheck.run(options, dataset, Progress.onStderr(err, "coord-check"));
    stdout.print(report.table()); // the result, printed whether or not the files can be written
    stdout.flush();
    report.write(dir);
    stdout.println(String.format(Locale.ROOT, "%ncoord-check took %.1f s; wrote %s, %s, %s",
        (System.nanoTime() - start) / 1e9, dir.resolve("coord-check.json"), dir.resolve("coord-check.csv"),
        dir.resolve("coord-check.png")));
    stdout.flush();
    return report.allPass() ? 0 : 1;
  }

  /** The GPT's defaults, applied to the options not given on the command line. */
  static final String GPT_WIDTHS = "64,128,256,512,1024";
  static final List<String> GPT_PARAMETRIZATIONS = List.of("standard", "mup", "spectral");
  /** Adam's η for the GPT coord check (issue 10): 2⁻⁸. */
  static final double GPT_LR = 0x1p-8;
  static final int GPT_BATCH = 16;
  static final int GPT_PROBE = 16;

  private Integer gpt() {
    var parsed = spec.commandLine().getParseResult();
    for (String mlpOnly : new String[] {"--images", "--labels", "--limit", "--repeats", "--probe"}) {
      if (parsed.hasMatchedOption(mlpOnly)) {
        throw new IllegalArgumentException(mlpOnly + " is for --model mlp; the GPT trains on the bundled Brown corpus");
      }
    }
    if (Optimizer.parse(optimizer) != Optimizer.ADAM && parsed.hasMatchedOption("--optimizer")) {
      throw new IllegalArgumentException("--optimizer " + optimizer + ": the GPT coord check runs Adam(W)");
    }
    int[] w = parsed.hasMatchedOption("--widths") ? widths
        : java.util.Arrays.stream(GPT_WIDTHS.split(",")).mapToInt(Integer::parseInt).toArray();
    List<Parametrization> ps = (parsed.hasMatchedOption("--parametrizations") ? parametrizations : GPT_PARAMETRIZATIONS)
        .stream().map(Parametrization::parse).toList();
    int b = parsed.hasMatchedOption("--batch") ? batch : GPT_BATCH;
    double rate = lr != null ? lr : GPT_LR;
    io.github.spectral4j.trainer.experiment.GptCoordCheck.Options options =
        new io.github.spectral4j.trainer.experiment.GptCoordCheck.Options(ps, w, baseWidth, rate, steps, b, seed,
            GPT_PROBE, io.github.spectral4j.trainer.nn.GptConfig.BLOCKS, io.github.spectral4j.trainer.nn.GptConfig.HEADS,
            io.github.spectral4j.trainer.nn.GptConfig.CONTEXT);
    Path dir = OutputDirectory.check(out);
    var err = spec.commandLine().getErr();
    var stdout = spec.commandLine().getOut();
    long start = System.nanoTime();
    CoordCheckReport report = io.github.spectral4j.trainer.experiment.GptCoordCheck.run(options,
        io.github.spectral4j.trainer.text.TextCorpus.brown(), Progress.onStderr(err, "coord-check"));
    stdout.print(report.table());
    stdout.flush();
    report.write(dir);
    stdout.println(String.format(Locale.ROOT, "%ncoord-check took %.1f s; wrote %s, %s, %s",
        (System.nanoTime() - start) / 1e9, dir.resolve("coord-check.json"), dir.resolve("coord-check.csv"),
        dir.resolve("coord-check.png")));
    stdout.flush();
    return report.allPass() ? 0 : 1;
  }

  /** Which dataset an experiment trains on: the bundled MNIST-10k, or an IDX pair; optionally a prefix. */
  static final class DataOptions {
    @Option(names = "--images", paramLabel = "FILE", description = "IDX image file (plain or .gz); needs --labels. Default: the bundled MNIST-10k.")
    Path images;

    @Option(names = "--labels", paramLabel = "FILE", description = "IDX label file (plain or .gz); needs --images.")
    Path labels;

    @Option(names = "--limit", paramLabel = "N", hidden = true, description = "Use only the first N examples (for quick checks).")
    Integer limit;

    /** Loads the dataset; IllegalArgumentException / UncheckedIOException naming the file on bad input. */
    Dataset load() {
      if ((images == null) != (labels == null)) {
        throw new IllegalArgumentException(images == null
            ? "--labels " + labels + " needs --images as well"
            : "--images " + images + " needs --labels as well");
      }
      if (limit != null && limit < 1) {
        throw new IllegalArgumentException("--limit must be >= 1, got " + limit);
      }
      Dataset data = images == null ? Dataset.mnist10k() : Dataset.idx(images, labels);
      if (limit != null && limit < data.size()) {
        data = data.subset(0, limit);
      }
      return data;
    }
  }
}
