package io.github.spectral4j.trainer.nn;

import io.github.spectral4j.simd.Blas;
import io.github.spectral4j.simd.FloatMatrix;
import java.util.List;
import java.util.Objects;

/**
 * The feature sizes of a {@link Gpt} on a fixed probe batch, for coord checks: for each module output
 * {@code h} of {@link Gpt#featureNames()} (embedding, each block's residual stream, logits), {@code
 * rms(h) = ‖h‖_F/√(rows·cols)} now, and {@code rms(h − h₀)} against the features {@code h₀} recorded when
 * the probe was made (or last {@link #reset}). The spectral condition asks both to be Θ(1) in the width
 * (arXiv 2310.17813, Desideratum 1: {@code ‖h_l‖₂ = Θ(√n_l)}, {@code ‖Δh_l‖₂ = Θ(√n_l)}). The copies of
 * {@code h₀} are allocated once; a measurement allocates nothing.
 */
public final class FeatureProbe {
  private final Gpt model;
  private final int[] tokens;
  private final FloatMatrix[] initial;
  private final FloatMatrix[] difference;

  /**
   * Records the model's features on {@code tokens} as {@code h₀}.
   *
   * @param model the model measured; its forward buffers for this batch size are overwritten by every
   *     measurement (do not measure between a training forward pass and its backward pass of that size)
   * @param tokens the probe batch, whole sequences; copied
   */
  public FeatureProbe(Gpt model, int[] tokens) {
    this.model = Objects.requireNonNull(model, "model");
    this.tokens = Objects.requireNonNull(tokens, "tokens").clone();
    int n = model.featureNames().size();
    this.initial = new FloatMatrix[n];
    this.difference = new FloatMatrix[n];
    model.forward(this.tokens);
    for (int i = 0; i < n; i++) {
      FloatMatrix h = model.feature(i);
      initial[i] = h.copy();
      difference[i] = FloatMatrix.zeros(h.rows(), h.cols());
    }
  }

  /** The names of the measured outputs, as {@link Gpt#featureNames()}. */
  public List<String> names() {
    return model.featureNames();
  }

  /** Records the current features as the new {@code h₀}. */
  public void reset() {
    model.forward(tokens);
    for (int i = 0; i < initial.length; i++) {
      initial[i].copyFrom(model.feature(i));
    }
  }

  /**
   * Runs the probe batch and writes, per output i, {@code rms[i] = rms(h)} and {@code change[i] = rms(h −
   * h₀)}. Both arrays are modified; either may be null.
   *
   * @return false if any feature is not finite (then the values are those of the non-finite features)
   */
  public boolean measure(double[] rms, double[] change) {
    model.forward(tokens);
    boolean finite = true;
    for (int i = 0; i < initial.length; i++) {
      FloatMatrix h = model.feature(i);
      double count = (double) h.rows() * h.cols();
      if (rms != null) {
        rms[i] = Blas.frobeniusNorm(h) / Math.sqrt(count);
      }
      if (change != null) {
        float[] d = difference[i].data();
        System.arraycopy(h.data(), 0, d, 0, d.length);
        Blas.axpy(-1f, initial[i].data(), d);
        change[i] = Blas.nrm2(d) / Math.sqrt(count);
      }
      finite &= h.isFinite();
    }
    return finite;
  }
}
