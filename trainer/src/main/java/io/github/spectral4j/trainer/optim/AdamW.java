package io.github.spectral4j.trainer.optim;

import io.github.spectral4j.core.LayerRule;
import io.github.spectral4j.simd.Blas;
import io.github.spectral4j.simd.Elementwise;
import io.github.spectral4j.trainer.nn.Parameter;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.List;

/**
 * Adam with decoupled weight decay (AdamW; Loshchilov and Hutter): for each parameter {@code W} with
 * gradient {@code G}, at step {@code t}, {@code m ← β1·m + (1−β1)·G}, {@code v ← β2·v + (1−β2)·G²},
 * {@code ΔW = −η_l·(m̂/(√v̂ + ε_l) + λ_l·W)} with {@code m̂ = m/(1−β1ᵗ)}, {@code v̂ = v/(1−β2ᵗ)},
 * {@code η_l = η·rule.learningRateMultiplier()}, {@code λ_l = λ·rule.weightDecayMultiplier()} and
 * {@code ε_l = ε·rule.epsilonMultiplier()} (ε follows the gradient's RMS across width, see
 * {@code LayerRule}). The update's entries are Θ(1) whatever the gradient's
 * scale (it is sign-like), so its spectral norm is about {@code η_l·√(fo·fi)} and the spectral rule
 * takes {@code η_l = η/fi} (arXiv 2310.17813). The decay is multiplied by {@code η_l}, as in the MLP's
 * optimizer and PyTorch's AdamW. Computed in float by {@link Elementwise#adamWApply}: moments, update, the
 * update added to the value and both norms in one vectorised pass (the update is added while still in a
 * register; it was a second pass reading ΔW and W again), over blocks of {@link Elementwise#ADAMW_BLOCK}
 * entries whose squared norms are added in block order: bit for bit the values and norms of
 * {@link Elementwise#adamW} followed by {@code Fused.addWithNorms}. A large parameter's blocks are split into
 * up to {@code Blas.parallelism()} contiguous shares run by {@link Blas#forEachTask}; every entry and every
 * block's sums are computed by the same operations wherever a split falls, so results are bit-identical for
 * any thread count. When the slot's products are requested (diagnostics), the update is instead added by the
 * slot's own pass, which forms them. Steps allocate nothing.
 */
public final class AdamW extends SlotOptimizer {
  static final String KIND = "adamw";
  /** Default β1. */
  public static final double BETA1 = 0.9;

  /** Default β2. */
  public static final double BETA2 = 0.999;

  /** Default ε. */
  public static final double EPSILON = 1e-8;

  private final double learningRate;
  private final double beta1;
  private final double beta2;
  private final double epsilon;
  private final double weightDecay;
  private final State[] states;
  // The pass in progress, read by the shares (created once: a step allocates nothing).
  private final java.util.function.IntConsumer share = this::share;
  private State current;
  private int shares;
  private float b1;
  private float b2;
  private float c1;
  private float c2;
  private float lr;
  private float wd;
  private float eps;
  /** Whether the pass in progress also applies the update ({@link Elementwise#adamWApply}). */
  private boolean applying;
  /** Σ ΔW² and Σ W² of block b at 2b and 2b + 1, sized for the largest parameter. */
  private final double[] blockSums;
  /** One two-entry scratch per share for the kernel's sums; grown (once) when the parallelism grows. */
  private double[][] scratch = new double[0][];
  private final double[] norms = new double[2];

  /** Below this many entries a parameter's pass runs on the calling thread (forking costs more). */
  private static final int PARALLEL_ENTRIES = 1 << 15;

  /** One parameter's slot and moments. */
  private record State(Slot slot, float[] first, float[] second) {}

  /**
   * AdamW with the default β1, β2 and ε.
   *
   * @param parameters at least one, each once; not modified (their values are, by {@link #step})
   * @param learningRate η, finite and &gt; 0
   * @param weightDecay λ, finite and ≥ 0 (decoupled)
   * @throws IllegalArgumentException naming the offending value
   */
  public AdamW(List<Parameter> parameters, double learningRate, double weightDecay) {
    this(parameters, learningRate, BETA1, BETA2, EPSILON, weightDecay);
  }

  /**
   * @param parameters at least one, each once; not modified (their values are, by {@link #step})
   * @param learningRate η, finite and &gt; 0
   * @param beta1 β1 in [0, 1)
   * @param beta2 β2 in [0, 1)
   * @param epsilon ε, finite and &gt; 0
   * @param weightDecay λ, finite and ≥ 0 (decoupled)
   * @throws IllegalArgumentException naming the offending value
   */
  public AdamW(
      List<Parameter> parameters, double learningRate, double beta1, double beta2, double epsilon, double weightDecay) {
    this(new Slots("AdamW", parameters, false), learningRate, beta1, beta2, epsilon, weightDecay);
  }

