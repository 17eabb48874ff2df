package io.github.spectral4j.trainer.nn;

import io.github.spectral4j.core.ParameterKind;
import io.github.spectral4j.core.LayerRule;
import io.github.spectral4j.simd.FloatMatrix;
import java.util.Objects;

/**
 * One trainable tensor of a module: its name, the {@code core} {@link LayerRule} it trains under
 * (init σ, forward multiplier m, learning-rate multiplier, Condition 1's targets
 * {@code ‖W‖* = ‖ΔW‖* = √(fanOut/fanIn)}), its value and its gradient. The value is a live
 * {@link FloatMatrix}: an optimizer updates it in place, the owning module reads it on every forward pass.
 * The gradient has the value's shape and holds {@code ∂loss/∂value} of the last backward pass, which
 * <em>overwrites</em> it (every parameter is used once per forward pass, so no zeroing is needed between
 * steps).
 *
 * <p>Shapes: a dense weight is {@code fanOut × fanIn} (a module computes {@code y = m·x·Wᵀ} on row vectors);
 * a vector-like parameter (bias, norm gain) is {@code 1 × fanOut}; an embedding table is
 * {@code vocabulary × width}, the transpose of its rule's {@code fanOut × fanIn} (a token's vector is a
 * row) — spectral norms, Newton–Schulz orthogonalisation and RMS do not see the difference. A parameter
 * carries its rule so that optimizers and diagnostics ask it, never a list indexed by layer number.
 */
public final class Parameter {
  private final String name;
  private final LayerRule rule;
  private final FloatMatrix value;
  private final FloatMatrix gradient;
  /** Whether the last backward pass applied the step in place instead of writing the gradient. */
  private boolean applied;
  private final boolean vectorLike;
  private final boolean embedding;

  private Parameter(String name, LayerRule rule, FloatMatrix value, boolean vectorLike, boolean embedding) {
    this.name = name;
    this.rule = rule;
    this.value = value;
    this.gradient = FloatMatrix.zeros(value.rows(), value.cols());
    this.vectorLike = vectorLike;
    this.embedding = embedding;
  }

  /**
   * A parameter holding {@code value} (adopted, not copied) with a zero gradient of the same shape.
   *
   * @param name a unique dotted name such as {@code blocks.0.attention.query}; not blank
   * @param rule the rule it trains under; its layer's {@code fanIn·fanOut} must equal the value's size
   * @param value the initial value; adopted (the parameter's live value), so later changes by the caller
   *     are visible to the model
   * @throws IllegalArgumentException if the name is blank or the value's size disagrees with the rule
   */
  public static Parameter of(String name, LayerRule rule, FloatMatrix value) {
    return create(name, rule, value, false);
  }

  /** An embedding table ({@code vocabulary × width}, its rule's layer {@code fanIn = vocabulary}). */
  static Parameter embedding(String name, LayerRule rule, FloatMatrix value) {
    Parameter p = create(name, rule, value, true);
    if (rule.layer().kind() != ParameterKind.EMBEDDING && rule.layer().kind() != ParameterKind.INPUT) {
      throw new IllegalArgumentException("embedding " + name + ": rule of kind " + rule.layer().kind().id()
          + ", expected embedding");
    }
    if (value.rows() != rule.layer().fanIn()) {
      throw new IllegalArgumentException("embedding " + name + ": table has " + value.rows()
          + " rows but its rule's fanIn (vocabulary) is " + rule.layer().fanIn());
    }
    return p;
  }

