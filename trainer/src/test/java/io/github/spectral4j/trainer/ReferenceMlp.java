package io.github.spectral4j.trainer;

import io.github.spectral4j.core.Layer;
import io.github.spectral4j.core.LayerRole;
import io.github.spectral4j.core.LayerRule;
import io.github.spectral4j.core.ModelShape;
import io.github.spectral4j.simd.Blas;
import io.github.spectral4j.simd.FloatMatrix;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The MLP as it was computed before it became {@code trainer.nn} modules, kept as an independent
 * oracle: {@code Sequential.mlp} and {@link Mlp} must draw the same parameters and compute the same
 * logits and gradients bit for bit. A multi-layer perceptron on batches of row vectors, computed with {@code simd}'s GEMM only. Layer
 * {@code l = 0 … L−1} maps {@code H_{l-1}} (batch × fan-in; {@code H_{-1} = X}) to
 *
 * <pre>
 *   Z_l = m_l · H_{l-1} · W_lᵀ + m_{b,l} · 1·b_lᵀ        H_l = φ(Z_l)   (no φ on the last layer: logits)
 * </pre>
 *
 * with {@code m_l} the rule's forward multiplier (≠ 1 only for NTK). Backward from {@code δ_{L-1} =
 * ∂loss/∂logits}: {@code ∂W_l = m_l·δ_lᵀ·H_{l-1}} (GEMM TN), {@code ∂b_l = m_{b,l}·Σ_rows δ_l},
 * {@code δ_{l-1} = (m_l·δ_l·W_l) ⊙ φ'(Z_{l-1})} (GEMM NN). Weights are initialised
 * {@code W_l ~ N(0, σ_l²)} and biases {@code b_l ~ N(0, σ_{b,l}²)} with σ from their rules (a bias is a
 * fan-in-1 matrix, as in arXiv 2310.17813), each layer from its own seed. Work buffers are kept per
 * batch size (the four most recent), so steps of a fixed batch size allocate nothing. Not thread-safe.
 */
public final class ReferenceMlp {
  private static final int CACHED_BATCH_SIZES = 4;

  private final ModelShape shape;
  private final Activation activation;
  private final List<LayerRule> rules;
  private final int depth;
  private final int[] dims;
  private final FloatMatrix[] weights;
  private final float[][] biases;
  private final float[] weightMultiplier;
  private final float[] biasMultiplier;
  private final FloatMatrix[] weightGradients;
  private final float[][] biasGradients;
  private final Map<Integer, Work> works =
      new LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, Work> eldest) {
          return size() > CACHED_BATCH_SIZES;
        }
      };
  private Work last;
  private FloatMatrix lastInput;
  /** Forward and backward passes so far: tells whether the last backward's buffers are still intact. */
  private long passes;
  private Work backwardWork;
  private FloatMatrix backwardInput;
  private FloatMatrix backwardOutputError;

  /** Buffers for one batch size: pre-activations, outputs and back-propagated errors per layer. */
  private static final class Work {
    final FloatMatrix[] z;
    final FloatMatrix[] h;
    final FloatMatrix[] delta;

    Work(int rows, int[] dims) {
      int depth = dims.length - 1;
      z = new FloatMatrix[depth];
      h = new FloatMatrix[depth];
      delta = new FloatMatrix[depth];
      for (int l = 0; l < depth; l++) {
        h[l] = FloatMatrix.zeros(rows, dims[l + 1]);
        if (l < depth - 1) {
          z[l] = FloatMatrix.zeros(rows, dims[l + 1]);
          delta[l] = FloatMatrix.zeros(rows, dims[l + 1]);
        } else {
          z[l] = h[l]; // logits: no activation
        }
      }
    }
  }

  private ReferenceMlp(ModelShape shape, Activation activation, List<LayerRule> rules, FloatMatrix[] w, float[][] b) {
    this.shape = shape;
    this.activation = activation;
    this.rules = rules;
    this.depth = shape.depth();
    this.dims = shape.dims();
    this.weights = w;
    this.biases = b;
    this.weightMultiplier = new float[depth];
    this.biasMultiplier = new float[depth];
    this.weightGradients = new FloatMatrix[depth];
    this.biasGradients = new float[depth][];
    for (int l = 0; l < depth; l++) {
      weightMultiplier[l] = (float) weightRule(l).forwardMultiplier();
      weightGradients[l] = FloatMatrix.zeros(dims[l + 1], dims[l]);
      if (shape.bias()) {
        biasMultiplier[l] = (float) biasRule(l).forwardMultiplier();
        biasGradients[l] = new float[dims[l + 1]];
      }
    }
  }

  /**
   * A freshly initialised MLP.
   *
   * @param shape dimensions and bias setting
   * @param activation hidden nonlinearity φ
   * @param rules one rule per layer of {@code shape.layers()}, in that order (e.g. from
   *     {@link TrainingConfig#rules()}); supplies σ and the forward multipliers
   * @param seed seeds every layer's initialisation
   * @throws IllegalArgumentException if the rules do not match the shape's layers
   */
  public static ReferenceMlp initialize(ModelShape shape, Activation activation, List<LayerRule> rules, long seed) {
    checkRules(shape, activation, rules);
    int depth = shape.depth();
    int[] d = shape.dims();
    FloatMatrix[] w = new FloatMatrix[depth];
    float[][] b = new float[depth][];
    int stride = shape.bias() ? 2 : 1;
    for (int l = 0; l < depth; l++) {
      w[l] = FloatMatrix.gaussian(d[l + 1], d[l], rules.get(stride * l).initStd(), layerSeed(seed, 2 * l));
      if (shape.bias()) {
        b[l] = FloatMatrix.gaussian(1, d[l + 1], rules.get(stride * l + 1).initStd(), layerSeed(seed, 2 * l + 1)).data();
      }
    }
    return new ReferenceMlp(shape, activation, List.copyOf(rules), w, b);
  }

  /** An MLP holding the given parameters (adopted, not copied); for checkpoints. */
  static ReferenceMlp of(ModelShape shape, Activation activation, List<LayerRule> rules, FloatMatrix[] w, float[][] b) {
    checkRules(shape, activation, rules);
    int[] d = shape.dims();
    for (int l = 0; l < shape.depth(); l++) {
      if (w[l].rows() != d[l + 1] || w[l].cols() != d[l]) {
        throw new IllegalArgumentException(
            "weight " + (l + 1) + " is " + w[l].rows() + "x" + w[l].cols() + ", expected " + d[l + 1] + "x" + d[l]);
      }
      if (shape.bias() && b[l].length != d[l + 1]) {
        throw new IllegalArgumentException("bias " + (l + 1) + " has " + b[l].length + " entries, expected " + d[l + 1]);
      }
    }
    return new ReferenceMlp(shape, activation, List.copyOf(rules), w, b);
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

  /** SplitMix64 finaliser of {@code seed} and the layer's index: independent streams per layer. */
  static long layerSeed(long seed, int index) {
    long z = seed + 0x9E3779B97F4A7C15L * (index + 1L);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** Number of weight matrices {@code L}. */
  public int depth() {
    return depth;
  }

  /** The model's shape. */
  public ModelShape shape() {
    return shape;
  }

  /** The hidden nonlinearity. */
  public Activation activation() {
    return activation;
  }

  /** The per-layer rules, in {@code shape().layers()} order. */
  public List<LayerRule> rules() {
    return rules;
  }

  /** The rule of weight layer {@code l}. */
  public LayerRule weightRule(int l) {
    return rules.get(shape.bias() ? 2 * Objects.checkIndex(l, depth) : Objects.checkIndex(l, depth));
  }

  /** The rule of bias {@code l}; throws if the model has no biases. */
  public LayerRule biasRule(int l) {
    if (!shape.bias()) {
      throw new IllegalStateException("the model has no biases");
    }
    LayerRule r = rules.get(2 * Objects.checkIndex(l, depth) + 1);
    assert r.layer().role() == LayerRole.BIAS;
    return r;
  }

  /** The live weight matrix {@code W_l} (fan-out × fan-in, row-major); modifying it changes the model. */
  public FloatMatrix weight(int l) {
    return weights[Objects.checkIndex(l, depth)];
  }

  /** The live bias {@code b_l}, or {@code null} without biases. */
  public float[] bias(int l) {
    return biases[Objects.checkIndex(l, depth)];
  }

  /**
   * Forward pass; keeps the activations for {@link #backward}.
   *
   * @param x {@code batch × d_0} inputs; not modified, but must stay unchanged until {@link #backward}
   * @return the logits, {@code batch × d_L}: a work buffer overwritten by the next forward of the
   *     same batch size
   */
  public FloatMatrix forward(FloatMatrix x) {
    if (x.cols() != dims[0]) {
      throw new IllegalArgumentException("input has " + x.cols() + " columns, the model expects " + dims[0]);
    }
    Work w = works.computeIfAbsent(x.rows(), r -> new Work(r, dims));
    FloatMatrix in = x;
    for (int l = 0; l < depth; l++) {
      forwardLayer(l, in, w.z[l], w.h[l]);
      in = w.h[l];
    }
    last = w;
    lastInput = x;
    passes++;
    return w.h[depth - 1];
  }

  /**
   * Layer {@code l} of the forward pass into the given buffers: {@code z = m_l·in·W_lᵀ + m_{b,l}·1·b_lᵀ},
   * {@code h = φ(z)} (for the last layer z holds the logits and h is not written; pass the same matrix).
   * Writes only z and h, and does not count as a pass ({@link #passes()}).
   */
  void forwardLayer(int l, FloatMatrix in, FloatMatrix z, FloatMatrix h) {
    Blas.gemm(false, true, weightMultiplier[l], in, weights[l], 0f, z);
    if (biases[l] != null) {
      addBias(z, biases[l], biasMultiplier[l]);
    }
    if (l < depth - 1) {
      activate(z, h);
    }
  }

  private static void addBias(FloatMatrix z, float[] b, float m) {
    int n = z.cols();
    float[] d = z.data();
    for (int i = 0; i < z.rows(); i++) {
      int off = i * n;
      for (int j = 0; j < n; j++) {
        d[off + j] += m * b[j];
      }
    }
  }

  private void activate(FloatMatrix z, FloatMatrix h) {
    float[] zi = z.data();
    float[] ho = h.data();
    switch (activation) {
      case RELU -> {
        for (int i = 0; i < zi.length; i++) {
          ho[i] = zi[i] > 0 ? zi[i] : 0f;
        }
      }
      case IDENTITY -> System.arraycopy(zi, 0, ho, 0, zi.length);
      default -> {
        for (int i = 0; i < zi.length; i++) {
          ho[i] = activation.apply(zi[i]);
        }
      }
    }
  }

  /** Multiplies {@code g} element-wise by φ'(z). {@code g} is modified. */
  private void multiplyDerivative(FloatMatrix z, FloatMatrix g) {
    float[] zi = z.data();
    float[] gi = g.data();
    switch (activation) {
      case RELU -> {
        for (int i = 0; i < zi.length; i++) {
          if (!(zi[i] > 0)) {
            gi[i] = 0f;
          }
        }
      }
      case IDENTITY -> {}
      default -> {
        for (int i = 0; i < zi.length; i++) {
          gi[i] *= activation.derivative(zi[i]);
        }
      }
    }
  }

  /**
   * The output of layer {@code l} in the last forward pass: {@code H_l = φ(Z_l)} for hidden layers,
   * the logits for the last. A work buffer, overwritten by the next forward of the same batch size.
   */
  public FloatMatrix features(int l) {
    if (last == null) {
      throw new IllegalStateException("no forward pass yet");
    }
    return last.h[Objects.checkIndex(l, depth)];
  }

  /** The input of the last forward pass. */
  FloatMatrix lastInput() {
    return lastInput;
  }

  /**
   * Backward pass after {@link #forward}: fills {@link #weightGradient} and {@link #biasGradient}.
   *
   * @param dLogits {@code ∂loss/∂logits}, same shape as the last forward's logits; not modified
   */
  public void backward(FloatMatrix dLogits) {
    if (last == null) {
      throw new IllegalStateException("backward needs a forward pass first");
    }
    Work w = last;
    if (dLogits.rows() != w.h[depth - 1].rows() || dLogits.cols() != dims[depth]) {
      throw new IllegalArgumentException(
          "dLogits is " + dLogits.rows() + "x" + dLogits.cols() + ", the last forward produced "
              + w.h[depth - 1].rows() + "x" + dims[depth]);
    }
    passes++;
    backwardWork = w;
    backwardInput = lastInput;
    backwardOutputError = dLogits;
    FloatMatrix delta = dLogits;
    for (int l = depth - 1; l >= 0; l--) {
      FloatMatrix in = l == 0 ? lastInput : w.h[l - 1];
      Blas.gemm(true, false, weightMultiplier[l], delta, in, 0f, weightGradients[l]);
      if (biases[l] != null) {
        columnSums(delta, biasMultiplier[l], biasGradients[l]);
      }
      if (l > 0) {
        FloatMatrix prev = w.delta[l - 1];
        Blas.gemm(false, false, weightMultiplier[l], delta, weights[l], 0f, prev);
        multiplyDerivative(w.z[l - 1], prev);
        delta = prev;
      }
    }
  }

  private static void columnSums(FloatMatrix delta, float m, float[] out) {
    java.util.Arrays.fill(out, 0f);
    int n = delta.cols();
    float[] d = delta.data();
    for (int i = 0; i < delta.rows(); i++) {
      Blas.axpy(n, 1f, d, i * n, out, 0);
    }
    if (m != 1f) {
      Blas.scal(m, out);
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
    return l == depth - 1 ? backwardOutputError : backwardWork.delta[Objects.checkIndex(l, depth)];
  }

  /**
   * The input {@code H_{l-1}} (batch × fan-in) of the last backward pass, the right factor of
   * {@code ∂W_l}. A live buffer: valid only while {@link #passes()} is unchanged.
   */
  FloatMatrix gradientInput(int l) {
    return l == 0 ? backwardInput : backwardWork.h[Objects.checkIndex(l, depth) - 1];
  }

  /** {@code ∂loss/∂W_l} from the last backward pass (a live buffer, fan-out × fan-in). */
  public FloatMatrix weightGradient(int l) {
    return weightGradients[Objects.checkIndex(l, depth)];
  }

  /** {@code ∂loss/∂b_l} from the last backward pass (a live buffer), or {@code null} without biases. */
  public float[] biasGradient(int l) {
    return biasGradients[Objects.checkIndex(l, depth)];
  }

  /** A deep copy of the parameters (no activations or gradients). */
  public ReferenceMlp copy() {
    FloatMatrix[] w = new FloatMatrix[depth];
    float[][] b = new float[depth][];
    for (int l = 0; l < depth; l++) {
      w[l] = weights[l].copy();
      b[l] = biases[l] == null ? null : biases[l].clone();
    }
    return new ReferenceMlp(shape, activation, rules, w, b);
  }

  /** The name of weight layer {@code l}: {@code W1 … WL}. */
  static String weightName(int l) {
    return "W" + (l + 1);
  }
}
