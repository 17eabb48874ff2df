package io.github.spectral4j.trainer.nn;

import io.github.spectral4j.core.ParameterKind;
import io.github.spectral4j.core.LayerRule;
import io.github.spectral4j.simd.FloatMatrix;
import java.util.List;
import java.util.Objects;

/**
 * Root-mean-square normalisation of each row with a learned gain: {@code y = m·g ⊙ x / rms(x)},
 * {@code rms(x) = √(Σ_j x_j²/n + ε)}, ε = 1e-5, gain {@code g} ({@code 1 × n}, initialised as its rule says — 1 —, trained as
 * a vector-like parameter, m its rule's forward multiplier). With {@code x̂ = x/rms(x)}: {@code ∂g =
 * m·Σ_rows ∂y ⊙ x̂} and {@code ∂x = (u − x̂·(u·x̂)/n)/rms(x)} for {@code u = m·g ⊙ ∂y}.
 *
 * <p>Why RMSNorm rather than LayerNorm: it makes every row's RMS Θ(1) — the feature scale the spectral
 * condition is about — with one vector-like parameter (the gain) and no bias, so the model has no
 * parameter whose rule is still being settled (a bias's zero initialisation), costs one reduction per row
 * instead of two, and is what current transformers (LLaMA, Gemma) use; LayerNorm's mean subtraction adds
 * nothing to the width scaling measured here.
 */
public final class RmsNorm implements Module {
  /** ε inside the square root: keeps a zero row finite; tiny against the Θ(1) mean square of a feature. */
  public static final float EPSILON = 1e-5f;

  private final String name;
  private final int width;
  private final Parameter gain;
  private final float multiplier;
  private final List<Parameter> parameters;
  private final Workspaces<Work> works;
  private Work last;
  private FloatMatrix lastInput;

  private static final class Work {
    final FloatMatrix output;
    final FloatMatrix inputGradient;
    final float[] inverseRms;

    Work(int rows, int width) {
      output = FloatMatrix.zeros(rows, width);
      inputGradient = FloatMatrix.zeros(rows, width);
      inverseRms = new float[rows];
    }
  }

  /**
   * A normalisation; the gain is named as its rule's layer and initialised by its rule.
   *
   * @param name the module's dotted name, e.g. {@code blocks.0.attention_norm}
   * @param gainRule the gain's rule: a {@code NORM_GAIN} layer whose fanOut is the width
   */
  public RmsNorm(String name, LayerRule gainRule) {
    this.name = Objects.requireNonNull(name, "name");
    Objects.requireNonNull(gainRule, "gainRule");
    if (gainRule.layer().kind() != ParameterKind.NORM_GAIN) {
      throw new IllegalArgumentException(name + ": the gain's rule must be of kind norm_gain, got " + gainRule.layer());
    }
    this.width = gainRule.layer().fanOut();
    this.gain = Parameter.gaussian(gainRule.layer().name(), gainRule, 1, width, 0); // core's rule: exactly initMean (1)
    this.multiplier = (float) gainRule.forwardMultiplier();
    this.parameters = List.of(gain);
    this.works = new Workspaces<>(rows -> new Work(rows, width));
  }

  /** The gain {@code g}, {@code 1 × width}. */
  public Parameter gain() {
    return gain;
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
    Work w = works.get(input.rows());
    float[] x = input.data();
    float[] y = w.output.data();
    float[] g = gain.value().data();
    for (int i = 0, off = 0; i < input.rows(); i++, off += width) {
      double sum = 0;
      for (int j = 0; j < width; j++) {
        float v = x[off + j];
        sum += v * v;
      }
      float r = (float) (1.0 / Math.sqrt(sum / width + EPSILON));
      w.inverseRms[i] = r;
      float s = multiplier * r;
      for (int j = 0; j < width; j++) {
        y[off + j] = s * g[j] * x[off + j];
      }
    }
    last = w;
    lastInput = input;
    return w.output;
  }

  @Override
  public FloatMatrix backward(FloatMatrix outputGradient) {
    Checks.forwardDone(name, last);
    Checks.sameShape(name, outputGradient, last.output);
    float[] x = lastInput.data();
    float[] dy = outputGradient.data();
    float[] dx = last.inputGradient.data();
    float[] g = gain.value().data();
    float[] dg = gain.gradient().data();
    java.util.Arrays.fill(dg, 0f);
    for (int i = 0, off = 0; i < lastInput.rows(); i++, off += width) {
      float r = last.inverseRms[i];
      double dot = 0; // u·x̂ with u = m·g ⊙ ∂y
      for (int j = 0; j < width; j++) {
        float xhat = x[off + j] * r;
        dg[j] += dy[off + j] * xhat;
        dot += (double) multiplier * g[j] * dy[off + j] * xhat;
      }
      float c = (float) (dot / width);
      for (int j = 0; j < width; j++) {
        float xhat = x[off + j] * r;
        dx[off + j] = r * (multiplier * g[j] * dy[off + j] - xhat * c);
      }
    }
    if (multiplier != 1f) {
      for (int j = 0; j < width; j++) {
        dg[j] *= multiplier;
      }
    }
    return last.inputGradient;
  }

  @Override
  public String toString() {
    return "RmsNorm[" + name + " " + width + "]";
  }
}
