package io.github.spectral4j.trainer;

import io.github.spectral4j.simd.Blas;
import io.github.spectral4j.simd.FloatMatrix;
import io.github.spectral4j.simd.PowerIteration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Per-layer spectral diagnostics of a training run ({@link LayerStats}): {@code ‖W‖*},
 * {@code ‖W − W₀‖*}, {@code ‖ΔW_t‖*}, Frobenius norms and stable ranks, and the RMS of the features
 * {@code h_l} and of their change {@code h_l − h_l⁽⁰⁾} on a fixed probe batch — the quantities of
 * Condition 1 and Desideratum 1 of arXiv 2310.17813. Construction snapshots {@code W₀} and the
 * probe's features {@code h⁽⁰⁾}. Spectral norms come from one power iteration per layer and per
 * quantity, warm-started from the previous call, stopped at relative residual {@value #TOLERANCE}
 * (σ is then accurate to about its square over the relative spectral gap, far below what the
 * diagnostics need). Measuring costs one forward pass of the probe batch (its cost is proportional to
 * the probe's rows: 16 rows are plenty for RMS statistics over a layer's width), one fused pass forming
 * {@code W − W₀} with both Frobenius norms, one pass over {@code ΔW} for the alignment on the first
 * {@value #ALIGNMENT_ROWS} probe rows,
 * and a few matrix–vector products per layer: with a call every step, {@code ‖W‖*} and
 * {@code ‖W − W₀‖*} converge in one or two warm iterations and the low-rank SGD update in a handful.
 * Not thread-safe.
 */
public final class Diagnostics {
  /** Relative tolerance of the warm-started power iterations. */
  public static final double TOLERANCE = 1e-2;

  /** Iteration cap of the first (cold) run of a power iteration, and of the later (warm) runs. */
  private static final int COLD_ITERATIONS = 300;
  private static final int WARM_ITERATIONS = 50;
  /**
   * Probe rows used for the alignment: one pass over {@code ΔW} computes {@code ΔW·h} for all of them
   * at once, so a few rows cost about as much as one.
   */
  static final int ALIGNMENT_ROWS = 4;

  private final FloatMatrix probe;
  private final int depth;
  private final int[] dims;
  private final FloatMatrix[] initialWeights;
  private final FloatMatrix[] initialFeatures;
  private final FloatMatrix[] drift;
  private final FloatMatrix[] projected;
  private final FloatMatrix[] alignmentInputs;
  private final PowerIteration[] weightPower;
  private final PowerIteration[] driftPower;
  private final PowerIteration[] updatePower;

  /**
   * Snapshots {@code W₀} and the probe's features.
   *
   * @param model the model at the reference point (usually at initialisation); its forward buffers are
   *     overwritten, its parameters are not modified
   * @param probe {@code rows × d_0} fixed inputs; copied
   */
  public Diagnostics(Mlp model, FloatMatrix probe) {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(probe, "probe");
    this.dims = model.shape().dims();
    if (probe.cols() != dims[0]) {
      throw new IllegalArgumentException("probe has " + probe.cols() + " columns, the model expects " + dims[0]);
    }
    this.probe = probe.copy();
    this.depth = model.depth();
    initialWeights = new FloatMatrix[depth];
    initialFeatures = new FloatMatrix[depth];
    drift = new FloatMatrix[depth];
    projected = new FloatMatrix[depth];
    alignmentInputs = new FloatMatrix[depth];
    weightPower = new PowerIteration[depth];
    driftPower = new PowerIteration[depth];
    updatePower = new PowerIteration[depth];
    model.forward(this.probe);
    for (int l = 0; l < depth; l++) {
      initialWeights[l] = model.weight(l).copy();
      initialFeatures[l] = model.features(l).copy();
      drift[l] = FloatMatrix.zeros(dims[l + 1], dims[l]);
      projected[l] = FloatMatrix.zeros(Math.min(ALIGNMENT_ROWS, probe.rows()), dims[l + 1]);
      alignmentInputs[l] = FloatMatrix.zeros(projected[l].rows(), dims[l]);
      weightPower[l] = new PowerIteration(dims[l + 1], dims[l]).setOptions(COLD_ITERATIONS, TOLERANCE);
      driftPower[l] = new PowerIteration(dims[l + 1], dims[l]).setOptions(COLD_ITERATIONS, TOLERANCE);
      updatePower[l] = new PowerIteration(dims[l + 1], dims[l]).setOptions(COLD_ITERATIONS, TOLERANCE);
    }
  }

  /** The probe batch (a copy of the constructor's). */
  public FloatMatrix probe() {
    return probe;
  }

  /**
   * Measures every weight layer of {@code t}'s model now, with {@code ΔW_t} its last update. The
   * model's forward buffers are overwritten (by a forward pass of the probe); nothing else changes.
   *
   * @param t a run whose model has the shape this was constructed for
   * @return one {@link LayerStats} per weight layer, {@code W1 … WL}
   */
  public List<LayerStats> measure(Training t) {
    Mlp model = t.model();
    if (model.depth() != depth || !java.util.Arrays.equals(model.shape().dims(), dims)) {
      throw new IllegalArgumentException(
          "model " + model.shape() + " does not match the diagnosed shape " + java.util.Arrays.toString(dims));
    }
    model.forward(probe);
    List<LayerStats> out = new ArrayList<>(depth);
    for (int l = 0; l < depth; l++) {
      FloatMatrix w = model.weight(l);
      float[] wd = w.data();
      float[] w0 = initialWeights[l].data();
      float[] dd = drift[l].data();
      double wSq = 0;
      double dSq = 0;
      for (int k = 0; k < wd.length; k++) {
        float d = wd[k] - w0[k];
        dd[k] = d;
        wSq += (double) wd[k] * wd[k];
        dSq += (double) d * d;
      }
      double wSpec = sigma(weightPower[l], w, wSq);
      double dSpec = sigma(driftPower[l], drift[l], dSq);
      FloatMatrix update = t.lastUpdate(l);
      double uFro = t.lastUpdateFrobeniusNorm(l);
      double uSpec = sigma(updatePower[l], update, uFro * uFro);

      FloatMatrix h = model.features(l);
      double hSq = sumSquares(h.data());
      double dhSq = 0;
      float[] hd = h.data();
      float[] h0 = initialFeatures[l].data();
      for (int k = 0; k < hd.length; k++) {
        double d = hd[k] - h0[k];
        dhSq += d * d;
      }
      double alignment = Double.NaN;
      if (uSpec > 0) {
        FloatMatrix in = alignmentInputs[l];
        float[] src = (l == 0 ? probe : model.features(l - 1)).data();
        System.arraycopy(src, 0, in.data(), 0, in.data().length);
        Blas.gemm(false, true, 1f, in, update, 0f, projected[l]);
        alignment = Blas.frobeniusNorm(projected[l]) / (uSpec * Blas.frobeniusNorm(in));
      }
      out.add(
          new LayerStats(
              Mlp.weightName(l),
              dims[l],
              dims[l + 1],
              wSpec,
              dSpec,
              dSpec > 0 ? dSq / (dSpec * dSpec) : Double.NaN,
              uSpec,
              uFro,
              wSq / (wSpec * wSpec),
              Math.sqrt(hSq / hd.length),
              Math.sqrt(dhSq / hd.length),
              alignment));
    }
    return out;
  }

  private static double sigma(PowerIteration power, FloatMatrix a, double frobeniusSquared) {
    if (!(frobeniusSquared > 0)) {
      return 0;
    }
    double sigma = power.run(a).sigma();
    power.setOptions(WARM_ITERATIONS, TOLERANCE);
    return sigma;
  }

  private static double sumSquares(float[] x) {
    double s = 0;
    for (float v : x) {
      s += (double) v * v;
    }
    return s;
  }
}
