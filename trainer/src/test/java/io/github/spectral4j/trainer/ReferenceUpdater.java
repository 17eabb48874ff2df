package io.github.spectral4j.trainer;

import io.github.spectral4j.core.LayerRule;
import io.github.spectral4j.simd.Blas;
import io.github.spectral4j.simd.FloatMatrix;
import io.github.spectral4j.simd.Fused;
import io.github.spectral4j.simd.Lanczos;
import io.github.spectral4j.simd.NewtonSchulz;
import io.github.spectral4j.simd.PowerIteration;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;

/**
 * The MLP's optimizers as they were before they became {@code trainer.optim} objects, kept as an
 * independent oracle for {@link OptimizerParityTest}. The optimizers, applied per parameter with learning rate {@code η_l = η·mult_l} from the layer's
 * rule. For gradient {@code G} of parameter {@code W}:
 *
 * <ul>
 *   <li>SGD: {@code B ← μB + G + λW} (L2 weight decay λ), {@code ΔW = −η_l·B} ({@code B = G + λW}
 *       when μ = 0);
 *   <li>AdamW: {@code m ← β1 m + (1−β1)G}, {@code v ← β2 v + (1−β2)G²}, {@code ΔW = −η_l·(m̂/(√v̂ + ε)
 *       + λW)} with bias-corrected {@code m̂, v̂}, β1 = 0.9, β2 = 0.999, ε = 1e-8;
 *   <li>NORMALIZED: {@code B ← μB + G}, {@code ΔW = −η_l·B/‖B‖*} (EXACT, ‖B‖* from a warm-started
 *       power iteration) or {@code ΔW = −η_l·NS(B)} (NEWTON_SCHULZ), then decoupled decay
 *       {@code −η·λW}. A bias is a fan-in-1 matrix: its spectral norm is its 2-norm and its
 *       orthogonalisation is {@code b/‖b‖₂}. For the spectral rule {@code η_l = η·√(fo/fi)}, so
 *       {@code ‖ΔW‖* = η·√(fo/fi)}.
 * </ul>
 *
 * Each update is kept ({@link Slot#update}) and then added to the parameter, checking that the result
 * is finite on the way.
 */
final class ReferenceUpdater {
  static final double BETA1 = 0.9;
  static final double BETA2 = 0.999;
  static final double EPSILON = 1e-8;
  /**
   * Residual tolerance of EXACT normalisation's power iteration. The residual bound puts a singular
   * value within 1e-5·σ of the estimate and the estimate's actual error is about its square over the
   * relative gap, so {@code ‖ΔW‖* = η_l} holds far below 1e-4 relative.
   */
  static final double EXACT_TOLERANCE = 1e-5;
  /** Warm-started power iterations that do not converge in this many steps fall back to Lanczos. */
  static final int EXACT_MAX_ITERATIONS = 300;

  /** One trainable parameter (a weight matrix, or a bias seen as a fan-out × 1 matrix). */
  static final class Slot {
    final String name;
    final FloatMatrix param;
    final FloatMatrix grad;
    final FloatMatrix update;
    final double lrMultiplier;
    final boolean vector;
    float[] first;
    float[] second;
    PowerIteration power;
    Lanczos lanczos;
    NewtonSchulz newtonSchulz;
    FloatMatrix orthogonal;
    double updateFrobenius;
    double paramFrobenius = Double.NaN;

    Slot(String name, FloatMatrix param, FloatMatrix grad, double lrMultiplier, boolean vector) {
      this.name = name;
      this.param = param;
      this.grad = grad;
      this.update = FloatMatrix.zeros(param.rows(), param.cols());
      this.lrMultiplier = lrMultiplier;
      this.vector = vector;
    }
  }

  private final TrainingConfig config;
  final Slot[] slots;
  private long adamSteps;
  /** ‖ΔW‖_F and ‖W‖_F of the slot just applied. */
  private final double[] norms = new double[2];