  /** Over {@code slots}, which may be empty (a group of {@link Muon}). */
  AdamW(Slots slots, double learningRate, double beta1, double beta2, double epsilon, double weightDecay) {
    super(slots);
    this.learningRate = Slots.requireLearningRate("AdamW", learningRate);
    this.beta1 = Slots.requireUnitInterval("AdamW", "beta1", beta1);
    this.beta2 = Slots.requireUnitInterval("AdamW", "beta2", beta2);
    if (!(epsilon > 0) || !Double.isFinite(epsilon)) {
      throw new IllegalArgumentException("AdamW: epsilon must be finite and > 0, got " + epsilon);
    }
    this.epsilon = epsilon;
    this.weightDecay = Slots.requireWeightDecay("AdamW", weightDecay);
    this.states = new State[slots.slots.length];
    int most = 0;
    for (int i = 0; i < states.length; i++) {
      int n = slots.slots[i].parameter.size();
      states[i] = new State(slots.slots[i], new float[n], new float[n]);
      most = Math.max(most, n);
    }
    this.blockSums = new double[2 * blocks(most)];
  }

  /** η. */
  public double learningRate() {
    return learningRate;
  }

  /** λ. */
  public double weightDecay() {
    return weightDecay;
  }

  @Override
  public void step() {
    long t = steps + 1;
    slots.begin();
    update(t);
    steps = t;
    slots.end(t);
  }

  /** Computes and applies step {@code t}'s updates; divergence is left in {@code slots} for the caller. */
  void update(long t) {
    b1 = (float) beta1;
    b2 = (float) beta2;
    c1 = (float) (1 / (1 - Math.pow(beta1, t)));
    c2 = (float) (1 / (1 - Math.pow(beta2, t)));
    for (State state : states) {
      Slot s = state.slot;
      LayerRule rule = s.parameter.rule();
      lr = (float) (learningRate * rule.learningRateMultiplier());
      wd = (float) (weightDecay * rule.weightDecayMultiplier());
      eps = (float) (epsilon * rule.epsilonMultiplier());
      current = state;
      int n = s.update.data().length;
      // With products requested the slot's pass applies the update and forms them.
      applying = s.products == null || !s.products.requested;
      int blocks = blocks(n);
      shares = n < PARALLEL_ENTRIES ? 1 : Math.max(1, Math.min(Blas.parallelism(), blocks));
      if (scratch.length < shares) {
        double[][] grown = java.util.Arrays.copyOf(scratch, shares);
        for (int i = scratch.length; i < shares; i++) {
          grown[i] = new double[2];
        }
        scratch = grown;
      }
      try {
        if (shares == 1) {
          share(0);
        } else {
          Blas.forEachTask(shares, share);
        }
      } finally {
        current = null;
      }
      if (applying) {
        double sd = 0;
        double sw = 0;
        for (int b = 0; b < blocks; b++) {
          sd += blockSums[2 * b];
          sw += blockSums[2 * b + 1];
        }
        norms[0] = Math.sqrt(sd);
        norms[1] = Math.sqrt(sw);
        slots.applied(s, norms);
      } else {
        slots.apply(s);
      }
    }
  }

  private static int blocks(int n) {
    return (n + Elementwise.ADAMW_BLOCK - 1) / Elementwise.ADAMW_BLOCK;
  }

  private void share(int part) {
    State state = current;
    Slot s = state.slot;
    int n = s.update.data().length;
    int blocks = blocks(n);
    float[] g = s.parameter.gradient().data();
    float[] w = s.parameter.value().data();
    float[] d = s.update.data();
    double[] sums = scratch[part];
    for (int b = (int) ((long) blocks * part / shares), end = (int) ((long) blocks * (part + 1) / shares); b < end;
        b++) {
      int from = b * Elementwise.ADAMW_BLOCK;
      int to = Math.min(n, from + Elementwise.ADAMW_BLOCK);
      if (applying) {
        Elementwise.adamWApply(from, to, g, state.first, state.second, w, d, b1, b2, c1, c2, lr, wd, eps, sums);
        blockSums[2 * b] = sums[0];
        blockSums[2 * b + 1] = sums[1];
      } else {
        Elementwise.adamW(from, to, g, state.first, state.second, w, d, b1, b2, c1, c2, lr, wd, eps);
      }
    }
  }

  @Override
  public void writeState(DataOutput out) throws IOException {
    Sections.writeHeader(out, KIND, steps, slots.parameters);
    for (State state : states) {
      Sections.writeFloats(out, state.first);
      Sections.writeFloats(out, state.second);
      Sections.writeFloats(out, state.slot.update.data());
    }
  }

  @Override
  public void readState(DataInput in) throws IOException {
    long stored = Sections.readHeader(in, KIND, slots.parameters);
    for (State state : states) {
      Slot s = state.slot;
      Sections.readFloats(in, state.first, s.parameter.name() + " first moment");
      Sections.readFloats(in, state.second, s.parameter.name() + " second moment");
      Sections.readFloats(in, s.update.data(), s.parameter.name() + " last update");
      s.updateNorm = Blas.frobeniusNorm(s.update);
    }
    steps = stored;
  }

  @Override
  public String toString() {
    return "AdamW[η=" + learningRate + ", β1=" + beta1 + ", β2=" + beta2 + ", ε=" + epsilon + ", λ=" + weightDecay
        + ", " + slots.parameters.size() + " parameters]";
  }
}
