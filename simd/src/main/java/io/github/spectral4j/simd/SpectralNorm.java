package io.github.spectral4j.simd;

import io.github.spectral4j.simd.internal.GramProducts;
import io.github.spectral4j.simd.internal.KernelProvider;
import io.github.spectral4j.simd.internal.Kernels;
import io.github.spectral4j.simd.internal.Parallel;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The spectral norm ‖A‖* = σ₁ (largest singular value; the norm of the spectral condition
 * ‖W_l‖* = Θ(√(n_l/n_{l−1})) of Yang, Simon and Bernstein, arXiv 2310.17813) of a fixed-shape matrix
 * given densely ({@link #of}), by low-rank factors A = s·Lᵀ·R ({@link #ofLowRank}) or as a difference
 * A − B ({@link #ofDifference}), with its singular vectors and a residual bound — the one entry point
 * for σ₁; it picks the algorithm.
 *
 * <p>Every algorithm here iterates on the Gram matrix AᵀA, one pass over A (A·x and Aᵀ·(A·x) fused)
 * per step, and stops when ‖Aᵀu − σv‖ ≤ tolerance·σ with A·v = σ·u (then a singular value of A lies
 * within tolerance·σ of σ). The choice: a <em>cold</em> run (new, after {@link #reset()}, or a shape
 * seen for the first time) uses Lanczos on AᵀA ({@code GramLanczos}: the Krylov space of
 * Golub–Kahan's right vectors, from the fixed-seed random vector), which needs far fewer passes than
 * power iteration when σ₂/σ₁ is near 1 and never more; a <em>warm</em> run (the previous run's right
 * vector, e.g. of a weight matrix one training step later) first takes up to
 * {@link #WARM_POWER_PASSES} steps of power iteration, which cost nothing beyond the pass and usually
 * finish the job, then continues with Lanczos from where power iteration stopped. The size enters
 * through the Lanczos basis, at most min(cols, {@link #MAX_BASIS}) vectors (the run restarts from its
 * best vector when it is full): a small matrix is solved exactly in min(rows, cols) passes, a large
 * one never holds more than MAX_BASIS·(rows + cols) floats of basis. Dense matrices with more than
 * {@code 2^18} entries use up to {@link Blas#parallelism()} threads, with results identical for every
 * thread count (fixed row blocks added in a fixed order). Products run in float with norms and
 * orthogonalisation in double; a dense matrix whose ‖A‖_F lies beyond 2^±64 (σ₁ above the float
 * range, subnormal entries) is scaled by a power of two and σ scaled back. Arguments are not
 * modified; the solver's vectors are. A solver keeps its buffers (and the cold start vector, drawn
 * once): once its basis has grown, a run allocates no buffer on any thread count, only its result
 * record (and a warm run power iteration's). Not thread-safe.
 */
public final class SpectralNorm {
  /** Power iteration steps a warm run takes before it switches to Lanczos. */
  public static final int WARM_POWER_PASSES = 4;

  /** The most vectors the Lanczos basis holds before it restarts from its best vector. */
  public static final int MAX_BASIS = 256;

  /**
   * The first Lanczos pass of {@link #of(FloatMatrix)} runs on v itself, not v·c, and sums A's squares in float:
   * its ‖A‖_F is taken where |log₂ ‖A‖_F| ≤ this, where those products keep clear of float's subnormals and
   * overflow (|AᵀA·v| ≤ 2^66) and so equal, up to the power of two c, the products on v·c.
   */
  private static final int FOLDED_EXPONENT = 32;

  /** The algorithm that finished a run. */
  public enum Method {
    /** The warm start and power iteration sufficed. */
    POWER_ITERATION,
    /** Lanczos on AᵀA (alone for a cold run, after power iteration for a warm one). */
    LANCZOS
  }

  /**
   * Outcome of one run.
   *
   * @param sigma the estimate of σ₁ = ‖A‖*
   * @param converged whether ‖Aᵀu − σv‖ ≤ tolerance·σ was reached (or the float resolution of the
   *     products, or the Krylov space was exhausted) within the passes allowed
   * @param passes passes over the operator, each one A·x and one Aᵀ·(A·x)
   * @param method the algorithm that finished the run
   */
  public record Result(double sigma, boolean converged, int passes, Method method) {}

  private static final String WHO = "SpectralNorm";
  private static final Kernels KERNELS = KernelProvider.kernels();

  private final int rows;
  private final int cols;
  private final PowerIteration power;
  private final GramLanczos lanczos;
  private final float[][] shares;
  private int maxPasses = 1000;
  private int warmPowerPasses = WARM_POWER_PASSES;
  private double tolerance = 1e-6;
  private boolean warm;
  /** The fixed-seed start of every cold run, drawn once (a cold run then allocates only its result). */
  private float[] coldStart;

  /** What the current run works on (null between runs), for the Gram products below. */
  private FloatMatrix a;
  private FloatMatrix b;
  private float scale;
  private double matrixScale;
  /** r-vectors of the low-rank products, reallocated only when r changes. */
  private float[] rankWork1 = new float[0];
  private float[] rankWork2 = new float[0];

  private final PowerIteration.Gram dense = this::denseGram;
  private final PowerIteration.Gram scaledDense = (x, ax, out) -> {
    SolverSupport.scaledGemv(false, a, matrixScale, x, ax);
    SolverSupport.scaledGemv(true, a, matrixScale, ax, out);
  };
  private final PowerIteration.Gram difference =
      (x, ax, out) -> Fused.differenceGramTimes(a, b, null, null, null, x, ax, out);
  private final PowerIteration.Gram lowRank = (x, ax, out) -> {
    float[] rx = rankWork1;
    float[] lax = rankWork2;
    // A = s·Lᵀ·R: A·x = s·Lᵀ·(R·x), Aᵀ·(A·x) = s·Rᵀ·(L·(A·x)).
    Blas.gemv(false, 1f, b, x, 0f, rx);
    Blas.gemv(true, scale, a, rx, 0f, ax);
    Blas.gemv(false, 1f, a, ax, 0f, lax);
    Blas.gemv(true, scale, b, lax, 0f, out);
  };

  /**
   * A solver for {@code rows × cols} matrices; both sizes ≥ 1. Sizes whose buffers cannot be
   * allocated are refused with IllegalArgumentException naming them.
   */
  public SpectralNorm(int rows, int cols) {
    SolverSupport.requirePositiveShape(WHO, rows, cols);
    int basis = Math.min(cols, MAX_BASIS);
    int blocks = GramProducts.blocks(rows);
    Allocation.arrayLength(WHO, "a " + rows + "x" + cols + " matrix", Math.max(rows, cols), "floats per vector", 4);
    Allocation.requireHeap(WHO, "a " + rows + "x" + cols + " matrix",
        4L * ((long) basis * (rows + cols) + (long) blocks * cols) + 16L * (rows + cols));
    this.rows = rows;
    this.cols = cols;
    this.power = new PowerIteration(rows, cols);
    this.lanczos = new GramLanczos(rows, cols, basis);
    this.shares = new float[blocks - 1][cols];
  }

  /**
   * Sets the most passes over the operator per run (≥ 1, default 1000; a warm run with 1 pass is one
   * power-iteration step, which keeps tracking a slowly changing matrix across runs) and the relative
   * residual tolerance (finite, &gt; 0, default 1e-6). Returns this.
   */
  public SpectralNorm setOptions(int maxPasses, double tolerance) {
    SolverSupport.requireOptions(WHO, maxPasses, tolerance);
    this.maxPasses = maxPasses;
    this.tolerance = tolerance;
    return this;
  }

  /** The dense Gram product in fixed row blocks, on up to Blas.parallelism() threads. */
  private void denseGram(float[] x, float[] ax, float[] out) {
    GramProducts.gramTimes(KERNELS, rows, cols, a.data(), x, ax, out, shares, Parallel.parallelism());
  }

  /** Forgets the previous vectors: the next run is cold. */
  public void reset() {
    warm = false;
    power.reset();
  }

  /** The left singular vector u (length rows, unit) of the last run: the solver's buffer, overwritten by the next. */
  public float[] leftVector() {
    return power.leftVector();
  }

  /**
   * The right singular vector v (length cols, unit) of the last run: the solver's buffer and the next
   * run's warm start (a caller may write a start vector into it).
   */
  public float[] rightVector() {
    return power.rightVector();
  }

  /**
   * σ₁ of the dense {@code a} (rows × cols, finite entries, else IllegalArgumentException naming the first entry
   * that is not). When Lanczos runs first (a cold run, or a warm one without power steps), its first pass over A
   * also sums the squares of A's entries, so ‖A‖_F and the finiteness check cost no pass of their own; a matrix
   * whose sum is not finite or whose ‖A‖_F lies beyond 2^±32 is read again as before (its
   * entries searched, or its scale taken in double).
   */
  public Result of(FloatMatrix a) {
    SolverSupport.requireShape(WHO, a, rows, cols);
    this.a = a;
    try {
      boolean powerFirst = start();
      if (!powerFirst) {
        // The first pass on v itself (c = 1), with the squares; Lanczos rescales it by its c (a power of two).
        double frobenius = Math.sqrt(GramProducts.gramTimesSquares(KERNELS, rows, cols, a.data(), rightVector(),
            lanczos.firstProduct(), lanczos.firstGram(), shares, Parallel.parallelism()));
        if (frobenius > 0 && Math.abs(Math.getExponent(frobenius)) <= FOLDED_EXPONENT) {
          return lanczos(dense, frobenius, 0, true);
        }
      }
      double frobenius = SolverSupport.requireFinite(WHO, a);
      if (frobenius == 0) {
        return zeroMatrix();
      }
      if (SolverSupport.inProductRange(frobenius)) {
        return solve(dense, frobenius, powerFirst);
      }
      matrixScale = SolverSupport.powerOfTwoNear(frobenius);
      Result r = solve(scaledDense, frobenius * matrixScale, powerFirst);
      return new Result(r.sigma() / matrixScale, r.converged(), r.passes(), r.method());
    } finally {
      this.a = null;
    }
  }

  /**
   * σ₁ of A = A − B for {@code a} and {@code b} of shape rows × cols (finite entries), formed row by
   * row inside each pass, never stored: ‖W − W₀‖* of a weight
   * matrix and its initialisation, for instance.
   */
  public Result ofDifference(FloatMatrix a, FloatMatrix b) {
    SolverSupport.requireShape(WHO, a, rows, cols);
    SolverSupport.requireShape(WHO + " (B of A − B)", b, rows, cols);
    // Products are scaled by the bound ‖A‖_F + ‖B‖_F of ‖A − B‖_F (a small difference of large
    // matrices only makes them small, still far from the float range's ends), which the finiteness
    // checks compute anyway.
    double bound = SolverSupport.requireFinite(WHO, a) + SolverSupport.requireFinite(WHO + " (B of A − B)", b);
    requireProductRange(bound);
    this.a = a;
    this.b = b;
    try {
      return solve(difference, bound);
    } finally {
      this.a = null;
      this.b = null;
    }
  }

  /**
   * σ₁ of A = s·Lᵀ·R, for {@code left} L (r × rows) and {@code right} R (r × cols) with the same r ≥ 1
   * rows and finite entries — a batch gradient −η·δᵀ·X, for instance, without forming it: each pass
   * is four products with the r-row factors, 2·r·(rows + cols) values read instead of rows·cols.
   * Products are scaled by the bound |s|·‖L‖_F·‖R‖_F of ‖A‖_F.
   */
  public Result ofLowRank(float s, FloatMatrix left, FloatMatrix right) {
    if (left == null || right == null) {
      throw new IllegalArgumentException(WHO + ": a factor is null");
    }
    if (left.cols() != rows || right.cols() != cols || left.rows() != right.rows()) {
      throw new IllegalArgumentException(WHO + " was built for " + rows + "x" + cols + " matrices; A = s·Lᵀ·R needs L r x "
          + rows + " and R r x " + cols + " with the same r, got L " + left.rows() + "x" + left.cols() + " and R "
          + right.rows() + "x" + right.cols());
    }
    if (!Float.isFinite(s)) {
      throw new IllegalArgumentException(WHO + ": the scale s of A = s·Lᵀ·R is " + s);
    }
    double bound = Math.abs((double) s) * SolverSupport.requireFinite(WHO + " (L)", left)
        * SolverSupport.requireFinite(WHO + " (R)", right);
    requireProductRange(bound);
    if (rankWork1.length != left.rows()) {
      rankWork1 = new float[left.rows()];
      rankWork2 = new float[left.rows()];
    }
    this.a = left;
    this.b = right;
    this.scale = s;
    try {
      return solve(lowRank, bound);
    } finally {
      this.a = null;
      this.b = null;
    }
  }

  /**
   * σ₁ of a rows × cols matrix A given only by its Gram product ({@code gram.apply(x, ax, out)}: ax = A·x,
   * out = Aᵀ·A·x, as {@link PowerIteration#run(PowerIteration.Gram, double, int)} takes it), with
   * {@code frobenius} = ‖A‖_F as the caller knows it (finite, ≥ 0; 0 means the zero matrix): the same
   * algorithm and stopping rule as {@link #of}, warm-started from the last run — e.g. a training step's
   * update from its low-rank factors, whose top vector moves from step to step. Nothing checks the
   * entries of A. IllegalArgumentException if ‖A‖_F is not finite or lies outside the float products'
   * range (2^±64), or if a product is not finite.
   */
  public Result of(PowerIteration.Gram gram, double frobenius) {
    if (gram == null) {
      throw new IllegalArgumentException(WHO + ": gram is null");
    }
    if (!(frobenius >= 0) || !Double.isFinite(frobenius)) {
      throw new IllegalArgumentException(WHO + ": ‖A‖_F must be finite and >= 0, got " + frobenius);
    }
    requireProductRange(frobenius);
    return solve(gram, frobenius);
  }

  /**
   * Sets how many power-iteration steps a warm run takes before Lanczos continues (≥ 0, default
   * {@link #WARM_POWER_PASSES}): 0 makes every run Lanczos from its start vector, which usually needs fewer
   * passes than power iteration from a warm vector too (the best vector of the whole Krylov space, not its
   * last), at the cost of a few vectors of basis. Returns this.
   */
  public SpectralNorm setWarmPowerPasses(int passes) {
    if (passes < 0) {
      throw new IllegalArgumentException(WHO + ": warm power passes must be >= 0, got " + passes);
    }
    this.warmPowerPasses = passes;
    return this;
  }

  private static void requireProductRange(double frobenius) {
    if (frobenius != 0 && !SolverSupport.inProductRange(frobenius)) {
      int e = Math.getExponent(frobenius);
      throw new IllegalArgumentException(WHO + ": ‖A‖_F ≈ " + frobenius + " is too " + (e > 0 ? "large" : "small")
          + " for float products (2^-" + SolverSupport.SAFE_EXPONENT + " to 2^" + SolverSupport.SAFE_EXPONENT
          + "): scale the factors " + (e > 0 ? "down" : "up") + " by 2^" + Math.abs(e) + " and σ₁ back");
    }
  }

  /** Solves for the operator with ‖A‖_F = frobenius (0: the zero matrix), from the start vector chosen here. */
  private Result solve(PowerIteration.Gram gram, double frobenius) {
    if (frobenius == 0) {
      return zeroMatrix();
    }
    return solve(gram, frobenius, start());
  }

  /** The zero matrix: σ = 0 and every unit vector is singular; no pass is needed. */
  private Result zeroMatrix() {
    float[] u = leftVector();
    Arrays.fill(u, 0f);
    u[0] = 1f;
    return new Result(0, true, 0, Method.POWER_ITERATION);
  }

  /**
   * Puts the run's start vector into v, the warm one (normalised) or the cold one, and returns whether power
   * iteration runs first (a warm start with warm power passes).
   */
  private boolean start() {
    float[] v = rightVector();
    if (warm && normalize(v)) {
      return warmPowerPasses > 0;
    }
    if (coldStart == null) {
      coldStart = new float[cols];
      SolverSupport.randomUnit(new SplittableRandom(SolverSupport.START_SEED), coldStart);
    }
    System.arraycopy(coldStart, 0, v, 0, cols);
    return false;
  }

  /** Solves for the operator with ‖A‖_F = frobenius (&gt; 0) from the start vector in v (see {@link #start}). */
  private Result solve(PowerIteration.Gram gram, double frobenius, boolean powerFirst) {
    int passes = 0;
    if (powerFirst) {
      power.markWarm();
      power.setOptions(Math.min(warmPowerPasses, maxPasses), tolerance);
      PowerIteration.Result r = power.run(gram, frobenius, Math.min(warmPowerPasses, maxPasses));
      passes = r.iterations();
      if (r.converged() || passes >= maxPasses) {
        return new Result(r.sigma(), r.converged(), passes, Method.POWER_ITERATION);
      }
      // v has taken the step just computed: Lanczos continues from there.
    }
    return lanczos(gram, frobenius, passes, false);
  }

  /** Lanczos from v after {@code passes} passes; firstGiven: its first products are in place (GramLanczos.run). */
  private Result lanczos(PowerIteration.Gram gram, double frobenius, int passes, boolean firstGiven) {
    lanczos.run(gram, frobenius, rightVector(), leftVector(), maxPasses - passes, tolerance, firstGiven);
    warm = true;
    return new Result(lanczos.sigma(), lanczos.converged(), passes + lanczos.passes(), Method.LANCZOS);
  }

  /** Scales x to unit length; false if it is zero or not finite. */
  private static boolean normalize(float[] x) {
    double s = Blas.nrm2(x);
    if (!(s > 0) || !Double.isFinite(s)) {
      return false;
    }
    float inv = (float) (1 / s);
    for (int i = 0; i < x.length; i++) {
      x[i] *= inv;
    }
    return true;
  }

  @Override
  public String toString() {
    return WHO + "[" + rows + "x" + cols + ", maxPasses=" + maxPasses + ", tolerance=" + tolerance + "]";
  }
}
