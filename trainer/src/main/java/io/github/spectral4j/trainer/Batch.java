package io.github.spectral4j.trainer;

import io.github.spectral4j.simd.FloatMatrix;
import java.util.Objects;

/**
 * A mini-batch: the input rows {@code x_i} (one example per row, {@code batch × d_0}) and their class
 * labels {@code y_i}. The arrays are shared, not copied.
 *
 * @param inputs {@code batch × d_0} matrix, one example per row
 * @param labels one class id per row, each ≥ 0
 */
public record Batch(FloatMatrix inputs, int[] labels) {

  /** Checks that there is one label per row and that labels are non-negative. */
  public Batch {
    Objects.requireNonNull(inputs, "inputs");
    Objects.requireNonNull(labels, "labels");
    if (labels.length != inputs.rows()) {
      throw new IllegalArgumentException(
          "batch has " + inputs.rows() + " input rows but " + labels.length + " labels");
    }
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0) {
        throw new IllegalArgumentException("label " + i + " is negative: " + labels[i]);
      }
    }
  }

  /** Number of examples. */
  public int size() {
    return labels.length;
  }
}
