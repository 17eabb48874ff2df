package io.github.spectral4j.trainer;

import io.github.spectral4j.core.Layer;
import io.github.spectral4j.core.LayerRole;
import io.github.spectral4j.core.LayerRule;
import io.github.spectral4j.core.ModelShape;
import io.github.spectral4j.simd.FloatMatrix;
import io.github.spectral4j.trainer.nn.FusedStep;
import io.github.spectral4j.trainer.nn.Linear;
import io.github.spectral4j.trainer.nn.Module;
import io.github.spectral4j.trainer.nn.Parameter;
import io.github.spectral4j.trainer.nn.Pointwise;
import io.github.spectral4j.trainer.nn.Sequential;
import java.util.List;
import java.util.Objects;

/**
 * A multi-layer perceptron as {@code trainer.nn} modules — {@link Sequential#mlp}'s
 * {@code Linear(W1, b1), φ, …, Linear(WL, bL)} — seen layer by layer: layer {@code l = 0 … L−1} maps
 * {@code H_{l-1}} to {@code Z_l = m_l·H_{l-1}·W_lᵀ + m_{b,l}·1·b_lᵀ}, {@code H_l = φ(Z_l)} (no φ on the
 * last layer: logits). This class computes nothing itself: forward and backward are the modules'
 * (GEMM on {@code simd}); it only remembers, per layer, the input {@code H_{l-1}} and the output error
 * {@code δ_l} of the last passes, the two factors of {@code ∂W_l = m_l·δ_lᵀ·H_{l-1}} that diagnostics
 * use, and skips the first layer's unused input gradient. Parameters are {@link Parameter}s named
 * {@code W1, b1, …}, each {@code W_l ~ N(0, σ_l²)} and {@code b_l ~ N(0, σ_{b,l}²)} from its own seed.
 * Not thread-safe.
 */
public final class Mlp {
  private final ModelShape shape;
  private final Activation activation;
  private final List<LayerRule> rules;
  private final int depth;
  private final Sequential network;
  private final Linear[] layers;
  private final Pointwise[] activations;
  /** Per layer: its input and its output ({@code H_l}) in the last forward pass. */
  private final FloatMatrix[] inputs;
  private final FloatMatrix[] outputs;
  /** Per layer: {@code δ_l} in the last backward pass. */
  private final FloatMatrix[] errors;
  /** Forward and backward passes so far: tells whether the last backward's factors are still intact. */
  private long passes;
  /** Runs once before the next forward or backward pass overwrites the last one's buffers, or null. */
  private Runnable beforeNextPass;
  private boolean forwardDone;

  private Mlp(ModelShape shape, Activation activation, List<LayerRule> rules, Sequential network) {
    this.shape = shape;
    this.activation = activation;
    this.rules = rules;
    this.depth = shape.depth();
    this.network = network;
    this.layers = new Linear[depth];
    this.activations = new Pointwise[depth - 1];
    List<Module> modules = network.modules();
    for (int l = 0; l < depth; l++) {
      layers[l] = (Linear) modules.get(2 * l);
      if (l < depth - 1) {
        activations[l] = (Pointwise) modules.get(2 * l + 1);
      }
    }
    this.inputs = new FloatMatrix[depth];
    this.outputs = new FloatMatrix[depth];
    this.errors = new FloatMatrix[depth];
  }

  /**
   * A freshly initialised MLP: {@link Sequential#mlp} of the same arguments.
   *
   * @param shape dimensions and bias setting
   * @param activation hidden nonlinearity φ
   * @param rules one rule per layer of {@code shape.layers()}, in that order (e.g. from
   *     {@link TrainingConfig#rules()}); supplies σ and the forward multipliers
   * @param seed seeds every layer's initialisation
   * @throws IllegalArgumentException if the rules do not match the shape's layers
   */
  public static Mlp initialize(ModelShape shape, Activation activation, List<LayerRule> rules, long seed) {
    checkRules(shape, activation, rules);
    return new Mlp(shape, activation, List.copyOf(rules), Sequential.mlp(shape, activation, rules, seed));
  }

  private static void checkRules(ModelShape shape, Activation activation, List<LayerRule> rules) {
    Objects.requireNonNull(shape, "shape");
    Objects.requireNonNull(activation, "activation");
    Objects.requireNonNull(rules, "rules");
    List<Layer> layers = shape.layers();
    if (rules.size() != layers.size()) {
      throw new IllegalArgumentException(
          "need one rule per layer: " + layers.size() + " layers, " + rules.size() + " rules");
    }
    for (int i = 0; i < layers.size(); i++) {
      if (!rules.get(i).layer().equals(layers.get(i))) {
        throw new IllegalArgumentException(
            "rule " + i + " is for " + rules.get(i).layer() + " but the layer is " + layers.get(i));
      }
    }
  }

