package io.github.spectral4j.core;

import java.util.Objects;

/**
 * One parameter seen as a matrix {@code W_l} of shape {@code fanOut × fanIn} ({@code n_l × n_{l-1}} in
 * the paper), with the role that decides how μP scales it and the kind that decides which norm its rule
 * controls. A vector (bias, norm gain) is a matrix with {@code fanIn = 1} acting on the constant input
 * 1. For an embedding {@code fanIn} is the vocabulary (the one-hot input's dimension), for a
 * convolution {@code c_in·kh·kw}, for a fused attention projection the stacked {@code 3·d} is
 * {@code fanOut}; the rules themselves use {@link #ruleFanIn()} and {@link #ruleFanOut()}.
 *
 * @param name a label such as {@code W1}, {@code b1} or {@code transformer.h.0.attn.c_attn.weight}; not blank
 * @param fanIn {@code n_{l-1}}, the input dimension, ≥ 1 (exactly 1 for a vector)
 * @param fanOut {@code n_l}, the output dimension, ≥ 1 (a multiple of 3 for {@code ATTENTION_QKV})
 * @param role how the layer's dimensions scale with width ({@code BIAS} exactly for vectors)
 * @param kind what the parameter is
 */
public record Layer(String name, int fanIn, int fanOut, LayerRole role, ParameterKind kind) {

  /** Validates the dimensions; throws {@link IllegalArgumentException} naming the bad value. */
  public Layer {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(kind, "kind");
    if (name.isBlank()) {
      throw new IllegalArgumentException("layer name must not be blank");
    }
    if (fanIn < 1) {
      throw new IllegalArgumentException("layer " + name + ": fanIn must be >= 1, got " + fanIn);
    }
    if (fanOut < 1) {
      throw new IllegalArgumentException("layer " + name + ": fanOut must be >= 1, got " + fanOut);
    }
    if (role == LayerRole.BIAS && fanIn != 1) {
      throw new IllegalArgumentException("layer " + name + ": a bias has fanIn 1, got " + fanIn);
    }
    if (kind.vectorLike() != (role == LayerRole.BIAS)) {
      throw new IllegalArgumentException(
          "layer " + name + ": kind " + kind.id() + " does not go with role " + role.name().toLowerCase(java.util.Locale.ROOT)
              + " (vectors, and only vectors, have role bias)");
    }
    if (kind == ParameterKind.ATTENTION_QKV && fanOut % 3 != 0) {
      throw new IllegalArgumentException(
          "layer " + name + ": attention_qkv stacks three projections, fanOut " + fanOut + " is not a multiple of 3");
    }
  }

  /**
   * A dense layer (or, for role {@code BIAS}, a bias) of the kind that goes with {@code role}.
   *
   * @param name a label; not blank
   * @param fanIn the input dimension, ≥ 1 (exactly 1 for a bias)
   * @param fanOut the output dimension, ≥ 1
   * @param role {@code INPUT}, {@code HIDDEN}, {@code OUTPUT} or {@code BIAS}
   */
  public Layer(String name, int fanIn, int fanOut, LayerRole role) {
    this(name, fanIn, fanOut, role, kindOf(role));
  }

  private static ParameterKind kindOf(LayerRole role) {
    Objects.requireNonNull(role, "role");
    return switch (role) {
      case INPUT -> ParameterKind.INPUT;
      case HIDDEN -> ParameterKind.HIDDEN;
      case OUTPUT -> ParameterKind.OUTPUT;
      case BIAS -> ParameterKind.BIAS;
    };
  }

  /**
   * The fan-in the rules use: {@code fanIn}, except 1 for an embedding, whose one-hot input has norm 1
   * as the constant input of a bias has (dense inputs of RMS 1 have norm {@code √fanIn}).
   */
  public int ruleFanIn() {
    return kind == ParameterKind.EMBEDDING ? 1 : fanIn;
  }

  /** The fan-out the rules use: {@code fanOut}, except {@code fanOut/3} for a fused Q, K, V projection. */
  public int ruleFanOut() {
    return kind == ParameterKind.ATTENTION_QKV ? fanOut / 3 : fanOut;
  }

  /**
   * {@code √(fanOut/fanIn)} with the rule's dimensions: the norm Condition 1 asks of both {@code W_l}
   * and {@code ΔW_l}, in the kind's {@link ParameterKind#norm()}.
   */
  public double spectralScale() {
    return Math.sqrt((double) ruleFanOut() / ruleFanIn());
  }

  /** This layer with another role (how width transfer classifies it), the rest unchanged. */
  Layer withRole(LayerRole newRole) {
    return newRole == role ? this : new Layer(name, fanIn, fanOut, newRole, kind);
  }
}
