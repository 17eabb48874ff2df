package io.github.spectral4j.trainer;

import io.github.spectral4j.simd.FloatMatrix;
import java.util.Locale;
import java.util.Map;

/**
 * Training loss on the logits {@code z_i} of a batch of {@code B} examples, averaged over the batch.
 * {@code CROSS_ENTROPY}: {@code (1/B)·Σ_i (logsumexp(z_i) − z_{i,y_i})}, computed stably by subtracting
 * the row maximum, gradient {@code (softmax(z_i) − e_{y_i})/B}. {@code MSE} on one-hot targets:
 * {@code (1/B)·Σ_i ½‖z_i − e_{y_i}‖²}, gradient {@code (z_i − e_{y_i})/B}.
 */
public enum Loss {
  CROSS_ENTROPY {
    @Override
    double row(float[] z, int off, int n, int label, float[] g, float scale) {
      float max = Float.NEGATIVE_INFINITY;
      for (int j = 0; j < n; j++) {
        max = Math.max(max, z[off + j]);
      }
      double sum = 0;
      for (int j = 0; j < n; j++) {
        sum += Math.exp(z[off + j] - max);
      }
      double lse = max + Math.log(sum);
      for (int j = 0; j < n; j++) {
        double p = Math.exp(z[off + j] - lse);
        g[off + j] = (float) ((p - (j == label ? 1 : 0)) * scale);
      }
      return lse - z[off + label];
    }
  },
  MSE {
    @Override
    double row(float[] z, int off, int n, int label, float[] g, float scale) {
      double s = 0;
      for (int j = 0; j < n; j++) {
        double d = z[off + j] - (j == label ? 1.0 : 0.0);
        s += d * d;
        g[off + j] = (float) (d * scale);
      }
      return 0.5 * s;
    }
  };

  abstract double row(float[] z, int off, int n, int label, float[] g, float scale);

  /**
   * The batch-mean loss and its gradient with respect to the logits.
   *
   * @param logits {@code B × classes}; not modified
   * @param batch supplies the labels, each {@code < classes}; not modified
   * @param dLogits {@code B × classes}; modified: receives {@code ∂loss/∂logits}
   * @return the mean loss (NaN or infinite if the logits are)
   * @throws IllegalArgumentException if shapes disagree or a label is out of range
   */
  public double lossAndGradient(FloatMatrix logits, Batch batch, FloatMatrix dLogits) {
    return lossAndGradient(logits, logits.rows(), batch, dLogits);
  }

  /**
   * As {@link #lossAndGradient(FloatMatrix, Batch, FloatMatrix)} on the first {@code b} rows of
   * {@code logits} only (rows after them ride along in the forward pass, excluded from the loss).
   */
  double lossAndGradient(FloatMatrix logits, int b, Batch batch, FloatMatrix dLogits) {
    int n = logits.cols();
    if (b > logits.rows() || batch.size() != b || dLogits.rows() != b || dLogits.cols() != n) {
      throw new IllegalArgumentException(
          "loss shapes disagree: logits " + logits.rows() + "x" + n + (b != logits.rows() ? " (first " + b + " rows)" : "")
              + ", " + batch.size() + " labels, dLogits "
              + dLogits.rows() + "x" + dLogits.cols());
    }
    int[] labels = batch.labels();
    float[] z = logits.data();
    float[] g = dLogits.data();
    float scale = 1f / b;
    double total = 0;
    for (int i = 0; i < b; i++) {
      if (labels[i] >= n) {
        throw new IllegalArgumentException(
            "label " + labels[i] + " of example " + i + " is out of range for " + n + " outputs");
      }
      total += row(z, i * n, n, labels[i], g, scale);
    }
    return total / b;
  }

  /** The lower-case name used on the command line, e.g. {@code cross_entropy}. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses {@code cross_entropy} (also {@code ce}, {@code cross-entropy}) or {@code mse}. */
  public static Loss parse(String name) {
    return EnumNames.parse(Loss.class, name, "loss", Map.of("CE", CROSS_ENTROPY, "XENT", CROSS_ENTROPY));
  }
}