  /** SplitMix64 finaliser of {@code seed} and an index: independent streams per index. */
  static long layerSeed(long seed, int index) {
    long z = seed + 0x9E3779B97F4A7C15L * (index + 1L);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** The modules this MLP is; their {@link Sequential#parameters()} are what an optimizer updates. */
  public Sequential network() {
    return network;
  }

  /** The parameters {@code W1, b1, …, WL, bL} (no biases if the shape has none), in order. */
  public List<Parameter> parameters() {
    return network.parameters();
  }

  /** Number of weight matrices {@code L}. */
  public int depth() {
    return depth;
  }

  /** The shape this MLP was built for. */
  public ModelShape shape() {
    return shape;
  }

  /** The hidden nonlinearity φ. */
  public Activation activation() {
    return activation;
  }

  /** The rules, one per layer of {@link #shape()}, in order. */
  public List<LayerRule> rules() {
    return rules;
  }

  /** The rule of weight layer {@code l}. */
  public LayerRule weightRule(int l) {
    return layers[Objects.checkIndex(l, depth)].weight().rule();
  }

  /** The rule of bias {@code l}, or {@code null} without biases. */
  public LayerRule biasRule(int l) {
    Parameter b = layers[Objects.checkIndex(l, depth)].bias();
    if (b == null) {
      return null;
    }
    assert b.rule().layer().role() == LayerRole.BIAS;
    return b.rule();
  }

  /** The weight parameter {@code W_l}. */
  public Parameter weightParameter(int l) {
    return layers[Objects.checkIndex(l, depth)].weight();
  }

  /** The bias parameter {@code b_l}, or {@code null} without biases. */
  public Parameter biasParameter(int l) {
    return layers[Objects.checkIndex(l, depth)].bias();
  }

  /** The live weight matrix {@code W_l} (fan-out × fan-in, row-major); modifying it changes the model. */
  public FloatMatrix weight(int l) {
    return weightParameter(l).value();
  }

  /** The live bias {@code b_l}, or {@code null} without biases. */
  public float[] bias(int l) {
    Parameter b = biasParameter(l);
    return b == null ? null : b.value().data();
  }

  /**
   * Forward pass; keeps the activations for {@link #backward}.
   *
   * @param x {@code batch × d_0} inputs; not modified, but must stay unchanged until {@link #backward}
   * @return the logits, {@code batch × d_L}: a work buffer overwritten by the next forward of the
   *     same batch size
   */
  public FloatMatrix forward(FloatMatrix x) {
    if (x.cols() != layers[0].inputWidth()) { // not shape.dims(), which copies
      throw new IllegalArgumentException("input has " + x.cols() + " columns, the model expects " + layers[0].inputWidth());
    }
    passStarts();
    FloatMatrix h = x;
    for (int l = 0; l < depth; l++) {
      inputs[l] = h;
      // φ(Z_l) as one GEMM with φ in its write-back when φ is ReLU (Pointwise.forwardAfter)
      h = l < depth - 1 ? activations[l].forwardAfter(layers[l], h) : layers[l].forward(h);
      outputs[l] = h;
    }
    forwardDone = true;
    passes++;
    return h;
  }

  /**
   * Layer {@code l} of the forward pass into the given buffers, {@code z = m_l·in·W_lᵀ + m_{b,l}·1·b_lᵀ},
   * {@code h = φ(z)} (for the last layer z holds the logits and h is not written; pass the same matrix),
   * by the modules' {@code apply}: the last passes' buffers and {@link #passes()} are untouched.
   */
  void forwardLayer(int l, FloatMatrix in, FloatMatrix z, FloatMatrix h) {
    layers[l].apply(in, z);
    if (l < depth - 1) {
      activations[l].apply(z, h);
    }
  }

  /**
   * The output of layer {@code l} in the last forward pass: {@code H_l = φ(Z_l)} for hidden layers,
   * the logits for the last. A work buffer, overwritten by the next forward of the same batch size.
   */
  public FloatMatrix features(int l) {
    if (!forwardDone) {
      throw new IllegalStateException("no forward pass yet");
    }
    return outputs[Objects.checkIndex(l, depth)];
  }

  /**
   * Backward pass after {@link #forward}: fills every parameter's gradient ({@link #weightGradient},
   * {@link #biasGradient}). {@code dLogits} may cover only the first {@code r} rows of the last forward's
   * logits: the rows after them rode along in the forward pass (probe rows whose features diagnostics
   * read) and are excluded from the loss — no gradient, no backward flops; every product runs on row
   * prefixes of the forward's buffers, and the gradients are bit for bit those of a forward and backward
   * pass of the r rows alone when r ≥ {@code Blas.rowIndependentFrom()}.
   *
   * @param dLogits {@code ∂loss/∂logits}, the shape of the last forward's logits or of their first rows;
   *     not modified
   */
  public void backward(FloatMatrix dLogits) {
    backward(dLogits, null);
  }

  /**
   * {@link #backward(FloatMatrix)} with an optimizer's {@link FusedStep}: each weight it covers is updated
   * in place by its layer's weight-gradient GEMM ({@code W_l ← W_l + α·m_l·δ_lᵀ·H_{l-1}}, the bits of the
   * gradient then the optimizer's pass), after that layer's input gradient has used the old weight; the
   * other parameters get their gradients. The factors {@link #gradientError} and {@link #gradientInput} are
   * kept as by {@link #backward(FloatMatrix)}.
   *
   * @param dLogits as for {@link #backward(FloatMatrix)}; not modified
   * @param step the optimizer's offer ({@code ParameterOptimizer.fusedStep()}), or null for none
   */
  public void backward(FloatMatrix dLogits, FusedStep step) {
    if (!forwardDone) {
      throw new IllegalStateException("backward needs a forward pass first");
    }
    FloatMatrix last = outputs[depth - 1];
    if (dLogits.rows() > last.rows() || dLogits.cols() != last.cols()) {
      throw new IllegalArgumentException(
          "dLogits is " + dLogits.rows() + "x" + dLogits.cols() + ", the last forward produced "
              + last.rows() + "x" + last.cols());
    }
    passStarts();
    passes++;
    FloatMatrix delta = dLogits;
    for (int l = depth - 1; l > 0; l--) {
      errors[l] = delta;
      // δ_{l-1} = (m_l·δ_l·W_l) ⊙ φ'(Z_{l-1}), the ReLU mask applied by the GEMM's write-back
      delta = activations[l - 1].backwardThrough(layers[l], delta, step);
    }
    errors[0] = delta;
    layers[0].backwardParameters(delta, step); // X needs no gradient
  }

  /**
   * Has {@code action} run once, right before the next forward or backward pass (which may overwrite the
   * last passes' factors {@link #gradientError} and {@link #gradientInput}); null cancels it.
   */
  void beforeNextPass(Runnable action) {
    beforeNextPass = action;
  }

  private void passStarts() {
    Runnable r = beforeNextPass;
    if (r != null) {
      beforeNextPass = null;
      r.run();
    }
  }

  /** Forward and backward passes run so far (each one counts). */
  long passes() {
    return passes;
  }

  /**
   * The error {@code δ_l} (batch × fan-out) of the last backward pass, the left factor of
   * {@code ∂W_l = m_l·δ_lᵀ·H_{l-1}}. A live buffer: valid only while {@link #passes()} is unchanged.
   */
  FloatMatrix gradientError(int l) {
    return errors[Objects.checkIndex(l, depth)];
  }

  /**
   * The input {@code H_{l-1}} of the last backward pass, the right factor of {@code ∂W_l}: its first
   * {@code gradientError(l).rows()} rows (all of them unless rows rode along in the forward pass). A live
   * buffer: valid only while {@link #passes()} is unchanged.
   */
  FloatMatrix gradientInput(int l) {
    return inputs[Objects.checkIndex(l, depth)];
  }

  /** {@code ∂loss/∂W_l} from the last backward pass (a live buffer, fan-out × fan-in). */
  public FloatMatrix weightGradient(int l) {
    return weightParameter(l).gradient();
  }

  /** {@code ∂loss/∂b_l} from the last backward pass (a live buffer), or {@code null} without biases. */
  public float[] biasGradient(int l) {
    Parameter b = biasParameter(l);
    return b == null ? null : b.gradient().data();
  }

  /** A deep copy of the parameters (no activations or gradients). */
  public Mlp copy() {
    Mlp copy = initialize(shape, activation, rules, 0L);
    List<Parameter> from = parameters();
    List<Parameter> to = copy.parameters();
    for (int i = 0; i < from.size(); i++) {
      to.get(i).value().copyFrom(from.get(i).value());
    }
    return copy;
  }

  /** The name of weight layer {@code l}: {@code W1 … WL}. */
  static String weightName(int l) {
    return "W" + (l + 1);
  }
}
