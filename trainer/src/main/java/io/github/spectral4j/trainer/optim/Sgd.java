package io.github.spectral4j.trainer.optim;

import io.github.spectral4j.simd.FloatMatrix;
import io.github.spectral4j.trainer.nn.FusedStep;
import io.github.spectral4j.trainer.nn.Parameter;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.List;

/**
 * Stochastic gradient descent with heavy-ball momentum μ and L2 weight decay: for each parameter
 * {@code W} with gradient {@code G}, {@code B ← μ·B + G + λ_l·W} and {@code ΔW = −η_l·B} with
 * {@code η_l = η·rule.learningRateMultiplier()} and {@code λ_l = λ·rule.weightDecayMultiplier()}
 * ({@code B = G + λ_l·W}, no buffer, when μ = 0). Under the
 * spectral rule {@code η_l = η·fo/fi}: a batch gradient is low-rank, so its spectral norm is about its
 * Frobenius norm and {@code ‖ΔW‖* = Θ(√(fo/fi))} (arXiv 2310.17813, Condition 1). Computed in float as
 * the MLP's optimizer has always computed it. Steps allocate nothing. Without momentum it offers the
 * backward pass a {@link FusedStep} ({@link #fusedStep}): plain SGD written into W by the weight gradient's
 * GEMM, the same bits, with G never stored and ΔW not kept.
 */
public final class Sgd extends SlotOptimizer {
  static final String KIND = "sgd";

  private final double learningRate;
  private final double momentum;
  private final double weightDecay;
  private final State[] states;

  /**
   * @param parameters at least one, each once; not modified (their values are, by {@link #step})
   * @param learningRate η, finite and &gt; 0
   * @param momentum μ in [0, 1)
   * @param weightDecay λ, finite and ≥ 0 (L2: added to the gradient)
   * @throws IllegalArgumentException naming the offending value
   */
  public Sgd(List<Parameter> parameters, double learningRate, double momentum, double weightDecay) {
    super(new Slots("SGD", parameters, false));
    this.learningRate = Slots.requireLearningRate("SGD", learningRate);
    this.momentum = Slots.requireUnitInterval("SGD", "momentum", momentum);
    this.weightDecay = Slots.requireWeightDecay("SGD", weightDecay);
    this.states = new State[slots.slots.length];
    for (int i = 0; i < states.length; i++) {
      Slot s = slots.slots[i];
      states[i] = new State(s, momentum > 0 ? new float[s.parameter.size()] : null);
    }
  }

  /** One parameter's slot and momentum buffer (null without momentum). */
  private record State(Slot slot, float[] momentum) {}

  /** η. */
  public double learningRate() {
    return learningRate;
  }

  /** μ. */
  public double momentum() {
    return momentum;
  }

  /** λ. */
  public double weightDecay() {
    return weightDecay;
  }

  @Override
  public void step() {
    long t = steps + 1;
    float mu = (float) momentum;
    slots.begin();
    for (State state : states) {
      Slot s = state.slot;
      if (s.appliedInBackward) {
        slots.adopt(s); // applied by the weight gradient's GEMM (fusedStep)
        continue;
      }
      float lr = (float) (learningRate * s.parameter.rule().learningRateMultiplier());
      float wd = (float) (weightDecay * s.parameter.rule().weightDecayMultiplier());
      if (state.momentum == null && wd == 0) {
        // ΔW = −η_l·G: formed and applied in one pass over G and W.
        slots.applyScaled(s, -lr, s.parameter.gradient());
      } else {
        update(state.momentum, lr, mu, wd, s.parameter.value().data(), s.parameter.gradient().data(), s.update.data());
        slots.apply(s);
      }
    }
    steps = t;
    slots.end(t);
  }

