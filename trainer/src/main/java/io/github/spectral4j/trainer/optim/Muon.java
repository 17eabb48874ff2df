package io.github.spectral4j.trainer.optim;

import io.github.spectral4j.simd.FloatMatrix;
import io.github.spectral4j.trainer.DivergenceException;
import io.github.spectral4j.trainer.UpdateMode;
import io.github.spectral4j.trainer.nn.Parameter;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import io.github.spectral4j.trainer.Checkpoint.Corrupt;
import java.util.ArrayList;
import java.util.List;

/**
 * The hybrid that Muon's users run: every dense matrix is trained by {@link Normalized} updates in
 * {@link UpdateMode#NEWTON_SCHULZ} mode with {@code η_l = η_M·√(fo/fi)} from the parameter's layer —
 * {@code ΔW = −η_M·√(fo/fi)·NS(B)}, {@code B ← μ·B + G}, so {@code ‖ΔW‖* ≈ η_M·√(fo/fi)}, Condition 1 of
 * arXiv 2310.17813 whatever the parameter's rule says — and every vector-like parameter (bias, norm
 * gain) and embedding table by {@link AdamW} with {@code η_l = η_A·rule.learningRateMultiplier()}
 * (so build the model's rules for {@code ADAM}). Embeddings go to AdamW because a one-hot input makes a
 * gradient row per token, not a matrix whose singular directions mean anything; the output matrix is
 * orthogonalised like any other (it has a fan-in and fan-out like a hidden layer). Both groups decay
 * weights by their own η times λ. Momentum is heavy-ball, not Nesterov, as in {@link Normalized}.
 */
public final class Muon implements ParameterOptimizer {
  static final String KIND = "muon";

  private final List<Parameter> parameters;
  private final Normalized matrices;
  private final AdamW others;
  private long steps;

  /**
   * @param parameters at least one, each once; not modified (their values are, by {@link #step})
   * @param matrixLearningRate η_M of the orthogonalised matrices, finite and &gt; 0
   * @param adamLearningRate η_A of the AdamW group, finite and &gt; 0
   * @param momentum μ of the matrices, in [0, 1) (Muon's default is 0.95)
   * @param weightDecay λ, finite and ≥ 0, decoupled, for both groups
   * @throws IllegalArgumentException naming the offending value
   */
  public Muon(
      List<Parameter> parameters, double matrixLearningRate, double adamLearningRate, double momentum,
      double weightDecay) {
    Slots all = new Slots("Muon", parameters, false);
    this.parameters = all.parameters;
    List<Parameter> matrixGroup = new ArrayList<>();
    List<Parameter> otherGroup = new ArrayList<>();
    for (Parameter p : this.parameters) {
      (orthogonalised(p) ? matrixGroup : otherGroup).add(p);
    }
    this.matrices =
        new Normalized(
            new Slots("Muon", matrixGroup, true), matrixLearningRate, UpdateMode.NEWTON_SCHULZ, momentum, weightDecay,
            true);
    this.others =
        new AdamW(new Slots("Muon", otherGroup, true), adamLearningRate, AdamW.BETA1, AdamW.BETA2, AdamW.EPSILON, weightDecay);
  }

  /** Whether {@code p} is orthogonalised (a dense matrix) rather than trained by AdamW. */
  public static boolean orthogonalised(Parameter p) {
    return !p.isVectorLike() && !p.isEmbedding();
  }

  @Override
  public List<Parameter> parameters() {
    return parameters;
  }

  @Override
  public long stepCount() {
    return steps;
  }

  @Override
  public void step() {
    long t = steps + 1;
    matrices.slots().begin();
    others.slots().begin();
    matrices.update();
    others.update(t);
    steps = t;
    matrices.setStepCount(t);
    others.setStepCount(t);
    String a = matrices.slots().diverged();
    String b = others.slots().diverged();
    if (a != null || b != null) {
      String first = a == null ? b : b == null ? a : (indexOf(a) < indexOf(b) ? a : b);
      throw new DivergenceException("values", first, t);
    }
  }

  private int indexOf(String name) {
    for (int i = 0; i < parameters.size(); i++) {
      if (parameters.get(i).name().equals(name)) {
        return i;
      }
    }
    return Integer.MAX_VALUE;
  }

  private ParameterOptimizer group(Parameter parameter) {
    return matrices.slots().contains(parameter) ? matrices : others;
  }

  @Override
  public FloatMatrix lastUpdate(Parameter parameter) {
    return group(parameter).lastUpdate(parameter);
  }

  @Override
  public double lastUpdateNorm(Parameter parameter) {
    return group(parameter).lastUpdateNorm(parameter);
  }

  @Override
  public double valueNorm(Parameter parameter) {
    return group(parameter).valueNorm(parameter);
  }

  @Override
  public void writeState(DataOutput out) throws IOException {
    Sections.writeHeader(out, KIND, steps, parameters);
    matrices.writeState(out);
    others.writeState(out);
  }

  @Override
  public void readState(DataInput in) throws IOException {
    long stored = Sections.readHeader(in, KIND, parameters);
    matrices.readState(in);
    others.readState(in);
    if (matrices.stepCount() != stored || others.stepCount() != stored) {
      throw new Corrupt(
          "muon section has step " + stored + " but its groups " + matrices.stepCount() + " and " + others.stepCount());
    }
    steps = stored;
  }

  @Override
  public String toString() {
    return "Muon[" + matrices + ", " + others + "]";
  }
}
