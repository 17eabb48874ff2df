package io.github.spectral4j.trainer;

import io.github.spectral4j.core.Parametrization;
import io.github.spectral4j.trainer.nn.Gpt;
import io.github.spectral4j.trainer.nn.GptConfig;
import io.github.spectral4j.trainer.nn.Parameter;
import io.github.spectral4j.trainer.optim.OptimizerKind;
import io.github.spectral4j.trainer.optim.ParameterOptimizer;
import io.github.spectral4j.trainer.text.TextCorpus;
import io.github.spectral4j.trainer.text.TokenBatches;
import io.github.spectral4j.trainer.text.TokenStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A character-level language-model run: a {@link Gpt} initialised from the config's rules and seed,
 * trained by a {@link ParameterOptimizer} on {@link TokenBatches} of the corpus's training text, and
 * evaluated on its held-out samples. Step {@code t}'s batch is a function of {@code (seed, t)} alone
 * and the optimizer owns all other state, so the same config gives bit-identical losses and a run
 * {@link #save}d and {@link #resume}d continues bit-identically. Held-out loss is reported per token in
 * nats and in bits per character ({@code nats/ln 2}; a token is a byte, and the text is ASCII); a
 * model that knows nothing scores {@code log₂ 128 = 7} bits. Not thread-safe.
 */
public final class GptTraining {
  static final String KIND = "gpt";
  private static final long SAMPLE_SALT = 0x5A4D504C45L;

  private final GptTrainingConfig config;
  private final TextCorpus corpus;
  private final Gpt model;
  private final ParameterOptimizer optimizer;
  private final TokenBatches batches;
  private final int[] inputs;
  private final int[] targets;
  private long steps;

  /**
   * Starts a run: initialises the model from its rules and {@code config.seed()}.
   *
   * @param config not modified
   * @param corpus its held-out text must hold at least one window of the context
   * @throws IllegalArgumentException if the corpus does not fit the model or the run needs more memory
   *     than the JVM may use
   */
  public GptTraining(GptTrainingConfig config, TextCorpus corpus) {
    this.config = Objects.requireNonNull(config, "config");
    this.corpus = Objects.requireNonNull(corpus, "corpus");
    GptConfig m = config.model();
    if (m.vocabulary() < TextCorpus.VOCABULARY) {
      throw new IllegalArgumentException(
          "the model's vocabulary " + m.vocabulary() + " is smaller than the corpus's " + TextCorpus.VOCABULARY);
    }
    if (corpus.heldOut().windows(m.context()) < 1) {
      throw new IllegalArgumentException(
          "corpus " + corpus.name() + " holds out " + corpus.heldOut().length() + " tokens, less than one window of "
              + (m.context() + 1));
    }
    MemoryBudget.require("a GPT of width " + m.width() + " with " + m.blocks() + " blocks, batch " + config.batchSize(),
        estimatedBytes(config));
    this.batches = new TokenBatches(corpus.train(), config.batchSize(), m.context(), config.seed());
    this.model = Gpt.initialize(m, config.seed());
    this.optimizer =
        config.optimizer().create(
            model.parameters(), config.learningRate(), config.matrixLearningRate(), config.momentum(),
            config.weightDecay(), config.updateMode());
    this.inputs = new int[config.batchSize() * m.context()];
    this.targets = new int[inputs.length];
  }

  /**
   * Roughly what a run allocates: parameters with their gradients, optimizer state and last updates
   * (about five copies), and per token of the batch the activations of every block (about 30·width
   * floats), the attention weights (heads·context per block) and the logits with their gradient.
   * Public for experiments that hold several runs at once (lr-sweep).
   *
   * @param config not modified
   * @return the estimate in bytes, {@link Long#MAX_VALUE} if it cannot be counted
   */
  public static long estimatedBytes(GptTrainingConfig config) {
    GptConfig m = config.model();
    double d = m.width(); // in double: a size bomb must not overflow into a small estimate
    double perBlock = 12 * d * d + 2 * d;
    double parameters = ((double) m.vocabulary() + m.context()) * d + m.blocks() * perBlock + d + m.vocabulary() * d;
    double tokens = (double) config.batchSize() * m.context();
    double activations = tokens * (m.blocks() * (30 * d + 2.0 * m.heads() * m.context()) + 2.0 * m.vocabulary() + 2 * d);
    return (long) Math.min(Long.MAX_VALUE, 4 * (5 * parameters + 2 * activations));
  }

  /**
   * One optimizer step on the next batch.
   *
   * @return the batch's mean loss per token in nats, before the step
   * @throws DivergenceException naming the step and the first module output (embedding, blockN,
   *     logits) that is not finite, or the parameter whose value became non-finite
   */
  public double step() {
    long t = steps + 1;
    batches.fill(steps, inputs, targets);
    double loss = model.forwardBackward(inputs, targets);
    if (!Double.isFinite(loss)) {
      List<String> names = model.featureNames();
      for (int i = 0; i < names.size(); i++) {
        if (!model.feature(i).isFinite()) {
          throw new DivergenceException("activations", names.get(i), t);
        }
      }
      throw new DivergenceException("loss", "loss", t);
    }
    optimizer.step();
    steps = t;
    return loss;
  }

  /**
   * The mean loss per token in nats over {@code windows} evenly spaced held-out windows: window
   * {@code ⌊i·W/windows⌋} of the {@code W} non-overlapping windows of the held-out text, so every part
   * of the held-out text (every genre of the Brown corpus) is represented. The model's forward buffers
   * are overwritten; gradients and the run's state are not.
   *
   * @param windows in {@code [1, W]}; {@link #heldOutWindows()} for all of them
   * @throws IllegalArgumentException naming the value if it is out of range
   */
  public double heldOutLoss(int windows) {
    int all = heldOutWindows();
    if (windows < 1 || windows > all) {
      throw new IllegalArgumentException("held-out windows must be in [1, " + all + "], got " + windows);
    }
    int context = config.model().context();
    int rows = Math.min(config.batchSize(), windows);
    int[] in = new int[rows * context];
    int[] out = new int[rows * context];
    TokenStream heldOut = corpus.heldOut();
    double total = 0;
    for (int from = 0; from < windows; from += rows) {
      int count = Math.min(rows, windows - from);
      if (count < rows) {
        in = new int[count * context];
        out = new int[count * context];
      }
      for (int r = 0; r < count; r++) {
        long w = (long) (from + r) * all / windows;
        heldOut.window((int) w * context, context, in, out, r);
      }
      model.forward(in);
      total += model.loss(out) * count;
    }
    return total / windows;
  }

  /** {@code W}: the number of non-overlapping windows of the context in the held-out text. */
  public int heldOutWindows() {
    return corpus.heldOut().windows(config.model().context());
  }

  /** Converts a loss per byte in nats to bits per character. */
  public static double bitsPerCharacter(double nats) {
    return nats / Math.log(2);
  }

  /**
   * Text generated by the model after {@code prompt}: {@code count} characters sampled one at a time
   * from {@code softmax(logits/temperature)} (0: the most likely one), from a random stream seeded by
   * the run's seed, so the same run always writes the same text. Newlines and other control characters
   * are kept.
   *
   * @param prompt at least one ASCII character
   * @param count characters to generate, ≥ 0
   * @param temperature ≥ 0
   * @throws IllegalArgumentException for an empty or non-ASCII prompt or a bad count or temperature
   */
  public String sample(String prompt, int count, double temperature) {
    Objects.requireNonNull(prompt, "prompt");
    if (prompt.isEmpty()) {
      throw new IllegalArgumentException("the prompt must not be empty");
    }
    int[] tokens = new int[prompt.length()];
    for (int i = 0; i < tokens.length; i++) {
      char c = prompt.charAt(i);
      if (c >= TextCorpus.VOCABULARY) {
        throw new IllegalArgumentException(
            "prompt character '" + c + "' at " + i + " is outside the vocabulary of " + TextCorpus.VOCABULARY + " (ASCII)");
      }
      tokens[i] = c;
    }
    int[] generated = model.generate(tokens, count, temperature, new SplittableRandom(config.seed() ^ SAMPLE_SALT));
    byte[] bytes = new byte[generated.length];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) generated[i];
    }
    return new String(bytes, StandardCharsets.US_ASCII);
  }

  /** Steps taken so far. */
  public long stepCount() {
    return steps;
  }

  /** The live model. */
  public Gpt model() {
    return model;
  }

  /** The optimizer (its state is the run's). */
  public ParameterOptimizer optimizer() {
    return optimizer;
  }

  /** The run's configuration. */
  public GptTrainingConfig config() {
    return config;
  }

  /** The corpus. */
  public TextCorpus corpus() {
    return corpus;
  }

  private String dataDescription() {
    return corpus.name() + " (" + corpus.samples() + " samples, " + corpus.train().length() + " training tokens)";
  }

  /**
   * Saves the run atomically in a {@link Checkpoint} of kind {@code gpt}: sections {@code config},
   * {@code data} (the corpus's SHA-256), {@code progress} (the step count), {@code model} (each
   * parameter's name and values) and {@code optimizer} (the optimizer's own section).
   *
   * @throws java.io.UncheckedIOException naming the path if it cannot be written; no partial file is left
   */
  public void save(Path checkpoint) {
    Checkpoint.writer(KIND)
        .section("config", out -> writeConfig(out, config))
        .data(dataDescription(), corpus.sha256())
        .section("progress", out -> out.writeLong(steps))
        .section("model", out -> ParameterSections.write(out, model.parameters()))
        .section("optimizer", optimizer::writeState)
        .write(checkpoint);
  }

  /**
   * Continues a run saved by {@link #save}: the next {@link #step} is the one the saved run would have
   * taken.
   *
   * @param corpus the corpus the run was saved with (compared by SHA-256)
   * @throws IllegalArgumentException naming the file and what is wrong (not a GPT checkpoint, corrupt,
   *     other data, a section that does not fit)
   * @throws java.io.UncheckedIOException naming the file if it is missing or unreadable
   */
  public static GptTraining resume(Path checkpoint, TextCorpus corpus) {
    Objects.requireNonNull(corpus, "corpus");
    try (Checkpoint c = Checkpoint.open(checkpoint, KIND)) {
      GptTrainingConfig config = c.read("config", GptTraining::readConfig);
      GptTraining t = new GptTraining(config, corpus);
      c.requireData(t.dataDescription(), corpus.sha256());
      long steps = c.read("progress", in -> in.readLong());
      if (steps < 0) {
        throw new IllegalArgumentException("checkpoint " + checkpoint + " has a negative step count " + steps);
      }
      c.read("model", in -> {
        ParameterSections.read(in, t.model.parameters());
        return null;
      });
      c.read(
          "optimizer",
          in -> {
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
   * The configuration stored in a GPT checkpoint.
   *
   * @throws IllegalArgumentException naming the file if it is not a valid GPT checkpoint
   * @throws java.io.UncheckedIOException naming the file if it is missing or unreadable
   */
  public static GptTrainingConfig checkpointConfig(Path checkpoint) {
    try (Checkpoint c = Checkpoint.open(checkpoint, KIND)) {
      return c.read("config", GptTraining::readConfig);
    }
  }

  private static void writeConfig(Checkpoint.Output out, GptTrainingConfig c) throws java.io.IOException {
    GptConfig m = c.model();
    out.writeInt(m.width());
    out.writeInt(m.blocks());
    out.writeInt(m.heads());
    out.writeInt(m.context());
    out.writeInt(m.vocabulary());
    out.writeUTF(m.parametrization().name());
    out.writeInt(m.baseWidth());
    out.writeUTF(c.optimizer().name());
    out.writeDouble(c.learningRate());
    out.writeDouble(c.matrixLearningRate());
    out.writeInt(c.batchSize());
    out.writeLong(c.seed());
    out.writeDouble(c.momentum());
    out.writeDouble(c.weightDecay());
    out.writeUTF(c.updateMode().name());
  }

  private static GptTrainingConfig readConfig(Checkpoint.Input in) throws java.io.IOException {
    int width = in.readInt();
    int blocks = in.readInt();
    int heads = in.readInt();
    int context = in.readInt();
    int vocabulary = in.readInt();
    Parametrization p = Parametrization.parse(in.readUTF());
    int baseWidth = in.readInt();
    OptimizerKind kind = OptimizerKind.parse(in.readUTF());
    GptConfig model = new GptConfig(width, blocks, heads, context, vocabulary, p, kind.rules(), baseWidth);
    return new GptTrainingConfig(
        model, kind, in.readDouble(), in.readDouble(), in.readInt(), in.readLong(), in.readDouble(), in.readDouble(),
        UpdateMode.parse(in.readUTF()));
  }

  @Override
  public String toString() {
    return "GptTraining[" + config + ", step " + steps + "]";
  }
}
