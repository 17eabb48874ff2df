package io.github.spectral4j.trainer.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.spectral4j.core.Parametrization;
import io.github.spectral4j.trainer.DivergenceException;
import io.github.spectral4j.trainer.GptTraining;
import io.github.spectral4j.trainer.GptTrainingConfig;
import io.github.spectral4j.trainer.MemoryBudget;
import io.github.spectral4j.trainer.UpdateMode;
import io.github.spectral4j.trainer.nn.GptConfig;
import io.github.spectral4j.trainer.optim.OptimizerKind;
import io.github.spectral4j.trainer.text.TextCorpus;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Learning-rate transfer on the character-level {@link io.github.spectral4j.trainer.nn.Gpt} (μTransfer,
 * Tensor Programs V; Condition 1 of arXiv 2310.17813): for every (parametrization, width, AdamW learning
 * rate η) a GPT with every rule transferred from the base width is trained for {@code steps} steps from
 * the same seed on the same batches of the Brown corpus, and scored by its held-out loss in bits per
 * character over {@code evalWindows} evenly spaced held-out windows (the same windows for every cell;
 * a diverged run scores {@code +∞}). If a parametrization transfers, its best η does not move with width.
 * Cells run in parallel, each on one thread; each is seeded on its own, so the scores do not depend on
 * the number of threads or on how the grid is sliced ({@link #runShard}, {@link #merge}).
 */
public final class GptLrSweep {
  /** Default learning rates: 2⁻¹² … 2⁻⁵, ×2 apart (issue 10). */
  public static final int LR_FROM = -12;
  /** See {@link #LR_FROM}. */
  public static final int LR_TO = -5;

  private GptLrSweep() {}

  /**
   * What to run. Widths and learning rates are sorted ascending.
   *
   * @param parametrizations at least one, no repeats
   * @param widths at least one, each a positive multiple of {@code heads}, no repeats
   * @param lrs AdamW base learning rates, at least one, finite and &gt; 0, no repeats
   * @param steps training steps ≥ 1
   * @param baseWidth width every rule is transferred from, a positive multiple of {@code heads}
   * @param batch sequences per batch ≥ 1
   * @param seed seed of initialisation and batch order, the same for every cell
   * @param evalWindows held-out windows the score averages over, ≥ 1
   * @param threads cells trained at once, ≥ 1
   * @param blocks transformer blocks ≥ 1
   * @param heads attention heads ≥ 1
   * @param context tokens per sequence ≥ 1
   */
  public record Options(
      List<Parametrization> parametrizations,
      int[] widths,
      double[] lrs,
      int steps,
      int baseWidth,
      int batch,
      long seed,
      int evalWindows,
      int threads,
      int blocks,
      int heads,
      int context) {
    /** Validates; throws {@link IllegalArgumentException} naming the offending value. */
    public Options {
      Objects.requireNonNull(parametrizations, "parametrizations");
      Objects.requireNonNull(widths, "widths");
      Objects.requireNonNull(lrs, "lrs");
      parametrizations = CoordCheck.checkParametrizations(parametrizations);
      widths = CoordCheck.checkWidths(widths);
      CoordCheck.checkHeads(widths, heads);
      if (baseWidth < 1 || baseWidth % heads != 0) {
        throw new IllegalArgumentException("--base-width " + baseWidth + " must be a positive multiple of the "
            + heads + " heads");
      }
      lrs = CoordCheck.checkLearningRates(lrs);
      CoordCheck.positive("--steps", steps);
      CoordCheck.positive("--batch", batch);
      CoordCheck.positive("--eval-windows", evalWindows);
      CoordCheck.positive("--threads", threads);
      CoordCheck.positive("--blocks", blocks);
      CoordCheck.positive("--context", context);
    }

    @Override
    public int[] widths() {
      return widths.clone();
    }

    @Override
    public double[] lrs() {
      return lrs.clone();
    }

    /** The number of cells of the grid. */
    public int cells() {
      return parametrizations.size() * widths.length * lrs.length;
    }

    /** The run of one cell. */
    GptTrainingConfig config(Parametrization p, int width, double lr) {
      GptConfig model = new GptConfig(width, blocks, heads, context, TextCorpus.VOCABULARY, p,
          OptimizerKind.ADAM.rules(), baseWidth);
      return new GptTrainingConfig(model, OptimizerKind.ADAM, lr, lr, batch, seed, 0, 0, UpdateMode.EXACT);
    }
  }

  /** The default grid: 2⁻¹² … 2⁻⁵. */
  public static double[] defaultLrs() {
    double[] lrs = new double[LR_TO - LR_FROM + 1];
    for (int i = 0; i < lrs.length; i++) {
      lrs[i] = Math.scalb(1.0, LR_FROM + i);
    }
    return lrs;
  }

  /**
   * Checks, before anything is trained, that the corpus holds {@code evalWindows} held-out windows and
   * that {@code threads} cells of the widest model fit in memory at once.
   *
   * @throws IllegalArgumentException naming the value
   */
  public static void check(Options o, TextCorpus corpus) {
    int all = corpus.heldOut().windows(o.context());
    if (o.evalWindows() > all) {
      throw new IllegalArgumentException("--eval-windows " + o.evalWindows() + ": the held-out text of "
          + corpus.name() + " holds only " + all + " windows of " + o.context() + " tokens");
    }
    int[] widths = o.widths();
    int widest = widths[widths.length - 1];
    int concurrent = Math.min(o.threads(), o.cells());
    long one = GptTraining.estimatedBytes(o.config(o.parametrizations().get(0), widest, o.lrs()[0]));
    long all2 = one > Long.MAX_VALUE / concurrent ? Long.MAX_VALUE : one * concurrent;
    MemoryBudget.require("lr-sweep --model gpt: " + concurrent + " GPT" + (concurrent == 1 ? "" : "s")
        + " of width " + widest + " at once", all2);
  }

  /** Trains the whole grid on {@code corpus}, reporting progress. */
  public static GptLrSweepReport run(Options o, TextCorpus corpus, Progress progress) {
    return runShard(o, corpus, progress, 1, 1).report();
  }

  /**
   * Trains slice {@code k/n} of the grid: the cells whose index {@code (p·W + w)·L + l} is {@code k − 1}
   * modulo {@code n} (the MLP sweep's slicing), largest first, {@code o.threads()} at a time.
   *
   * @throws IllegalArgumentException naming {@code k/n} if it is out of range
   */
  public static Slice runShard(Options o, TextCorpus corpus, Progress progress, int k, int n) {
    LrSweepShard.checkShard(k, n, o.cells());
    check(o, corpus);
    LrSweepSlices.Slice run = LrSweepSlices.run(o.parametrizations(), o.widths(), o.lrs(), k, n, o.threads(),
        "lr-sweep-gpt", progress, width -> work(o, width),
        (p, width, lr) -> score(o.config(p, width, lr), o, corpus));
    return new Slice(o, corpus.name(), run.threads(), k, n, run.loss(), progress.elapsedSeconds());
  }

  /** Rough floating-point cost of one cell: 12·n² weights per block, 6 flops per weight per trained token, 2 per evaluated one. */
  private static double work(Options o, int width) {
    double weights = 12.0 * width * width * o.blocks() + 2.0 * TextCorpus.VOCABULARY * width;
    return weights * (6.0 * o.batch() * o.steps() + 2.0 * o.evalWindows()) * o.context();
  }

  /** Held-out bits per character after training, {@code +∞} if training diverged. */
  static double score(GptTrainingConfig config, Options o, TextCorpus corpus) {
    GptTraining run = new GptTraining(config, corpus);
    try {
      for (int t = 0; t < o.steps(); t++) {
        if (!Double.isFinite(run.step())) {
          return Double.POSITIVE_INFINITY;
        }
      }
    } catch (DivergenceException e) {
      return Double.POSITIVE_INFINITY;
    }
    double bits = GptTraining.bitsPerCharacter(run.heldOutLoss(o.evalWindows()));
    return Double.isFinite(bits) ? bits : Double.POSITIVE_INFINITY;
  }

  /**
   * One slice {@code k/n} of a GPT sweep, written as {@code lr-sweep.shard-K-of-N.json} — the MLP
   * sweep's slice file with {@code "model": "gpt"}, the GPT's shape and {@code "evalWindows"} in place
   * of the MLP's {@code "inputDim"}, {@code "scoreSteps"} and {@code "bias"}; {@link #merge} joins the
   * slices into the unsharded run's report, byte for byte.
   */
  public static final class Slice {
    private final Options options;
    private final String dataset;
    private final int threads;
    private final int k;
    private final int n;
    private final double[][][] loss;
    private final double seconds;

    Slice(Options options, String dataset, int threads, int k, int n, double[][][] loss, double seconds) {
      this.options = options;
      this.dataset = dataset;
      this.threads = threads;
      this.k = k;
      this.n = n;
      this.loss = loss;
      this.seconds = seconds;
    }

    /** {@code lr-sweep.shard-K-of-N.json}. */
    public String fileName() {
      return LrSweepShard.fileName(k, n);
    }

    /** Cells trained in this slice. */
    public int cells() {
      return LrSweepShard.cells(loss);
    }

    GptLrSweepReport report() {
      if (n != 1) {
        throw new IllegalStateException("slice " + k + "/" + n + " is not a whole sweep: merge the slices");
      }
      return GptLrSweepReport.of(setup(options, dataset, threads), options.parametrizations(), options.widths(),
          options.lrs(), loss, seconds);
    }

    ObjectNode json() {
      ObjectNode root = new ObjectMapper().createObjectNode();
      root.put("shard", k + "/" + n);
      root.put("model", "gpt");
      root.put("dataset", dataset);
      root.put("optimizer", "adam");
      root.put("steps", options.steps());
      root.put("batch", options.batch());
      root.put("seed", options.seed());
      root.put("baseWidth", options.baseWidth());
      root.put("evalWindows", options.evalWindows());
      root.put("blocks", options.blocks());
      root.put("heads", options.heads());
      root.put("context", options.context());
      ArrayNode ps = root.putArray("parametrizations");
      options.parametrizations().forEach(p -> ps.add(p.id()));
      ArrayNode ws = root.putArray("widths");
      Arrays.stream(options.widths()).forEach(ws::add);
      ArrayNode ls = root.putArray("lrs");
      Arrays.stream(options.lrs()).forEach(ls::add);
      root.put("threads", threads);
      root.put("seconds", seconds);
      ArrayNode cells = root.putArray("cells");
      int[] widths = options.widths();
      double[] lrs = options.lrs();
      for (int p = 0; p < loss.length; p++) {
        for (int w = 0; w < widths.length; w++) {
          for (int l = 0; l < lrs.length; l++) {
            double v = loss[p][w][l];
            if (!Double.isNaN(v)) {
              ObjectNode c = cells.addObject();
              c.put("parametrization", options.parametrizations().get(p).id());
              c.put("width", widths[w]);
              c.put("lr", lrs[l]);
              ReportFiles.putFinite(c, "loss", v);
            }
          }
        }
      }
      return root;
    }

    /** Writes {@code lr-sweep.shard-K-of-N.json} into {@code dir} (created if missing), atomically. */
    public void write(Path dir) {
      ReportFiles.write(dir, new TreeMap<>(Map.of(fileName(), ReportFiles.json(json()))));
    }
  }

  private static GptLrSweepReport.Setup setup(Options o, String dataset, int threads) {
    return new GptLrSweepReport.Setup(dataset, o.steps(), o.batch(), o.seed(), o.baseWidth(), o.evalWindows(),
        o.blocks(), o.heads(), o.context(), threads);
  }

  /**
   * Whether the first slice file in {@code dirs} is a GPT sweep's ({@code "model": "gpt"}); false if
   * there is none (the MLP merge then says so).
   */
  public static boolean holdsGptSlices(List<Path> dirs) {
    List<Path> files = LrSweepSlices.files(dirs);
    return !files.isEmpty() && "gpt".equals(LrSweepSlices.read(files.get(0), SLICE).path("model").asText());
  }

  private static final String SLICE = "a GPT lr-sweep slice";

  private static final List<String> SAME = List.of("model", "dataset", "optimizer", "steps", "batch", "seed",
      "baseWidth", "evalWindows", "blocks", "heads", "context", "parametrizations", "widths", "lrs");

  /**
   * Joins the GPT slices in {@code dirs} into the report of the unsharded sweep.
   *
   * @throws IllegalArgumentException naming the file if a slice is missing, repeated, unreadable, or
   *     from another sweep
   */
  public static GptLrSweepReport merge(List<Path> dirs) {
    LrSweepSlices.Grid g = LrSweepSlices.merge(dirs, SLICE, SAME, SAME);
    JsonNode first = g.first();
    Options o = new Options(g.parametrizations(), g.widths(), g.lrs(), first.get("steps").asInt(),
        first.get("baseWidth").asInt(), first.get("batch").asInt(), first.get("seed").asLong(),
        first.get("evalWindows").asInt(), 1, first.get("blocks").asInt(), first.get("heads").asInt(),
        first.get("context").asInt());
    return GptLrSweepReport.of(setup(o, first.get("dataset").asText(), g.threads()), o.parametrizations(),
        o.widths(), o.lrs(), g.loss(), g.seconds());
  }
}