  /** The update with momentum or decay (plain SGD's is formed in the pass that applies it). */
  private static void update(float[] b, float lr, float mu, float wd, float[] w, float[] g, float[] d) {
    if (b == null) {
      for (int k = 0; k < d.length; k++) {
        d[k] = -lr * (g[k] + wd * w[k]);
      }
    } else {
      for (int k = 0; k < d.length; k++) {
        b[k] = mu * b[k] + g[k] + wd * w[k];
        d[k] = -lr * b[k];
      }
    }
  }

  /**
   * Plain SGD's offer to the backward pass: without momentum, a parameter whose decay λ_l is 0 and whose
   * stored ΔW no requested {@link FusedProducts} needs ({@link FusedProducts#keepUpdate}) has
   * {@code W ← W − η_l·G} applied by the GEMM that forms G ({@code Fused.gemmUpdate}): the same bits as this
   * optimizer's own pass, without storing G or reading it again; requested products are formed in the same
   * write-back on the new W ({@code Slot.gemmUpdate}: W₀ is the only extra read; a pass after the step read W
   * and W₀ again, about a tenth of the MLP's step with diagnostics). Such a step keeps {@code ‖ΔW‖_F} and
   * {@code ‖W‖_F} but not ΔW ({@link #keptUpdate}). Null with momentum (the buffer needs G).
   */
  @Override
  public FusedStep fusedStep() {
    return momentum == 0 ? inBackward : null;
  }

  private final FusedStep inBackward = new FusedStep() {
    @Override
    public float scale(Parameter parameter) {
      Slot s = slots.slot(parameter);
      if (s.appliedInBackward) {
        throw new IllegalStateException("SGD: the step of " + parameter.name() + " was applied by a backward pass"
            + " whose step() has not been taken");
      }
      FusedProducts p = s.products;
      float alpha = -(float) (learningRate * parameter.rule().learningRateMultiplier());
      // An η_l that overflows float is left to the pass, which applies it (and reports the divergence) as ever.
      if (weightDecay * parameter.rule().weightDecayMultiplier() != 0 || p != null && p.requested && p.keepUpdate
          || !Float.isFinite(alpha)) {
        return Float.NaN;
      }
      return alpha;
    }

    @Override
    public void applied(Parameter parameter, double updateNorm, double valueNorm) {
      slots.slot(parameter).appliedInBackward(updateNorm, valueNorm);
    }

    @Override
    public void gemmUpdate(Parameter parameter, float alpha, boolean transA, boolean transB, int m, int n, int k,
        float gamma, FloatMatrix a, FloatMatrix b, double[] norms) {
      Slot s = slots.slot(parameter);
      double[] scratch = gemmNorms;
      s.gemmUpdate(alpha, transA, transB, m, n, k, gamma, a, b, scratch);
      norms[0] = scratch[0];
      norms[1] = scratch[1];
      s.appliedInBackward(scratch[0], scratch[1]);
    }
  };

  /** ‖ΔW‖_F, ‖W‖_F and ‖W − W₀‖_F of a step applied in the backward pass. */
  private final double[] gemmNorms = new double[3];

  /** Every parameter's pass can form {@link FusedProducts}. */
  @Override
  public boolean attach(FusedProducts products) {
    return slots.attach(products);
  }

  @Override
  public void writeState(DataOutput out) throws IOException {
    Sections.writeHeader(out, KIND, steps, slots.parameters);
    for (State state : states) {
      Sections.writeFloats(out, state.momentum);
      Sections.writeUpdate(out, state.slot);
    }
  }

  @Override
  public void readState(DataInput in) throws IOException {
    long stored = Sections.readHeader(in, KIND, slots.parameters);
    for (State state : states) {
      Slot s = state.slot;
      Sections.readFloats(in, state.momentum, s.parameter.name() + " momentum");
      Sections.readUpdate(in, s);
    }
    steps = stored;
  }

  @Override
  public String toString() {
    return "Sgd[η=" + learningRate + ", μ=" + momentum + ", λ=" + weightDecay + ", " + slots.parameters.size()
        + " parameters]";
  }
}
