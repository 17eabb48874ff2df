package io.github.spectral4j.core;

import java.util.Arrays;
import java.util.Objects;

/**
 * One named parameter of a model as PyTorch lists it ({@code model.named_parameters()}), with its
 * kind: {@code [out, in]} for dense and attention matrices ({@code nn.Linear}), {@code [vocab, width]}
 * for an embedding, {@code [c_out, c_in, kh, kw]} for a convolution, {@code [n]} for a bias or norm
 * gain. A matrix stored the other way round, {@code [in, out]} (Hugging Face's {@code Conv1D}, used by
 * GPT-2), says so with {@code transposed}: the shape stays exactly what PyTorch reports, so a model file
 * can be written from {@code named_parameters()} without reshaping anything, and the orientation is one
 * flag rather than a second copy of every matrix kind. Immutable; the shape is copied in and out.
 *
 * @param name the parameter's name, e.g. {@code transformer.h.0.attn.c_attn.weight}; not blank
 * @param kind what the parameter is
 * @param shape its dimensions, {@link ParameterKind#rank()} of them, each ≥ 1
 * @param transposed whether a rank-2 matrix is stored {@code [in, out]}; only for
 *     {@link ParameterKind#orientable()} kinds
 */
public record ParameterSpec(String name, ParameterKind kind, int[] shape, boolean transposed) {

  /** Validates; throws {@link IllegalArgumentException} naming the parameter and the problem. */
  public ParameterSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(shape, "shape");
    if (name.isBlank()) {
      throw new IllegalArgumentException("parameter name must not be blank");
    }
    shape = shape.clone();
    if (shape.length != kind.rank()) {
      throw new IllegalArgumentException(
          "parameter " + name + ": kind " + kind.id() + " needs a shape of rank " + kind.rank() + ", got "
              + Arrays.toString(shape));
    }
    for (int d : shape) {
      if (d < 1) {
        throw new IllegalArgumentException(
            "parameter " + name + ": shape " + Arrays.toString(shape) + " has dimension " + d + ", must be >= 1");
      }
    }
    if (kind == ParameterKind.CONV && (long) shape[1] * shape[2] * shape[3] > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "parameter " + name + ": fan-in c_in·kh·kw of shape " + Arrays.toString(shape) + " exceeds " + Integer.MAX_VALUE);
    }
    if (transposed && !kind.orientable()) {
      throw new IllegalArgumentException(
          "parameter " + name + ": kind " + kind.id() + " has a fixed layout and cannot be transposed");
    }
    if (kind == ParameterKind.ATTENTION_QKV && (transposed ? shape[1] : shape[0]) % 3 != 0) {
      throw new IllegalArgumentException(
          "parameter " + name + ": attention_qkv stacks Q, K, V along the output, but shape "
              + Arrays.toString(shape) + (transposed ? " (stored [in, out])" : "") + " has an output not divisible by 3");
    }
  }

  /**
   * A parameter in PyTorch's usual layout ({@code [out, in]} for matrices).
   *
   * @param name not blank
   * @param kind what the parameter is
   * @param shape its dimensions; not modified (copied)
   */
  public ParameterSpec(String name, ParameterKind kind, int... shape) {
    this(name, kind, shape, false);
  }

  @Override
  public int[] shape() {
    return shape.clone();
  }

  /** {@code shape[i]}, without copying. */
  int dim(int i) {
    return shape[i];
  }

  /**
   * The input dimension: {@code in} of a matrix, the vocabulary of an embedding, {@code c_in·kh·kw} of
   * a convolution, 1 for a vector.
   */
  public int fanIn() {
    return switch (kind.rank()) {
      case 1 -> 1;
      case 2 -> kind == ParameterKind.EMBEDDING ? shape[0] : transposed ? shape[0] : shape[1];
      default -> shape[1] * shape[2] * shape[3];
    };
  }

  /** The output dimension: {@code out} of a matrix, the width of an embedding, {@code c_out}, {@code n}. */
  public int fanOut() {
    return switch (kind.rank()) {
      case 1 -> shape[0];
      case 2 -> kind == ParameterKind.EMBEDDING ? shape[1] : transposed ? shape[1] : shape[0];
      default -> shape[0];
    };
  }

  /** The number of entries, the product of the shape. */
  public long size() {
    long n = 1;
    for (int d : shape) {
      n *= d;
    }
    return n;
  }

  /** This parameter as a matrix with {@code role}. */
  Layer toLayer(LayerRole role) {
    return new Layer(name, fanIn(), fanOut(), role, kind);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ParameterSpec p
        && p.name.equals(name)
        && p.kind == kind
        && p.transposed == transposed
        && Arrays.equals(p.shape, shape);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, kind, transposed, Arrays.hashCode(shape));
  }

  @Override
  public String toString() {
    return name + " " + kind.id() + " " + Arrays.toString(shape) + (transposed ? " [in, out]" : "");
  }
}
