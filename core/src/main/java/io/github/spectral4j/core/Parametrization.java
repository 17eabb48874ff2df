package io.github.spectral4j.core;

import java.util.Locale;
import java.util.Objects;

/**
 * How a network's initialisation scales, forward multipliers and per-layer learning rates depend on
 * its layer dimensions. With {@code fi} and {@code fo} the rule's fan-in and fan-out ({@link
 * Layer#ruleFanIn()}, {@link Layer#ruleFanOut()}: an embedding's one-hot input counts as fan-in 1, a
 * fused Q, K, V projection as one block):
 *
 * <ul>
 *   <li>{@link #SPECTRAL} satisfies Condition 1 of arXiv 2310.17813 directly (its Parametrization 1):
 *       {@code σ = (1/√fi)·min(1, √(fo/fi))}, so {@code ‖W‖* ≈ σ(√fi + √fo) ∈ [1, 2]·√(fo/fi)}; SGD
 *       learning rate {@code η·fo/fi}, because a batch gradient is low-rank and its spectral norm is
 *       about its Frobenius norm; Adam {@code η/fi}, because Adam's update is sign-like; normalized
 *       updates of spectral norm {@code η·√(fo/fi)}.
 *   <li>{@link #MUP} is the maximal-update parametrization of Tensor Programs V, Table 3: init
 *       variance {@code 1/fi} for input and hidden weights and {@code 1/fi²} for the output
 *       layer; SGD multiplier {@code fo} (input), 1 (hidden), {@code 1/fi} (output); Adam 1
 *       (input) and {@code 1/fi} (hidden, output). It equals {@code SPECTRAL} up to constants
 *       that do not depend on the width (once the width exceeds the fixed dimensions).
 *   <li>{@link #STANDARD}: {@code σ = 1/√fi} and one global learning rate. The output layer's update
 *       grows with width, violating Condition 1.
 *   <li>{@link #NTK}: unit-variance weights and a forward multiplier {@code 1/√fi}, one global
 *       learning rate. Hidden feature updates shrink like {@code 1/√width}: the kernel regime.
 * </ul>
 *
 * <p>Vectors (biases, norm gains) start at 0 (gains at 1) in every parametrization and take their
 * learning rate's size from their weight; the paper's fan-in-1 constants are kept only for how the
 * rate scales with width (derivation at {@link #rule(Layer, Optimizer)} and {@link ModelShape}).
 * Every rule's targets are Condition 1's {@code ‖W‖* = ‖ΔW‖* = √(fo/fi)}, whether or not the
 * parametrization meets them.
 */
public enum Parametrization {
  STANDARD {
    @Override
    double initStd(Layer layer) {
      return 1.0 / Math.sqrt(layer.ruleFanIn());
    }

    @Override
    double learningRateMultiplier(Layer layer, Optimizer optimizer) {
      return 1.0;
    }
  },

  NTK {
    @Override
    double initStd(Layer layer) {
      return 1.0;
    }

    @Override
    double forwardMultiplier(Layer layer) {
      return 1.0 / Math.sqrt(layer.ruleFanIn());
    }

    @Override
    double learningRateMultiplier(Layer layer, Optimizer optimizer) {
      return 1.0;
    }
  },

  MUP {
    @Override
    double initStd(Layer layer) {
      double fi = layer.ruleFanIn();
      return layer.role() == LayerRole.OUTPUT ? 1.0 / fi : 1.0 / Math.sqrt(fi);
    }

    @Override
    double learningRateMultiplier(Layer layer, Optimizer optimizer) {
      double fi = layer.ruleFanIn();
      double fo = layer.ruleFanOut();
      return switch (optimizer) {
        case SGD -> switch (layer.role()) {
          case INPUT, BIAS -> fo;
          case HIDDEN -> 1.0;
          case OUTPUT -> 1.0 / fi;
        };
        case ADAM -> switch (layer.role()) {
          case INPUT, BIAS -> 1.0;
          case HIDDEN, OUTPUT -> 1.0 / fi;
        };
        case NORMALIZED -> layer.spectralScale();
      };
    }
  },

