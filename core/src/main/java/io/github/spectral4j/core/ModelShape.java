package io.github.spectral4j.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The layers of a multi-layer perceptron with dimensions {@code dims = [d_0, d_1, …, d_L]}: weight
 * {@code W_l} has fan-in {@code d_{l-1}} and fan-out {@code d_l}; the first is the {@code INPUT} layer,
 * the last the {@code OUTPUT} layer (a one-layer model's single matrix counts as output), the rest are
 * {@code HIDDEN}. With biases, bias {@code b_l} is a {@code BIAS} layer of fan-in 1 and fan-out
 * {@code d_l}, listed after its weight. Immutable.
 */
public final class ModelShape {
  private final int[] dims;
  private final boolean bias;
  private final List<Layer> layers;

  private ModelShape(int[] dims, boolean bias) {
    this.dims = dims;
    this.bias = bias;
    List<Layer> list = new ArrayList<>();
    int depth = dims.length - 1;
    for (int l = 1; l <= depth; l++) {
      LayerRole role =
          l == depth ? LayerRole.OUTPUT : l == 1 ? LayerRole.INPUT : LayerRole.HIDDEN;
      list.add(new Layer("W" + l, dims[l - 1], dims[l], role));
      if (bias) {
        list.add(new Layer("b" + l, 1, dims[l], LayerRole.BIAS));
      }
    }
    this.layers = List.copyOf(list);
  }

  /**
   * A shape from MLP dimensions such as {@code 784, 1024, 1024, 10}.
   *
   * @param dims at least two dimensions, each ≥ 1; not modified (copied)
   * @param bias whether every weight layer has a bias
   * @throws IllegalArgumentException naming the offending dimension
   */
  public static ModelShape of(int[] dims, boolean bias) {
    Objects.requireNonNull(dims, "dims");
    if (dims.length < 2) {
      throw new IllegalArgumentException(
          "dims " + Arrays.toString(dims) + ": need at least 2 dimensions (input and output)");
    }
    for (int i = 0; i < dims.length; i++) {
      if (dims[i] < 1) {
        throw new IllegalArgumentException(
            "dims " + Arrays.toString(dims) + ": dimension " + i + " is " + dims[i] + ", must be >= 1");
      }
    }
    return new ModelShape(dims.clone(), bias);
  }

  /** Copy of the dimensions {@code [d_0, …, d_L]}. */
  public int[] dims() {
    return dims.clone();
  }

  /** Number of weight matrices {@code L}. */
  public int depth() {
    return dims.length - 1;
  }

  /** Whether each weight layer has a bias. */
  public boolean bias() {
    return bias;
  }

  /** The layers, weights and biases interleaved ({@code W1, b1, W2, …}); unmodifiable. */
  public List<Layer> layers() {
    return layers;
  }

  /** The rule of {@code parametrization} for every layer, in {@link #layers()} order. */
  public List<LayerRule> rules(Parametrization parametrization, Optimizer optimizer) {
    return layers.stream().map(layer -> parametrization.rule(layer, optimizer)).toList();
  }

  /**
   * Width transfer (μTransfer): the rules of {@code parametrization} relative to a base model, so that
   * a model tuned at the base shape keeps its hyperparameters at this shape. For every layer with base
   * counterpart {@code b}:
   *
   * <pre>
   *   initStd = σ_STANDARD(b) · σ_P(l)/σ_P(b)     forwardMultiplier = m_P(l)/m_P(b)
   *   learningRateMultiplier = η_P(l)/η_P(b)
   * </pre>
   *
   * At the base shape this is exactly the standard parametrization with multipliers 1 — the base model
   * is an ordinary model — and away from it every quantity scales as {@code parametrization} says.
   *
   * @param base a shape of the same depth and bias setting; not modified
   * @throws IllegalArgumentException if the shapes differ in depth or bias
   */
  public List<LayerRule> rules(Parametrization parametrization, Optimizer optimizer, ModelShape base) {
    Objects.requireNonNull(base, "base");
    if (base.depth() != depth() || base.bias != bias) {
      throw new IllegalArgumentException(
          "base dims "
              + Arrays.toString(base.dims)
              + (base.bias ? " with bias" : "")
              + " do not match dims "
              + Arrays.toString(dims)
              + (bias ? " with bias" : "")
              + ": need the same depth and bias setting");
    }
    List<LayerRule> out = new ArrayList<>(layers.size());
    for (int i = 0; i < layers.size(); i++) {
      Layer layer = layers.get(i);
      Layer baseLayer = base.layers.get(i);
      LayerRule p = parametrization.rule(layer, optimizer);
      LayerRule pb = parametrization.rule(baseLayer, optimizer);
      LayerRule sb = Parametrization.STANDARD.rule(baseLayer, optimizer);
      out.add(
          new LayerRule(
              layer,
              sb.initStd() * (p.initStd() / pb.initStd()),
              p.forwardMultiplier() / pb.forwardMultiplier(),
              p.learningRateMultiplier() / pb.learningRateMultiplier(),
              p.targetWeightNorm(),
              p.targetUpdateNorm()));
    }
    return List.copyOf(out);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ModelShape s && s.bias == bias && Arrays.equals(s.dims, dims);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(dims) + Boolean.hashCode(bias);
  }

  @Override
  public String toString() {
    return "ModelShape" + Arrays.toString(dims) + (bias ? " with bias" : "");
  }
}
