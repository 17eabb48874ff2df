package io.github.spectral4j.trainer.nn;

import io.github.spectral4j.core.ParameterKind;
import io.github.spectral4j.core.LayerRule;
import io.github.spectral4j.simd.Blas;
import io.github.spectral4j.simd.Elementwise;
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
 *
 * <p>Computed by {@code simd}'s {@link Elementwise#rmsNorm} kernels. A large input's rows (forward, and the
 * input gradient) and the gain gradient's columns are split into {@code Blas.parallelism()} contiguous
 * ranges run by {@link Blas#forEachTask}; a row, or a column of the gain gradient (its rows summed in
 * order), is computed by the same code whatever range it falls in, so results are bit-identical for any
 * thread count.
 *
 * <p>Measured and not taken (session 11): a backward that also adds a pre-norm residual's gradient and forms
 * the gain gradient in its row pass (bit for bit the separate kernels) read 0.9995 × the GPT step on one
 * thread (one-JVM paired harness, loaded Zen 5): those passes are ~1.5 % of the step and run from cache.
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
  // The pass in progress, read by the shares (created once: a pass allocates nothing).
  private final java.util.function.IntConsumer forwardShare = this::forwardShare;
  private final java.util.function.IntConsumer backwardShare = this::backwardShare;
  private final java.util.function.IntConsumer gainShare = this::gainShare;
  private float[] gradientIn;
  private int shares;

  /** Below this many entries a pass runs on the calling thread (forking costs more than it saves). */
  private static final int PARALLEL_ENTRIES = 1 << 15;

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
    last = w;
    lastInput = input;
    run(input.data().length, forwardShare);
    return w.output;
  }

  /** Runs {@code share} split into fixed contiguous ranges when the matrix is large. */
  private void run(int entries, java.util.function.IntConsumer share) {
    shares = entries < PARALLEL_ENTRIES ? 1 : Math.max(1, Blas.parallelism());
    if (shares == 1) {
      share.accept(0);
    } else {
      Blas.forEachTask(shares, share);
    }
  }

  private static int split(int count, int parts, int part) {
    return (int) ((long) count * part / parts);
  }

  private void forwardShare(int part) {
    int rows = lastInput.rows();
    Elementwise.rmsNorm(split(rows, shares, part), split(rows, shares, part + 1), width, lastInput.data(),
        gain.value().data(), multiplier, EPSILON, last.output.data(), last.inverseRms);
  }

  @Override
  public FloatMatrix backward(FloatMatrix outputGradient) {
    Checks.forwardDone(name, last);
    Checks.sameShape(name, outputGradient, last.output);
    gradientIn = outputGradient.data();
    try {
      run(gradientIn.length, backwardShare);
      run(gradientIn.length, gainShare);
    } finally {
      gradientIn = null;
    }
    return last.inputGradient;
  }

  private void backwardShare(int part) {
    int rows = lastInput.rows();
    Elementwise.rmsNormBackward(split(rows, shares, part), split(rows, shares, part + 1), width, lastInput.data(),
        gain.value().data(), multiplier, last.inverseRms, gradientIn, last.inputGradient.data());
  }

  private void gainShare(int part) {
    Elementwise.rmsNormGainGradient(split(width, shares, part), split(width, shares, part + 1), lastInput.rows(),
        width, lastInput.data(), last.inverseRms, gradientIn, multiplier, gain.gradient().data());
  }

  @Override
  public String toString() {
    return "RmsNorm[" + name + " " + width + "]";
  }
}
