package io.github.spectral4j.trainer.nn;

import io.github.spectral4j.core.LayerRule;
import io.github.spectral4j.simd.Blas;
import io.github.spectral4j.simd.Elementwise;
import io.github.spectral4j.simd.FloatMatrix;
import java.util.List;
import java.util.Objects;

/**
 * Causal multi-head self-attention over sequences of {@code context} rows:
 *
 * <pre>
 *   Q = X·W_Qᵀ   K = X·W_Kᵀ   V = X·W_Vᵀ                 (each width × width, a hidden matrix)
 *   P_h = softmax(α·Q_h·K_hᵀ + causal mask)   O_h = P_h·V_h     per sequence and head h
 *   Y = [O_1 … O_H]·W_Oᵀ
 * </pre>
 *
 * with {@code Q_h} the columns {@code h·d_head … (h+1)·d_head − 1} of one sequence's rows and α the logit
 * multiplier supplied by the caller (1/√d_head in the standard parametrization; μP's 1/d_head, made equal to
 * 1/√d_head at the base width, Tensor Programs V). Every matrix product is a {@code simd} GEMM: the four
 * projections over the whole batch, and per sequence and head {@code Q_h·K_hᵀ}, {@code P_h·V_h} and, in
 * backward, {@code ∂P = ∂O·Vᵀ}, {@code ∂V = Pᵀ·∂O}, {@code ∂Q = α·∂S·K}, {@code ∂K = α·∂Sᵀ·Q} with
 * {@code ∂S = P ⊙ (∂P − rowsum(∂P ⊙ P))}. {@code Blas.gemm} takes whole matrices, so each head's slice is
 * packed into a contiguous {@code context × d_head} matrix (allocated once per batch shape; the copy costs
 * {@code O(rows·width)} against the GEMMs' {@code O(rows·context·width)}). Forward's packed Q_h, K_h and V_h
 * are kept per (sequence, head) for backward, which then packs only ∂O_h: 8 head copies per pass instead
 * of 11 (the copies were ~2 % of a GPT step on one core), for 3·rows·width floats more memory.
 *
 * <p>Not done, measured (JFR, GPT step of width 512, 16 × 64 tokens, 4 heads, one core, session 11): the head
 * copies ({@code pack}/{@code unpack}) take 1.3–1.7 % of the step and the six per-head products 2.8 %.
 * Reading the heads in place needs a row/column offset on A, B and C through every GEMM route (packed,
 * transposed, small and thin kernels, the epilogues); {@code Blas.gemm}'s leading-block form reads only
 * blocks that start at element 0. Skipping the causal mask's upper triangle: {@code Q_h·K_hᵀ} and
 * {@code ∂P = ∂O·Vᵀ} have T = 64 columns, one micro-tile panel (NR = 64), so the triangle lies inside every
 * tile; {@code P_h·V_h}, {@code ∂V}, {@code ∂Q} and {@code ∂K} could skip it only with a k range per row
 * tile (or leading blocks at an offset), at most half of those four products, ~0.9 % of the step.
 *
 * <p>The (sequence, head) pairs are independent and their GEMMs too small to split, so they are split instead:
 * into {@code min(Blas.parallelism(), pairs)} contiguous shares run by {@link Blas#forEachTask}, each share with
 * its own packing buffers. Every pair is computed by the same code whatever share it falls in and writes only
 * its own rows and columns, so results are bit-identical for any thread count.
 */
public final class SelfAttention implements Module {
  private final String name;
  private final int width;
  private final int heads;
  private final int headWidth;
  private final int context;
  private final float logitMultiplier;
  private final Linear query;
  private final Linear key;
  private final Linear value;
  private final Linear output;
  private final List<Parameter> parameters;
  private final Workspaces<Work> works;
  private Work last;

