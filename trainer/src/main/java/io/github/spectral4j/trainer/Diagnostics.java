package io.github.spectral4j.trainer;

import io.github.spectral4j.simd.Blas;
import io.github.spectral4j.simd.FloatMatrix;
import io.github.spectral4j.simd.Fused;
import io.github.spectral4j.simd.PowerIteration;
import io.github.spectral4j.simd.SpectralNorm;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Per-layer spectral diagnostics of a training run ({@link LayerStats}): {@code ‖W‖*},
 * {@code ‖W − W₀‖*}, {@code ‖ΔW_t‖*}, Frobenius norms and stable ranks, and the RMS of the features
 * {@code h_l} and of their change {@code h_l − h_l⁽⁰⁾} on a fixed probe batch — the quantities of
 * Condition 1 and Desideratum 1 of arXiv 2310.17813. Construction snapshots {@code W₀} and the
 * probe's features {@code h⁽⁰⁾}. Spectral norms come from power iterations on {@code AᵀA}
 * ({@link PowerIteration}), one per layer and per quantity, warm-started from the previous call. A
 * call that is not at the step after the previous one runs them to relative residual {@value #TOLERANCE},
 * which bounds σ's error (its actual error is about the square of that over the relative spectral gap).
 * At consecutive steps the iterations on {@code W} and {@code W − W₀} take one step per call, fused
 * into one pass that reads {@code W} and {@code W₀} ({@link Fused#differenceGramTimes}; the drift is
 * never stored), and so track σ₁ as the matrices move; {@code ΔW_t} is new each step and runs to the
 * tolerance. For SGD without momentum or weight decay {@code ΔW_t = −η_l·m_l·δᵀ·H} exactly
 * (rank ≤ batch), and its power iteration and alignment run on those factors — products with two
 * batch × width matrices instead of passes over the fan-out × fan-in update — when they are the smaller
 * read ({@link #factorsAreSmaller}). A call costs one forward pass of the probe batch, on buffers of its
 * own and layer by layer, each layer just before the pass over its {@code W} and {@code W₀} (keep the
 * probe small: 16 rows are plenty for RMS statistics over a layer's width; up to 32 rows run as one
 * streaming pass over each weight matrix), the update's iterations, and {@value #ALIGNMENT_ROWS}
 * products {@code ΔW·h} for the alignment. The model is only read. Not thread-safe.
 */
public final class Diagnostics {
  /** Relative tolerance of the warm-started power iterations. */
  public static final double TOLERANCE = 1e-2;

  /** Iteration cap of a power iteration that cannot rely on the previous step's vector. */
  private static final int COLD_ITERATIONS = 300;
  /**
   * Iteration cap of warm runs on {@code W} and {@code W − W₀} at consecutive steps: one, the iteration
   * fused into the pass that reads both matrices. A run stopped at its cap leaves its vector one step
   * further ({@link PowerIteration#rightVector()}), so the iteration continues across steps and tracks σ₁
   * as the matrices move: on the default MLP at width 1024 (SGD), ‖W − W₀‖* is within 1e-3 of a solve
   * to 1e-7 after 10 steps and within 5e-4 after 20, and ‖W‖* (which converges at once) within the
   * tolerance.
   */
  private static final int TRACKING_ITERATIONS = 1;
  /** Iteration cap of warm runs on {@code ΔW_t}, which is a new matrix every step. */
  private static final int UPDATE_ITERATIONS = 20;
  /**
   * Residual bound of {@link #measureToTolerance}'s ‖W‖* (Lanczos): a Gaussian matrix's top singular
   * values cluster, so the bound converges slowly while the value (a lower bound) is already within a
   * few 1e-3 — ample for the initial-norm band (coord-check's bound before it used this class).
   */
  static final double ACCURATE_WEIGHT_TOLERANCE = 1e-2;
  /** Residual bound of {@link #measureToTolerance}'s ‖W − W₀‖*, a matrix of low stable rank that converges fast. */
  static final double ACCURATE_DRIFT_TOLERANCE = 1e-3;
  /** Probe rows used for the alignment (one matrix–vector product with {@code ΔW} each). */
  static final int ALIGNMENT_ROWS = 2;

  private final FloatMatrix probe;
  private final int depth;
  private final int[] dims;
  private final FloatMatrix[] initialWeights;
  private final FloatMatrix[] initialFeatures;
  private final FloatMatrix[] alignmentInputs;
  private final FloatMatrix[] alignmentOutputs;
  /** One probe row ({@code x}, fan-in) and its image ({@code ΔW·x}, fan-out) for the factored alignment. */
  private final float[][] alignmentRow;
  private final float[][] alignmentImage;
  private final FloatMatrix[] featureChange;
  /** The probe's pre-activations and features per layer (the same matrix for the last layer, the logits). */
  private final FloatMatrix[] probeZ;
  private final FloatMatrix[] probeH;
  private Training lastTraining;
  private long lastStep = -1;
  private final PowerIteration[] weightPower;
  private final PowerIteration[] driftPower;
  private final PowerIteration[] updatePower;
  /** ‖W − W₀‖_F at the last call, per layer. */
  private final double[] driftFrobenius;
  /** Per layer, {@link #measureToTolerance}'s solver for ‖W‖* and ‖W − W₀‖*; null until used. */
  private final SpectralNorm[] accurateNorms;
  /** Batch-sized work vectors of the factored {@code ΔW} products ({@code δ·x} and {@code H·x}). */
  private float[] batchWork1 = new float[0];
  private float[] batchWork2 = new float[0];

  /**
   * Snapshots {@code W₀} and the probe's features.
   *
   * @param model the model at the reference point (usually at initialisation); not modified
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
    alignmentInputs = new FloatMatrix[depth];
    alignmentOutputs = new FloatMatrix[depth];
    alignmentRow = new float[depth][];
    alignmentImage = new float[depth][];
    featureChange = new FloatMatrix[depth];
    probeZ = new FloatMatrix[depth];
    probeH = new FloatMatrix[depth];
    weightPower = new PowerIteration[depth];
    driftPower = new PowerIteration[depth];
    updatePower = new PowerIteration[depth];
    driftFrobenius = new double[depth];
    accurateNorms = new SpectralNorm[depth];
    int alignmentRows = Math.min(ALIGNMENT_ROWS, probe.rows());
    for (int l = 0; l < depth; l++) {
      probeZ[l] = FloatMatrix.zeros(probe.rows(), dims[l + 1]);
      probeH[l] = l < depth - 1 ? FloatMatrix.zeros(probe.rows(), dims[l + 1]) : probeZ[l];
      model.forwardLayer(l, l == 0 ? this.probe : probeH[l - 1], probeZ[l], probeH[l]);
      initialWeights[l] = model.weight(l).copy();
      initialFeatures[l] = probeH[l].copy();
      featureChange[l] = FloatMatrix.zeros(probe.rows(), dims[l + 1]);
      alignmentInputs[l] = FloatMatrix.zeros(alignmentRows, dims[l]);
      alignmentOutputs[l] = FloatMatrix.zeros(alignmentRows, dims[l + 1]);
      alignmentRow[l] = new float[dims[l]];
      alignmentImage[l] = new float[dims[l + 1]];
      weightPower[l] = tracker(dims[l + 1], dims[l]);
      driftPower[l] = tracker(dims[l + 1], dims[l]);
      updatePower[l] = tracker(dims[l + 1], dims[l]);
    }
  }

  /** The probe batch (a copy of the constructor's). */
  public FloatMatrix probe() {
    return probe;
  }

  /**
   * Measures every weight layer of {@code t}'s model now, with {@code ΔW_t} its last update. Nothing
   * of {@code t} or its model changes.
   *
   * @param t a run whose model has the shape this was constructed for
   * @return one {@link LayerStats} per weight layer, {@code W1 … WL}
   */
  public List<LayerStats> measure(Training t) {
    return measure(t, t == lastTraining && t.stepCount() == lastStep + 1);
  }

  /**
   * As {@link #measure}, but cold and tighter, for a single measurement that must not depend on how often
   * it is taken (coord-check measures only at steps 0 and T, and T may be 1): ‖W‖* and ‖W − W₀‖* by
   * {@link SpectralNorm} (Lanczos, which power iteration cannot match on a Gaussian W₀ whose top singular
   * values cluster) to residuals {@value #ACCURATE_WEIGHT_TOLERANCE} and {@value #ACCURATE_DRIFT_TOLERANCE}, and ΔW's power iteration to
   * {@value #TOLERANCE} from a cold start; the tracking vectors of {@link #measure} are not advanced.
   *
   * @param t a run whose model has the shape this was constructed for
   * @return one {@link LayerStats} per weight layer, {@code W1 … WL}
   */
  public List<LayerStats> measureToTolerance(Training t) {
    return measure(t, false, true);
  }

  private List<LayerStats> measure(Training t, boolean incremental) {
    return measure(t, incremental, false);
  }

  private List<LayerStats> measure(Training t, boolean incremental, boolean accurate) {
    Mlp model = t.model();
    if (model.depth() != depth || !java.util.Arrays.equals(model.shape().dims(), dims)) {
      throw new IllegalArgumentException(
          "model " + model.shape() + " does not match the diagnosed shape " + java.util.Arrays.toString(dims));
    }
    // ΔW_t = −s·δᵀ·H (SGD without momentum or decay): the step's factors, while the model still holds them.
    double[] factorScale = new double[depth];
    FloatMatrix[] errors = new FloatMatrix[depth];
    FloatMatrix[] inputs = new FloatMatrix[depth];
    for (int l = 0; l < depth; l++) {
      factorScale[l] = t.lastUpdateFactorScale(l);
      if (!Double.isNaN(factorScale[l])) {
        errors[l] = model.gradientError(l);
        inputs[l] = model.gradientInput(l);
        if (!factorsAreSmaller(errors[l].rows(), dims[l + 1], dims[l])) {
          factorScale[l] = Double.NaN;
        }
      }
    }
    // At consecutive steps of the same run the power iterations continue from the last call's vectors
    // (one iteration each); otherwise they run to the tolerance.
    List<LayerStats> out = new ArrayList<>(depth);
    for (int l = 0; l < depth; l++) {
      // The probe through layer l, then the pass over W_l and W₀_l while W_l is still in the cache.
      model.forwardLayer(l, l == 0 ? probe : probeH[l - 1], probeZ[l], probeH[l]);
      FloatMatrix w = model.weight(l);
      FloatMatrix update = t.lastUpdate(l);
      double wFro = t.weightFrobeniusNorm(l);
      double wSq = square(Double.isNaN(wFro) ? Blas.frobeniusNorm(w) : wFro);
      double uFro = t.lastUpdateFrobeniusNorm(l);
      requireFinite(w, wSq);
      requireFinite(update, uFro);
      // One pass over W and W₀ gives the first iteration of both power iterations and ‖W − W₀‖_F.
      double wNorm = Math.sqrt(wSq);
      PowerIteration wp = weightPower[l];
      PowerIteration dp = driftPower[l];
      wp.prepare(wNorm > 0 ? wNorm : 1);
      dp.prepare(driftFrobenius[l] > 0 ? driftFrobenius[l] : wNorm > 0 ? wNorm : 1);
      FloatMatrix w0 = initialWeights[l];
      double dSq = Fused.differenceGramTimes(
          w, w0, wp.scaledVector(), wp.leftVector(), wp.gramVector(), dp.scaledVector(), dp.leftVector(), dp.gramVector());
      requireFinite(w, dSq);
      double wSpec;
      double dSpec;
      if (accurate) {
        // Gaussian W₀ has clustered top singular values, where power iteration stalls: Lanczos, cold.
        SpectralNorm solver = accurateSolver(l);
        solver.reset();
        wSpec = solver.setOptions(COLD_ITERATIONS, ACCURATE_WEIGHT_TOLERANCE).of(w).sigma();
        solver.reset();
        solver.setOptions(COLD_ITERATIONS, ACCURATE_DRIFT_TOLERANCE);
        dSpec = dSq == 0 ? 0 : solver.ofDifference(w, w0).sigma();
      } else {
        wSpec = wp.resume(dense(w), wNorm, incremental ? TRACKING_ITERATIONS : COLD_ITERATIONS).sigma();
        dSpec = dp.resume((x, ax, o) -> Fused.differenceGramTimes(w, w0, null, null, null, x, ax, o),
            Math.sqrt(dSq), incremental ? TRACKING_ITERATIONS : COLD_ITERATIONS).sigma();
      }
      driftFrobenius[l] = Math.sqrt(dSq);
      int updateCap = incremental ? UPDATE_ITERATIONS : COLD_ITERATIONS;
      boolean factored = !Double.isNaN(factorScale[l]);
      double uSpec =
          factored
              ? updatePower[l].run(factoredGram((float) factorScale[l], errors[l], inputs[l]), uFro, updateCap).sigma()
              : updatePower[l].run(dense(update), uFro, updateCap).sigma();

      FloatMatrix h = probeH[l];
      float[] hd = h.data();
      double hSq = square(Blas.frobeniusNorm(h));
      featureChange[l].copyFrom(h);
      Blas.axpy(-1f, initialFeatures[l].data(), featureChange[l].data());
      double dhSq = square(Blas.frobeniusNorm(featureChange[l]));

      double alignment = Double.NaN;
      if (uSpec > 0) {
        FloatMatrix in = alignmentInputs[l];
        System.arraycopy((l == 0 ? probe : probeH[l - 1]).data(), 0, in.data(), 0, in.data().length);
        if (factored) {
          // ΔW·x = −s·δᵀ·(H·x), row by row of the probe: two small products each.
          float[] x = alignmentRow[l];
          float[] y = alignmentImage[l];
          float[] hx = batch1(inputs[l].rows());
          for (int r = 0; r < in.rows(); r++) {
            System.arraycopy(in.data(), r * dims[l], x, 0, dims[l]);
            Blas.gemv(false, 1f, inputs[l], x, 0f, hx);
            Blas.gemv(true, (float) factorScale[l], errors[l], hx, 0f, y);
            System.arraycopy(y, 0, alignmentOutputs[l].data(), r * dims[l + 1], dims[l + 1]);
          }
        } else {
          // All alignment rows in one pass over ΔW (a small-m A·Bᵀ).
          Blas.gemm(false, true, 1f, in, update, 0f, alignmentOutputs[l]);
        }
        double projectedSq = square(Blas.frobeniusNorm(alignmentOutputs[l]));
        alignment = Math.sqrt(projectedSq) / (uSpec * Blas.frobeniusNorm(in));
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

  /** The Lanczos solver of layer {@code l} for {@link #measureToTolerance}, made on first use. */
  private SpectralNorm accurateSolver(int l) {
    if (accurateNorms[l] == null) {
      accurateNorms[l] = new SpectralNorm(dims[l + 1], dims[l]);
    }
    return accurateNorms[l];
  }

  /**
   * Whether one Gram product through the factors (four passes over batch-row matrices, {@code 2·b·(fo + fi)}
   * values) reads less than one pass over the stored {@code fo × fi} update: for a 1024 × 1024 layer, a
   * batch below 256.
   */
  static boolean factorsAreSmaller(int batch, int fanOut, int fanIn) {
    return 2L * batch * (fanOut + fanIn) < (long) fanOut * fanIn;
  }

  /**
   * A power iteration on {@code rows × cols} matrices stopping at {@link #TOLERANCE}; the iteration caps
   * are passed per run.
   */
  private static PowerIteration tracker(int rows, int cols) {
    return new PowerIteration(rows, cols).setOptions(COLD_ITERATIONS, TOLERANCE);
  }

  private static void requireFinite(FloatMatrix a, double norm) {
    if (!Double.isFinite(norm)) {
      throw new IllegalArgumentException("Diagnostics: a " + a.rows() + "x" + a.cols() + " matrix has norm " + norm);
    }
  }

  /** The Gram product of a stored matrix: {@code ax = A·x}, {@code out = Aᵀ·A·x} in one pass over A. */
  private static PowerIteration.Gram dense(FloatMatrix a) {
    return (x, ax, out) -> Fused.gramTimes(a, x, ax, out);
  }

  /**
   * The Gram product of {@code A = s·Eᵀ·H} (E batch × fan-out, H batch × fan-in) from its factors:
   * {@code A·x = s·Eᵀ·(H·x)}, {@code AᵀA·x = s·Hᵀ·(E·(A·x))} — four products with batch-row matrices
   * instead of two passes over the fan-out × fan-in matrix. The sign of A does not change its norms.
   */
  private PowerIteration.Gram factoredGram(float s, FloatMatrix e, FloatMatrix h) {
    float[] hx = batch1(h.rows());
    float[] eax = batch2(h.rows());
    return (x, ax, out) -> {
      Blas.gemv(false, 1f, h, x, 0f, hx);
      Blas.gemv(true, s, e, hx, 0f, ax);
      Blas.gemv(false, 1f, e, ax, 0f, eax);
      Blas.gemv(true, s, h, eax, 0f, out);
    };
  }

  private float[] batch1(int rows) {
    if (batchWork1.length != rows) {
      batchWork1 = new float[rows];
    }
    return batchWork1;
  }

  private float[] batch2(int rows) {
    if (batchWork2.length != rows) {
      batchWork2 = new float[rows];
    }
    return batchWork2;
  }

  private static double square(double x) {
    return x * x;
  }
}
