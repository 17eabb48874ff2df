package io.github.spectral4j.simd;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The largest singular value σ₁ = ‖A‖* of a fixed-shape matrix, with its singular vectors, by power
 * iteration on AᵀA: v ← AᵀA·v / ‖AᵀA·v‖, σ = ‖A·v‖, u = A·v / σ.
 *
 * <p>Each iteration is one A·v and one Aᵀ·(A·v) product (counted as two matrix-vector products), fused
 * by {@link Fused#gramTimes} into a single pass over A. The run stops when the residual of the triplet
 * is small: ‖Aᵀu − σv‖ ≤ tolerance·σ (A·v = σ·u holds by the choice of u). For the symmetric matrix
 * [[0, A], [Aᵀ, 0]] and the unit vector (u; v)/√2 the eigen-residual is this residual over √2, so a
 * singular value of A lies within tolerance·σ/√2 of σ — and that singular value is σ₁ unless the start
 * vector is orthogonal to v₁ (a random start makes this impossible in practice). σ = ‖A·v‖ never
 * exceeds σ₁, and its actual relative error is usually far smaller, about
 * tolerance²/(2·(1 − σ₂²/σ₁²)). The number of iterations grows like log(1/tolerance)/log(σ₁²/σ₂²): for
 * σ₂/σ₁ = 0.99 and tolerance 1e-6 that is several hundred; use {@link Lanczos} when the top of the
 * spectrum is clustered.
 *
 * <p>A solver is built for one shape and keeps its buffers (no allocation per run). Consecutive runs
 * start from the previous right vector (warm start), which makes a run on a slightly changed matrix
 * (a weight matrix after one training step) cost only a few iterations; a cold solver (new, or after
 * {@link #reset()}) starts from the same fixed-seed Gaussian vector every time. Norms and the residual
 * are accumulated in double; the products run in float through {@link Blas}, on v scaled by a power of
 * two near 1/‖A‖_F so that no matrix scale overflows or underflows; a matrix with ‖A‖_F beyond
 * 2^±64 (σ₁ near or above the float range, or subnormal entries) runs on s·A, each entry scaled by a
 * power of two s in double (slower, scalar), and σ is scaled back. The same iteration runs on a
 * matrix given only by its {@link Gram} product, with ‖A‖_F supplied by the caller
 * ({@link #run(Gram, double, int)}), and can take its first product from the caller
 * ({@link #prepare}/{@link #resume}, e.g. fused with another matrix's by {@link Fused#differenceGramTimes}).
 * For σ₁ alone prefer {@link SpectralNorm}, which runs this iteration on warm starts and Lanczos
 * otherwise. Not thread-safe.
 */
public final class PowerIteration {
  /**
   * Outcome of one run.
   *
   * @param sigma the estimate ‖A·v‖ of σ₁ (never above σ₁)
   * @param converged whether ‖Aᵀu − σv‖ ≤ tolerance·σ was reached within maxIterations
   * @param iterations iterations taken (each one A·v and one Aᵀ·(A·v))
   * @param matVecs matrix-vector products used, 2·iterations
   */
  public record Result(double sigma, boolean converged, int iterations, int matVecs) {}

  /**
   * A matrix A given by its Gram product, for {@link #run(Gram, double, int)}: {@link #apply} writes
   * {@code ax = A·x} (length rows) and {@code out = Aᵀ·A·x} (length cols). ax and out are modified
   * (overwritten); x is not. The three arrays are distinct.
   */
  @FunctionalInterface
  public interface Gram {
    /** {@code ax = A·x}, {@code out = Aᵀ·(A·x)}; x is not modified. */
    void apply(float[] x, float[] ax, float[] out);
  }

  private static final String WHO = "PowerIteration";

  private final int rows;
  private final int cols;
  private final float[] u;
  private final float[] v;
  private final float[] gramV;
  private final float[] scaledV;
  /** The matrix of the current run(FloatMatrix), null between runs. */
  private FloatMatrix matrix;
  /** The Gram product of {@link #matrix}: one instance, so that run(FloatMatrix) allocates nothing. */
  private final Gram denseGram = (x, ax, out) -> Fused.gramTimes(matrix, x, ax, out);
  /** The power of two s by which {@link #scaledGram} multiplies {@link #matrix}. */
  private double matrixScale;
  /** The Gram product of s·{@link #matrix}, for a matrix whose norm is outside the float products' range. */
  private final Gram scaledGram = (x, ax, out) -> scaledGramTimes(matrix, matrixScale, x, ax, out);
  private boolean warm;
  /** Set by prepare, cleared by every run and resume. */
  private boolean prepared;
  private boolean preparedFresh;
  private double preparedScale;
  private int maxIterations = 1000;
  private double tolerance = 1e-6;

  /**
   * A solver for {@code rows × cols} matrices; both sizes ≥ 1 (rows + 3·cols floats of buffers, refused
   * with IllegalArgumentException when they cannot be allocated).
   */
  public PowerIteration(int rows, int cols) {
    SolverSupport.requirePositiveShape(WHO, rows, cols);
    Allocation.arrayLength(WHO, "a " + rows + "x" + cols + " matrix", Math.max(rows, cols), "floats per vector", 4);
    Allocation.requireHeap(WHO, "a " + rows + "x" + cols + " matrix", 4 * ((long) rows + 3L * cols));
    this.rows = rows;
    this.cols = cols;
    this.u = new float[rows];
    this.v = new float[cols];
    this.gramV = new float[cols];
    this.scaledV = new float[cols];
  }

  /**
   * Sets the iteration limit (≥ 1, default 1000) and the relative residual tolerance (finite, &gt; 0,
   * default 1e-6; see the class comment for what it guarantees). Returns this.
   */
  public PowerIteration setOptions(int maxIterations, double tolerance) {
    SolverSupport.requireOptions(WHO, maxIterations, tolerance);
    this.maxIterations = maxIterations;
    this.tolerance = tolerance;
    return this;
  }

  /** Makes the next run start from the vector in {@link #rightVector()}, as after a run (for SpectralNorm). */
  void markWarm() {
    warm = true;
  }

  /** Forgets the previous right vector: the next run starts cold, from the fixed-seed random vector. */
  public void reset() {
    warm = false;
    prepared = false;
  }

  /**
   * The left singular vector u (length rows, unit, A·v = σ·u) of the last run. The array is the
   * solver's own buffer: it is overwritten by the next run.
   */
  public float[] leftVector() {
    return u;
  }

  /**
   * The right singular vector v (length cols, unit) of the last run. The array is the solver's own
   * buffer, used as the warm start of the next run; a caller may write a start vector into it. After a
   * run that stopped at its iteration cap without converging, v has already taken the next step,
   * AᵀA·v/‖AᵀA·v‖ (the product was computed), so that warm runs of one iteration each — one per
   * training step on a slowly changing matrix — keep converging across runs.
   */
  public float[] rightVector() {
    return v;
  }

  /**
   * Estimates σ₁ of {@code a} (not modified; must be rows × cols with finite entries, else
   * IllegalArgumentException). Updates the vectors returned by {@link #leftVector()} and
   * {@link #rightVector()}. The zero matrix gives σ = 0, converged, after 0 iterations.
   */
  public Result run(FloatMatrix a) {
    SolverSupport.requireShape(WHO, a, rows, cols);
    double frobenius = SolverSupport.requireFinite(WHO, a);
    prepared = false;
    boolean fresh = start();
    if (frobenius == 0) {
      return zeroMatrix();
    }
    matrix = a;
    try {
      if (inProductRange(frobenius)) {
        return iterate(denseGram, frobenius, scaleFor(frobenius), maxIterations, fresh, false);
      }
      // σ₁ near or beyond the float range (or near its subnormals): iterate on s·A with ‖s·A‖_F ≈ 1, s a
      // power of two applied to each entry in double, and scale σ back. Slower (scalar), never overflows.
      matrixScale = scaleFor(frobenius);
      Result r = iterate(scaledGram, frobenius * matrixScale, 1, maxIterations, fresh, false);
      return new Result(r.sigma() / matrixScale, r.converged(), r.iterations(), r.matVecs());
    } finally {
      matrix = null;
    }
  }

  /**
   * Whether float products on v·c, c ≈ 1/‖A‖_F, stay clear of overflow and of subnormals: then
   * |c·A·v| ≤ 2 and |c·AᵀA·v| ≤ 2‖A‖_F ≤ 2^(SAFE_EXPONENT + 1), and v·c keeps full precision.
   */
  private static boolean inProductRange(double frobenius) {
    return SolverSupport.inProductRange(frobenius);
  }

  /** Refuses a Gram operator whose ‖A‖_F lies outside {@link #inProductRange}, saying which way to scale it. */
  private static void requireProductRange(double frobenius) {
    if (frobenius == 0 || inProductRange(frobenius)) {
      return;
    }
    int e = Math.getExponent(frobenius);
    throw new IllegalArgumentException(WHO + ": ‖A‖_F = " + frobenius + " is too " + (e > 0 ? "large" : "small")
        + " for float products of a Gram operator (2^-" + SolverSupport.SAFE_EXPONENT + " to 2^" + SolverSupport.SAFE_EXPONENT + "): scale the "
        + "operator " + (e > 0 ? "down" : "up") + " by 2^" + Math.abs(e) + " and σ₁ back (run(FloatMatrix) does this "
        + "itself)");
  }

  /**
   * ax = (s·A)·x and out = (s·A)ᵀ·(s·A)·x, each entry of A multiplied by s in double before it meets x,
   * so that no intermediate leaves the float range whatever A's scale. ax and out are modified.
   */
  private static void scaledGramTimes(FloatMatrix a, double s, float[] x, float[] ax, float[] out) {
    int m = a.rows();
    int n = a.cols();
    float[] d = a.data();
    Arrays.fill(out, 0f);
    for (int i = 0, r = 0; i < m; i++, r += n) {
      double dot = 0;
      for (int j = 0; j < n; j++) {
        dot += d[r + j] * s * x[j];
      }
      float axi = (float) dot;
      ax[i] = axi;
      for (int j = 0; j < n; j++) {
        out[j] = (float) (out[j] + axi * (d[r + j] * s));
      }
    }
  }

  /**
   * Estimates σ₁ of a rows × cols matrix A given only by its Gram product, by the same iteration as
   * {@link #run(FloatMatrix)}: v ← AᵀA·v / ‖AᵀA·v‖ on v scaled by a power of two near 1/‖A‖_F, stopped
   * when ‖AᵀA·v − σ²v‖/σ ≤ tolerance·σ (tolerance from {@link #setOptions}) or after
   * {@code maxIterations} (≥ 1; replaces the cap of setOptions for this run). {@code frobenius} is
   * ‖A‖_F as known by the caller (finite, ≥ 0, else IllegalArgumentException): nothing checks it or the
   * entries of A, and 0 means the zero matrix (σ = 0, converged, 0 iterations, no product). The
   * solver's vectors are updated as by run(FloatMatrix); {@code gram} is called with the solver's
   * buffers. Throws IllegalArgumentException if AᵀA·v overflows float.
   */
  public Result run(Gram gram, double frobenius, int maxIterations) {
    requireGramArguments(gram, frobenius, maxIterations);
    requireProductRange(frobenius);
    prepared = false;
    boolean fresh = start();
    if (frobenius == 0) {
      return zeroMatrix();
    }
    return iterate(gram, frobenius, scaleFor(frobenius), maxIterations, fresh, false);
  }

  /**
   * First half of a run whose first Gram product the caller computes itself (for instance fused with an
   * product on another matrix by {@link Fused#differenceGramTimes}). Makes the right vector v a unit start vector
   * (warm or cold, as a run would) and writes v·c into {@link #scaledVector()}, for c a power of two
   * near 1/{@code recentFrobenius} (finite, &gt; 0: a recent estimate of ‖A‖_F, else
   * IllegalArgumentException); returns c. The caller then writes c·A·v into {@link #leftVector()} and
   * c·AᵀA·v into {@link #gramVector()} — e.g. by {@code gram.apply(scaledVector(), leftVector(),
   * gramVector())} — and continues with {@link #resume}. Modifies the solver's vectors only.
   */
  public double prepare(double recentFrobenius) {
    if (!(recentFrobenius > 0) || !Double.isFinite(recentFrobenius)) {
      throw new IllegalArgumentException(WHO + ": prepare needs a finite ‖A‖_F > 0, got " + recentFrobenius);
    }
    requireProductRange(recentFrobenius);
    preparedFresh = start();
    preparedScale = scaleFor(recentFrobenius);
    for (int i = 0; i < cols; i++) {
      scaledV[i] = (float) (v[i] * preparedScale);
    }
    prepared = true;
    return preparedScale;
  }

  /**
   * Second half of a run begun by {@link #prepare}: {@link #run(Gram, double, int)} with the first
   * products already in {@link #leftVector()} and {@link #gramVector()} (the first iteration counts them).
   * {@code frobenius} is ‖A‖_F of the matrix now (finite, ≥ 0); if it is more than 2⁸ away from the
   * norm prepared for, the first products are redone at the right scale, so no product overflows.
   * Throws IllegalStateException unless prepare was called since the last run, resume or reset.
   */
  public Result resume(Gram gram, double frobenius, int maxIterations) {
    requireGramArguments(gram, frobenius, maxIterations);
    if (!prepared) {
      throw new IllegalStateException(WHO + ": resume without prepare");
    }
    requireProductRange(frobenius);
    prepared = false;
    if (frobenius == 0) {
      return zeroMatrix();
    }
    double c = preparedScale;
    if (Math.abs(Math.getExponent(frobenius) + Math.getExponent(c)) > 8) {
      return iterate(gram, frobenius, scaleFor(frobenius), maxIterations, preparedFresh, false);
    }
    return iterate(gram, frobenius, c, maxIterations, preparedFresh, true);
  }

  /**
   * The scaled right vector v·c written by {@link #prepare}, the input of the caller's first product.
   * The solver's own buffer (length cols), overwritten by every iteration.
   */
  public float[] scaledVector() {
    return scaledV;
  }

  /**
   * The buffer (length cols) that receives c·AᵀA·v: the caller writes the first Gram product into it
   * between {@link #prepare} and {@link #resume}. The solver's own buffer, overwritten by every
   * iteration.
   */
  public float[] gramVector() {
    return gramV;
  }

  /** Warm start from the last vector, else the cold one; true if cold. v is modified. */
  private boolean start() {
    boolean fresh = !warm || !normalizeStart(v);
    if (fresh) {
      coldStart();
    }
    warm = true;
    return fresh;
  }

  /** The zero matrix: σ = 0 and every unit vector is singular; no product is needed. */
  private Result zeroMatrix() {
    Arrays.fill(u, 0f);
    u[0] = 1f;
    return new Result(0, true, 0, 0);
  }

  /**
   * A power of two c near 1/‖A‖_F (exact in float): then A·(c·v) ≤ 2 and AᵀA·(c·v) ≤ 2‖A‖_F, so the
   * products neither overflow nor underflow whatever the scale of A.
   */
  private static double scaleFor(double frobenius) {
    return Math.scalb(1.0, -Math.getExponent(frobenius));
  }

  private static void requireGramArguments(Gram gram, double frobenius, int maxIterations) {
    if (gram == null) {
      throw new IllegalArgumentException(WHO + ": gram is null");
    }
    if (!(frobenius >= 0) || !Double.isFinite(frobenius)) {
      throw new IllegalArgumentException(WHO + ": ‖A‖_F must be finite and >= 0, got " + frobenius);
    }
    if (maxIterations < 1) {
      throw new IllegalArgumentException(WHO + ": maxIterations must be >= 1, got " + maxIterations);
    }
  }

  /**
   * The iteration shared by every run, from the unit start vector v ({@code fresh}: the cold one) with
   * products on v·c; if {@code firstDone}, the first products are already in u and gramV.
   */
  private Result iterate(Gram gram, double frobenius, double c, int maxIterations, boolean fresh, boolean firstDone) {
    double sigma = 0;
    boolean converged = false;
    int it = 0;
    while (true) {
      it++;
      if (!(it == 1 && firstDone)) {
        for (int i = 0; i < cols; i++) {
          scaledV[i] = (float) (v[i] * c);
        }
        gram.apply(scaledV, u, gramV); // u = c·A·v, gramV = c·Aᵀ·(A·v)
      }
      double s2 = sumOfSquares(u) / (c * c); // ‖A·v‖²
      // ‖AᵀA·v‖, needed for the next step; with ‖A‖_F in the products' range neither sum can overflow,
      // so a non-finite one means a non-finite entry (or a wrong ‖A‖_F from the caller of a Gram run).
      double gramNorm = Math.sqrt(sumOfSquares(gramV)) / c;
      if (!Double.isFinite(s2) || !Double.isFinite(gramNorm)) {
        throw new IllegalArgumentException(WHO + ": the product with A at iteration " + it + " is not finite (‖A·v‖² = "
            + s2 + ", ‖AᵀA·v‖ = " + gramNorm + "): A has a non-finite entry"
            + (gram == denseGram || gram == scaledGram ? "" : ", or ‖A‖_F = " + frobenius + " given for it is far too small"));
      }
      if (s2 == 0) {
        if (!fresh) {
          // The warm vector lies in the null space of the new matrix: start over from a random one.
          coldStart();
          fresh = true;
          if (it < maxIterations) {
            continue;
          }
        }
        // A ≠ 0, yet a random vector in its null space: possible only with probability zero. Report
        // σ = 0 as not converged rather than guess.
        Arrays.fill(u, 0f);
        u[0] = 1f;
        return new Result(0, false, it, 2 * it);
      }
      sigma = Math.sqrt(s2);
      // With u = A·v/σ: Aᵀu − σv = (AᵀA·v − σ²·v)/σ.
      double r2 = 0;
      for (int i = 0; i < cols; i++) {
        double d = gramV[i] / c - s2 * v[i];
        r2 += d * d;
      }
      double residual = Math.sqrt(r2) / sigma;
      float toUnit = (float) (1 / (c * sigma));
      for (int i = 0; i < rows; i++) {
        u[i] *= toUnit;
      }
      converged = residual <= tolerance * sigma;
      if (converged) {
        break;
      }
      // ‖AᵀA·v‖ ≥ vᵀAᵀA·v = σ² > 0, so the division is safe.
      double inorm = 1 / (gramNorm * c);
      for (int i = 0; i < cols; i++) {
        v[i] = (float) (gramV[i] * inorm);
      }
      if (it >= maxIterations) {
        // Stopped by the cap: v has taken the step just computed, so the next (warm) run continues the
        // iteration instead of repeating this one.
        break;
      }
    }
    return new Result(sigma, converged, it, 2 * it);
  }

  private void coldStart() {
    SolverSupport.randomUnit(new SplittableRandom(SolverSupport.START_SEED), v);
  }

  /** Scales x to unit length; false if it is zero or not finite (then it is unusable as a start). */
  private static boolean normalizeStart(float[] x) {
    double s = sumOfSquares(x);
    if (!(s > 0) || !Double.isFinite(s)) {
      return false;
    }
    float inv = (float) (1 / Math.sqrt(s));
    for (int i = 0; i < x.length; i++) {
      x[i] *= inv;
    }
    return true;
  }

  private static double sumOfSquares(float[] x) {
    double n = Blas.nrm2(x);
    return n * n;
  }
}