  ReferenceUpdater(TrainingConfig config, ReferenceMlp model) {
    this.config = config;
    boolean bias = model.shape().bias();
    int depth = model.depth();
    slots = new Slot[bias ? 2 * depth : depth];
    List<LayerRule> rules = model.rules();
    for (int l = 0; l < depth; l++) {
      FloatMatrix w = model.weight(l);
      int i = bias ? 2 * l : l;
      slots[i] =
          new Slot(rules.get(i).layer().name(), w, model.weightGradient(l), rules.get(i).learningRateMultiplier(), false);
      if (bias) {
        float[] b = model.bias(l);
        slots[i + 1] =
            new Slot(
                rules.get(i + 1).layer().name(),
                FloatMatrix.wrap(b.length, 1, b),
                FloatMatrix.wrap(b.length, 1, model.biasGradient(l)),
                rules.get(i + 1).learningRateMultiplier(),
                true);
      }
    }
    for (Slot s : slots) {
      int n = s.param.data().length;
      switch (config.optimizer()) {
        case SGD -> s.first = config.momentum() > 0 ? new float[n] : null;
        case ADAM -> {
          s.first = new float[n];
          s.second = new float[n];
        }
        case NORMALIZED -> {
          s.first = config.momentum() > 0 ? new float[n] : null;
          if (!s.vector) {
            if (config.updateMode() == UpdateMode.EXACT) {
              s.power =
                  new PowerIteration(s.param.rows(), s.param.cols())
                      .setOptions(EXACT_MAX_ITERATIONS, EXACT_TOLERANCE);
            } else {
              s.newtonSchulz = new NewtonSchulz(s.param.rows(), s.param.cols());
              s.orthogonal = FloatMatrix.zeros(s.param.rows(), s.param.cols());
            }
          }
        }
      }
    }
  }

  /**
   * Computes and applies one update from the gradients in the slots.
   *
   * @return the index of the first slot whose parameter became non-finite, or −1
   */
  int apply() {
    double eta = config.learningRate();
    float mu = (float) config.momentum();
    float wd = (float) config.weightDecay();
    if (config.optimizer() == io.github.spectral4j.core.Optimizer.ADAM) {
      adamSteps++;
    }
    int bad = -1;
    for (int i = 0; i < slots.length; i++) {
      Slot s = slots[i];
      float lr = (float) (eta * s.lrMultiplier);
      float[] w = s.param.data();
      float[] g = s.grad.data();
      float[] d = s.update.data();
      switch (config.optimizer()) {
        case SGD -> sgd(s, lr, mu, wd, w, g, d);
        case ADAM -> adam(s, lr, wd, w, g, d);
        case NORMALIZED -> normalized(s, lr, mu, (float) (eta * wd), w, g, d);
      }
      // One vectorised pass adds the update and measures both norms (a scalar double accumulation would
      // be bound by add latency): the 2-norm of the new parameter is finite exactly when every entry is.
      Fused.addWithNorms(d, w, norms);
      s.updateFrobenius = norms[0];
      s.paramFrobenius = norms[1];
      if (bad < 0 && !Double.isFinite(s.paramFrobenius)) {
        bad = i;
      }
    }
    return bad;
  }

  private static void sgd(Slot s, float lr, float mu, float wd, float[] w, float[] g, float[] d) {
    float[] b = s.first;
    if (b == null && wd == 0) {
      for (int k = 0; k < w.length; k++) {
        d[k] = -lr * g[k]; // without decay W is not read here
      }
    } else if (b == null) {
      for (int k = 0; k < w.length; k++) {
        d[k] = -lr * (g[k] + wd * w[k]);
      }
    } else {
      for (int k = 0; k < w.length; k++) {
        b[k] = mu * b[k] + g[k] + wd * w[k];
        d[k] = -lr * b[k];
      }
    }
  }