  private static final class Work {
    final int sequences;
    /** Softmax probabilities per (sequence, head), kept for backward; upper triangle zero. */
    final FloatMatrix[] probabilities;
    /** Q_h, K_h and V_h per (sequence, head), packed by forward and read again by backward. */
    final FloatMatrix[] q;
    final FloatMatrix[] k;
    final FloatMatrix[] v;
    /** Head outputs concatenated: the input of the output projection. */
    final FloatMatrix attended;
    final FloatMatrix queryGradient;
    final FloatMatrix keyGradient;
    final FloatMatrix valueGradient;
    final FloatMatrix inputGradient;
    /** One set of packing buffers per share; grown (once) when the parallelism grows. */
    Heads[] shares;

    Work(int rows, int context, int heads, int width) {
      sequences = rows / context;
      int pairs = sequences * heads;
      int hw = width / heads;
      probabilities = new FloatMatrix[pairs];
      q = new FloatMatrix[pairs];
      k = new FloatMatrix[pairs];
      v = new FloatMatrix[pairs];
      for (int i = 0; i < pairs; i++) {
        probabilities[i] = FloatMatrix.zeros(context, context);
        q[i] = FloatMatrix.zeros(context, hw);
        k[i] = FloatMatrix.zeros(context, hw);
        v[i] = FloatMatrix.zeros(context, hw);
      }
      attended = FloatMatrix.zeros(rows, width);
      queryGradient = FloatMatrix.zeros(rows, width);
      keyGradient = FloatMatrix.zeros(rows, width);
      valueGradient = FloatMatrix.zeros(rows, width);
      inputGradient = FloatMatrix.zeros(rows, width);
      shares = new Heads[0];
    }
  }

  /** One head's contiguous buffers, used by one share at a time. */
  private static final class Heads {
    final FloatMatrix o;
    final FloatMatrix dq;
    final FloatMatrix dk;
    final FloatMatrix dv;
    final FloatMatrix dProbabilities;

    Heads(int context, int hw) {
      o = FloatMatrix.zeros(context, hw);
      dq = FloatMatrix.zeros(context, hw);
      dk = FloatMatrix.zeros(context, hw);
      dv = FloatMatrix.zeros(context, hw);
      dProbabilities = FloatMatrix.zeros(context, context);
    }
  }

  // The state of the pass in progress, read by the shares (created once: no per-pass lambda allocation).
  private final java.util.function.IntConsumer forwardShare = this::forwardShare;
  private final java.util.function.IntConsumer backwardShare = this::backwardShare;
  private Work current;
  private int shareCount;
  private FloatMatrix qAll;
  private FloatMatrix kAll;
  private FloatMatrix vAll;
  private FloatMatrix dAttended;

  /**
   * A freshly initialised attention layer; its projections are modules {@code name.query}, {@code name.key},
   * {@code name.value} and {@code name.output}, without biases, their weights named as their rules' layers.
   *
   * @param name e.g. {@code blocks.0.attention}
   * @param heads number of heads H; divides the width
   * @param context sequence length T: inputs have a multiple of T rows, one sequence after another
   * @param logitMultiplier α on the logits {@code Q_h·K_hᵀ}, finite and &gt; 0
   * @param queryRule rule of W_Q (a width × width layer; the width is its fanIn)
   * @param keyRule rule of W_K
   * @param valueRule rule of W_V
   * @param outputRule rule of W_O
   * @param seed seeds the four projections
   * @throws IllegalArgumentException if the rules are not all width × width, or H does not divide it
   */
  public SelfAttention(String name, int heads, int context, double logitMultiplier, LayerRule queryRule,
      LayerRule keyRule, LayerRule valueRule, LayerRule outputRule, long seed) {
    this.name = Objects.requireNonNull(name, "name");
    Objects.requireNonNull(queryRule, "queryRule");
    this.width = queryRule.layer().fanIn();
    for (LayerRule r : new LayerRule[] {queryRule, keyRule, valueRule, outputRule}) {
      Objects.requireNonNull(r, "rule");
      if (r.layer().fanIn() != width || r.layer().fanOut() != width) {
        throw new IllegalArgumentException(name + ": every projection is " + width + "x" + width + ", got "
            + r.layer().fanOut() + "x" + r.layer().fanIn() + " for " + r.layer().name());
      }
    }
    this.heads = Checks.positive(name + ": heads", heads);
    if (width % heads != 0) {
      throw new IllegalArgumentException(name + ": heads " + heads + " must divide the width " + width);
    }
    this.headWidth = width / heads;
    this.context = Checks.positive(name + ": context", context);
    if (!(logitMultiplier > 0) || !Double.isFinite(logitMultiplier)) {
      throw new IllegalArgumentException(name + ": logit multiplier must be finite and > 0, got " + logitMultiplier);
    }
    this.logitMultiplier = (float) logitMultiplier;
    this.query = new Linear(name + ".query", queryRule, null, Seeds.derive(seed, 0));
    this.key = new Linear(name + ".key", keyRule, null, Seeds.derive(seed, 1));
    this.value = new Linear(name + ".value", valueRule, null, Seeds.derive(seed, 2));
    this.output = new Linear(name + ".output", outputRule, null, Seeds.derive(seed, 3));
    this.parameters = List.of(query.weight(), key.weight(), value.weight(), output.weight());
    int w = width;
    int h = heads;
    int t = context;
    this.works = new Workspaces<>(rows -> new Work(rows, t, h, w));
  }

