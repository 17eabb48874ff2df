package io.github.spectral4j.core;

import java.util.Objects;

/**
 * One weight matrix {@code W_l} of shape {@code fanOut × fanIn} ({@code n_l × n_{l-1}} in the paper),
 * with its role. A bias is a matrix with {@code fanIn = 1}.
 *
 * @param name a label such as {@code W1} or {@code b1}; not blank
 * @param fanIn {@code n_{l-1}}, the input dimension, ≥ 1 (exactly 1 for a bias)
 * @param fanOut {@code n_l}, the output dimension, ≥ 1
 * @param role how the layer's dimensions scale with width
 */
public record Layer(String name, int fanIn, int fanOut, LayerRole role) {

  /** Validates the dimensions; throws {@link IllegalArgumentException} naming the bad value. */
  public Layer {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(role, "role");
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
  }

  /** {@code √(fanOut/fanIn)}: the spectral norm Condition 1 asks of both {@code W_l} and {@code ΔW_l}. */
  public double spectralScale() {
    return Math.sqrt((double) fanOut / fanIn);
  }
}
