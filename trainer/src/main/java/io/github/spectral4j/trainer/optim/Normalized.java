package io.github.spectral4j.trainer.optim;

import io.github.spectral4j.simd.Blas;
import io.github.spectral4j.simd.FloatMatrix;
import io.github.spectral4j.simd.Lanczos;
import io.github.spectral4j.simd.NewtonSchulz;
import io.github.spectral4j.simd.PowerIteration;
import io.github.spectral4j.trainer.UpdateMode;
import io.github.spectral4j.trainer.nn.Parameter;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.List;

/**
 * Updates of prescribed spectral norm, the direct route to Condition 1 of arXiv 2310.17813
 * ({@code ‖ΔW‖* = η·√(fo/fi)}): for each parameter {@code W} with gradient {@code G},
 * {@code B ← μ·B + G} (heavy-ball momentum; {@code B = G} when μ = 0), then {@code ΔW = −η_l·B/‖B‖*}
 * ({@link UpdateMode#EXACT}: {@code ‖B‖*} from a power iteration warm-started at the previous step's
 * singular vector, to relative residual 1e-5 within 300 iterations, else by Lanczos) or
 * {@code ΔW = −η_l·NS(B)} ({@link UpdateMode#NEWTON_SCHULZ}: Muon's quintic, 5 steps, whose singular
 * values land in about [0.7, 1.2]), and decoupled decay {@code −η·λ·m_λ·W} with the global η and
 * {@code m_λ = rule.weightDecayMultiplier()} (the MLP's {@code η·λ} when {@code m_λ = 1}; norm gains,
 * {@code m_λ = 0}, are not decayed): the shrink per step does not grow with the update's
 * {@code √(fo/fi)}, so a decayed matrix settles at a norm proportional to its update's. For the
 * spectral and μP rules {@code η_l = η·√(fo/fi)}. A vector-like parameter (bias, gain) is a fan-in-1
 * matrix: its spectral norm is its 2-norm and its update is {@code −η_l·b/‖b‖₂} in both modes. A zero
 * direction gives a zero update. Computed in float as the MLP's optimizer has always computed it.
 * The optimizer's own code allocates nothing per step; {@code simd}'s solvers return a result record
 * per matrix (24 bytes for Newton–Schulz, 32 for power iteration), and a step whose power iteration
 * does not converge within its 300 iterations allocates Lanczos's result (the first time, its solver).
 */
public final class Normalized extends SlotOptimizer {
  static final String KIND = "normalized";
  /**
   * Residual tolerance of EXACT normalisation's power iteration: the estimate's relative error is
   * about its square over the relative gap, so {@code ‖ΔW‖* = η_l} holds far below 1e-4 relative.
   */
  static final double EXACT_TOLERANCE = 1e-5;

  /** Warm-started power iterations that do not converge in this many steps fall back to Lanczos. */
  static final int EXACT_MAX_ITERATIONS = 300;

  private final double learningRate;
  private final UpdateMode mode;
  private final double momentum;
  private final double weightDecay;
  /** Whether {@code η_l = η·√(fo/fi)} from the layer's fans ({@link Muon}) instead of the rule's multiplier. */
  private final boolean spectralScale;
  private final State[] states;

  /** One parameter's slot, momentum buffer and solver (a vector-like parameter needs none). */
  private static final class State {
    final Slot slot;
    final float[] momentum;
    final FloatMatrix direction;
    final PowerIteration power;
    Lanczos lanczos;
    final NewtonSchulz newtonSchulz;
    final FloatMatrix orthogonal;

    State(Slot slot, boolean withMomentum, UpdateMode mode) {
      this.slot = slot;
      FloatMatrix w = slot.parameter.value();
      this.momentum = withMomentum ? new float[w.rows() * w.cols()] : null;
      this.direction = withMomentum ? FloatMatrix.wrap(w.rows(), w.cols(), momentum) : slot.parameter.gradient();
      boolean matrix = !slot.parameter.isVectorLike();
      this.power =
          matrix && mode == UpdateMode.EXACT
              ? new PowerIteration(w.rows(), w.cols()).setOptions(EXACT_MAX_ITERATIONS, EXACT_TOLERANCE)
              : null;
      this.newtonSchulz = matrix && mode == UpdateMode.NEWTON_SCHULZ ? new NewtonSchulz(w.rows(), w.cols()) : null;
      this.orthogonal = newtonSchulz == null ? null : FloatMatrix.zeros(w.rows(), w.cols());
    }
  }

  /**
   * @param parameters at least one, each once; not modified (their values are, by {@link #step})
   * @param learningRate η, finite and &gt; 0
   * @param mode how {@code B} is normalised
   * @param momentum μ in [0, 1)
   * @param weightDecay λ, finite and ≥ 0 (decoupled, {@code −η·λ·W})
   * @throws IllegalArgumentException naming the offending value
   */
  public Normalized(List<Parameter> parameters, double learningRate, UpdateMode mode, double momentum, double weightDecay) {
    this(new Slots("Normalized", parameters, false), learningRate, mode, momentum, weightDecay, false);
  }