  /** Number of heads H. */
  public int heads() {
    return heads;
  }

  /** The sequence length T. */
  public int context() {
    return context;
  }

  /** The logit multiplier α. */
  public double logitMultiplier() {
    return logitMultiplier;
  }

  /** The projections W_Q, W_K, W_V, W_O, in that order. */
  public List<Linear> projections() {
    return List.of(query, key, value, output);
  }

  @Override
  public List<Parameter> parameters() {
    return parameters;
  }

  @Override
  public int inputWidth() {
    return width;
  }

  @Override
  public int outputWidth() {
    return width;
  }

  @Override
  public FloatMatrix forward(FloatMatrix input) {
    Checks.columns(name, input, width);
    if (input.rows() % context != 0) {
      throw new IllegalArgumentException(name + ": " + input.rows() + " rows are not whole sequences of "
          + context + " tokens");
    }
    Work w = works.get(input.rows());
    qAll = query.forward(input);
    kAll = key.forward(input);
    vAll = value.forward(input);
    runShares(w, forwardShare);
    last = w;
    return output.forward(w.attended);
  }

  /** Runs {@code share} over the (sequence, head) pairs of {@code w}, split into fixed contiguous shares. */
  private void runShares(Work w, java.util.function.IntConsumer share) {
    int pairs = w.sequences * heads;
    int n = Math.max(1, Math.min(Blas.parallelism(), pairs));
    if (w.shares.length < n) {
      Heads[] grown = java.util.Arrays.copyOf(w.shares, n);
      for (int i = w.shares.length; i < n; i++) {
        grown[i] = new Heads(context, headWidth);
      }
      w.shares = grown;
    }
    current = w;
    shareCount = n;
    try {
      if (n == 1) {
        share.accept(0);
      } else {
        Blas.forEachTask(n, share);
      }
    } finally {
      current = null;
      qAll = kAll = vAll = dAttended = null;
    }
  }

  private void forwardShare(int t) {
    Work w = current;
    Heads b = w.shares[t];
    int pairs = w.sequences * heads;
    for (int pair = split(pairs, shareCount, t), end = split(pairs, shareCount, t + 1); pair < end; pair++) {
      int s = pair / heads;
      int h = pair % heads;
      FloatMatrix q = w.q[pair];
      FloatMatrix k = w.k[pair];
      FloatMatrix v = w.v[pair];
      pack(qAll, s, h, q);
      pack(kAll, s, h, k);
      pack(vAll, s, h, v);
      FloatMatrix p = w.probabilities[pair];
      Blas.gemm(false, true, logitMultiplier, q, k, 0f, p);
      causalSoftmax(p);
      Blas.gemm(false, false, 1f, p, v, 0f, b.o);
      unpack(b.o, s, h, w.attended);
    }
  }

