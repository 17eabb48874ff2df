package io.github.spectral4j.trainer;

import io.github.spectral4j.core.Optimizer;
import io.github.spectral4j.core.Parametrization;
import io.github.spectral4j.simd.FloatMatrix;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A training run: an {@link Mlp} initialised from the config's rules and seed, the optimizer state,
 * and the batch order. Each epoch visits the training set in a fresh permutation drawn from
 * {@code (seed, epoch)} in batches of {@code batchSize} (the last partial batch is dropped), so the
 * whole run is a function of the config and the data: the same seed gives bit-identical losses, and a
 * run saved with {@link #save} and {@link #resume}d continues bit-identically. Not thread-safe.
 */
public final class Training {
  private static final int MAGIC = 0x53344A43; // "S4JC"
  private static final int VERSION = 1;
  private static final int EVAL_CHUNK = 500;

  private final TrainingConfig config;
  private final Dataset train;
  private final Mlp model;
  private final Updater updater;
  private final FloatMatrix inputs;
  private final int[] labels;
  private final Batch batch;
  private final FloatMatrix dLogits;
  private final int[] indices;
  private final int stepsPerEpoch;
  private int[] permutation;
  private long permutationEpoch = -1;
  private long steps;
  /** {@link Mlp#passes()} right after the last step's backward pass. */
  private long stepPasses = -1;

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
    this.updater = new Updater(config, model);
    int b = config.batchSize();
    this.inputs = FloatMatrix.zeros(b, dims[0]);
    this.labels = new int[b];
    this.batch = new Batch(inputs, labels);
    this.dLogits = FloatMatrix.zeros(b, dims[dims.length - 1]);
    this.indices = new int[b];
    this.stepsPerEpoch = train.size() / b;
  }

  /**
   * One optimizer step on the next batch.
   *
   * @return the batch's mean loss before the step
   * @throws DivergenceException if the loss, a layer's activations or a parameter becomes non-finite
   */
  public double step() {
    long t = steps + 1;
    nextBatch(steps);
    FloatMatrix logits = model.forward(inputs);
    double loss = config.loss().lossAndGradient(logits, batch, dLogits);
    if (!Double.isFinite(loss)) {
      for (int l = 0; l < model.depth(); l++) {
        if (!model.features(l).isFinite()) {
          throw new DivergenceException("activations", Mlp.weightName(l), t);
        }
      }
      throw new DivergenceException("loss", "loss", t);
    }
    model.backward(dLogits);
    stepPasses = model.passes();
    int bad = updater.apply();
    steps = t;
    if (bad >= 0) {
      throw new DivergenceException("weights", updater.slots[bad].name, t);
    }
    return loss;
  }

  private void nextBatch(long step) {
    long epoch = step / stepsPerEpoch;
    int pos = (int) (step % stepsPerEpoch);
    if (epoch != permutationEpoch) {
      permutation = permutation(train.size(), config.seed(), epoch);
      permutationEpoch = epoch;
    }
    System.arraycopy(permutation, pos * indices.length, indices, 0, indices.length);
    train.fill(indices, inputs, labels);
  }

  /** Fisher–Yates shuffle of {@code 0 … n−1} from a stream seeded by {@code (seed, epoch)}. */
  static int[] permutation(int n, long seed, long epoch) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    SplittableRandom random = new SplittableRandom(Mlp.layerSeed(seed ^ 0x6A09E667F3BCC909L, (int) epoch));
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int tmp = p[i];
      p[i] = p[j];
      p[j] = tmp;
    }
    return p;
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

  /** {@code ΔW_t} of the last step for weight layer {@code l} (a live buffer; zeros before the first step). */
  public FloatMatrix lastUpdate(int l) {
    return updater.slots[config.bias() ? 2 * Objects.checkIndex(l, model.depth()) : Objects.checkIndex(l, model.depth())].update;
  }

  /** {@code Δb_t} of the last step for bias {@code l} (a live buffer), or {@code null} without biases. */
  public float[] lastBiasUpdate(int l) {
    return config.bias() ? updater.slots[2 * Objects.checkIndex(l, model.depth()) + 1].update.data() : null;
  }

  /** {@code ‖ΔW_t‖_F} of the last step for weight layer {@code l}, measured while applying it. */
  double lastUpdateFrobeniusNorm(int l) {
    return updater.slots[config.bias() ? 2 * l : l].updateFrobenius;
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
    float lr = (float) (config.learningRate() * updater.slots[config.bias() ? 2 * l : l].lrMultiplier);
    return (double) lr * (float) model.weightRule(l).forwardMultiplier();
  }

  /** {@code ‖W_l‖_F} after the last step, measured while applying it; NaN before the first step. */
  double weightFrobeniusNorm(int l) {
    return updater.slots[config.bias() ? 2 * l : l].paramFrobenius;
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
   * Saves the run (config, shapes, parameters, optimizer state, last update, step count; the batch
   * order follows from the seed and step) atomically.
   *
   * @throws UncheckedIOException naming the path if it cannot be written; no partial file is left
   */
  public void save(Path checkpoint) {
    AtomicFiles.write(
        checkpoint,
        os -> {
          DataOutputStream out = new DataOutputStream(new BufferedOutputStream(os, 1 << 16));
          out.writeInt(MAGIC);
          out.writeInt(VERSION);
          Checkpoints.writeInts(out, config.dims());
          out.writeBoolean(config.bias());
          out.writeUTF(config.activation().name());
          out.writeUTF(config.parametrization().name());
          out.writeUTF(config.optimizer().name());
          out.writeDouble(config.learningRate());
          out.writeInt(config.batchSize());
          out.writeLong(config.seed());
          Checkpoints.writeInts(out, config.baseDims());
          out.writeDouble(config.momentum());
          out.writeDouble(config.weightDecay());
          out.writeUTF(config.loss().name());
          out.writeUTF(config.updateMode().name());
          out.writeUTF(train.name());
          out.writeInt(train.size());
          out.writeInt(train.inputDim());
          out.writeLong(steps);
          for (int l = 0; l < model.depth(); l++) {
            Checkpoints.writeFloats(out, model.weight(l).data());
            Checkpoints.writeFloats(out, model.bias(l));
          }
          updater.writeState(out);
          out.writeInt(MAGIC);
          out.flush();
        });
  }

  /**
   * Continues a run saved by {@link #save}: the next {@link #step} is the one the saved run would
   * have taken.
   *
   * @param train the same training set the run was saved with
   * @throws IllegalArgumentException naming the file if it is not a valid checkpoint or does not fit
   *     {@code train}
   * @throws UncheckedIOException naming the file if it is missing or unreadable
   */
  public static Training resume(Path checkpoint, Dataset train) {
    Objects.requireNonNull(checkpoint, "checkpoint");
    Objects.requireNonNull(train, "train");
    return read(checkpoint, train, null);
  }

  /**
   * The configuration stored in a checkpoint, e.g. to rebuild the data it was trained on before
   * {@link #resume}.
   *
   * @throws IllegalArgumentException naming the file if it is not a spectral4j checkpoint
   * @throws UncheckedIOException naming the file if it is missing or unreadable
   */
  public static TrainingConfig checkpointConfig(Path checkpoint) {
    Objects.requireNonNull(checkpoint, "checkpoint");
    TrainingConfig[] config = new TrainingConfig[1];
    read(checkpoint, null, config);
    return config[0];
  }

  /** Reads a checkpoint; with {@code train == null} only its config, into {@code configOnly[0]}. */
  private static Training read(Path checkpoint, Dataset train, TrainingConfig[] configOnly) {
    try (InputStream raw = Files.newInputStream(checkpoint);
        DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 16))) {
      if (in.readInt() != MAGIC) {
        throw new IllegalArgumentException("checkpoint " + checkpoint + " is not a spectral4j checkpoint (bad magic)");
      }
      int version = in.readInt();
      if (version != VERSION) {
        throw new IllegalArgumentException("checkpoint " + checkpoint + " has unsupported version " + version);
      }
      TrainingConfig config;
      try {
        int[] dims = Checkpoints.readInts(in, "dims");
        boolean bias = in.readBoolean();
        Activation activation = Activation.parse(in.readUTF());
        Parametrization p = Parametrization.parse(in.readUTF());
        Optimizer o = Optimizer.parse(in.readUTF());
        double lr = in.readDouble();
        int batch = in.readInt();
        long seed = in.readLong();
        int[] base = Checkpoints.readInts(in, "base dims");
        double momentum = in.readDouble();
        double wd = in.readDouble();
        Loss loss = Loss.parse(in.readUTF());
        UpdateMode mode = UpdateMode.parse(in.readUTF());
        config = new TrainingConfig(dims == null ? new int[0] : dims, bias, activation, p, o, lr, batch, seed, base, momentum, wd, loss, mode);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("checkpoint " + checkpoint + " holds an invalid config: " + e.getMessage(), e);
      }
      if (train == null) {
        configOnly[0] = config;
        return null;
      }
      String dataName = in.readUTF();
      int dataSize = in.readInt();
      int dataDim = in.readInt();
      if (dataSize != train.size() || dataDim != train.inputDim()) {
        throw new IllegalArgumentException(
            "checkpoint " + checkpoint + " was trained on " + dataName + " (" + dataSize + " examples of dimension "
                + dataDim + "), not on " + train.name() + " (" + train.size() + " of dimension " + train.inputDim() + ")");
      }
      long steps = in.readLong();
      if (steps < 0) {
        throw new Checkpoints.Corrupt("negative step count " + steps);
      }
      Mlp fresh = Mlp.initialize(config.shape(), config.activation(), config.rules(), config.seed());
      for (int l = 0; l < fresh.depth(); l++) {
        Checkpoints.readFloats(in, fresh.weight(l).data(), Mlp.weightName(l));
        Checkpoints.readFloats(in, fresh.bias(l), "b" + (l + 1));
      }
      Training t = new Training(config, train, fresh);
      t.updater.readState(in);
      if (in.readInt() != MAGIC) {
        throw new Checkpoints.Corrupt("missing end marker");
      }
      if (in.read() != -1) {
        throw new Checkpoints.Corrupt("trailing bytes after the end marker");
      }
      t.steps = steps;
      return t;
    } catch (NoSuchFileException e) {
      throw new UncheckedIOException(new NoSuchFileException("checkpoint " + checkpoint + " does not exist"));
    } catch (EOFException e) {
      throw new IllegalArgumentException("checkpoint " + checkpoint + " is truncated", e);
    } catch (Checkpoints.Corrupt e) {
      throw new IllegalArgumentException("checkpoint " + checkpoint + " is corrupt: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(new IOException("cannot read checkpoint " + checkpoint + ": " + e.getMessage(), e));
    }
  }
}