  private static Parameter create(String name, LayerRule rule, FloatMatrix value, boolean table) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(value, "value");
    if (name.isBlank()) {
      throw new IllegalArgumentException("parameter name must not be blank");
    }
    long expected = (long) rule.layer().fanIn() * rule.layer().fanOut();
    if ((long) value.rows() * value.cols() != expected) {
      throw new IllegalArgumentException("parameter " + name + ": value is " + value.rows() + "x" + value.cols()
          + " but its rule's layer " + rule.layer().name() + " is " + rule.layer().fanOut() + "x"
          + rule.layer().fanIn() + " (fanOut x fanIn)");
    }
    boolean vector = rule.layer().kind().vectorLike();
    if (vector && value.rows() != 1) {
      throw new IllegalArgumentException(
          "parameter " + name + ": a vector-like parameter is 1 x n, got " + value.rows() + "x" + value.cols());
    }
    return new Parameter(name, rule, value, vector, table || rule.layer().kind() == ParameterKind.EMBEDDING);
  }

  /**
   * A parameter initialised as its rule says, {@code initMean + N(0, initStd²)} entry by entry (weights:
   * mean 0; biases: σ = 0, so exactly 0; norm gains: exactly 1), shaped {@code rows × cols}.
   *
   * @param name as for {@link #of}
   * @param rule as for {@link #of}; supplies the mean and σ
   * @param rows rows of the value
   * @param cols columns of the value
   * @param seed seeds the Gaussian draw (same seed, same value)
   * @return the parameter
   */
  public static Parameter gaussian(String name, LayerRule rule, int rows, int cols, long seed) {
    return of(name, rule, draw(rule, rows, cols, seed));
  }

  static FloatMatrix draw(LayerRule rule, int rows, int cols, long seed) {
    Objects.requireNonNull(rule, "rule");
    FloatMatrix m = rule.initStd() > 0 ? FloatMatrix.gaussian(rows, cols, rule.initStd(), seed) : FloatMatrix.zeros(rows, cols);
    float mean = (float) rule.initMean();
    if (mean != 0f) {
      float[] d = m.data();
      for (int i = 0; i < d.length; i++) {
        d[i] += mean;
      }
    }
    return m;
  }

  /**
   * A parameter of shape {@code rows × cols} with every entry {@code constant}, whatever its rule's init.
   *
   * @param name as for {@link #of}
   * @param rule as for {@link #of}
   * @param rows rows of the value
   * @param cols columns of the value
   * @param constant every entry's value
   * @return the parameter
   */
  public static Parameter constant(String name, LayerRule rule, int rows, int cols, float constant) {
    FloatMatrix m = FloatMatrix.zeros(rows, cols);
    if (constant != 0f) {
      m.fill(constant);
    }
    return of(name, rule, m);
  }

  /** The parameter's unique dotted name, e.g. {@code blocks.1.mlp.up}. */
  public String name() {
    return name;
  }

  /** The rule this parameter trains under (its layer gives fan-in, fan-out and role). */
  public LayerRule rule() {
    return rule;
  }

  /** The kind of parameter ({@code core}'s: dense, attention projection, embedding, bias, norm gain, …). */
  public ParameterKind kind() {
    return rule.layer().kind();
  }

  /** The live value; modifying it changes the model. */
  public FloatMatrix value() {
    return value;
  }

  /**
   * The live gradient {@code ∂loss/∂value} of the last backward pass, same shape as {@link #value()}.
   *
   * @throws IllegalStateException if the last backward pass applied this parameter's step in place
   *     ({@link FusedStep}) and so wrote no gradient
   */
  public FloatMatrix gradient() {
    if (applied) {
      throw new IllegalStateException("parameter " + name + ": the last backward pass applied its optimizer step in"
          + " place (FusedStep) and did not store its gradient");
    }
    return gradient;
  }

  /** The gradient buffer for a module about to overwrite it: clears the mark of {@link #markApplied}. */
  FloatMatrix gradientToWrite() {
    applied = false;
    return gradient;
  }

  /** Marks the gradient as not stored: the backward pass applied the step in place ({@link FusedStep}). */
  void markApplied() {
    applied = true;
  }

  /**
   * Whether the parameter is vector-like (a bias or a norm gain, {@link ParameterKind#vectorLike()}: fan-in
   * 1, a {@code 1 × n} value), as
   * opposed to matrix-like (dense weights and embedding tables). A hybrid optimizer orthogonalises
   * matrix-like parameters and trains vector-like ones with AdamW.
   */
  public boolean isVectorLike() {
    return vectorLike;
  }

  /**
   * Whether this is an embedding table (a lookup of one-hot inputs; its rows are tokens or positions),
   * which a hybrid optimizer trains with AdamW rather than orthogonalising it.
   */
  public boolean isEmbedding() {
    return embedding;
  }

  /** Number of entries. */
  public int size() {
    return value.rows() * value.cols();
  }

  @Override
  public String toString() {
    return "Parameter[" + name + " " + value.rows() + "x" + value.cols() + "]";
  }
}