  private static int split(int count, int parts, int part) {
    return (int) ((long) count * part / parts);
  }

  /**
   * Row-wise softmax of the entries j ≤ i of each row i ({@link Elementwise#softmax}, vectorised); entries
   * j &gt; i become 0 (the causal mask).
   */
  private static void causalSoftmax(FloatMatrix p) {
    int t = p.cols();
    float[] a = p.data();
    for (int i = 0, off = 0; i < t; i++, off += t) {
      Elementwise.softmax(a, off, i + 1);
      java.util.Arrays.fill(a, off + i + 1, off + t, 0f);
    }
  }

  @Override
  public FloatMatrix backward(FloatMatrix outputGradient) {
    Checks.forwardDone(name, last);
    Work w = last;
    dAttended = output.backward(outputGradient);
    runShares(w, backwardShare);
    query.backward(w.queryGradient, w.inputGradient, 0f);
    key.backward(w.keyGradient, w.inputGradient, 1f);
    value.backward(w.valueGradient, w.inputGradient, 1f);
    return w.inputGradient;
  }

  private void backwardShare(int t) {
    Work w = current;
    Heads b = w.shares[t];
    int pairs = w.sequences * heads;
    for (int pair = split(pairs, shareCount, t), end = split(pairs, shareCount, t + 1); pair < end; pair++) {
      int s = pair / heads;
      int h = pair % heads;
      FloatMatrix p = w.probabilities[pair];
      pack(dAttended, s, h, b.o); // b.o holds ∂O_h from here on
      Blas.gemm(false, true, 1f, b.o, w.v[pair], 0f, b.dProbabilities);
      Blas.gemm(true, false, 1f, p, b.o, 0f, b.dv);
      softmaxBackward(p, b.dProbabilities);
      Blas.gemm(false, false, logitMultiplier, b.dProbabilities, w.k[pair], 0f, b.dq);
      Blas.gemm(true, false, logitMultiplier, b.dProbabilities, w.q[pair], 0f, b.dk);
      unpack(b.dq, s, h, w.queryGradient);
      unpack(b.dk, s, h, w.keyGradient);
      unpack(b.dv, s, h, w.valueGradient);
    }
  }

  /** dP becomes ∂S = P ⊙ (∂P − rowsum(∂P ⊙ P)); masked entries (P = 0) become 0. dP is modified. */
  private static void softmaxBackward(FloatMatrix p, FloatMatrix dP) {
    int t = p.cols();
    float[] a = p.data();
    float[] d = dP.data();
    for (int i = 0, off = 0; i < t; i++, off += t) {
      double dot = 0;
      for (int j = 0; j <= i; j++) {
        dot += (double) a[off + j] * d[off + j];
      }
      float c = (float) dot;
      for (int j = 0; j <= i; j++) {
        d[off + j] = a[off + j] * (d[off + j] - c);
      }
      for (int j = i + 1; j < t; j++) {
        d[off + j] = 0f;
      }
    }
  }

  /** Copies head h of sequence s (rows s·T…, columns h·d_head…) of {@code all} into {@code head}. */
  private void pack(FloatMatrix all, int s, int h, FloatMatrix head) {
    float[] src = all.data();
    float[] dst = head.data();
    int base = s * context * width + h * headWidth;
    for (int i = 0; i < context; i++) {
      System.arraycopy(src, base + i * width, dst, i * headWidth, headWidth);
    }
  }

  /** The inverse of {@link #pack}: writes {@code head} into head h of sequence s of {@code all}. */
  private void unpack(FloatMatrix head, int s, int h, FloatMatrix all) {
    float[] src = head.data();
    float[] dst = all.data();
    int base = s * context * width + h * headWidth;
    for (int i = 0; i < context; i++) {
      System.arraycopy(src, i * headWidth, dst, base + i * width, headWidth);
    }
  }

  @Override
  public String toString() {
    return "SelfAttention[" + name + " width " + width + ", " + heads + " heads, context " + context + "]";
  }
}
