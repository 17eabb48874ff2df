package io.github.spectral4j.trainer.nn;

import io.github.spectral4j.core.LayerRule;
import io.github.spectral4j.simd.Blas;
import io.github.spectral4j.simd.Elementwise;
import io.github.spectral4j.simd.FloatMatrix;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A character-level GPT on sequences of {@code T = context} tokens, every row of every matrix one token:
 *
 * <pre>
 *   H₀ = E_tok[x_t] + E_pos[t]                                    (embedding)
 *   H' = H_{l-1} + α·Attention(RMSNorm(H_{l-1}))                  (block l = 1 … L, pre-norm)
 *   H_l = H' + α·W_down·GELU(W_up·RMSNorm(H'))                    (MLP of width 4d)
 *   logits = W_out·RMSNorm(H_L)                                   (separate unembedding)
 *   loss = mean over tokens of −log softmax(logits)[y_t]          (cross-entropy of the next token)
 * </pre>
 *
 * (every matrix and table also carries its rule's forward multiplier, 1 except under NTK). Positions are a
 * learned table (GPT-2's choice): one more embedding-kind parameter under the same rule as
 * the token table, no rotation code in attention's backward, and the context is fixed. Each parameter's
 * {@code core} rule comes from {@link GptConfig#rules()} (the model described to {@code core} as named
 * parameters with kinds, relative to the base width when one is given); the attention logit multiplier
 * α_att is {@code core}'s {@code attentionLogitMultiplier} ({@code 1/√d_head} for standard and NTK, μP's
 * {@code 1/d_head} made equal to {@code 1/√d_head} at the base width for μP and spectral); the residual
 * multiplier α is {@code core}'s depth-μP branch multiplier {@code √(L_b/L)} ({@link GptConfig#depth()}; 1
 * without a base depth). Not thread-safe; buffers are allocated once per batch shape.
 */
public final class Gpt {
  private final GptConfig config;
  private final Embedding tokenEmbedding;
  private final Embedding positionEmbedding;
  private final List<Sequential> blocks;
  private final RmsNorm norm;
  private final Linear readout;
  private final List<Parameter> parameters;
  private final List<String> featureNames;
  private final double attentionMultiplier;
  private final double residualMultiplier;
  private final Workspaces<Work> works;
  private Work last;
  private boolean lossReady;
  // The loss pass in progress, read by its shares (created once: a step allocates nothing).
  private final java.util.function.IntConsumer lossShare = this::lossShare;
  private int[] lossTargets;
  private int lossShares;

  /** Below this many logits the loss runs on the calling thread. */
  private static final int PARALLEL_LOGITS = 1 << 15;

  private static final class Work {
    final int[] positions;
    final FloatMatrix embedded;
    final FloatMatrix[] blockOutputs;
    final FloatMatrix logitGradient;
    /** Each token's loss {@code lse − z_y}, summed in order after the (split) pass. */
    final double[] tokenLoss;
    /** exp(z_j − max) of the row in progress, one row per loss share; grown (once) with the parallelism. */
    double[][] exps = new double[0][];
    FloatMatrix logits;

    Work(int rows, int context, int width, int blocks, int vocabulary) {
      positions = new int[rows];
      for (int i = 0; i < rows; i++) {
        positions[i] = i % context;
      }
      embedded = FloatMatrix.zeros(rows, width);
      blockOutputs = new FloatMatrix[blocks];
      logitGradient = FloatMatrix.zeros(rows, vocabulary);
      tokenLoss = new double[rows];
    }
  }