  SPECTRAL {
    @Override
    double initStd(Layer layer) {
      double fi = layer.ruleFanIn();
      return Math.min(1.0, layer.spectralScale()) / Math.sqrt(fi);
    }

    @Override
    double learningRateMultiplier(Layer layer, Optimizer optimizer) {
      double fi = layer.ruleFanIn();
      double fo = layer.ruleFanOut();
      return switch (optimizer) {
        case SGD -> fo / fi;
        case ADAM -> 1.0 / fi;
        case NORMALIZED -> layer.spectralScale();
      };
    }
  };

  /** The paper's σ for {@code layer} seen as a dense matrix of the rule's dimensions. */
  abstract double initStd(Layer layer);

  /** The paper's forward multiplier for {@code layer} seen as a dense matrix. */
  double forwardMultiplier(Layer layer) {
    return 1.0;
  }

  /** The paper's learning-rate multiplier for {@code layer} seen as a dense matrix. */
  abstract double learningRateMultiplier(Layer layer, Optimizer optimizer);

  /**
   * The rule this parametrization prescribes for {@code layer} trained by {@code optimizer}. A vector
   * ({@code BIAS}, {@code NORM_GAIN}) has no weight to take its rate's size from here, so it takes the
   * rate of a square hidden weight of its width (the weight of a block it would sit in); {@link
   * ModelShape} gives it the rate of its own weight instead. Weight decay and ε multipliers are 1 (the
   * layer is its own base).
   *
   * <p>Why a vector does not get the paper's fan-in-1 constants (σ = 1, SGD rate {@code η·fo}): a bias
   * is the matrix {@code b} acting on the constant input 1, so for a batch of {@code B} examples an SGD
   * step moves example {@code j}'s output by {@code −(η_b/B)·Σ_i δ_i·⟨1, 1⟩} and the weight's step moves
   * it by {@code −(η_W/B)·Σ_i δ_i·⟨x_i, x_j⟩}. The paper balances the two for one example
   * ({@code η_b·1 = η_W·‖x‖²}). But the input 1 is perfectly aligned across the batch: when the
   * {@code δ_i} agree (a shift every example shares — what a bias is for) the bias's {@code B} terms add
   * up while most of the weight's cross terms do not, so a bias step moves the output by up to {@code B}
   * times what a weight step of the same rate does, and at width 256 the paper's SGD rate is 256 times
   * the hidden weights'. σ = 1 likewise makes a bias as large as the whole signal {@code W·x}. Both are
   * width-independent constants, which Condition 1 leaves free, so a vector keeps the paper's width
   * scaling (SGD {@code Θ(fo)}, Adam {@code Θ(1)}, normalized {@code ‖Δb‖₂ = η·Θ(√fo)}) and takes its
   * size from practice: zero initialisation and its weight's rate at the base shape (one rate for weight
   * and bias, as PyTorch and μTransfer's base model use). Without a base the model is its own base.
   *
   * @param layer not modified
   * @param optimizer the update rule the learning-rate multiplier is for
   * @return init scale, forward multiplier, learning-rate multiplier and Condition 1's targets
   */
  public LayerRule rule(Layer layer, Optimizer optimizer) {
    Objects.requireNonNull(layer, "layer");
    Objects.requireNonNull(optimizer, "optimizer");
    if (layer.kind().vectorLike()) {
      return vectorRule(layer, squareCompanion(layer), optimizer);
    }
    return paperRule(layer, optimizer);
  }

  /** A square hidden matrix of {@code vector}'s width: the weight a vector is measured against by default. */
  static Layer squareCompanion(Layer vector) {
    return new Layer(vector.name(), vector.fanOut(), vector.fanOut(), LayerRole.HIDDEN);
  }

  /**
   * The paper's rule for {@code layer} as a dense matrix of the rule's dimensions (for a vector: the
   * fan-in-1 matrix, σ = 1 and SGD rate {@code η·fo}), with weight-decay and ε multipliers 1.
   */
  LayerRule paperRule(Layer layer, Optimizer optimizer) {
    double target = layer.spectralScale();
    return new LayerRule(
        layer,
        initStd(layer),
        forwardMultiplier(layer),
        learningRateMultiplier(layer, optimizer),
        target,
        target,
        0,
        1,
        1);
  }

