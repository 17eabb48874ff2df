package io.github.spectral4j.simd;

/**
 * Approximate orthogonalisation of a matrix G = U·Σ·Vᵀ towards its polar factor U·Vᵀ by Newton–Schulz
 * iteration, as Muon orthogonalises a gradient before using it as an update whose spectral norm is
 * known (the direct route to the spectral condition ‖ΔW‖* = Θ(√(fan_out/fan_in)) of Yang, Simon and
 * Bernstein, arXiv 2310.17813).
 *
 * <p>X₀ = G/‖G‖_F puts every singular value in (0, 1]. Each step applies an odd matrix polynomial, which
 * acts on the singular values alone. {@link Mode#QUINTIC} (Muon; Jordan et al. 2024): with A = X·Xᵀ,
 * X ← a·X + (b·A + c·A·A)·X, (a, b, c) = (3.4445, −4.7750, 2.0315): the steep slope a at zero lifts small
 * singular values fast, but the map does not have 1 as an attracting fixed point, so after the default 5
 * steps the singular values land in roughly [0.7, 1.2], not at 1. {@link Mode#CUBIC}: X ← 1.5·X −
 * 0.5·X·Xᵀ·X, the classical Newton–Schulz iteration, converges to U·Vᵀ for singular values in
 * (0, √3): about log(‖G‖_F/σ_min)/log 1.5 steps lift the smallest one, then convergence is quadratic.
 *
 * <p>The products run with {@link Blas#gemm} in the wide orientation: X·Xᵀ and left products for a
 * wide G, XᵀX and right products X·(XᵀX) for a tall one (transposes inside gemm, no copies), so the
 * Gram matrix is always min(m, n)². The orthogonality
 * error reported is ‖X·Xᵀ − I‖_F for wide X and ‖XᵀX − I‖_F for tall X, computed after the last step
 * (one more Gram product). Work buffers are allocated once per solver. Not thread-safe.
 */
public final class NewtonSchulz {
  /** The polynomial applied at each step. */
  public enum Mode {
    /** Muon's quintic, fast but not convergent: singular values end in about [0.7, 1.2]. */
    QUINTIC,
    /** The convergent cubic 1.5·x − 0.5·x³. */
    CUBIC
  }

  /** Outcome: steps taken and the orthogonality error ‖XXᵀ − I‖_F (XᵀX for tall X). */
  public record Result(int steps, double orthogonalityError) {}

  private static final String WHO = "NewtonSchulz";
  static final float QUINTIC_A = 3.4445f;
  static final float QUINTIC_B = -4.7750f;
  static final float QUINTIC_C = 2.0315f;

  private final int rows;
  private final int cols;
  private final boolean tall;
  private final FloatMatrix x;
  private final FloatMatrix gram;
  private final FloatMatrix poly;
  private Mode mode = Mode.QUINTIC;
  private int steps = 5;

  /**
   * A solver for {@code rows × cols} matrices; both sizes ≥ 1. Allocates m·n + 2·min(m, n)² floats;
   * sizes whose buffers do not fit a Java array or the heap the JVM may grow to are refused with
   * IllegalArgumentException naming them, before anything is allocated.
   */
  public NewtonSchulz(int rows, int cols) {
    SolverSupport.requirePositiveShape(WHO, rows, cols);
    long small2 = (long) Math.min(rows, cols) * Math.min(rows, cols);
    String what = "a " + rows + "x" + cols + " matrix";
    Allocation.arrayLength(WHO, what, (long) rows * cols, "floats", 4);
    Allocation.arrayLength(WHO, what + "'s Gram matrix", small2, "floats", 4);
    Allocation.requireHeap(WHO, what + " (m·n + 2·min(m, n)² floats of work buffers)",
        4 * ((long) rows * cols + 2 * small2));
    this.rows = rows;
    this.cols = cols;
    this.tall = rows > cols;
    int small = Math.min(rows, cols);
    this.x = FloatMatrix.zeros(rows, cols);
    this.gram = FloatMatrix.zeros(small, small);
    this.poly = FloatMatrix.zeros(small, small);
  }

  /** Sets the polynomial (default QUINTIC) and the number of steps (≥ 0, default 5). Returns this. */
  public NewtonSchulz setOptions(Mode mode, int steps) {
    if (mode == null) {
      throw new IllegalArgumentException(WHO + ": mode is null");
    }
    if (steps < 0) {
      throw new IllegalArgumentException(WHO + ": steps must be >= 0, got " + steps);
    }
    this.mode = mode;
    this.steps = steps;
    return this;
  }

  /**
   * Writes the orthogonalised g into out (same shape; out is modified). g is not modified unless it is
   * out itself, which is allowed. A zero g gives a zero out (error √min(m, n)); a g with a non-finite
   * entry is rejected with IllegalArgumentException.
   */
  public Result orthogonalize(FloatMatrix g, FloatMatrix out) {
    SolverSupport.requireShape(WHO, g, rows, cols);
    SolverSupport.requireShape(WHO + " output", out, rows, cols);
    double norm = SolverSupport.requireFinite(WHO, g);
    int small = Math.min(rows, cols);
    if (norm == 0) {
      out.fill(0f);
      return new Result(0, Math.sqrt(small));
    }
    double inv = 1 / norm; // in double: 1/‖G‖_F may not fit a float for tiny or huge G
    float[] gd = g.data();
    float[] xd = x.data();
    for (int i = 0; i < xd.length; i++) {
      xd[i] = (float) (gd[i] * inv);
    }
    FloatMatrix current = x;
    FloatMatrix next = out;
    for (int s = 0; s < steps; s++) {
      gram(current);
      next.copyFrom(current);
      if (mode == Mode.QUINTIC) {
        // poly = b·A + c·A·A, next = a·X + poly·X (or X·poly when tall).
        poly.copyFrom(gram);
        Blas.gemm(false, false, QUINTIC_C, gram, gram, QUINTIC_B, poly);
        multiplyInto(current, poly, 1f, QUINTIC_A, next);
      } else {
        // next = 1.5·X − 0.5·A·X (or X·A when tall).
        multiplyInto(current, gram, -0.5f, 1.5f, next);
      }
      FloatMatrix t = current;
      current = next;
      next = t;
    }
    if (current != out) {
      out.copyFrom(current);
    }
    gram(out);
    double e2 = 0;
    float[] gdata = gram.data();
    for (int i = 0; i < small; i++) {
      for (int j = 0; j < small; j++) {
        double d = gdata[i * small + j] - (i == j ? 1.0 : 0.0);
        e2 += d * d;
      }
    }
    return new Result(steps, Math.sqrt(e2));
  }

  /** gram = X·Xᵀ (wide) or XᵀX (tall). */
  private void gram(FloatMatrix m) {
    if (tall) {
      Blas.gemm(true, false, 1f, m, m, 0f, gram);
    } else {
      Blas.gemm(false, true, 1f, m, m, 0f, gram);
    }
  }

  /** target = alpha·(p·X or X·p) + beta·target, p small square; target is modified. */
  private void multiplyInto(FloatMatrix m, FloatMatrix p, float alpha, float beta, FloatMatrix target) {
    if (tall) {
      Blas.gemm(false, false, alpha, m, p, beta, target);
    } else {
      Blas.gemm(false, false, alpha, p, m, beta, target);
    }
  }
}
