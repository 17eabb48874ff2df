package io.github.spectral4j.trainer.experiment;

import io.github.spectral4j.core.Optimizer;
import io.github.spectral4j.core.Parametrization;
import io.github.spectral4j.trainer.Dataset;
import io.github.spectral4j.trainer.DivergenceException;
import io.github.spectral4j.trainer.Training;
import io.github.spectral4j.trainer.TrainingConfig;
import java.util.List;
import java.util.Objects;

/**
 * Learning-rate transfer (μTransfer, Tensor Programs V; Condition 1 of arXiv 2310.17813): trains the
 * MLP {@code d₀-n-n-n-C} (ReLU; biases if {@code bias}) for every (parametrization, width, learning rate) with width
 * transfer from a base width (so that at the base width every parametrization is the same model), and
 * scores each run by its mean training loss over the last {@code scoreSteps} steps; a diverged run
 * scores {@code +∞}. If the parametrization transfers, the best learning rate does not move with
 * width. Grid cells run in parallel, each single-threaded; every cell is seeded, so the result does not
 * depend on the number of threads.
 */
public final class LrSweep {
  private LrSweep() {}

  /**
   * What to run.
   *
   * @param parametrizations at least one, no repeats
   * @param widths at least one, each ≥ 1, no repeats (sorted ascending)
   * @param lrs base learning rates, at least one, finite and &gt; 0, no repeats (sorted ascending)
   * @param optimizer the update rule
   * @param steps training steps ≥ 1
   * @param baseWidth width of the base model whose hyperparameters transfer, ≥ 1
   * @param batch batch size ≥ 1
   * @param seed seed of initialisation and batch order (the same for every cell)
   * @param scoreSteps the score averages the last {@code scoreSteps} losses, 1 ≤ scoreSteps ≤ steps
   * @param threads grid cells trained at once, ≥ 1
   * @param bias whether every layer has a bias
   */
  public record Options(
      List<Parametrization> parametrizations,
      int[] widths,
      double[] lrs,
      Optimizer optimizer,
      int steps,
      int baseWidth,
      int batch,
      long seed,
      int scoreSteps,
      int threads,
      boolean bias) {
    /** Validates; throws {@link IllegalArgumentException} naming the offending value. */
    public Options {
      Objects.requireNonNull(parametrizations, "parametrizations");
      Objects.requireNonNull(lrs, "lrs");
      Objects.requireNonNull(optimizer, "optimizer");
      parametrizations = CoordCheck.checkParametrizations(parametrizations);
      widths = CoordCheck.checkWidths(widths);
      lrs = CoordCheck.checkLearningRates(lrs);
      CoordCheck.positive("--steps", steps);
      CoordCheck.positive("--base-width", baseWidth);
      CoordCheck.positive("--batch", batch);
      CoordCheck.positive("--threads", threads);
      if (scoreSteps < 1 || scoreSteps > steps) {
        throw new IllegalArgumentException(
            "--score-steps must be in [1, --steps " + steps + "], got " + scoreSteps);
      }
    }

    /** Options without biases. */
    public Options(List<Parametrization> parametrizations, int[] widths, double[] lrs, Optimizer optimizer,
        int steps, int baseWidth, int batch, long seed, int scoreSteps, int threads) {
      this(parametrizations, widths, lrs, optimizer, steps, baseWidth, batch, seed, scoreSteps, threads, false);
    }

    @Override
    public int[] widths() {
      return widths.clone();
    }

    @Override
    public double[] lrs() {
      return lrs.clone();
    }
  }

  /** The default grid for an optimizer: powers of two, ×2 apart, around its usual learning rates. */
  public static double[] defaultLrs(Optimizer optimizer) {
    int from;
    int to;
    switch (optimizer) {
      case ADAM -> {
        from = -14;
        to = -4;
      }
      case SGD -> {
        from = -8;
        to = 2;
      }
      default -> {
        from = -10;
        to = 0;
      }
    }
    double[] lrs = new double[to - from + 1];
    for (int i = 0; i < lrs.length; i++) {
      lrs[i] = Math.scalb(1.0, from + i);
    }
    return lrs;
  }

  /**
   * Checks that {@code data} has at least one batch. Call before training.
   *
   * @throws IllegalArgumentException naming the sizes
   */
  public static void checkData(Options options, Dataset data) {
    if (data.size() < options.batch()) {
      throw new IllegalArgumentException("dataset " + data.name() + " has " + data.size()
          + " examples, fewer than --batch " + options.batch());
    }
  }

  /** Trains the whole grid on {@code data}, reporting progress. */
  public static LrSweepReport run(Options options, Dataset data, Progress progress) {
    LrSweepShard all = runShard(options, data, progress, 1, 1);
    return all.report();
  }

  /**
   * Trains one slice of the grid: the cells whose index {@code (p·W + w)·L + l} (parametrization,
   * width, learning rate in the options' order) is {@code k − 1} modulo {@code n}, so that each slice gets
   * cells of every size. Every cell is seeded on its own, so a merged set of slices holds exactly the
   * losses of an unsharded run.
   *
   * @param k the slice, 1 ≤ k ≤ n
   * @param n the number of slices, at most the number of cells
   * @throws IllegalArgumentException naming {@code k/n} if it is out of range
   */
  public static LrSweepShard runShard(Options options, Dataset data, Progress progress, int k, int n) {
    checkData(options, data);
    List<Parametrization> ps = options.parametrizations();
    int[] widths = options.widths();
    double[] lrs = options.lrs();
    int cellCount = ps.size() * widths.length * lrs.length;
    LrSweepShard.checkShard(k, n, cellCount);
    LrSweepSlices.Slice run = LrSweepSlices.run(ps, widths, lrs, k, n, options.threads(), "lr-sweep", progress,
        width -> cost(CoordCheck.dims(data.inputDim(), width, data.classes()), options),
        (p, width, lr) -> score(p, width, lr, options, data));
    return new LrSweepShard(options, data.name(), data.inputDim(), run.threads(), k, n, run.loss(),
        progress.elapsedSeconds());
  }

  private static double cost(int[] dims, Options o) {
    double params = 0;
    for (int i = 1; i < dims.length; i++) {
      params += (double) dims[i - 1] * dims[i];
    }
    return params * (6.0 * o.batch() + 20) * o.steps();
  }

  /** Mean training loss over the last {@code scoreSteps} steps, {@code +∞} if training diverged. */
  static double score(Parametrization p, int width, double lr, Options o, Dataset data) {
    int[] dims = CoordCheck.dims(data.inputDim(), width, data.classes());
    TrainingConfig config = TrainingConfig.defaults(dims)
        .withBias(o.bias())
        .withParametrization(p)
        .withOptimizer(o.optimizer())
        .withLearningRate(lr)
        .withBatchSize(o.batch())
        .withSeed(o.seed())
        .withBaseDims(CoordCheck.dims(data.inputDim(), o.baseWidth(), data.classes()));
    Training training = new Training(config, data);
    double sum = 0;
    try {
      for (int t = 1; t <= o.steps(); t++) {
        double loss = training.step();
        if (!Double.isFinite(loss)) {
          return Double.POSITIVE_INFINITY;
        }
        if (t > o.steps() - o.scoreSteps()) {
          sum += loss;
        }
      }
    } catch (DivergenceException e) {
      return Double.POSITIVE_INFINITY;
    }
    return sum / o.scoreSteps();
  }
}
