package io.github.spectral4j.trainer.experiment;

import io.github.spectral4j.core.LayerRole;
import io.github.spectral4j.core.LayerRule;
import io.github.spectral4j.core.Optimizer;
import io.github.spectral4j.core.Parametrization;
import io.github.spectral4j.simd.FloatMatrix;
import io.github.spectral4j.trainer.Dataset;
import io.github.spectral4j.trainer.Diagnostics;
import io.github.spectral4j.trainer.DivergenceException;
import io.github.spectral4j.trainer.Measurement;
import io.github.spectral4j.trainer.ParameterStats;
import io.github.spectral4j.trainer.Mlp;
import io.github.spectral4j.trainer.Training;
import io.github.spectral4j.trainer.TrainingConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The coord check of arXiv 2310.17813 (after Tensor Programs V): for each parametrization and width
 * {@code n}, an MLP {@code d₀-n-n-n-C} (ReLU; biases if {@code bias}) is trained for {@code T} steps from the same seed
 * on the same batches, and on a fixed probe batch it measures, per weight layer {@code W_l} with
 * effective matrix {@code m_l·W_l} ({@code m_l} the forward multiplier):
 *
 * <ul>
 *   <li>{@code rms_h}: RMS of the layer's output features at initialisation;
 *   <li>{@code rms_dh}: RMS of {@code h_T − h_0}, the feature change after {@code T} steps;
 *   <li>{@code w_spec_ratio}: {@code ‖W₀‖* / √(fo/fi)}, the initial spectral norm against Condition 1's
 *       target;
 *   <li>{@code dw_spec_ratio}: {@code ‖W_T − W₀‖* / √(fo/fi)};
 *   <li>{@code dw_stable_rank}: {@code ‖W_T − W₀‖_F²/‖W_T − W₀‖*²}.
 * </ul>
 *
 * <p>Feature learning at every width means {@code rms_dh = Θ(1)}: a fitted exponent near 0 against
 * width. With {@code repeats > 1} each value is the geometric mean over seeds {@code seed … seed+repeats−1}.
 * Every quantity is measured by {@link Diagnostics} (the one instrument, whose names these are: {@code rms_h}
 * is the layer output's {@link io.github.spectral4j.trainer.FeatureStats#rmsH()} at step 0, {@code rms_dh} its
 * {@link io.github.spectral4j.trainer.FeatureStats#rmsDh()} at step T, {@code w_spec_ratio} the weight's
 * {@link ParameterStats#wSpecRatio()} at step 0, {@code dw_spec_ratio} and {@code dw_stable_rank} its
 * {@link ParameterStats#dwSpecRatio()} and {@link ParameterStats#dwStableRank()} at step T), with
 * {@link Diagnostics#measureToTolerance(Training)}: spectral norms of W and W − W₀ by cold Lanczos to residuals
 * 1e-2 and 1e-3.
 */
public final class CoordCheck {
  /** Hidden layers of the coord-check MLP: {@code d₀-n-n-n-C}. */
  static final int HIDDEN_LAYERS = 3;

  private CoordCheck() {}

  /**
   * What to run. Widths are sorted ascending.
   *
   * @param parametrizations at least one, no repeats
   * @param widths at least one, each ≥ 1, no repeats
   * @param optimizer the update rule
   * @param lr base learning rate η (per-layer multipliers come from the parametrization), finite, &gt; 0
   * @param steps training steps T ≥ 1
   * @param batch batch size ≥ 1
   * @param seed seed of initialisation and batch order
   * @param repeats seeds averaged (geometric mean), ≥ 1
   * @param probe size of the fixed probe batch ≥ 1 (taken from the end of the dataset, which training
   *     does not use)
   * @param bias whether every layer has a bias (its update is part of {@code h_T − h_0})
   */
  public record Options(
      List<Parametrization> parametrizations,
      int[] widths,
      Optimizer optimizer,
      double lr,
      int steps,
      int batch,
      long seed,
      int repeats,
      int probe,
      boolean bias) {
    /** Validates; throws {@link IllegalArgumentException} naming the offending value. */
    public Options {
      Objects.requireNonNull(parametrizations, "parametrizations");
      Objects.requireNonNull(widths, "widths");
      Objects.requireNonNull(optimizer, "optimizer");
      parametrizations = checkParametrizations(parametrizations);
      widths = checkWidths(widths);
      if (!(lr > 0) || !Double.isFinite(lr)) {
        throw new IllegalArgumentException("--lr must be finite and > 0, got " + lr);
      }
      positive("--steps", steps);
      positive("--batch", batch);
      positive("--repeats", repeats);
      positive("--probe", probe);
    }

    /** Options without biases. */
    public Options(List<Parametrization> parametrizations, int[] widths, Optimizer optimizer, double lr,
        int steps, int batch, long seed, int repeats, int probe) {
      this(parametrizations, widths, optimizer, lr, steps, batch, seed, repeats, probe, false);
    }

    @Override
    public int[] widths() {
      return widths.clone();
    }
  }

  /** Sorted copy of {@code widths}; each ≥ 1, no repeats, at least one. */
  static int[] checkWidths(int[] widths) {
    if (widths.length == 0) {
      throw new IllegalArgumentException("--widths: need at least one width");
    }
    for (int w : widths) {
      if (w < 1) {
        throw new IllegalArgumentException("--widths: width " + w + " must be >= 1");
      }
    }
    int[] sorted = widths.clone();
    Arrays.sort(sorted);
    for (int i = 1; i < sorted.length; i++) {
      if (sorted[i] == sorted[i - 1]) {
        throw new IllegalArgumentException("--widths: width " + sorted[i] + " is given twice");
      }
    }
    return sorted;
  }

  /** Unmodifiable copy of {@code ps}; at least one, no repeats. */
  static List<Parametrization> checkParametrizations(List<Parametrization> ps) {
    if (ps.isEmpty()) {
      throw new IllegalArgumentException("--parametrizations: need at least one");
    }
    if (new HashSet<>(ps).size() != ps.size()) {
      throw new IllegalArgumentException("--parametrizations " + ids(ps) + " repeats a name");
    }
    return List.copyOf(ps);
  }

  /** Sorted copy of {@code lrs}; each finite and &gt; 0, no repeats, at least one. */
  static double[] checkLearningRates(double[] lrs) {
    if (lrs.length == 0) {
      throw new IllegalArgumentException("--lrs: need at least one learning rate");
    }
    for (double lr : lrs) {
      if (!(lr > 0) || !Double.isFinite(lr)) {
        throw new IllegalArgumentException("--lrs: learning rate " + lr + " must be finite and > 0");
      }
    }
    double[] sorted = lrs.clone();
    Arrays.sort(sorted);
    for (int i = 1; i < sorted.length; i++) {
      if (sorted[i] == sorted[i - 1]) {
        throw new IllegalArgumentException("--lrs: learning rate " + sorted[i] + " is given twice");
      }
    }
    return sorted;
  }

  /** Checks that {@code heads} is positive and divides every width (a GPT's heads split its width). */
  static void checkHeads(int[] widths, int heads) {
    positive("--heads", heads);
    for (int w : widths) {
      if (w % heads != 0) {
        throw new IllegalArgumentException("--widths: width " + w + " is not a multiple of --heads " + heads);
      }
    }
  }

  static void positive(String option, long value) {
    if (value < 1) {
      throw new IllegalArgumentException(option + " must be >= 1, got " + value);
    }
  }

  static String ids(List<Parametrization> ps) {
    return String.join(",", ps.stream().map(Parametrization::id).toList());
  }

  /**
   * Checks that {@code data} can serve {@code options}: enough examples for the probe batch and a
   * training batch, and at least two widths at or above the input dimension to fit slopes over (below
   * it the input layer's fan-in is the larger side and the scaling is not the asymptotic one). Call
   * before training so that bad input fails fast.
   *
   * @throws IllegalArgumentException naming the sizes
   */
  public static void checkData(Options options, Dataset data) {
    if (data.size() < options.probe() + options.batch()) {
      throw new IllegalArgumentException("dataset " + data.name() + " has " + data.size()
          + " examples: need at least --probe " + options.probe() + " + --batch " + options.batch());
    }
    int[] widths = options.widths();
    int[] fit = Arrays.stream(widths).filter(w -> w >= data.inputDim()).toArray();
    if (fit.length < 2) {
      throw new IllegalArgumentException("--widths " + Arrays.stream(widths).mapToObj(String::valueOf)
          .collect(java.util.stream.Collectors.joining(",")) + ": slopes are fitted over the widths >= the input "
          + "dimension " + data.inputDim() + " of " + data.name() + ", so at least 2 are needed; "
          + (fit.length == 0 ? "none is" : "only " + fit[0] + " is"));
    }
  }

  /** Runs the coord check on {@code data}, reporting progress. */
  public static CoordCheckReport run(Options options, Dataset data, Progress progress) {
    checkData(options, data);
    int inputDim = data.inputDim();
    int classes = data.classes();
    int[] widths = options.widths();
    List<Parametrization> ps = options.parametrizations();
    int probeStart = data.size() - options.probe();
    Dataset train = data.subset(0, probeStart);
    FloatMatrix probe = data.range(probeStart, options.probe()).inputs();
    List<String> layers = new ArrayList<>();
    for (int l = 1; l <= HIDDEN_LAYERS + 1; l++) {
      layers.add("W" + l);
    }
    int metrics = CoordCheckReport.METRICS.size();
    double[][][][] values = new double[ps.size()][metrics][layers.size()][widths.length];
    Map<Parametrization, SortedMap<Integer, String>> diverged = new LinkedHashMap<>();

    double total = 0;
    for (int w : widths) {
      total += work(dims(inputDim, w, classes), options) * ps.size() * options.repeats();
    }
    progress.start(ps.size() * widths.length * options.repeats(), total);
    for (int pi = 0; pi < ps.size(); pi++) {
      Parametrization p = ps.get(pi);
      SortedMap<Integer, String> div = new TreeMap<>();
      for (int wi = 0; wi < widths.length; wi++) {
        int[] dims = dims(inputDim, widths[wi], classes);
        double[][] logSum = new double[metrics][layers.size()];
        String failure = null;
        for (int r = 0; r < options.repeats(); r++) {
          if (failure == null) {
            try {
              double[][] m = measure(p, dims, options, options.seed() + r, train, probe);
              for (int k = 0; k < metrics; k++) {
                for (int l = 0; l < layers.size(); l++) {
                  logSum[k][l] += Math.log(m[k][l]);
                }
              }
            } catch (DivergenceException | Diverged e) {
              failure = e.getMessage();
            }
          }
          progress.advance(work(dims, options), p.id() + " n=" + widths[wi]);
        }
        if (failure != null) {
          div.put(widths[wi], failure);
        }
        for (int k = 0; k < metrics; k++) {
          for (int l = 0; l < layers.size(); l++) {
            values[pi][k][l][wi] = failure != null ? Double.NaN : Math.exp(logSum[k][l] / options.repeats());
          }
        }
      }
      if (!div.isEmpty()) {
        diverged.put(p, div);
      }
    }
    progress.finish();
    CoordCheckReport.Setup setup = new CoordCheckReport.Setup(
        data.name(), options.optimizer(), options.lr(), options.steps(), options.batch(), options.seed(),
        options.repeats(), inputDim, classes, options.bias());
    return CoordCheckReport.of(setup, widths, layers, ps, values, diverged);
  }

  static int[] dims(int inputDim, int width, int classes) {
    int[] dims = new int[HIDDEN_LAYERS + 2];
    Arrays.fill(dims, width);
    dims[0] = inputDim;
    dims[dims.length - 1] = classes;
    return dims;
  }

  /** Rough floating-point cost of one run, for the progress bar. */
  private static double work(int[] dims, Options o) {
    double params = 0;
    for (int i = 1; i < dims.length; i++) {
      params += (double) dims[i - 1] * dims[i];
    }
    return params * (6.0 * o.batch() * o.steps() + 4.0 * o.probe() + 400);
  }

  /**
   * Trains one model and returns {@code [metric][layer]}.
   *
   * @throws DivergenceException if training diverges, or (from {@link Diagnostics}) a measured weight or
   *     layer output is not finite, naming it and the step
   * @throws Diverged if the loss is not finite
   */
  static double[][] measure(
      Parametrization p, int[] dims, Options o, long seed, Dataset train, FloatMatrix probe) {
    TrainingConfig config = TrainingConfig.defaults(dims)
        .withBias(o.bias())
        .withParametrization(p)
        .withOptimizer(o.optimizer())
        .withLearningRate(o.lr())
        .withBatchSize(o.batch())
        .withSeed(seed);
    List<LayerRule> weightRules =
        config.rules().stream().filter(r -> r.layer().role() != LayerRole.BIAS).toList();
    Training training = new Training(config, train);
    Mlp model = training.model();
    int depth = model.depth();
    double[][] out = new double[CoordCheckReport.METRICS.size()][depth];
    // One instrument: Diagnostics snapshots W₀ and the probe's h₀ now and measures both ends of the run.
    Diagnostics diagnostics = new Diagnostics(model, probe);
    Measurement initial = diagnostics.measureToTolerance(training);
    for (int l = 0; l < depth; l++) {
      out[CoordCheckReport.RMS_H][l] = initial.features().get(l).rmsH();
      out[CoordCheckReport.W_SPEC_RATIO][l] = initial.parameter(weightRules.get(l).layer().name()).wSpecRatio();
    }
    for (int t = 0; t < o.steps(); t++) {
      double loss = training.step();
      if (!Double.isFinite(loss)) {
        throw new Diverged("non-finite loss " + loss + " at step " + (t + 1));
      }
    }
    // Non-finite weights or features: Diagnostics throws a DivergenceException naming them and the step.
    Measurement last = diagnostics.measureToTolerance(training);
    for (int l = 0; l < depth; l++) {
      ParameterStats s = last.parameter(weightRules.get(l).layer().name());
      out[CoordCheckReport.RMS_DH][l] = last.features().get(l).rmsDh();
      out[CoordCheckReport.DW_SPEC_RATIO][l] = s.dwSpecRatio();
      out[CoordCheckReport.DW_STABLE_RANK][l] = s.dwStableRank();
    }
    return out;
  }

  /** A run whose loss, weights or features stopped being finite, with a message naming step and layer. */
  static final class Diverged extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Diverged(String message) {
      super(message, null, false, false);
    }
  }
}
