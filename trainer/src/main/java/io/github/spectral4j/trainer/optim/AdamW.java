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
 * register; it was a second pass reading ΔW and W again), bit for bit the values and norms of
 * {@link Elementwise#adamW} followed by {@code Fused.addWithNorms}, on any thread count. When the slot's
 * products are requested (diagnostics), {@link Elementwise#adamW} computes the update, a large parameter's
 * entries split into {@code Blas.parallelism()} contiguous ranges run by {@link Blas#forEachTask} (every entry
 * is computed by the same operations wherever a split falls), and the slot's own pass adds it and forms the
 * products. Steps allocate nothing.
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
    for (int i = 0; i < states.length; i++) {
      int n = slots.slots[i].parameter.size();
      states[i] = new State(slots.slots[i], new float[n], new float[n]);
    }
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
      if (s.products == null || !s.products.requested) {
        Elementwise.adamWApply(s.parameter.gradient().data(), state.first, state.second, s.parameter.value().data(),
            s.update.data(), b1, b2, c1, c2, lr, wd, eps, norms);
        slots.applied(s, norms);
        continue;
      }
      // With products requested the slot's pass applies the update and forms them.
      current = state;
      int n = s.update.data().length;
      shares = n < PARALLEL_ENTRIES ? 1 : Math.max(1, Blas.parallelism());
      try {
        if (shares == 1) {
          share(0);
        } else {
          Blas.forEachTask(shares, share);
        }
      } finally {
        current = null;
      }
      slots.apply(s);
    }
  }

  private void share(int part) {
    State state = current;
    Slot s = state.slot;
    int n = s.update.data().length;
    Elementwise.adamW((int) ((long) n * part / shares), (int) ((long) n * (part + 1) / shares),
        s.parameter.gradient().data(), state.first, state.second, s.parameter.value().data(), s.update.data(), b1, b2,
        c1, c2, lr, wd, eps);
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
