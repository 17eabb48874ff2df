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
 * quantity, warm-started from the previous call and stopped at relative residual {@value #TOLERANCE},
 * which bounds σ's error (its actual error is about the square of that over the relative spectral
 * gap). {@code W} and {@code W − W₀} move little per step, so when measured every step their power
 * iterations track σ₁ with at most a few iterations per call; {@code ΔW_t} is new each step and gets
 * more. A call costs one forward pass of the probe batch (keep it small: 16 rows are plenty for RMS
 * statistics over a layer's width), one pass adding {@code ΔW_t} to the kept {@code W − W₀} (two
 * passes recomputing it when the previous call was not at the previous step), Frobenius norms, the
 * power iterations, and {@value #ALIGNMENT_ROWS} products {@code ΔW·h} for the alignment.
 * Not thread-safe.
 */
public final class Diagnostics {
  /** Relative tolerance of the warm-started power iterations. */
  public static final double TOLERANCE = 1e-2;

  /** Iteration cap of a power iteration that cannot rely on the previous step's vector. */
  private static final int COLD_ITERATIONS = 300;
  /**
   * Iteration cap of warm runs on {@code W} and {@code W − W₀}, which move little per step: called every
   * step, the power iteration tracks σ₁ (each call continues from the last vector).
   */
  private static final int TRACKING_ITERATIONS = 3;
  /** Iteration cap of warm runs on {@code ΔW_t}, which is a new matrix every step. */
  private static final int UPDATE_ITERATIONS = 20;
  /** Probe rows used for the alignment (one matrix–vector product with {@code ΔW} each). */
  static final int ALIGNMENT_ROWS = 2;

  private final FloatMatrix probe;
  private final int depth;
  private final int[] dims;
  private final FloatMatrix[] initialWeights;
  private final FloatMatrix[] initialFeatures;
  private final FloatMatrix[] drift;
  private final float[][] alignmentOutputs;
  private final FloatMatrix[] featureChange;
  private Training lastTraining;
  private long lastStep = -1;
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
    alignmentOutputs = new float[depth][];
    featureChange = new FloatMatrix[depth];
    weightPower = new PowerIteration[depth];
    driftPower = new PowerIteration[depth];
    updatePower = new PowerIteration[depth];
    model.forward(this.probe);
    for (int l = 0; l < depth; l++) {
      initialWeights[l] = model.weight(l).copy();
      initialFeatures[l] = model.features(l).copy();
      featureChange[l] = FloatMatrix.zeros(probe.rows(), dims[l + 1]);
      drift[l] = FloatMatrix.zeros(dims[l + 1], dims[l]);
      alignmentOutputs[l] = new float[dims[l + 1]];
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
    // W − W₀ grows by ΔW_t each step: when the previous call saw the previous step of the same run,
    // one pass adds the update instead of two passes recomputing the difference.
    boolean incremental = t == lastTraining && t.stepCount() == lastStep + 1;
    List<LayerStats> out = new ArrayList<>(depth);
    for (int l = 0; l < depth; l++) {
      FloatMatrix w = model.weight(l);
      FloatMatrix update = t.lastUpdate(l);
      if (incremental) {
        Blas.axpy(1f, update.data(), drift[l].data());
      } else {
        drift[l].copyFrom(w);
        Blas.axpy(-1f, initialWeights[l].data(), drift[l].data());
      }
      double wFro = t.weightFrobeniusNorm(l);
      double wSq = square(Double.isNaN(wFro) ? Blas.frobeniusNorm(w) : wFro);
      double dSq = square(Blas.frobeniusNorm(drift[l]));
      // Tracking needs consecutive steps; after a gap the matrices may have moved far.
      int tracking = incremental ? TRACKING_ITERATIONS : COLD_ITERATIONS;
      double wSpec = sigma(weightPower[l], w, wSq, tracking);
      double dSpec = sigma(driftPower[l], drift[l], dSq, tracking);
      double uFro = t.lastUpdateFrobeniusNorm(l);
      double uSpec = sigma(updatePower[l], update, uFro * uFro, incremental ? UPDATE_ITERATIONS : COLD_ITERATIONS);

      FloatMatrix h = model.features(l);
      float[] hd = h.data();
      double hSq = square(Blas.frobeniusNorm(h));
      featureChange[l].copyFrom(h);
      Blas.axpy(-1f, initialFeatures[l].data(), featureChange[l].data());
      double dhSq = square(Blas.frobeniusNorm(featureChange[l]));

      double alignment = Double.NaN;
      if (uSpec > 0) {
        float[] in = (l == 0 ? probe : model.features(l - 1)).data();
        int n = dims[l];
        float[] row = new float[n];
        double projectedSq = 0;
        double inSq = 0;
        for (int r = 0; r < Math.min(ALIGNMENT_ROWS, probe.rows()); r++) {
          System.arraycopy(in, r * n, row, 0, n);
          Blas.gemv(false, 1f, update, row, 0f, alignmentOutputs[l]);
          projectedSq += square(Blas.nrm2(alignmentOutputs[l]));
          inSq += square(Blas.nrm2(row));
        }
        alignment = Math.sqrt(projectedSq) / (uSpec * Math.sqrt(inSq));
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
    lastTraining = t;
    lastStep = t.stepCount();
    return out;
  }

  private static double sigma(PowerIteration power, FloatMatrix a, double frobeniusSquared, int maxIterations) {
    if (!(frobeniusSquared > 0)) {
      return 0;
    }
    return power.setOptions(maxIterations, TOLERANCE).run(a).sigma();
  }

  private static double square(double x) {
    return x * x;
  }
}
