package io.github.spectral4j.trainer;

import io.github.spectral4j.core.LayerRule;
import io.github.spectral4j.core.ParameterKind;
import io.github.spectral4j.simd.Blas;
import io.github.spectral4j.simd.FloatMatrix;
import io.github.spectral4j.simd.Fused;
import io.github.spectral4j.simd.PowerIteration;
import io.github.spectral4j.simd.SpectralNorm;
import io.github.spectral4j.trainer.nn.Gpt;
import io.github.spectral4j.trainer.nn.Linear;
import io.github.spectral4j.trainer.nn.Module;
import io.github.spectral4j.trainer.nn.Parameter;
import io.github.spectral4j.trainer.nn.Residual;
import io.github.spectral4j.trainer.nn.SelfAttention;
import io.github.spectral4j.trainer.nn.Sequential;
import io.github.spectral4j.trainer.optim.FusedProducts;
import io.github.spectral4j.trainer.optim.ParameterOptimizer;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The one instrument for the quantities of arXiv 2310.17813 (Condition 1 and Desideratum 1): per
 * {@link Parameter} of a model, {@code ‖W‖}, {@code ‖W − W₀‖}, {@code ‖ΔW_t‖}, Frobenius norms and
 * stable ranks, each norm the one its {@code core} kind states its targets in ({@link ParameterStats}:
 * spectral for matrices, largest token-vector 2-norm for embeddings, 2-norm for biases and gains); per
 * module output {@code h_l}, the RMS of {@code h_l} and of {@code h_l − h_l⁽⁰⁾} on a fixed probe batch
 * ({@link FeatureStats}); and for each dense layer's weight the alignment of its update with its inputs.
 * Construction snapshots every {@code W₀} and the probe's features {@code h⁽⁰⁾}. The model is only read
 * (its forward buffers of the probe's batch size aside, for a GPT or a {@link Module}). Not thread-safe.
 *
 * <p>Spectral norms come from power iterations on {@code AᵀA} ({@link PowerIteration}), one per
 * matrix and per quantity, warm-started from the previous call. A call that is not at the step after
 * the previous one runs them to relative residual {@value #TOLERANCE}, which bounds σ's error (its
 * actual error is about the square of that over the relative spectral gap). At consecutive steps the
 * iterations on {@code W} and {@code W − W₀} take one step per call, fused into one pass that reads
 * {@code W} and {@code W₀} (the difference is never stored), and so track σ₁ as the matrices move;
 * {@code ΔW_t} is new each step and runs to the tolerance by Lanczos on its {@code AᵀA} from the last step's
 * vector ({@link SpectralNorm#of(PowerIteration.Gram, double)} without power steps: the same stopping rule,
 * and on the default MLP at width 1024 about 3.1–3.4 passes per step where power iteration took 4.0–4.7,
 * and 3.6 instead of 5.8 on the 10-row output layer, where power iteration sometimes stopped at its cap
 * 6% low). That pass is the optimizer's own pass over
 * {@code W} when it can form the products ({@link FusedProducts}, requested at each call for the next
 * step: SGD), so that {@code W₀} is the only extra read; otherwise a pass after the step
 * ({@link Fused#differenceGramTimes}) gives the same products. Plain SGD, which writes a weight in its
 * gradient's GEMM without storing ΔW, does so also when measured, for every layer whose ΔW is taken from
 * its factors ({@link FusedProducts#keepUpdate}), and forms that layer's products in the same GEMM's
 * write-back, each 48 rows of the new W right after their update ({@link Fused#gemmUpdateWithDifferenceGram}:
 * W₀ is the only extra read; session 8's read-only pass after the step read W and W₀ again, about a tenth of
 * the measured step).
 *
 * <p>The MLP ({@link #Diagnostics(Mlp, FloatMatrix)}) has a fast path. Per step
 * ({@link Training#step(Diagnostics)}, then {@link #measure(Training)}) the probe's rows ride along in the
 * training batch — after its rows, excluded from the loss, the backward pass and the update, which stay
 * bit-identical — so its features come from the step's own forward pass, at the cost of a few more rows in
 * the step's forward GEMMs: the features of the weights before that step's update, as μP's coord checks
 * record them ({@link Measurement#featureStep()}). Otherwise the probe runs layer by layer after the step,
 * each layer just before the pass over its {@code W} and {@code W₀}. For SGD without momentum or
 * weight decay {@code ΔW_t = −η_l·m_l·δᵀ·H} exactly (rank ≤ batch), so its power iteration and
 * alignment run on those factors — products with two batch × width matrices instead of passes over the
 * fan-out × fan-in update — when they are the smaller read ({@link #factorsAreSmaller}). Keep the probe
 * small: 16 rows are plenty for RMS statistics over a layer's width. With {@link Blas#parallelism()} above
 * one, {@link #measure(Training)} shares the layers among the threads (after placing the probe's features),
 * each layer measured whole by one thread, so every value is the one-thread value bit for bit and a failure
 * names the first layer in order, as on one thread. A GPT
 * ({@link #Diagnostics(Gpt, int[])}) runs its probe sequences through the model once per call and
 * measures the outputs of {@link Gpt#featureNames()}; any other model made of modules
 * ({@link #Diagnostics(Module, FloatMatrix)}) the outputs of its stages.
 */
public final class Diagnostics {
  /** Relative tolerance of the warm-started power iterations. */
  public static final double TOLERANCE = 1e-2;

  /** Iteration cap of a power iteration that cannot rely on the previous step's vector. */
  private static final int COLD_ITERATIONS = 300;
  /**
   * Iteration cap of warm runs on {@code W} and {@code W − W₀} at consecutive steps: one, the iteration
   * fused into the pass that reads both matrices. A run stopped at its cap leaves its vector one step
   * further ({@link PowerIteration#rightVector()}), so the iteration continues across steps and tracks σ₁
   * as the matrices move: on the default MLP at width 1024 (SGD), ‖W − W₀‖* is within 1e-3 of a solve
   * to 1e-7 after 10 steps and within 5e-4 after 20, and ‖W‖* (which converges at once) within the
   * tolerance.
   */
  private static final int TRACKING_ITERATIONS = 1;
  /** Pass cap of warm runs on {@code ΔW_t}, which is a new matrix every step. */
  private static final int UPDATE_ITERATIONS = 20;
  /**
   * Residual bound of {@link #measureToTolerance}'s ‖W‖* (Lanczos): a Gaussian matrix's top singular
   * values cluster, so the bound converges slowly while the value (a lower bound) is already within a
   * few 1e-3 — ample for the initial-norm band.
   */
  static final double ACCURATE_WEIGHT_TOLERANCE = 1e-2;
  /** Residual bound of {@link #measureToTolerance}'s ‖W − W₀‖*, a matrix of low stable rank that converges fast. */
  static final double ACCURATE_DRIFT_TOLERANCE = 1e-3;
  /** Probe rows used for the alignment (one matrix–vector product with {@code ΔW} each). */
  static final int ALIGNMENT_ROWS = 2;

  /** The MLP measured, or null. */
  private final Mlp mlp;
  /** The GPT measured, or null. */
  private final Gpt gpt;
  /** The stages of a model given as a {@link Module} (its children if it is a {@link Sequential}), or null. */
  private final List<Module> stages;
  /** The probe inputs of an MLP or a {@link Module}, or null. */
  private final FloatMatrix probe;
  /** The GPT's probe sequences, or null. */
  private final int[] probeTokens;
  /** One per parameter, in the model's order. */
  private final List<Tracked> tracked;
  /** The MLP's layers, or null. */
  private final MlpLayer[] layers;
  /** The GPT's measured outputs, or null. */
  private final Feature[] outputs;
  private Object lastRun;
  /** Measures the MLP's layers (on one thread, or shared among Blas.parallelism() threads). */
  private final LayerJob layerJob = new LayerJob();
  /** Whether optimizers are asked to form the tracking products in their pass (tests compare both ways). */
  boolean fuseProducts = true;
  private long lastStep = -1;

  /**
   * Snapshots the MLP's {@code W₀} and the probe's features.
   *
   * @param model the model at the reference point (usually at initialisation); not modified
   * @param probe {@code rows × d_0} fixed inputs; copied
   */
  public Diagnostics(Mlp model, FloatMatrix probe) {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(probe, "probe");
    int[] dims = model.shape().dims();
    if (probe.cols() != dims[0]) {
      throw new IllegalArgumentException("probe has " + probe.cols() + " columns, the model expects " + dims[0]);
    }
    this.mlp = model;
    this.gpt = null;
    this.stages = null;
    this.probeTokens = null;
    this.outputs = null;
    this.probe = probe.copy();
    int depth = model.depth();
    this.layers = new MlpLayer[depth];
    List<Tracked> all = new ArrayList<>();
    int alignmentRows = Math.min(ALIGNMENT_ROWS, probe.rows());
    for (int l = 0; l < depth; l++) {
      MlpLayer layer = new MlpLayer(l, probe.rows(), dims[l], dims[l + 1], alignmentRows, depth);
      model.forwardLayer(l, l == 0 ? this.probe : layers[l - 1].h, layer.z, layer.h);
      layer.feature.record(layer.h);
      layer.weight = new Tracked(model.weightParameter(l));
      all.add(layer.weight);
      Parameter b = model.biasParameter(l);
      if (b != null) {
        layer.bias = new Tracked(b);
        all.add(layer.bias);
      }
      layers[l] = layer;
    }
    this.tracked = List.copyOf(all);
  }

  /**
   * Snapshots the GPT's parameters and the features of {@link Gpt#featureNames()} on the probe.
   *
   * @param model the model at the reference point (usually at initialisation); its forward buffers for
   *     the probe's size are overwritten here and by every measurement (do not measure between a forward
   *     pass of that size and its backward pass); parameters not modified
   * @param probeTokens whole sequences of token ids, the probe batch; copied
   * @throws IllegalArgumentException if the tokens are not whole sequences of valid ids
   */
  public Diagnostics(Gpt model, int[] probeTokens) {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(probeTokens, "probeTokens");
    this.mlp = null;
    this.gpt = model;
    this.stages = null;
    this.probe = null;
    this.layers = null;
    this.probeTokens = probeTokens.clone();
    model.forward(this.probeTokens);
    List<String> names = model.featureNames();
    this.outputs = new Feature[names.size()];
    for (int i = 0; i < outputs.length; i++) {
      FloatMatrix h = model.feature(i);
      outputs[i] = new Feature(names.get(i), h.rows(), h.cols());
      outputs[i].record(h);
    }
    this.tracked = track(model.parameters(), model.modules(), Math.min(ALIGNMENT_ROWS, this.probeTokens.length));
  }

  /**
   * Snapshots the parameters of any model made of modules, and the outputs of its stages on the probe:
   * each child's output if the model is a {@link Sequential} (named {@code 0}, {@code 1}, … as its
   * position, PyTorch's names for a sequential's children), else the model's output (named
   * {@code output}). Every {@link Linear} weight in the model (also inside {@link Residual},
   * {@link SelfAttention} and nested {@link Sequential}s) gets an alignment.
   *
   * @param model the model at the reference point; its forward buffers for the probe's number of rows are
   *     overwritten here and by every measurement (do not measure between a forward pass of that size and its
   *     backward pass); parameters not modified
   * @param probe {@code rows × model.inputWidth()} fixed inputs; copied
   * @throws IllegalArgumentException if the probe has the wrong number of columns
   */
  public Diagnostics(Module model, FloatMatrix probe) {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(probe, "probe");
    if (probe.cols() != model.inputWidth()) {
      throw new IllegalArgumentException("probe has " + probe.cols() + " columns, the model expects " + model.inputWidth());
    }
    this.mlp = null;
    this.gpt = null;
    this.layers = null;
    this.probeTokens = null;
    this.probe = probe.copy();
    this.stages = model instanceof Sequential s ? s.modules() : List.of(model);
    this.outputs = new Feature[stages.size()];
    FloatMatrix h = this.probe;
    for (int i = 0; i < outputs.length; i++) {
      h = stages.get(i).forward(h);
      outputs[i] = new Feature(model instanceof Sequential ? Integer.toString(i) : "output", h.rows(), h.cols());
      outputs[i].record(h);
    }
    this.tracked = track(model.parameters(), List.of(model), Math.min(ALIGNMENT_ROWS, probe.rows()));
  }

  /** One {@link Tracked} per parameter, those of {@link Linear} weights under {@code modules} with an alignment. */
  private static List<Tracked> track(List<Parameter> parameters, List<Module> modules, int alignmentRows) {
    Map<Parameter, Linear> linears = new IdentityHashMap<>();
    for (Module m : modules) {
      collectLinears(m, linears);
    }
    List<Tracked> all = new ArrayList<>();
    for (Parameter p : parameters) {
      Tracked t = new Tracked(p);
      Linear linear = linears.get(p);
      if (linear != null && t.power) {
        t.alignWith(linear, alignmentRows);
      }
      all.add(t);
    }
    return List.copyOf(all);
  }

  /** Every {@link Linear} under {@code m}, by its weight: the layers whose update has an alignment. */
  private static void collectLinears(Module m, Map<Parameter, Linear> out) {
    switch (m) {
      case Linear l -> out.put(l.weight(), l);
      case Sequential s -> s.modules().forEach(c -> collectLinears(c, out));
      case Residual r -> collectLinears(r.branch(), out);
      case SelfAttention a -> a.projections().forEach(l -> out.put(l.weight(), l));
      default -> { } // no weight matrix (norms, pointwise maps)
    }
  }

  /** The probe batch of an MLP or a {@link Module} (a copy of the constructor's). */
  public FloatMatrix probe() {
    if (probe == null) {
      throw new IllegalStateException("a GPT's probe is token ids, not a matrix");
    }
    return probe;
  }

  /**
   * Measures every parameter and output of {@code t}'s MLP now, with {@code ΔW_t} its last update.
   * Nothing of {@code t} or its model changes. When the last step was {@link Training#step(Diagnostics)}
   * with these diagnostics (the per-step path), the probe's features are read from that step's own forward
   * pass, where the probe's rows rode along after the batch's: they are the features of the weights before
   * the step's update ({@link Measurement#featureStep()} = step − 1), as μP's coord checks record them, and
   * cost no forward pass here. The batch's GEMMs round the probe's rows as they round any row, not as the
   * probe's own smaller products did when {@code h⁽⁰⁾} was recorded, so at unchanged weights (the first
   * step) {@code rms_dh} is float rounding (below 1e-6 of {@code rms_h}, tested) rather than exactly 0. Otherwise
   * the probe runs through the model as it is now ({@code featureStep} = step), as
   * {@link #measureToTolerance(Training)} always does.
   *
   * @param t the run whose model this was constructed for
   * @return per parameter {@code W1, b1, …} and per output {@code layer1 … layerL}
   * @throws DivergenceException naming the parameter or output and the step if a value is not finite
   */
  public Measurement measure(Training t) {
    return measureMlp(t, t == lastRun && t.stepCount() == lastStep + 1, false);
  }

  /**
   * As {@link #measure(Training)}, but cold and tighter, for a single measurement that must not depend on
   * how often it is taken (coord-check measures only at steps 0 and T, and T may be 1): ‖W‖* and
   * ‖W − W₀‖* by {@link SpectralNorm} (Lanczos, which power iteration cannot match on a Gaussian W₀ whose
   * top singular values cluster) to residuals {@value #ACCURATE_WEIGHT_TOLERANCE} and
   * {@value #ACCURATE_DRIFT_TOLERANCE}, and ΔW's power iteration to {@value #TOLERANCE} from a cold start;
   * the tracking vectors of {@link #measure(Training)} are not advanced. The probe always runs through the
   * model as it is now: the features are exactly those after the last update.
   *
   * @param t the run whose model this was constructed for
   * @return as {@link #measure(Training)}
   */
  public Measurement measureToTolerance(Training t) {
    return measureMlp(t, false, true);
  }

  /**
   * Measures every parameter and output of {@code t}'s GPT now, with {@code ΔW_t} its optimizer's last
   * update.
   *
   * @param t the run whose model this was constructed for; its model's forward buffers of the probe's size
   *     are overwritten, nothing else changes
   * @return per parameter in {@link Gpt#parameters()} order and per output of {@link Gpt#featureNames()}
   * @throws DivergenceException naming the parameter or output and the step if a value is not finite
   */
  public Measurement measure(GptTraining t) {
    Objects.requireNonNull(t, "t");
    requireModel(t.model());
    return measure(t.optimizer());
  }

  /**
   * Measures every parameter and output of the GPT or {@link Module} this was constructed for, with
   * {@code ΔW_t} the last update of {@code optimizer} (which must update every parameter of the model).
   * At consecutive steps of the same optimizer the power iterations track (see the class comment).
   *
   * @param optimizer the optimizer training the model; not modified
   * @return as {@link #measure(GptTraining)}
   */
  public Measurement measure(ParameterOptimizer optimizer) {
    Objects.requireNonNull(optimizer, "optimizer");
    return measureModules(optimizer, optimizer == lastRun && optimizer.stepCount() == lastStep + 1, false);
  }

  /**
   * As {@link #measure(ParameterOptimizer)}, cold and to the tolerances of {@link #measureToTolerance(Training)}.
   *
   * @param optimizer the optimizer training the model; not modified
   * @return as {@link #measure(GptTraining)}
   */
  public Measurement measureToTolerance(ParameterOptimizer optimizer) {
    Objects.requireNonNull(optimizer, "optimizer");
    return measureModules(optimizer, false, true);
  }

  /**
   * Only the module outputs: the probe's forward pass and {@code rms_h}, {@code rms_dh} — no norm of any
   * parameter (what a coord check of features needs, at the cost of one probe forward pass).
   *
   * @param step the step count to report the values at (names the step in a divergence)
   * @return one entry per module output, in forward order
   * @throws DivergenceException if an output is not finite
   */
  public List<FeatureStats> measureFeatures(long step) {
    List<FeatureStats> out = new ArrayList<>();
    if (mlp != null) {
      for (int l = 0; l < layers.length; l++) {
        MlpLayer layer = layers[l];
        mlp.forwardLayer(l, l == 0 ? probe : layers[l - 1].h, layer.z, layer.h);
        out.add(layer.feature.measure(layer.h, step));
      }
    } else if (gpt != null) {
      gpt.forward(probeTokens);
      for (int i = 0; i < outputs.length; i++) {
        out.add(outputs[i].measure(gpt.feature(i), step));
      }
    } else {
      FloatMatrix h = probe;
      for (int i = 0; i < outputs.length; i++) {
        h = stages.get(i).forward(h);
        out.add(outputs[i].measure(h, step));
      }
    }
    return out;
  }

  private void requireModel(Gpt model) {
    if (model != gpt) {
      throw new IllegalArgumentException("these diagnostics were made for another model than " + model.config());
    }
  }

  private Measurement measureModules(ParameterOptimizer optimizer, boolean incremental, boolean accurate) {
    if (mlp != null) {
      throw new IllegalStateException("an MLP is measured with measure(Training), which has the step's factors");
    }
    long step = optimizer.stepCount();
    List<FeatureStats> features = measureFeatures(step);
    List<ParameterStats> parameters = new ArrayList<>(tracked.size());
    for (Tracked p : tracked) {
      FloatMatrix update = optimizer.lastUpdate(p.parameter);
      double uFro = optimizer.lastUpdateNorm(p.parameter);
      if (p.power) {
        p.attach(fuseProducts ? optimizer : null);
        p.measureMatrix(update, optimizer.valueNorm(p.parameter), uFro, dense(update), incremental, accurate, step);
        // The probe just ran: each Linear's last input is its input on the probe.
        parameters.add(p.stats(p.linear != null && p.updateNorm > 0 ? p.alignment(update) : Double.NaN));
      } else {
        parameters.add(p.measureOther(update, uFro, step));
      }
    }
    lastRun = optimizer;
    lastStep = step;
    return new Measurement(step, step, parameters, features);
  }

  private Measurement measureMlp(Training t, boolean incremental, boolean accurate) {
    Objects.requireNonNull(t, "t");
    if (mlp == null) {
      throw new IllegalStateException("a GPT or a Module is measured with measure(GptTraining) or measure(ParameterOptimizer)");
    }
    Mlp model = t.model();
    if (model != mlp) {
      throw new IllegalArgumentException("model " + model.shape() + " is not the model these diagnostics were made for");
    }
    int depth = layers.length;
    long step = t.stepCount();
    ParameterOptimizer optimizer = t.optimizer();
    // The probe rode along in the step's forward pass: its features are there, those of the weights before
    // the update (μP's convention). Else (and always to tolerance) the probe runs through the model now.
    boolean riding = !accurate && t.probeRodeAlong(this);
    int batchRows = t.config().batchSize();
    // ΔW_t = −s·δᵀ·H (SGD without momentum or decay): the step's factors, while the model still holds them.
    for (int l = 0; l < depth; l++) {
      MlpLayer layer = layers[l];
      layer.factorScale = t.lastUpdateFactorScale(l);
      if (!Double.isNaN(layer.factorScale)) {
        FloatMatrix errors = model.gradientError(l);
        if (factorsAreSmaller(errors.rows(), layer.fanOut, layer.fanIn)) {
          layer.factors.set((float) layer.factorScale, errors, model.gradientInput(l));
        } else {
          layer.factorScale = Double.NaN;
        }
      }
    }
    // A ΔW that plain SGD applied without storing it is recomputed by Training.lastUpdate: here, before the fork.
    for (int l = 0; l < depth; l++) {
      if (Double.isNaN(layers[l].factorScale)) {
        t.lastUpdate(l);
      }
    }
    // Layers are independent once their inputs are in place: with more than one thread (and not to tolerance,
    // whose Lanczos forks by itself) the probe's features are placed first and the layers are then measured
    // by the threads, each layer whole by one thread, so every value is the one-thread value.
    int tasks = accurate ? 1 : Math.min(Blas.parallelism(), depth);
    for (int l = 0; l < depth; l++) {
      MlpLayer layer = layers[l];
      if (riding) {
        // The probe's rows of the step's own forward pass (after the batch's rows).
        FloatMatrix h = model.features(l);
        System.arraycopy(h.data(), batchRows * h.cols(), layer.h.data(), 0, layer.h.data().length);
      } else if (tasks > 1) {
        model.forwardLayer(l, l == 0 ? probe : layers[l - 1].h, layer.z, layer.h);
      }
      layer.weight.attach(fuseProducts ? optimizer : null);
      layer.weight.productsFormed = false;
      if (tasks > 1) {
        // The pass over W and W₀ (when the step's did not form the products) forks by itself: not from a share.
        layer.weight.formProducts(t.weightFrobeniusNorm(l), t.lastUpdateFrobeniusNorm(l), incremental, step);
      }
    }
    LayerJob job = layerJob;
    job.set(t, incremental, accurate, step, !riding && tasks == 1);
    try {
      if (tasks == 1) {
        for (int l = 0; l < depth && (l == 0 || layers[l - 1].failure == null); l++) {
          job.measureLayer(l);
        }
      } else {
        Blas.forEachTask(tasks, job);
      }
    } finally {
      job.clear();
    }
    List<ParameterStats> parameters = new ArrayList<>(tracked.size());
    List<FeatureStats> features = new ArrayList<>(depth);
    for (MlpLayer layer : layers) {
      if (layer.failure != null) {
        // The first failure in layer order, as a one-thread measurement meets it.
        RuntimeException e = layer.failure;
        for (MlpLayer other : layers) {
          other.failure = null;
        }
        throw e;
      }
      features.add(layer.featureStats);
      parameters.add(layer.weightStats);
      if (layer.bias != null) {
        parameters.add(layer.biasStats);
      }
    }
    lastRun = t;
    lastStep = step;
    return new Measurement(step, riding ? step - 1 : step, parameters, features);
  }

  /**
   * The per-layer part of {@link #measureMlp}: each layer (its parameters' norms, ΔW's power iteration, its
   * features' RMS and its alignment) is measured whole by one thread, layers taken in order from a shared
   * counter, so the values never depend on the thread count. A layer's failure is kept in the layer (its later
   * work skipped) and thrown after all threads are done, the first layer's first. Reused: nothing is
   * allocated to share the work.
   */
  private final class LayerJob implements java.util.function.IntConsumer {
    private final java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
    private Training training;
    private boolean incremental;
    private boolean accurate;
    private long step;
    /** Whether the probe runs through each layer just before it is measured (one thread, not riding). */
    private boolean forward;

    void set(Training t, boolean incremental, boolean accurate, long step, boolean forward) {
      this.training = t;
      this.incremental = incremental;
      this.accurate = accurate;
      this.step = step;
      this.forward = forward;
      next.set(0);
    }

    void clear() {
      training = null;
    }

    @Override
    public void accept(int share) {
      for (int l = next.getAndIncrement(); l < layers.length; l = next.getAndIncrement()) {
        measureLayer(l);
      }
    }

    void measureLayer(int l) {
      MlpLayer layer = layers[l];
      Training t = training;
      try {
        FloatMatrix input = l == 0 ? probe : layers[l - 1].h;
        if (forward) {
          // The probe through layer l, then the pass over W_l and W₀_l while W_l is still in the cache.
          mlp.forwardLayer(l, input, layer.z, layer.h);
        }
        Tracked weight = layer.weight;
        boolean factored = !Double.isNaN(layer.factorScale);
        // Factored, ΔW itself is not read (plain SGD's fused step does not even store it).
        FloatMatrix update = factored ? null : t.lastUpdate(l);
        PowerIteration.Gram updateGram = factored ? layer.factors : dense(update);
        weight.measureMatrix(update, t.weightFrobeniusNorm(l), t.lastUpdateFrobeniusNorm(l), updateGram, incremental,
            accurate, step);
        layer.featureStats = layer.feature.measure(layer.h, step);
        double alignment =
            weight.updateNorm > 0 ? layer.alignment(input, update, weight.updateNorm, factored) : Double.NaN;
        layer.weightStats = weight.stats(alignment);
        if (layer.bias != null) {
          Parameter b = layer.bias.parameter;
          ParameterOptimizer optimizer = t.optimizer();
          layer.biasStats = layer.bias.measureOther(optimizer.lastUpdate(b), optimizer.lastUpdateNorm(b), step);
        }
      } catch (RuntimeException e) {
        layer.failure = e;
      }
    }
  }

  /** Whether these diagnostics were made for {@code model} (an MLP's). */
  boolean measures(Mlp model) {
    return model == mlp;
  }

  /**
   * Whether one Gram product through the factors (four passes over batch-row matrices, {@code 2·b·(fo + fi)}
   * values) reads less than one pass over the stored {@code fo × fi} update: for a 1024 × 1024 layer, a
   * batch below 256.
   */
  static boolean factorsAreSmaller(int batch, int fanOut, int fanIn) {
    return 2L * batch * (fanOut + fanIn) < (long) fanOut * fanIn;
  }

  /** The norm a kind's targets are stated in ({@link ParameterKind#norm()}). */
  enum Norm {
    /** σ₁, ℓ2→ℓ2. */
    SPECTRAL,
    /** ℓ1→ℓ2: the largest 2-norm of one input's column of {@code W} (one token's vector). */
    L1_TO_L2,
    /** A vector's 2-norm. */
    L2;

    static Norm of(ParameterKind kind) {
      return switch (kind.norm()) {
        case "spectral" -> SPECTRAL;
        case "l1-to-l2" -> L1_TO_L2;
        case "l2" -> L2;
        default -> throw new IllegalArgumentException("no diagnostics for the norm '" + kind.norm() + "' of kind " + kind.id());
      };
    }
  }

  /**
   * {@code ‖A‖} in norm {@code norm}, for a parameter whose value is {@code a}, except spectral: the
   * ℓ1→ℓ2 norm is the largest 2-norm of an input's vector (a row of a {@code vocabulary × width} table
   * whose rows are the inputs, else a column), a vector's norm its 2-norm. {@code reference} (may be null)
   * is subtracted entry by entry first, without storing the difference.
   */
  static double norm(Norm norm, FloatMatrix a, FloatMatrix reference, boolean inputsAreRows) {
    float[] x = a.data();
    float[] r = reference == null ? null : reference.data();
    return switch (norm) {
      case L2 -> Math.sqrt(sumOfSquares(x, r, 0, x.length, 1));
      case L1_TO_L2 -> {
        double max = 0;
        int rows = a.rows();
        int cols = a.cols();
        if (inputsAreRows) {
          for (int i = 0; i < rows; i++) {
            max = Math.max(max, sumOfSquares(x, r, i * cols, cols, 1));
          }
        } else {
          for (int j = 0; j < cols; j++) {
            max = Math.max(max, sumOfSquares(x, r, j, rows, cols));
          }
        }
        yield Math.sqrt(max);
      }
      case SPECTRAL -> throw new IllegalArgumentException("the spectral norm is measured by power iteration");
    };
  }

  /** {@code Σ (x[i] − r[i])²} over {@code count} entries from {@code offset} with {@code stride}, in double. */
  private static double sumOfSquares(float[] x, float[] r, int offset, int count, int stride) {
    double sum = 0;
    for (int k = 0, i = offset; k < count; k++, i += stride) {
      double d = r == null ? x[i] : (double) x[i] - r[i];
      sum += d * d;
    }
    return sum;
  }

  /** One parameter: its reference value {@code W₀}, its kind's norm and, for spectral kinds, the solvers. */
  private static final class Tracked {
    final Parameter parameter;
    final Norm norm;
    final boolean power;
    /** For an embedding table: whether rows are the inputs (tokens), as {@link Parameter} stores tables. */
    final boolean inputsAreRows;
    final FloatMatrix initial;
    final PowerIteration weightPower;
    final PowerIteration driftPower;
    /** ‖ΔW_t‖* by Lanczos on its Gram product, warm from the last step's vector (no power steps first). */
    final SpectralNorm updateSolver;
    /** Lanczos for {@link #measureToTolerance}; null until used. */
    SpectralNorm accurate;
    /**
     * The products of the tracking iteration that {@link #fusedBy}'s pass forms at the step after a
     * measurement (its request made at the end of {@link #measureMatrix}); null if that optimizer cannot.
     */
    FusedProducts fused;
    ParameterOptimizer fusedBy;
    /** ‖W − W₀‖_F at the last call. */
    double dwFrobenius;
    /** Whether {@link #formProducts} ran for the coming {@link #measureMatrix}, and its ‖W‖_F² and ‖W − W₀‖_F². */
    boolean productsFormed;
    double formedSquares;
    double formedDriftSquares;
    /** For a GPT's dense layer: the module whose input the update is aligned with, and the buffers; else null. */
    Linear linear;
    FloatMatrix alignmentInputs;
    FloatMatrix alignmentOutputs;
    // The last measurement's values (spectral kinds).
    double wSq;
    double wNorm;
    double dwSq;
    double dwNorm;
    double updateNorm;
    double updateFrobenius;

    Tracked(Parameter p) {
      this.parameter = p;
      this.norm = Norm.of(p.kind());
      this.power = norm == Norm.SPECTRAL;
      this.inputsAreRows = p.value().rows() == p.rule().layer().fanIn();
      this.initial = p.value().copy();
      int rows = p.value().rows();
      int cols = p.value().cols();
      this.weightPower = power ? tracker(rows, cols) : null;
      this.driftPower = power ? tracker(rows, cols) : null;
      this.updateSolver = power ? new SpectralNorm(rows, cols).setWarmPowerPasses(0) : null;
    }

    String name() {
      return parameter.name();
    }

    void alignWith(Linear l, int rows) {
      this.linear = l;
      this.alignmentInputs = FloatMatrix.zeros(rows, l.inputWidth());
      this.alignmentOutputs = FloatMatrix.zeros(rows, l.outputWidth());
    }

    /**
     * {@code ‖X·ΔWᵀ‖_F/(‖ΔW‖*·‖X‖_F)} on the first rows X of the Linear's last input (the probe's), in one
     * pass over {@code ΔW}.
     */
    double alignment(FloatMatrix update) {
      FloatMatrix in = alignmentInputs;
      System.arraycopy(linear.lastInput().data(), 0, in.data(), 0, in.data().length);
      Blas.gemm(false, true, 1f, in, update, 0f, alignmentOutputs);
      return Blas.frobeniusNorm(alignmentOutputs) / (updateNorm * Blas.frobeniusNorm(in));
    }

    /**
     * Asks {@code optimizer} once to form this matrix's products in its pass ({@link FusedProducts}); null
     * withdraws a request made of an earlier one.
     */
    void attach(ParameterOptimizer optimizer) {
      if (optimizer != fusedBy) {
        if (fused != null) {
          fused.cancel();
        }
        fusedBy = optimizer;
        FusedProducts p = optimizer == null ? null : new FusedProducts(parameter, initial);
        fused = p != null && optimizer.attach(p) ? p : null;
      }
    }

    /**
     * The spectral quantities of the parameter now: one pass over W and W₀ gives the first iteration of
     * both power iterations and ‖W − W₀‖_F — the optimizer's own pass at the step after the last call when
     * it forms {@link #fused} products, else a pass here.
     */
    void measureMatrix(FloatMatrix update, double knownValueFrobenius, double uFro, PowerIteration.Gram updateGram,
        boolean incremental, boolean accurateNorms, long step) {
      if (!productsFormed) {
        formProducts(knownValueFrobenius, uFro, incremental, step);
      }
      productsFormed = false;
      FloatMatrix w = parameter.value();
      double sq = formedSquares;
      requireFinite(sq, "weights", step);
      requireFinite(uFro, "update", step);
      double wFro = Math.sqrt(sq);
      PowerIteration wp = weightPower;
      PowerIteration dp = driftPower;
      FloatMatrix w0 = initial;
      double dSq = formedDriftSquares;
      requireFinite(dSq, "weights", step);
      double wSpec;
      double dSpec;
      if (accurateNorms) {
        // Gaussian W₀ has clustered top singular values, where power iteration stalls: Lanczos, cold.
        if (accurate == null) {
          accurate = new SpectralNorm(w.rows(), w.cols());
        }
        accurate.reset();
        wSpec = accurate.setOptions(COLD_ITERATIONS, ACCURATE_WEIGHT_TOLERANCE).of(w).sigma();
        accurate.reset();
        accurate.setOptions(COLD_ITERATIONS, ACCURATE_DRIFT_TOLERANCE);
        dSpec = dSq == 0 ? 0 : accurate.ofDifference(w, w0).sigma();
      } else {
        wSpec = wp.resume(dense(w), wFro, incremental ? TRACKING_ITERATIONS : COLD_ITERATIONS).sigma();
        dSpec = dp.resume((x, ax, o) -> Fused.differenceGramTimes(w, w0, null, null, null, x, ax, o),
            Math.sqrt(dSq), incremental ? TRACKING_ITERATIONS : COLD_ITERATIONS).sigma();
      }
      dwFrobenius = Math.sqrt(dSq);
      if (fused != null) {
        // The next step's pass forms the next tracking iteration's products (unused unless measured then).
        wp.prepare(wFro > 0 ? wFro : 1);
        dp.prepare(dwFrobenius > 0 ? dwFrobenius : wFro > 0 ? wFro : 1);
        // ΔW from its factors (update null) needs no stored copy: plain SGD may then update W in its GEMM
        // and form the products in a read-only pass after it.
        fused.keepUpdate(update != null);
        fused.request(wp.scaledVector(), wp.leftVector(), wp.gramVector(), dp.scaledVector(), dp.leftVector(),
            dp.gramVector());
      }
      int updateCap = incremental ? UPDATE_ITERATIONS : COLD_ITERATIONS;
      this.updateNorm = updateSolver.setOptions(updateCap, TOLERANCE).of(updateGram, uFro).sigma();
      this.wSq = sq;
      this.wNorm = wSpec;
      this.dwSq = dSq;
      this.dwNorm = dSpec;
      this.updateFrobenius = uFro;
    }

    /**
     * The first half of {@link #measureMatrix}, which calls it unless it ran since: ‖W‖_F² and the first
     * products of both tracking iterations with ‖W − W₀‖_F² — the optimizer's pass formed them at the step
     * after the last call ({@link #fused}), else one pass over W and W₀ here (split by rows among the
     * threads: {@link Fused#differenceGramTimes}). A measurement on several threads runs this for every
     * layer first, so that the pass is not forked from a thread's share. Non-finite norms are left for
     * measureMatrix to report.
     */
    void formProducts(double knownValueFrobenius, double uFro, boolean incremental, long step) {
      FloatMatrix w = parameter.value();
      double sq = square(Double.isNaN(knownValueFrobenius) ? Blas.frobeniusNorm(w) : knownValueFrobenius);
      formedSquares = sq;
      formedDriftSquares = Double.NaN;
      productsFormed = true;
      if (!Double.isFinite(sq) || !Double.isFinite(uFro)) {
        return;
      }
      double wFro = Math.sqrt(sq);
      PowerIteration wp = weightPower;
      PowerIteration dp = driftPower;
      if (incremental && fused != null && fused.step() == step) {
        // The step's pass formed the first products from the vectors prepared at the last call.
        formedDriftSquares = square(fused.driftFrobenius());
      } else {
        wp.prepare(wFro > 0 ? wFro : 1);
        dp.prepare(dwFrobenius > 0 ? dwFrobenius : wFro > 0 ? wFro : 1);
        formedDriftSquares = Fused.differenceGramTimes(
            w, initial, wp.scaledVector(), wp.leftVector(), wp.gramVector(), dp.scaledVector(), dp.leftVector(),
            dp.gramVector());
      }
    }

    /** The last {@link #measureMatrix}'s values as a record. */
    ParameterStats stats(double alignment) {
      LayerRule rule = parameter.rule();
      return new ParameterStats(name(), parameter.kind(), rule.layer().fanIn(), rule.layer().fanOut(),
          Math.abs(rule.forwardMultiplier()), rule.targetWeightNorm(), wNorm, dwNorm,
          dwNorm > 0 ? dwSq / (dwNorm * dwNorm) : Double.NaN, updateNorm, updateFrobenius,
          wSq / (wNorm * wNorm), alignment);
    }

    /** An embedding's or a vector's quantities in its own norm (exact: no iteration). */
    ParameterStats measureOther(FloatMatrix update, double uFro, long step) {
      FloatMatrix w = parameter.value();
      double wn = norm(norm, w, null, inputsAreRows);
      requireFinite(wn, "weights", step);
      requireFinite(uFro, "update", step);
      double dn = norm(norm, w, initial, inputsAreRows);
      double un = norm(norm, update, null, inputsAreRows);
      LayerRule rule = parameter.rule();
      return new ParameterStats(name(), parameter.kind(), rule.layer().fanIn(), rule.layer().fanOut(),
          Math.abs(rule.forwardMultiplier()), rule.targetWeightNorm(), wn, dn, Double.NaN, un, uFro, Double.NaN,
          Double.NaN);
    }

    private void requireFinite(double value, String what, long step) {
      if (!Double.isFinite(value)) {
        throw new DivergenceException(what, name(), Math.max(step, 1));
      }
    }
  }

  /** One module output: its features at the reference point and a buffer for the change. */
  private static final class Feature {
    final String name;
    final FloatMatrix initial;
    final FloatMatrix change;

    Feature(String name, int rows, int cols) {
      this.name = name;
      this.initial = FloatMatrix.zeros(rows, cols);
      this.change = FloatMatrix.zeros(rows, cols);
    }

    void record(FloatMatrix h) {
      initial.copyFrom(h);
    }

    FeatureStats measure(FloatMatrix h, long step) {
      double count = h.data().length;
      double hSq = square(Blas.frobeniusNorm(h));
      change.copyFrom(h);
      Blas.axpy(-1f, initial.data(), change.data());
      double dhSq = square(Blas.frobeniusNorm(change));
      if (!Double.isFinite(hSq) || !Double.isFinite(dhSq)) {
        throw new DivergenceException("features", name, Math.max(step, 1));
      }
      return new FeatureStats(name, h.cols(), Math.sqrt(hSq / count), Math.sqrt(dhSq / count));
    }
  }

  /** One layer of the MLP: its two parameters, its output and the probe's buffers. */
  private final class MlpLayer {
    final int fanIn;
    final int fanOut;
    final Feature feature;
    /** The probe's pre-activations and features (the same matrix for the last layer, the logits). */
    final FloatMatrix z;
    final FloatMatrix h;
    final FloatMatrix alignmentInputs;
    final FloatMatrix alignmentOutputs;
    /** One probe row ({@code x}, fan-in) and its image ({@code ΔW·x}, fan-out) for the factored alignment. */
    final float[] alignmentRow;
    final float[] alignmentImage;
    Tracked weight;
    Tracked bias;
    /** The last measurement's results, or the failure that stopped it. */
    ParameterStats weightStats;
    ParameterStats biasStats;
    FeatureStats featureStats;
    RuntimeException failure;
    /** The step's factors of ΔW, set when usable (factorScale not NaN). */
    double factorScale;
    final FactoredUpdate factors = new FactoredUpdate();

    MlpLayer(int l, int rows, int fanIn, int fanOut, int alignmentRows, int depth) {
      this.fanIn = fanIn;
      this.fanOut = fanOut;
      this.feature = new Feature("layer" + (l + 1), rows, fanOut);
      this.z = FloatMatrix.zeros(rows, fanOut);
      this.h = l < depth - 1 ? FloatMatrix.zeros(rows, fanOut) : z;
      this.alignmentInputs = FloatMatrix.zeros(alignmentRows, fanIn);
      this.alignmentOutputs = FloatMatrix.zeros(alignmentRows, fanOut);
      this.alignmentRow = new float[fanIn];
      this.alignmentImage = new float[fanOut];
    }

    /** {@code ‖ΔW·Xᵀ‖_F/(‖ΔW‖*·‖X‖_F)} on the first probe rows X of this layer's input. */
    double alignment(FloatMatrix input, FloatMatrix update, double uSpec, boolean factored) {
      FloatMatrix in = alignmentInputs;
      System.arraycopy(input.data(), 0, in.data(), 0, in.data().length);
      if (factored) {
        // ΔW·x = −s·δᵀ·(H·x), row by row of the probe: two small products each.
        float[] x = alignmentRow;
        float[] y = alignmentImage;
        for (int r = 0; r < in.rows(); r++) {
          System.arraycopy(in.data(), r * fanIn, x, 0, fanIn);
          factors.times(2, x, y);
          System.arraycopy(y, 0, alignmentOutputs.data(), r * fanOut, fanOut);
        }
      } else {
        // All alignment rows in one pass over ΔW (a small-m A·Bᵀ).
        Blas.gemm(false, true, 1f, in, update, 0f, alignmentOutputs);
      }
      double projectedSq = square(Blas.frobeniusNorm(alignmentOutputs));
      return Math.sqrt(projectedSq) / (uSpec * Blas.frobeniusNorm(in));
    }
  }

  /**
   * A power iteration on {@code rows × cols} matrices stopping at {@link #TOLERANCE}; the iteration caps
   * are passed per run.
   */
  private static PowerIteration tracker(int rows, int cols) {
    return new PowerIteration(rows, cols).setOptions(COLD_ITERATIONS, TOLERANCE);
  }

  /** The Gram product of a stored matrix: {@code ax = A·x}, {@code out = Aᵀ·A·x} in one pass over A. */
  private static PowerIteration.Gram dense(FloatMatrix a) {
    return (x, ax, out) -> Fused.gramTimes(a, x, ax, out);
  }

  /**
   * The Gram product of {@code A = s·Eᵀ·H} (E batch × fan-out, H the first batch rows of the layer's input,
   * which may have probe rows after them) from its factors: {@code A·x = s·Eᵀ·(H·x)},
   * {@code AᵀA·x = s·Hᵀ·(E·(A·x))} — four products with batch-row matrices instead of two passes over the
   * fan-out × fan-in matrix; those with H read its row prefix in place (leading-block products on column
   * vectors, which run as matrix-vector products). The sign of A does not change its norms. One per layer,
   * reused: a measurement allocates nothing here once the vectors' wrappers exist.
   */
  private static final class FactoredUpdate implements PowerIteration.Gram {
    private float scale;
    private FloatMatrix errors;
    private FloatMatrix inputs;
    /** Batch-sized work vectors ({@code H·x}, {@code E·(A·x)}) and the column views of every vector used. */
    private FloatMatrix hx;
    private FloatMatrix eax;
    private final FloatMatrix[] columns = new FloatMatrix[4];

    void set(float s, FloatMatrix e, FloatMatrix h) {
      this.scale = s;
      this.errors = e;
      this.inputs = h;
      if (hx == null || hx.rows() != e.rows()) {
        hx = FloatMatrix.zeros(e.rows(), 1);
        eax = FloatMatrix.zeros(e.rows(), 1);
      }
    }

    @Override
    public void apply(float[] x, float[] ax, float[] out) {
      times(0, x, ax);
      Blas.gemv(false, 1f, errors, ax, 0f, eax.data());
      int b = errors.rows();
      Blas.gemm(true, false, inputs.cols(), 1, b, scale, inputs, eax, 0f, column(1, out));
    }

    /** {@code y = s·Eᵀ·(H·x)}: x of fan-in, y of fan-out entries (y modified); x's view cached in {@code slot}. */
    void times(int slot, float[] x, float[] y) {
      int b = errors.rows();
      Blas.gemm(false, false, b, 1, inputs.cols(), 1f, inputs, column(slot, x), 0f, hx);
      Blas.gemv(true, scale, errors, hx.data(), 0f, y);
    }

    /** A column view of {@code v}, cached in slot {@code i} (the solver passes the same arrays every time). */
    private FloatMatrix column(int i, float[] v) {
      FloatMatrix c = columns[i];
      if (c == null || c.data() != v) {
        c = FloatMatrix.wrap(v.length, 1, v);
        columns[i] = c;
      }
      return c;
    }
  }

  private static double square(double x) {
    return x * x;
  }
}