  /**
   * The rule of a vector (bias or norm gain) whose learning rate takes its size from {@code weight}.
   *
   * <p>Why not the paper's fan-in-1 constants: a bias is the matrix {@code b} acting on the constant
   * input 1, so for a batch of {@code B} examples an SGD step moves example {@code j}'s output by
   * {@code −(η_b/B)·Σ_i δ_i·⟨1, 1⟩}, while the weight's step moves it by
   * {@code −(η_W/B)·Σ_i δ_i·⟨x_i, x_j⟩}. The paper balances the two for one example
   * ({@code η_b·1 = η_W·‖x‖²}, i.e. {@code η_b = η·fo} against {@code η_W = η·fo/fi}). But the input 1 is
   * perfectly aligned across the batch: when the backpropagated {@code δ_i} agree in sign (a class
   * imbalance, a shift every example shares, which is what a bias is for), the bias's {@code B} terms
   * add up while most of the weight's cross terms {@code ⟨x_i, x_j⟩} do not, so the bias's step is up to
   * {@code B} times the one the paper budgeted — and at width 256 its rate is 256 times the hidden
   * weights'. The paper's σ = 1 likewise makes the bias as large as the whole signal {@code W·x}. Both
   * constants are width-independent factors, which Condition 1 leaves free; so the bias keeps the
   * paper's width scaling (SGD {@code Θ(fo)}, Adam {@code Θ(1)}, normalized {@code ‖Δb‖₂ = η·Θ(√fo)})
   * and takes its size from what works in practice: zero initialisation and the learning rate of its
   * own weight at the base shape (one learning rate for weight and bias, as in PyTorch's default and
   * as in μTransfer's base model). Here the model is its own base: {@code η_b = η_W}.
   *
   * @param vector a {@code BIAS} or {@code NORM_GAIN} layer
   * @param weight the layer whose rate sets the size of the vector's rate
   */
  LayerRule vectorRule(Layer vector, Layer weight, Optimizer optimizer) {
    double target = vector.spectralScale();
    boolean gain = vector.kind() == ParameterKind.NORM_GAIN;
    return new LayerRule(
        vector,
        0,
        1,
        learningRateMultiplier(weight, optimizer),
        target,
        target,
        gain ? 1 : 0,
        gain ? 0 : 1,
        1);
  }

  /**
   * The multiplier of attention logits {@code q·k}, relative to a base head dimension: {@code 1/√d} for
   * {@code STANDARD} and {@code NTK}; for {@code MUP} and {@code SPECTRAL} {@code √d_base/d}, the 1/d of
   * Tensor Programs V (after training, {@code q} and {@code k} are correlated and {@code q·k} grows like
   * {@code d}, not {@code √d}) scaled so that it is exactly {@code 1/√d} at the base head dimension.
   * When heads are added at a fixed head dimension, nothing changes.
   *
   * @param headDim the head dimension {@code d ≥ 1}
   * @param baseHeadDim the base model's head dimension ≥ 1 (pass {@code headDim} for a model that is
   *     its own base)
   * @return the factor on {@code q·k} before the softmax
   * @throws IllegalArgumentException naming a non-positive dimension
   */
  public double attentionLogitMultiplier(int headDim, int baseHeadDim) {
    if (headDim < 1 || baseHeadDim < 1) {
      throw new IllegalArgumentException(
          "head dimensions must be >= 1, got headDim " + headDim + " and baseHeadDim " + baseHeadDim);
    }
    return switch (this) {
      case STANDARD, NTK -> 1.0 / Math.sqrt(headDim);
      case MUP, SPECTRAL -> Math.sqrt(baseHeadDim) / headDim;
    };
  }

  /** The lower-case name used on the command line and in reports, e.g. {@code spectral}. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses a name case-insensitively ({@code standard}, {@code ntk}, {@code mup}, {@code spectral}).
   *
   * @param name the parametrization's id
   * @return the parametrization
   * @throws IllegalArgumentException naming the value and the accepted names
   */
  public static Parametrization parse(String name) {
    return Names.parse(Parametrization.class, name, "parametrization");
  }
}