  private void adam(Slot s, float lr, float wd, float[] w, float[] g, float[] d) {
    float b1 = (float) BETA1;
    float b2 = (float) BETA2;
    float c1 = (float) (1 / (1 - Math.pow(BETA1, adamSteps)));
    float c2 = (float) (1 / (1 - Math.pow(BETA2, adamSteps)));
    float eps = (float) EPSILON;
    float[] m = s.first;
    float[] v = s.second;
    for (int k = 0; k < w.length; k++) {
      m[k] = b1 * m[k] + (1 - b1) * g[k];
      v[k] = b2 * v[k] + (1 - b2) * g[k] * g[k];
      float mh = m[k] * c1;
      float vh = v[k] * c2;
      d[k] = -lr * (mh / ((float) Math.sqrt(vh) + eps) + wd * w[k]);
    }
  }

  private static void normalized(Slot s, float lr, float mu, float decay, float[] w, float[] g, float[] d) {
    FloatMatrix dir = s.grad;
    if (s.first != null) {
      float[] b = s.first;
      for (int k = 0; k < w.length; k++) {
        b[k] = mu * b[k] + g[k];
      }
      dir = FloatMatrix.wrap(s.param.rows(), s.param.cols(), b);
    }
    float[] src = dir.data();
    float scale;
    if (s.vector || s.power != null) {
      double norm = s.vector ? Blas.nrm2(src) : spectralNorm(s, dir);
      scale = norm > 0 && Double.isFinite(norm) ? (float) (lr / norm) : (norm == 0 ? 0f : Float.NaN);
    } else {
      try {
        s.newtonSchulz.orthogonalize(dir, s.orthogonal);
        src = s.orthogonal.data();
        scale = lr;
      } catch (IllegalArgumentException nonFinite) {
        scale = Float.NaN; // the parameter turns non-finite and the step reports the divergence
      }
    }
    for (int k = 0; k < w.length; k++) {
      d[k] = -scale * src[k] - decay * w[k];
    }
  }

  /** ‖B‖* by the warm-started power iteration, or by Lanczos when that does not converge; NaN if B is not finite. */
  private static double spectralNorm(Slot s, FloatMatrix b) {
    try {
      PowerIteration.Result r = s.power.run(b);
      if (r.converged()) {
        return r.sigma();
      }
      if (s.lanczos == null) {
        s.lanczos = new Lanczos(b.rows(), b.cols(), 1).setOptions(Math.min(b.rows(), b.cols()), 1e-6);
      }
      return s.lanczos.compute(b).singularValues()[0];
    } catch (IllegalArgumentException nonFinite) {
      return Double.NaN;
    }
  }

  void writeState(DataOutputStream out) throws IOException {
    out.writeLong(adamSteps);
    for (Slot s : slots) {
      Checkpoints.writeFloats(out, s.first);
      Checkpoints.writeFloats(out, s.second);
      Checkpoints.writeFloats(out, s.update.data());
      Checkpoints.writeFloats(out, s.power == null ? null : s.power.rightVector());
    }
  }

  void readState(DataInputStream in) throws IOException {
    adamSteps = in.readLong();
    for (Slot s : slots) {
      Checkpoints.readFloats(in, s.first, s.name + " optimizer state");
      Checkpoints.readFloats(in, s.second, s.name + " optimizer state");
      Checkpoints.readFloats(in, s.update.data(), s.name + " last update");
      s.updateFrobenius = Blas.frobeniusNorm(s.update);
      if (s.power != null) {
        // Make the solver warm (a run on the zero matrix leaves it so), then restore its start vector,
        // so the next run iterates exactly as the saved run's would have.
        s.power.run(FloatMatrix.zeros(s.param.rows(), s.param.cols()));
        Checkpoints.readFloats(in, s.power.rightVector(), s.name + " power-iteration vector");
      } else {
        Checkpoints.readFloats(in, null, s.name + " power-iteration vector");
      }
    }
  }
}
