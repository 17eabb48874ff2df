package io.github.spectral4j.trainer.optim;

import io.github.spectral4j.simd.FloatMatrix;
import io.github.spectral4j.simd.Fused;
import io.github.spectral4j.trainer.nn.Parameter;
import java.util.Objects;

/**
 * The products of one power-iteration step on a matrix parameter's new value {@code W} and on its drift
 * {@code E = W − W₀} from a reference, formed by the optimizer inside its own pass over {@code W}
 * ({@link Fused#updateWithDifferenceGram}: {@code ax = W·x}, {@code aOut = Wᵀ·W·x}, {@code ey = E·y},
 * {@code eOut = Eᵀ·E·y} and {@code ‖E‖_F}), so that tracking {@code ‖W‖*} and {@code ‖W − W₀‖*} every step
 * (arXiv 2310.17813, Condition 1) costs one extra read of {@code W₀} instead of a pass over {@code W} and
 * {@code W₀} after the step. A caller attaches it once ({@link ParameterOptimizer#attach}), then before
 * each step it wants measured {@link #request}s the products into buffers of its own (usually a
 * {@link io.github.spectral4j.simd.PowerIteration}'s, after {@code prepare}); the request holds for the
 * next step only, after which {@link #step()} names that step. The buffers are written by the optimizer's
 * step and nothing else; the reference is not copied and must not change. Not thread-safe.
 */
public final class FusedProducts {
  final Parameter parameter;
  final FloatMatrix reference;
  float[] x;
  float[] ax;
  float[] aOut;
  float[] y;
  float[] ey;
  float[] eOut;
  /** Whether the next step forms the products. */
  boolean requested;
  /** Whether the caller reads the next step's stored update ΔW ({@link #keepUpdate}). */
  boolean keepUpdate = true;
  /** Whether the current step formed them (stamped with the step number when it ends). */
  boolean formed;
  private long step = -1;
  private double driftFrobenius = Double.NaN;

  /**
   * @param parameter a matrix parameter; not modified here
   * @param reference {@code W₀}, of the parameter's shape; not copied, not modified (keep it unchanged)
   * @throws IllegalArgumentException if the shapes differ
   */
  public FusedProducts(Parameter parameter, FloatMatrix reference) {
    this.parameter = Objects.requireNonNull(parameter, "parameter");
    this.reference = Objects.requireNonNull(reference, "reference");
    FloatMatrix v = parameter.value();
    if (reference.rows() != v.rows() || reference.cols() != v.cols() || reference.data() == v.data()) {
      throw new IllegalArgumentException("FusedProducts: the reference of " + parameter.name() + " (" + v.rows() + "x"
          + v.cols() + ") must be a separate matrix of its shape, got " + reference.rows() + "x" + reference.cols()
          + (reference.data() == v.data() ? " sharing its array" : ""));
    }
  }

  /** The parameter whose pass forms the products. */
  public Parameter parameter() {
    return parameter;
  }

  /**
   * Asks the next step to form the products on the inputs {@code x} (for {@code W}) and {@code y} (for
   * {@code W − W₀}), both of the parameter's columns, into {@code ax}, {@code ey} (rows) and {@code aOut},
   * {@code eOut} (columns). The arrays are kept, not copied: x and y must stay unchanged until the step,
   * which overwrites the other four. A second request before the step replaces the first.
   *
   * @throws IllegalArgumentException if a length does not fit or two arrays are the same
   */
  public void request(float[] x, float[] ax, float[] aOut, float[] y, float[] ey, float[] eOut) {
    int m = reference.rows();
    int n = reference.cols();
    if (x == null || ax == null || aOut == null || y == null || ey == null || eOut == null) {
      throw new IllegalArgumentException("FusedProducts.request: every array is needed");
    }
    if (x.length != n || y.length != n || aOut.length != n || eOut.length != n || ax.length != m || ey.length != m) {
      throw new IllegalArgumentException("FusedProducts.request: " + parameter.name() + " is " + m + "x" + n
          + ", so x, y, aOut and eOut need " + n + " entries and ax, ey " + m + ", got " + x.length + ", " + y.length
          + ", " + aOut.length + ", " + eOut.length + ", " + ax.length + ", " + ey.length);
    }
    this.x = x;
    this.ax = ax;
    this.aOut = aOut;
    this.y = y;
    this.ey = ey;
    this.eOut = eOut;
    requested = true;
  }

  /**
   * Says whether the caller will read the step's stored update ΔW (default true). An optimizer that can
   * apply a step where its gradient is produced without storing ΔW (plain SGD's weight-gradient GEMM) does so
   * for a requested parameter only when the caller will not: then it forms the products in a pass that
   * reads W and W₀ after the step instead of in its update pass.
   */
  public void keepUpdate(boolean keep) {
    this.keepUpdate = keep;
  }

  /** Withdraws a request not yet served. */
  public void cancel() {
    requested = false;
  }

  /** The optimizer step (1-based) whose pass last formed the products, or −1 if none has. */
  public long step() {
    return step;
  }

  /** {@code ‖W − W₀‖_F} after {@link #step()}, measured in the same pass; NaN before. */
  public double driftFrobenius() {
    return driftFrobenius;
  }

  /** Called by the pass that served the request, with ‖W − W₀‖_F. */
  void served(double drift) {
    requested = false;
    formed = true;
    driftFrobenius = drift;
  }

  /** Called when step {@code t} ends: a request served during it is stamped with t. */
  void endStep(long t) {
    if (formed) {
      step = t;
      formed = false;
    }
  }
}