  private Gpt(GptConfig config, long seed) {
    this.config = config;
    int d = config.width();
    int v = config.vocabulary();
    int t = config.context();
    Map<String, LayerRule> rules = new HashMap<>();
    for (LayerRule r : config.rules()) {
      rules.put(r.layer().name(), r);
    }
    this.tokenEmbedding = new Embedding("embedding.token", rules.get("embedding.token.weight"), Seeds.derive(seed, 0));
    this.positionEmbedding =
        new Embedding("embedding.position", rules.get("embedding.position.weight"), Seeds.derive(seed, 1));
    this.attentionMultiplier = config.attentionMultiplier();
    this.residualMultiplier = config.depth().branchMultiplier();
    List<Sequential> list = new ArrayList<>();
    for (int l = 0; l < config.blocks(); l++) {
      String b = "blocks." + l;
      long blockSeed = Seeds.derive(seed, 100 + l);
      SelfAttention attention = new SelfAttention(b + ".attention", config.heads(), t, attentionMultiplier,
          rules.get(b + ".attention.query.weight"), rules.get(b + ".attention.key.weight"),
          rules.get(b + ".attention.value.weight"), rules.get(b + ".attention.output.weight"),
          Seeds.derive(blockSeed, 0));
      Module attentionBranch = Sequential.of(new RmsNorm(b + ".attention_norm", rules.get(b + ".attention_norm.gain")),
          attention);
      Module mlpBranch = Sequential.of(
          new RmsNorm(b + ".mlp_norm", rules.get(b + ".mlp_norm.gain")),
          new Linear(b + ".mlp.up", rules.get(b + ".mlp.up.weight"), null, Seeds.derive(blockSeed, 1)),
          new Gelu(4 * d),
          new Linear(b + ".mlp.down", rules.get(b + ".mlp.down.weight"), null, Seeds.derive(blockSeed, 2)));
      list.add(Sequential.of(new Residual(attentionBranch, residualMultiplier),
          new Residual(mlpBranch, residualMultiplier)));
    }
    this.blocks = List.copyOf(list);
    this.norm = new RmsNorm("norm", rules.get("norm.gain"));
    this.readout = new Linear("readout", rules.get("readout.weight"), null, Seeds.derive(seed, 2));
    List<Parameter> all = new ArrayList<>();
    all.addAll(tokenEmbedding.parameters());
    all.addAll(positionEmbedding.parameters());
    for (Sequential block : blocks) {
      all.addAll(block.parameters());
    }
    all.addAll(norm.parameters());
    all.addAll(readout.parameters());
    this.parameters = List.copyOf(all);
    List<String> names = new ArrayList<>();
    names.add("embedding");
    for (int l = 1; l <= config.blocks(); l++) {
      names.add("block" + l);
    }
    names.add("logits");
    this.featureNames = List.copyOf(names);
    this.works = new Workspaces<>(rows -> new Work(rows, t, d, config.blocks(), v));
  }

  /**
   * A freshly initialised model.
   *
   * @param config shape and rules
   * @param seed seeds every parameter (each from its own stream)
   */
  public static Gpt initialize(GptConfig config, long seed) {
    return new Gpt(Objects.requireNonNull(config, "config"), seed);
  }

  /** The configuration. */
  public GptConfig config() {
    return config;
  }

  /**
   * Every parameter in a fixed order: {@code embedding.token.weight}, {@code embedding.position.weight},
   * then per block {@code blocks.l.attention_norm.gain}, {@code blocks.l.attention.{query,key,value,output}.weight},
   * {@code blocks.l.mlp_norm.gain}, {@code blocks.l.mlp.up.weight}, {@code blocks.l.mlp.down.weight}, and
   * finally {@code norm.gain}, {@code readout.weight}. Unmodifiable.
   */
  public List<Parameter> parameters() {
    return parameters;
  }

  /**
   * The modules after the embeddings, in forward order: each block, the final norm, the readout (what a
   * walk over the model's {@link Linear} layers starts from); unmodifiable.
   */
  public List<Module> modules() {
    List<Module> all = new ArrayList<>(blocks);
    all.add(norm);
    all.add(readout);
    return List.copyOf(all);
  }

  /** The multiplier α_att on every attention logit {@code q·k}. */
  public double attentionMultiplier() {
    return attentionMultiplier;
  }

  /** The multiplier α on every residual branch. */
  public double residualMultiplier() {
    return residualMultiplier;
  }

