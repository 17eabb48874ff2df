package io.github.spectral4j.trainer.nn;

import io.github.spectral4j.simd.FloatMatrix;
import java.util.Objects;

/** Argument checks shared by the modules; every message names the module and the offending sizes. */
final class Checks {
  private Checks() {}

  static void columns(String module, FloatMatrix input, int expected) {
    Objects.requireNonNull(input, "input");
    if (input.cols() != expected) {
      throw new IllegalArgumentException(
          module + ": input has " + input.cols() + " columns, expected " + expected + " (" + input + ")");
    }
  }

  /** A caller's output buffer must be {@code rows × cols}. */
  static void outputShape(String module, FloatMatrix output, int rows, int cols) {
    Objects.requireNonNull(output, "output");
    if (output.rows() != rows || output.cols() != cols) {
      throw new IllegalArgumentException(
          module + ": output buffer is " + output.rows() + "x" + output.cols() + ", expected " + rows + "x" + cols);
    }
  }

  static void sameShape(String module, FloatMatrix gradient, FloatMatrix output) {
    Objects.requireNonNull(gradient, "outputGradient");
    if (gradient.rows() != output.rows() || gradient.cols() != output.cols()) {
      throw new IllegalArgumentException(module + ": output gradient is " + gradient.rows() + "x" + gradient.cols()
          + ", the last forward pass produced " + output.rows() + "x" + output.cols());
    }
  }

  /**
   * An output gradient of the last pass's first rows ({@link Module#backward}'s leading rows): the output's
   * columns and at most its rows, at least one. Returns its rows.
   */
  static int leadingRows(String module, FloatMatrix gradient, FloatMatrix output) {
    Objects.requireNonNull(gradient, "outputGradient");
    if (gradient.rows() > output.rows() || gradient.cols() != output.cols()) {
      throw new IllegalArgumentException(module + ": output gradient is " + gradient.rows() + "x" + gradient.cols()
          + ", the last forward pass produced " + output.rows() + "x" + output.cols()
          + " (a gradient may cover its first rows only, with all its columns)");
    }
    return gradient.rows();
  }

  static void forwardDone(String module, Object last) {
    if (last == null) {
      throw new IllegalStateException(module + ": backward needs a forward pass first");
    }
  }

  static int positive(String what, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(what + " must be >= 1, got " + value);
    }
    return value;
  }
}
