package io.github.spectral4j.trainer;

import io.github.spectral4j.core.LayerRule;
import io.github.spectral4j.core.Optimizer;
import io.github.spectral4j.core.Parametrization;
import io.github.spectral4j.simd.Blas;
import io.github.spectral4j.simd.FloatMatrix;
import io.github.spectral4j.trainer.nn.FusedStep;
import io.github.spectral4j.trainer.nn.Parameter;
import io.github.spectral4j.trainer.optim.ParameterOptimizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A training run: an {@link Mlp} (a {@code trainer.nn} {@code Sequential}) initialised from the config's
 * rules and seed, the {@link ParameterOptimizer} of the config's kind over its parameters (which owns its
 * state), and the batch order. Each epoch visits the training set in a fresh permutation drawn from
 * {@code (seed, epoch)} in batches of {@code batchSize} (the last partial batch is dropped), so the
 * whole run is a function of the config and the data: the same seed gives bit-identical losses, and a
 * run saved with {@link #save} and {@link #resume}d continues bit-identically. Not thread-safe.
 */
public final class Training {
  /** The {@link Checkpoint#kind()} of an MLP run. */
  private static final String KIND = "mlp";
  /** More weight layers than any sensible MLP; bounds the dims read from a checkpoint. */
  private static final int MAX_DEPTH = 10_000;
  private static final int EVAL_CHUNK = 500;

  private final TrainingConfig config;
  private final Dataset train;
  private final Mlp model;
  private final ParameterOptimizer optimizer;
  private final FloatMatrix inputs;
  private final int[] labels;
  private final Batch batch;
  private final FloatMatrix dLogits;
  private final int[] indices;
  private final int stepsPerEpoch;
  /** Copies the batch's rows of share t of {@link #fillShares}: made once, so a split fill allocates nothing. */
  private final java.util.function.IntConsumer fillShare = this::fillShare;
  private int fillShares;
  /** The matrix {@link #fillShare} fills: {@link #inputs}, or {@link #carried} on a step with riding probe rows. */
  private FloatMatrix fillTarget;
  /**
   * The batch followed by the probe rows of {@link #rider} (rows {@code [b, b + p)}), made on the first
   * step that carries them; null before.
   */
  private FloatMatrix carried;
  private Diagnostics rider;
  /** The diagnostics whose probe rows rode along in the last step, or null. */
  private Diagnostics lastRider;
  /** The current epoch's order of the examples (refilled in place each epoch: see {@link BatchOrder}). */
  private final int[] permutation;
  private long permutationEpoch = -1;
  private long steps;
  /** {@link Mlp#passes()} right after the last step's backward pass. */
  private long stepPasses = -1;
  /** Per weight whose ΔW plain SGD did not store, that ΔW once {@link #lastUpdate} recomputed it. */
  private final java.util.Map<Parameter, Recomputed> recomputed = new java.util.IdentityHashMap<>();

  /**
   * Starts a run: initialises the model from {@code config.rules()} and {@code config.seed()}.
   *
   * @param config not modified
   * @param train training data with {@code inputDim = dims[0]}, at least one batch of examples and
   *     labels below {@code dims[L]}
   * @throws IllegalArgumentException if the data does not fit the config
   */
  public Training(TrainingConfig config, Dataset train) {
    this(config, train, null);
  }

  private Training(TrainingConfig config, Dataset train, Mlp restored) {
    this.config = Objects.requireNonNull(config, "config");
    this.train = Objects.requireNonNull(train, "train");
    int[] dims = config.dims();
    if (restored == null) {
      MemoryBudget.require("an MLP " + java.util.Arrays.toString(dims), footprint(config));
    }
    for (int l = 0; l + 1 < dims.length; l++) {
      MemoryBudget.requireArray("layer " + Mlp.weightName(l), dims[l + 1], dims[l]);
    }
    if (train.inputDim() != dims[0]) {
      throw new IllegalArgumentException(
          "dataset " + train.name() + " has inputs of dimension " + train.inputDim() + " but dims start with " + dims[0]);
    }
    if (train.classes() > dims[dims.length - 1]) {
      throw new IllegalArgumentException(
          "dataset " + train.name() + " has " + train.classes() + " classes but the model has only "
              + dims[dims.length - 1] + " outputs");
    }
    if (train.size() < config.batchSize()) {
      throw new IllegalArgumentException(
          "batch size " + config.batchSize() + " exceeds the " + train.size() + " training examples of " + train.name());
    }
    this.model =
        restored != null
            ? restored
            : Mlp.initialize(config.shape(), config.activation(), config.rules(), config.seed());
    this.optimizer =
        ParameterOptimizer.of(
            config.optimizer(), model.parameters(), config.learningRate(), config.momentum(), config.weightDecay(),
            config.updateMode());
    int b = config.batchSize();
    this.inputs = FloatMatrix.zeros(b, dims[0]);
    this.labels = new int[b];
    this.batch = new Batch(inputs, labels);
    this.dLogits = FloatMatrix.zeros(b, dims[dims.length - 1]);
    this.indices = new int[b];
    this.permutation = new int[train.size()];
    this.stepsPerEpoch = train.size() / b;
  }

  /**
   * One optimizer step on the next batch.
   *
   * @return the batch's mean loss before the step
   * @throws DivergenceException if the loss, a layer's activations or a parameter becomes non-finite
   */
  public double step() {
    lastRider = null;
    return step(inputs);
  }

  /**
   * One optimizer step as {@link #step()}, with the rows of {@code watcher}'s probe riding along in the
   * batch: the forward pass runs on the batch's rows followed by the probe's, and the loss, the backward
   * pass (on row prefixes of the forward's buffers: no flops on the probe's rows) and the update cover the
   * batch's rows only — the same losses, gradients and weights bit for bit as {@link #step()}, on any
   * thread count. {@link Diagnostics#measure(Training)} right after this reads the probe's features from
   * this forward pass, instead of running the probe through the updated model: they are the features of
   * the weights <em>before</em> this step's update, which is how μP's coord checks record them. A batch
   * smaller than {@link Blas#rowIndependentFrom()} (where appending rows could change how the batch's
   * own rows round) takes a plain {@link #step()}, and the measurement runs the probe after it.
   *
   * @param watcher diagnostics made for this run's model; its probe is copied into the batch once
   * @return the batch's mean loss before the step
   * @throws IllegalArgumentException if the diagnostics were made for another model
   * @throws DivergenceException as {@link #step()}
   */
  public double step(Diagnostics watcher) {
    Objects.requireNonNull(watcher, "watcher");
    if (!watcher.measures(model)) {
      throw new IllegalArgumentException("the diagnostics were made for another model than " + model.shape());
    }
    int b = config.batchSize();
    if (b < Blas.rowIndependentFrom()) {
      return step();
    }
    if (rider != watcher) {
      FloatMatrix probe = watcher.probe();
      if (carried == null || carried.rows() != b + probe.rows()) {
        MemoryBudget.requireArray("the batch and its probe rows", b + probe.rows(), inputs.cols());
        carried = FloatMatrix.zeros(b + probe.rows(), inputs.cols());
      }
      System.arraycopy(probe.data(), 0, carried.data(), b * inputs.cols(), probe.data().length);
      rider = watcher;
    }
    lastRider = null;
    double loss = step(carried);
    lastRider = watcher;
    return loss;
  }

  /**
   * Whether the last step carried {@code watcher}'s probe rows and the model still holds that forward
   * pass: then {@link Mlp#features}{@code (l)} holds the probe's features in its rows from
   * {@link TrainingConfig#batchSize()}.
   */
  boolean probeRodeAlong(Diagnostics watcher) {
    return lastRider == watcher && model.passes() == stepPasses;
  }

  /** The step on {@code x}: the batch in its first rows (filled here), probe rows after them if any. */
  private double step(FloatMatrix x) {
    long t = steps + 1;
    model.beforeNextPass(null); // this step's update replaces the last one's
    fillTarget = x;
    nextBatch(steps);
    FloatMatrix logits = model.forward(x);
    double loss = config.loss().lossAndGradient(logits, dLogits.rows(), batch, dLogits);
    if (!Double.isFinite(loss)) {
      for (int l = 0; l < model.depth(); l++) {
        if (!model.features(l).isFinite()) {
          throw new DivergenceException("activations", Mlp.weightName(l), t);
        }
      }
      throw new DivergenceException("loss", "loss", t);
    }
    // Plain SGD's weights are updated by their gradients' GEMMs here (the optimizer's offer), the rest below.
    FusedStep fused = fuseUpdates ? optimizer.fusedStep() : null;
    model.backward(dLogits, fused);
    stepPasses = model.passes();
    try {
      optimizer.step();
    } finally {
      steps = t;
    }
    if (fused != null) {
      // A weight whose ΔW was not stored keeps its factors only until the model's next pass of this size.
      model.beforeNextPass(keepUpdates);
    }
    return loss;
  }

  private void nextBatch(long step) {
    long epoch = step / stepsPerEpoch;
    int pos = (int) (step % stepsPerEpoch);
    if (epoch != permutationEpoch) {
      BatchOrder.shuffle(permutation, config.seed(), epoch);
      permutationEpoch = epoch;
    }
    System.arraycopy(permutation, pos * indices.length, indices, 0, indices.length);
    // Rows copied from anywhere in the training set (cache misses): split among the GEMM's threads
    // when the batch is large enough to pay for waking one. A copy: the same bits on any thread count.
    long floats = (long) indices.length * inputs.cols();
    fillShares = (int) Math.min(Math.min(Blas.parallelism(), indices.length), Math.max(1, floats / FILL_SHARE));
    Blas.forEachTask(fillShares, fillShare);
  }

  /** Floats from which a share of the batch fill pays for waking a thread. */
  private static final long FILL_SHARE = 1L << 15;

  private void fillShare(int t) {
    int n = indices.length;
    train.fill(indices, n * t / fillShares, n * (t + 1) / fillShares, fillTarget, labels);
  }

  /** Steps taken so far. */
  public long stepCount() {
    return steps;
  }

  /** Steps in one pass over the training set ({@code size / batchSize}). */
  public int stepsPerEpoch() {
    return stepsPerEpoch;
  }

  /** The live model. */
  public Mlp model() {
    return model;
  }

  /** The run's configuration. */
  public TrainingConfig config() {
    return config;
  }

  /** The training set. */
  public Dataset trainingSet() {
    return train;
  }

  /** The optimizer, which owns its state and the last update of every parameter. */
  public ParameterOptimizer optimizer() {
    return optimizer;
  }

  /**
   * {@code ΔW_t} of the last step for weight layer {@code l} (a live buffer; zeros before the first step).
   * Plain SGD applies ΔW in the backward pass without storing it ({@link ParameterOptimizer#keptUpdate}):
   * then it is recomputed here, bit for bit, from the step's factors {@code ΔW = −η_l·(m_l·δ_lᵀ·H_{l-1})}
   * (one GEMM, into a buffer of this run allocated on the first such call), which the model holds until
   * its next forward or backward pass.
   *
   * @throws IllegalStateException if ΔW was not stored and the model no longer holds the step's factors
   *     (a pass since the step, or a run just resumed from a checkpoint)
   */
  public FloatMatrix lastUpdate(int l) {
    Parameter w = model.weightParameter(l);
    if (optimizer.keptUpdate(w)) {
      return optimizer.lastUpdate(w);
    }
    Recomputed r = recomputed.get(w);
    if (r != null && r.step == steps) {
      return r.update;
    }
    if (steps == 0 || model.passes() != stepPasses || config.optimizer() != Optimizer.SGD) {
      throw new IllegalStateException("the update of " + w.name() + " at step " + steps + " was applied in the backward"
          + " pass and not stored, and the model no longer holds that step's factors to recompute it (a run"
          + " resumed from a checkpoint keeps only its norm)");
    }
    if (r == null) {
      r = new Recomputed(FloatMatrix.zeros(w.value().rows(), w.value().cols()));
      recomputed.put(w, r);
    }
    LayerRule rule = w.rule();
    float multiplier = (float) rule.forwardMultiplier();
    float alpha = -(float) (config.learningRate() * rule.learningRateMultiplier());
    FloatMatrix delta = model.gradientError(l);
    FloatMatrix h = model.gradientInput(l);
    // As the layer's weight-gradient GEMM formed G (on the batch's rows of h; probe rows may follow them),
    // then α·G as the optimizer's step formed it.
    Blas.gemm(true, false, delta.cols(), h.cols(), delta.rows(), multiplier, delta, h, 0f, r.update);
    Blas.scal(alpha, r.update.data());
    r.step = steps;
    return r.update;
  }

  /**
   * Recomputes, before the model's next pass overwrites the step's factors, each ΔW the step applied in the
   * backward pass without storing it: {@link #lastUpdate} stays available after an evaluation or a probe.
   */
  private void keepUpdates() {
    for (int l = 0; l < model.depth(); l++) {
      lastUpdate(l);
    }
  }

  /** {@link #keepUpdates} as an object made once (a method reference per step would allocate). */
  private final Runnable keepUpdates = this::keepUpdates;

  /** Whether steps let the optimizer apply updates in the backward pass ({@link #fuseUpdates(boolean)}). */
  private boolean fuseUpdates = true;

  /**
   * Whether steps hand the optimizer's {@link FusedStep} to the backward pass (the default), or leave every
   * update to the optimizer's own pass: the same losses and weights bit for bit, for tests and measurements.
   */
  void fuseUpdates(boolean fuse) {
    this.fuseUpdates = fuse;
  }

  /** A weight's ΔW recomputed by {@link #lastUpdate}, and the step it belongs to. */
  private static final class Recomputed {
    final FloatMatrix update;
    long step = -1;

    Recomputed(FloatMatrix update) {
      this.update = update;
    }
  }

  /** {@code Δb_t} of the last step for bias {@code l} (a live buffer), or {@code null} without biases. */
  public float[] lastBiasUpdate(int l) {
    Parameter b = model.biasParameter(l);
    return b == null ? null : optimizer.lastUpdate(b).data();
  }

  /** {@code ‖ΔW_t‖_F} of the last step for weight layer {@code l}, measured while applying it. */
  double lastUpdateFrobeniusNorm(int l) {
    return optimizer.lastUpdateNorm(model.weightParameter(l));
  }

  /**
   * The scale {@code s} with {@code ΔW_t = −s·δ_lᵀ·H_{l-1}} exactly, when that holds and the model still
   * holds the step's factors ({@link Mlp#gradientError}, {@link Mlp#gradientInput}): SGD without momentum
   * or weight decay computes {@code ΔW = −η_l·∂W_l} with {@code ∂W_l = m_l·δ_lᵀ·H_{l-1}}, so
   * {@code s = η_l·m_l}. NaN otherwise (other optimizers, no step yet, or a forward or backward pass
   * since the step).
   */
  double lastUpdateFactorScale(int l) {
    if (config.optimizer() != io.github.spectral4j.core.Optimizer.SGD
        || config.momentum() != 0
        || config.weightDecay() != 0
        || steps == 0
        || model.passes() != stepPasses) {
      return Double.NaN;
    }
    LayerRule rule = model.weightRule(l);
    float lr = (float) (config.learningRate() * rule.learningRateMultiplier());
    return (double) lr * (float) rule.forwardMultiplier();
  }

  /** {@code ‖W_l‖_F} after the last step, measured while applying it; NaN before the first step. */
  double weightFrobeniusNorm(int l) {
    return optimizer.valueNorm(model.weightParameter(l));
  }

  /** Mean loss over {@code d} (in chunks; the model's forward buffers are overwritten). */
  public double evaluateLoss(Dataset d) {
    double total = 0;
    for (int from = 0; from < d.size(); from += EVAL_CHUNK) {
      int count = Math.min(EVAL_CHUNK, d.size() - from);
      Batch b = d.range(from, count);
      FloatMatrix logits = model.forward(b.inputs());
      FloatMatrix g = FloatMatrix.zeros(logits.rows(), logits.cols());
      total += config.loss().lossAndGradient(logits, b, g) * count;
    }
    return total / d.size();
  }

  /** Fraction of {@code d} whose largest logit is at the label. */
  public double accuracy(Dataset d) {
    long correct = 0;
    int[] predicted = new int[EVAL_CHUNK];
    for (int from = 0; from < d.size(); from += EVAL_CHUNK) {
      int count = Math.min(EVAL_CHUNK, d.size() - from);
      Batch b = d.range(from, count);
      Dataset.argmax(model.forward(b.inputs()), predicted, 0);
      for (int i = 0; i < count; i++) {
        if (predicted[i] == b.labels()[i]) {
          correct++;
        }
      }
    }
    return (double) correct / d.size();
  }

  /**
   * Saves the run atomically as a {@link Checkpoint} of kind {@code "mlp"} with sections
   * {@code config}, {@code data} (the training set's name, size and {@link Dataset#fingerprint()}),
   * {@code progress} (the step count; the batch order follows from the seed and step), {@code model}
   * (each parameter's name and values, {@link ParameterSections}) and {@code optimizer} (the optimizer's
   * own section: its state and last updates).
   *
   * @param checkpoint the file; replaced only once the new one is complete
   * @throws UncheckedIOException naming the path if it cannot be written; no partial file is left
   */
  public void save(Path checkpoint) {
    Checkpoint.writer(KIND)
        .section("config", out -> writeConfig(out, config))
        .data(describe(train), train.fingerprint())
        .section("progress", out -> out.writeLong(steps))
        .section("model", out -> ParameterSections.write(out, model.parameters()))
        .section("optimizer", optimizer::writeState)
        .write(checkpoint);
  }

  private static String describe(Dataset d) {
    return d.name() + " (" + d.size() + " examples of dimension " + d.inputDim() + ")";
  }

  private static void writeConfig(Checkpoint.Output out, TrainingConfig c) throws IOException {
    out.writeInts(c.dims());
    out.writeBoolean(c.bias());
    out.writeUTF(c.activation().name());
    out.writeUTF(c.parametrization().name());
    out.writeUTF(c.optimizer().name());
    out.writeDouble(c.learningRate());
    out.writeInt(c.batchSize());
    out.writeLong(c.seed());
    out.writeInts(c.baseDims());
    out.writeDouble(c.momentum());
    out.writeDouble(c.weightDecay());
    out.writeUTF(c.loss().name());
    out.writeUTF(c.updateMode().name());
  }

  private static TrainingConfig readConfig(Checkpoint.Input in) throws IOException {
    int[] dims = in.readInts("dims", MAX_DEPTH + 1);
    boolean bias = in.readBoolean();
    Activation activation = Activation.parse(in.readUTF());
    Parametrization p = Parametrization.parse(in.readUTF());
    Optimizer o = Optimizer.parse(in.readUTF());
    double lr = in.readDouble();
    int batch = in.readInt();
    long seed = in.readLong();
    int[] base = in.readInts("base dims", MAX_DEPTH + 1);
    double momentum = in.readDouble();
    double wd = in.readDouble();
    Loss loss = Loss.parse(in.readUTF());
    UpdateMode mode = UpdateMode.parse(in.readUTF());
    return new TrainingConfig(
        dims == null ? new int[0] : dims, bias, activation, p, o, lr, batch, seed, base, momentum, wd, loss, mode);
  }

  /**
   * Continues a run saved by {@link #save}: the next {@link #step} is the one the saved run would
   * have taken.
   *
   * @param checkpoint the file; not modified
   * @param train the same training set the run was saved with (compared by fingerprint)
   * @return the restored run
   * @throws IllegalArgumentException one line naming the file and what differs or is wrong: another
   *     format version, a checksum mismatch, other training data, a model that does not fit the memory
   * @throws UncheckedIOException naming the file if it is missing or unreadable
   */
  public static Training resume(Path checkpoint, Dataset train) {
    return resume(checkpoint, train, null);
  }

  /**
   * As {@link #resume(Path, Dataset)}, and refuses a checkpoint whose configuration is not
   * {@code expected}, naming the first field that differs.
   *
   * @param checkpoint the file; not modified
   * @param train the same training set the run was saved with (compared by fingerprint)
   * @param expected the configuration the caller means to continue, or {@code null} to take the
   *     checkpoint's
   * @return the restored run
   * @throws IllegalArgumentException one line naming the file and what differs or is wrong
   * @throws UncheckedIOException naming the file if it is missing or unreadable
   */
  public static Training resume(Path checkpoint, Dataset train, TrainingConfig expected) {
    Objects.requireNonNull(checkpoint, "checkpoint");
    Objects.requireNonNull(train, "train");
    try (Checkpoint c = Checkpoint.open(checkpoint, KIND)) {
      TrainingConfig config = c.read("config", Training::readConfig);
      if (expected != null && !expected.equals(config)) {
        throw new IllegalArgumentException(
            "checkpoint " + checkpoint + " holds another configuration: " + firstDifference(config, expected));
      }
      c.requireData(describe(train), train.fingerprint());
      long steps = c.read("progress", in -> in.readLong());
      if (steps < 0) {
        throw new IllegalArgumentException("checkpoint " + checkpoint + " is corrupt: negative step count " + steps);
      }
      MemoryBudget.require("resuming " + checkpoint, footprint(config));
      int[] d = config.dims();
      for (int l = 0; l + 1 < d.length; l++) {
        MemoryBudget.requireArray("layer " + Mlp.weightName(l), d[l + 1], d[l]);
      }
      Mlp fresh = Mlp.initialize(config.shape(), config.activation(), config.rules(), config.seed());
      c.read("model", in -> {
        ParameterSections.read(in, fresh.parameters());
        return null;
      });
      Training t = new Training(config, train, fresh);
      c.read("optimizer", in -> {
        t.optimizer.readState(in);
        return null;
      });
      if (t.optimizer.stepCount() != steps) {
        throw new IllegalArgumentException(
            "checkpoint " + checkpoint + " is at step " + steps + " but its optimizer at " + t.optimizer.stepCount());
      }
      t.steps = steps;
      return t;
    }
  }

  /**
   * The configuration stored in a checkpoint, e.g. to rebuild the data it was trained on before
   * {@link #resume}.
   *
   * @param checkpoint the file; not modified
   * @return its configuration
   * @throws IllegalArgumentException naming the file if it is not a valid spectral4j checkpoint
   * @throws UncheckedIOException naming the file if it is missing or unreadable
   */
  public static TrainingConfig checkpointConfig(Path checkpoint) {
    Objects.requireNonNull(checkpoint, "checkpoint");
    try (Checkpoint c = Checkpoint.open(checkpoint, KIND)) {
      return c.read("config", Training::readConfig);
    }
  }

  /** "lr 1.0 in the checkpoint, 0.5 here" for the first field where the two configurations differ. */
  static String firstDifference(TrainingConfig stored, TrainingConfig given) {
    Object[][] fields = {
      {"dims", java.util.Arrays.toString(stored.dims()), java.util.Arrays.toString(given.dims())},
      {"bias", stored.bias(), given.bias()},
      {"activation", stored.activation(), given.activation()},
      {"parametrization", stored.parametrization(), given.parametrization()},
      {"optimizer", stored.optimizer(), given.optimizer()},
      {"lr", stored.learningRate(), given.learningRate()},
      {"batch", stored.batchSize(), given.batchSize()},
      {"seed", stored.seed(), given.seed()},
      {"base dims", java.util.Arrays.toString(stored.baseDims()), java.util.Arrays.toString(given.baseDims())},
      {"momentum", stored.momentum(), given.momentum()},
      {"weight decay", stored.weightDecay(), given.weightDecay()},
      {"loss", stored.loss(), given.loss()},
      {"update mode", stored.updateMode(), given.updateMode()},
    };
    for (Object[] f : fields) {
      if (!f[1].equals(f[2])) {
        return f[0] + " " + f[1] + " in the checkpoint, " + f[2] + " requested";
      }
    }
    return "configurations differ";
  }

  /**
   * Bytes a run of {@code config} allocates, roughly: per parameter the weight, its gradient, its last
   * update, the optimizer state and a copy for diagnostics (four floats, plus one per state array),
   * and per unit of width the forward and backward buffers of a batch and of an evaluation chunk.
   *
   * @param config not modified
   * @return the estimate in bytes (saturating, never negative)
   */
  public static long footprint(TrainingConfig config) {
    int[] d = config.dims();
    double params = 0;
    double units = 0;
    for (int l = 0; l + 1 < d.length; l++) {
      params += (double) d[l] * d[l + 1] + (config.bias() ? d[l + 1] : 0);
      units += d[l + 1];
    }
    int state =
        switch (config.optimizer()) {
          case SGD -> config.momentum() > 0 ? 1 : 0;
          case ADAM -> 2;
          case NORMALIZED -> (config.momentum() > 0 ? 1 : 0) + 1;
        };
    double rows = config.batchSize() + EVAL_CHUNK;
    double bytes = 4 * (params * (4 + state) + units * rows * 3 + (double) d[0] * rows);
    return bytes >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) bytes;
  }
}