  /**
   * Forward pass over whole sequences.
   *
   * @param tokens {@code sequences × context} token ids, one sequence after another, each in
   *     {@code [0, vocabulary)}; not modified (copied)
   * @return the logits, {@code tokens.length × vocabulary}: row {@code s·T + t} scores the token after
   *     position t of sequence s; a work buffer overwritten by the next forward of the same size
   * @throws IllegalArgumentException if the length is not a positive multiple of the context, or an id
   *     is out of range
   */
  public FloatMatrix forward(int[] tokens) {
    Objects.requireNonNull(tokens, "tokens");
    int t = config.context();
    if (tokens.length == 0 || tokens.length % t != 0) {
      throw new IllegalArgumentException(
          "tokens: " + tokens.length + " ids are not a positive number of whole sequences of " + t);
    }
    Work w = works.get(tokens.length);
    FloatMatrix tok = tokenEmbedding.forward(tokens);
    FloatMatrix pos = positionEmbedding.forward(w.positions);
    Elementwise.addScaled(0, w.embedded.data().length, tok.data(), 1f, pos.data(), w.embedded.data());
    FloatMatrix h = w.embedded;
    for (int l = 0; l < blocks.size(); l++) {
      h = blocks.get(l).forward(h);
      w.blockOutputs[l] = h;
    }
    w.logits = readout.forward(norm.forward(h));
    last = w;
    lossReady = false;
    return w.logits;
  }

  /**
   * Mean cross-entropy of the last forward pass's logits against the next tokens, in nats; also prepares
   * {@code ∂loss/∂logits} for {@link #backward()}. Large batches split their rows between
   * {@code Blas.parallelism()} threads; the token losses are then summed in order, so the result does not depend
   * on the thread count.
   *
   * @param targets one target id per token of the last forward pass (the token that follows it), each in
   *     {@code [0, vocabulary)}; not modified
   * @return {@code (1/N)·Σ_i (logsumexp(z_i) − z_{i,y_i})}, NaN or infinite if the logits are
   * @throws IllegalArgumentException if the length differs from the last forward's or a target is out of range
   */
  public double loss(int[] targets) {
    Objects.requireNonNull(targets, "targets");
    if (last == null) {
      throw new IllegalStateException("loss needs a forward pass first");
    }
    int n = last.logits.rows();
    int v = config.vocabulary();
    if (targets.length != n) {
      throw new IllegalArgumentException("targets: " + targets.length + " ids for " + n + " tokens");
    }
    for (int i = 0; i < n; i++) {
      int y = targets[i];
      if (y < 0 || y >= v) {
        throw new IllegalArgumentException("target " + y + " at position " + i + " is outside [0, " + v + ")");
      }
    }
    // Rows split into fixed shares; the row losses are summed in order afterwards, so the total does not
    // depend on the thread count.
    lossTargets = targets;
    lossShares = n * v < PARALLEL_LOGITS ? 1 : Math.max(1, Math.min(n, Blas.parallelism()));
    if (last.exps.length < lossShares) {
      double[][] grown = java.util.Arrays.copyOf(last.exps, lossShares);
      for (int i = last.exps.length; i < lossShares; i++) {
        grown[i] = new double[v];
      }
      last.exps = grown;
    }
    try {
      if (lossShares == 1) {
        lossShare(0);
      } else {
        Blas.forEachTask(lossShares, lossShare);
      }
    } finally {
      lossTargets = null;
    }
    double total = 0;
    for (int i = 0; i < n; i++) {
      total += last.tokenLoss[i];
    }
    lossReady = true;
    return total / n;
  }

  private void lossShare(int part) {
    int n = last.logits.rows();
    int v = config.vocabulary();
    float[] z = last.logits.data();
    float[] g = last.logitGradient.data();
    double scale = 1.0 / n;
    double[] e = last.exps[part];
    for (int i = (int) ((long) n * part / lossShares), end = (int) ((long) n * (part + 1) / lossShares); i < end;
        i++) {
      int off = i * v;
      int y = lossTargets[i];
      float max = Float.NEGATIVE_INFINITY;
      for (int j = 0; j < v; j++) {
        max = Math.max(max, z[off + j]);
      }
      double sum = 0;
      for (int j = 0; j < v; j++) {
        double ej = Math.exp(z[off + j] - max);
        e[j] = ej;
        sum += ej;
      }
      double lse = max + Math.log(sum);
      // softmax · (1/N) from the exponentials already taken (in double, one rounding to float): the second
      // exponential per logit, exp(z − lse), cost about a third of this pass.
      double r = scale / sum;
      for (int j = 0; j < v; j++) {
        g[off + j] = (float) (e[j] * r);
      }
      g[off + y] -= (float) scale;
      last.tokenLoss[i] = lse - z[off + y];
    }
  }