  Normalized(Slots slots, double learningRate, UpdateMode mode, double momentum, double weightDecay, boolean spectralScale) {
    super(slots);
    this.learningRate = Slots.requireLearningRate("Normalized", learningRate);
    this.mode = java.util.Objects.requireNonNull(mode, "mode");
    this.momentum = Slots.requireUnitInterval("Normalized", "momentum", momentum);
    this.weightDecay = Slots.requireWeightDecay("Normalized", weightDecay);
    this.spectralScale = spectralScale;
    this.states = new State[slots.slots.length];
    for (int i = 0; i < states.length; i++) {
      states[i] = new State(slots.slots[i], momentum > 0, mode);
    }
  }

  /** η. */
  public double learningRate() {
    return learningRate;
  }

  /** How updates are normalised. */
  public UpdateMode mode() {
    return mode;
  }

  @Override
  public void step() {
    long t = steps + 1;
    slots.begin();
    update();
    steps = t;
    slots.end(t);
  }

  /** Computes and applies one step's updates; divergence is left in {@code slots} for the caller. */
  void update() {
    float mu = (float) momentum;
    for (State state : states) {
      Slot s = state.slot;
      Parameter p = s.parameter;
      float decay = (float) (learningRate * weightDecay * p.rule().weightDecayMultiplier());
      double multiplier = spectralScale ? p.rule().layer().spectralScale() : p.rule().learningRateMultiplier();
      float lr = (float) (learningRate * multiplier);
      float[] w = p.value().data();
      float[] d = s.update.data();
      if (state.momentum != null) {
        float[] b = state.momentum;
        float[] g = p.gradient().data();
        for (int k = 0; k < b.length; k++) {
          b[k] = mu * b[k] + g[k];
        }
      }
      float[] src = state.direction.data();
      float scale;
      if (state.newtonSchulz == null) {
        double norm = state.power == null ? Blas.nrm2(src) : spectralNorm(state);
        scale = norm > 0 && Double.isFinite(norm) ? (float) (lr / norm) : (norm == 0 ? 0f : Float.NaN);
      } else {
        try {
          state.newtonSchulz.orthogonalize(state.direction, state.orthogonal);
          src = state.orthogonal.data();
          scale = lr;
        } catch (IllegalArgumentException nonFinite) {
          scale = Float.NaN; // the value turns non-finite and the step reports the divergence
        }
      }
      for (int k = 0; k < d.length; k++) {
        d[k] = -scale * src[k] - decay * w[k];
      }
      slots.apply(s);
    }
  }

  /** ‖B‖* by the warm-started power iteration, or by Lanczos when it does not converge; NaN if B is not finite. */
  private static double spectralNorm(State state) {
    FloatMatrix b = state.direction;
    try {
      PowerIteration.Result r = state.power.run(b);
      if (r.converged()) {
        return r.sigma();
      }
      if (state.lanczos == null) {
        state.lanczos = new Lanczos(b.rows(), b.cols(), 1).setOptions(Math.min(b.rows(), b.cols()), 1e-6);
      }
      return state.lanczos.compute(b).singularValues()[0];
    } catch (IllegalArgumentException nonFinite) {
      return Double.NaN;
    }
  }

  @Override
  public void writeState(DataOutput out) throws IOException {
    Sections.writeHeader(out, KIND, steps, slots.parameters);
    for (State state : states) {
      Sections.writeFloats(out, state.momentum);
      Sections.writeFloats(out, state.slot.update.data());
      Sections.writeFloats(out, state.power == null ? null : state.power.rightVector());
    }
  }

  @Override
  public void readState(DataInput in) throws IOException {
    long stored = Sections.readHeader(in, KIND, slots.parameters);
    for (State state : states) {
      Slot s = state.slot;
      String name = s.parameter.name();
      Sections.readFloats(in, state.momentum, name + " momentum");
      Sections.readFloats(in, s.update.data(), name + " last update");
      s.updateNorm = Blas.frobeniusNorm(s.update);
      if (state.power != null) {
        // A run on the zero matrix leaves the solver warm; then the saved start vector is restored, so
        // the next run iterates exactly as the saved run's would have.
        state.power.run(FloatMatrix.zeros(s.update.rows(), s.update.cols()));
        Sections.readFloats(in, state.power.rightVector(), name + " power-iteration vector");
      } else {
        Sections.readFloats(in, null, name + " power-iteration vector");
      }
    }
    steps = stored;
  }

  @Override
  public String toString() {
    return "Normalized[η=" + learningRate + ", " + mode.id() + ", μ=" + momentum + ", λ=" + weightDecay + ", "
        + slots.parameters.size() + " parameters]";
  }
}