  /** Backward pass of the last {@link #loss}: overwrites every parameter's gradient. */
  public void backward() {
    if (!lossReady) {
      throw new IllegalStateException("backward needs forward and loss first");
    }
    FloatMatrix g = norm.backward(readout.backward(last.logitGradient));
    for (int l = blocks.size() - 1; l >= 0; l--) {
      g = blocks.get(l).backward(g);
    }
    tokenEmbedding.backward(g);
    positionEmbedding.backward(g);
  }

  /**
   * Names of the module outputs that coord checks measure, in forward order: {@code embedding} (H₀),
   * {@code block1} … {@code blockL} (the residual stream after each block), {@code logits}.
   */
  public List<String> featureNames() {
    return featureNames;
  }

  /**
   * Output {@code i} of {@link #featureNames()} in the last forward pass: a live work buffer of
   * {@code tokens × width} ({@code × vocabulary} for the logits), overwritten by the next forward pass of
   * the same size.
   *
   * @throws IllegalStateException if there was no forward pass
   */
  public FloatMatrix feature(int i) {
    if (last == null) {
      throw new IllegalStateException("no forward pass yet");
    }
    Objects.checkIndex(i, featureNames.size());
    if (i == 0) {
      return last.embedded;
    }
    return i <= blocks.size() ? last.blockOutputs[i - 1] : last.logits;
  }

  /**
   * Continues a text: samples {@code count} tokens one at a time from {@code softmax(logits/temperature)}
   * of the last position, each conditioned on up to {@code context} preceding tokens (the window is padded
   * after its end, which the causal mask makes invisible to the position read).
   *
   * @param prompt at least one token id; not modified
   * @param count tokens to generate, ≥ 0
   * @param temperature &gt; 0 samples, 0 takes the most likely token
   * @param random the sampler's randomness; modified (advanced)
   * @return the generated tokens (without the prompt)
   * @throws IllegalArgumentException for an empty prompt, a negative count or temperature, or an id out of range
   */
  public int[] generate(int[] prompt, int count, double temperature, java.util.SplittableRandom random) {
    Objects.requireNonNull(prompt, "prompt");
    Objects.requireNonNull(random, "random");
    if (prompt.length == 0 || count < 0 || !(temperature >= 0) || !Double.isFinite(temperature)) {
      throw new IllegalArgumentException("generate: need a prompt, count >= 0 and a finite temperature >= 0, got "
          + prompt.length + " prompt tokens, count " + count + ", temperature " + temperature);
    }
    int t = config.context();
    int v = config.vocabulary();
    int[] text = java.util.Arrays.copyOf(prompt, prompt.length + count);
    int[] window = new int[t];
    double[] p = new double[v];
    for (int produced = 0; produced < count; produced++) {
      int end = prompt.length + produced;
      int start = Math.max(0, end - t);
      java.util.Arrays.fill(window, 0);
      System.arraycopy(text, start, window, 0, end - start);
      float[] z = forward(window).data();
      int off = (end - start - 1) * v;
      int next = 0;
      if (temperature == 0) {
        for (int j = 1; j < v; j++) {
          if (z[off + j] > z[off + next]) {
            next = j;
          }
        }
      } else {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < v; j++) {
          max = Math.max(max, z[off + j] / temperature);
        }
        double sum = 0;
        for (int j = 0; j < v; j++) {
          p[j] = Math.exp(z[off + j] / temperature - max);
          sum += p[j];
        }
        double u = random.nextDouble() * sum;
        next = v - 1;
        for (int j = 0; j < v; j++) {
          u -= p[j];
          if (u < 0) {
            next = j;
            break;
          }
        }
      }
      text[end] = next;
    }
    return java.util.Arrays.copyOfRange(text, prompt.length, text.length);
  }

  /** {@link #forward}, {@link #loss} and {@link #backward()} in one call; returns the loss. */
  public double forwardBackward(int[] tokens, int[] targets) {
    forward(tokens);
    double loss = loss(targets);
    backward();
    return loss;
  }
}
