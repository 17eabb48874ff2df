package io.github.spectral4j.simd;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The k largest singular values of a fixed-shape matrix A with their singular vectors, by Golub–Kahan–
 * Lanczos bidiagonalisation with full reorthogonalisation (Golub and Kahan, SIAM J. Numer. Anal. B 2,
 * 1965; Golub and Van Loan, Matrix Computations, §10.4).
 *
 * <p>From a unit start vector v₁ the recurrence α_j·u_j = A·v_j − β_{j−1}·u_{j−1},
 * β_j·v_{j+1} = Aᵀ·u_j − α_j·v_j builds orthonormal bases U_j, V_j with A·V_j = U_j·B_j and
 * Aᵀ·U_j = V_j·B_jᵀ + β_j·v_{j+1}·e_jᵀ, B_j upper bidiagonal (diagonal α, superdiagonal β). Each new
 * vector is orthogonalised against all earlier ones with double accumulators (a second pass when the
 * first cancels much of it), so no spurious copies of converged values appear. If B_j = X·Σ·Yᵀ, the Ritz triplets (σ_i, U_j·x_i, V_j·y_i) satisfy
 * A·ṽ = σ·ũ exactly and ‖Aᵀũ − σṽ‖ = |β_j·x_i[j]| — the residual bound reported per value. Hence a
 * singular value of A lies within that bound of σ_i. The small problem is solved in double each step:
 * the eigenvalues of the tridiagonal B_j·B_jᵀ (implicit QL) while tracking only the last components
 * of its eigenvectors, O(j²) — every step while j² is small next to m·n, then at intervals that keep
 * this below the cost of the products. The run stops when every one of the top k bounds is
 * ≤ tolerance·σ_i (or below the float resolution FLT_EPSILON·σ₁ of the matrix-vector products), when
 * the Krylov space is exhausted (j = min(m, n); the values are then exact up to rounding) or after
 * maxIterations steps (then {@code converged} is false). A vanishing α or β (an invariant subspace, e.g. repeated singular
 * values or low rank) continues from a fresh random vector orthogonal to the basis, so repeated values
 * are all found.
 *
 * <p>Each step costs one A·v and one Aᵀ·u product. A matrix wider than tall is handled as its
 * transpose, so the recurrence always runs in the smaller dimension. The bases are kept in float
 * (their orthogonality is at float resolution, as are the products); they are allocated once, as the
 * recurrence first needs them, and reused by later calls. Every call starts from the same fixed-seed
 * random vector. Like every Krylov method it can, with vanishing probability, miss a singular value to
 * which the start vector is orthogonal. Not thread-safe.
 */
public final class Lanczos {
  /**
   * Outcome: singular values descending, left vectors as columns of a rows×k matrix, right vectors as
   * columns of a cols×k matrix, residual bound ‖Aᵀu_i − σ_i·v_i‖ per value (A·v_i = σ_i·u_i holds up to
   * float rounding), whether every bound met the tolerance, and the matrix-vector products used. The
   * arrays and matrices are new for every call.
   */
  public record Result(
      double[] singularValues,
      FloatMatrix leftVectors,
      FloatMatrix rightVectors,
      double[] residualBounds,
      boolean converged,
      int matVecs) {}

  private static final String WHO = "Lanczos";
  private static final double FLOAT_EPS = Math.ulp(1f);
  /**
   * Cost of a convergence check per steps², in units of one matrix entry's share of a product pair
   * (measured: ≈ 20 ns·j² for the QL sweep against ≈ 0.6 ns·m·n for a product pair), with a margin so
   * that checks stay well below the products.
   */
  private static final double CHECK_COST = 128;
  /** Matrices smaller than this are checked every step: their checks cost microseconds. */
  private static final double CHECK_EVERY_STEP_BELOW = 1 << 20;
  /** Second Gram–Schmidt pass when the first leaves less than this fraction of the norm. */
  private static final double REORTHOGONALIZE = Math.sqrt(0.5);
  /** Below this fraction of σ₁ a right Ritz vector is taken from BᵀB rather than Bᵀx/σ. */
  private static final double SMALL_SIGMA = 1e-6;

  private final int rows;
  private final int cols;
  private final int k;
  private final boolean transposed;
  /** Effective shape: the recurrence runs on a p×q operator, p ≥ q (A, or Aᵀ when A is wide). */
  private final int p;
  private final int q;

  private int maxIterations = 1000;
  private double tolerance = 1e-6;
  private int capacity;
  /** 1, or the power of two by which the products of the current call scale A. */
  private double matrixScale = 1;

  private float[][] uBasis;
  private float[][] vBasis;
  private double[] alpha;
  private double[] beta;
  private double[] diag;
  private double[] off;
  private double[] lastRow;
  private int[] order;
  private final double[] workP;
  private final double[] workQ;
  private final float[] productP;
  private final float[] productQ;

  /** A solver for the top {@code k} singular triplets of {@code rows × cols} matrices; 1 ≤ k ≤ min(rows, cols). */
  public Lanczos(int rows, int cols, int k) {
    SolverSupport.requirePositiveShape(WHO, rows, cols);
    if (k < 1 || k > Math.min(rows, cols)) {
      throw new IllegalArgumentException(
          WHO + ": k must be in [1, min(rows, cols)] = [1, " + Math.min(rows, cols) + "] for a " + rows + "x"
              + cols + " matrix, got k = " + k);
    }
    long big = Math.max(rows, cols);
    long small = Math.min(rows, cols);
    String what = "a " + rows + "x" + cols + " matrix";
    Allocation.arrayLength(WHO, what, big, "doubles per work vector", 8);
    // Work vectors (double and float) of both lengths, and the first step's three basis vectors.
    Allocation.requireHeap(WHO, what, 12 * (big + small) + 4 * (big + 2 * small));
    this.rows = rows;
    this.cols = cols;
    this.k = k;
    this.transposed = rows < cols;
    this.p = Math.max(rows, cols);
    this.q = Math.min(rows, cols);
    this.workP = new double[p];
    this.workQ = new double[q];
    this.productP = new float[p];
    this.productQ = new float[q];
    this.uBasis = new float[0][];
    this.vBasis = new float[0][];
    allocate();
  }

  /**
   * Sets the maximum number of Lanczos steps, i.e. the maximum Krylov dimension (k ≤ maxIterations,
   * default 1000; the dimension never exceeds min(rows, cols)), and the relative residual tolerance
   * (finite, &gt; 0, default 1e-6). Each step uses two matrix-vector products. Returns this.
   */
  public Lanczos setOptions(int maxIterations, double tolerance) {
    SolverSupport.requireOptions(WHO, maxIterations, tolerance);
    if (maxIterations < k) {
      throw new IllegalArgumentException(
          WHO + ": maxIterations = " + maxIterations + " cannot find k = " + k + " singular values");
    }
    // The Ritz vectors come from a dimension × dimension eigenvector matrix in double.
    long dimension = Math.min(q, maxIterations);
    Allocation.arrayLength(WHO, "maxIterations = " + maxIterations + " (a Krylov space of dimension " + dimension
        + ")", dimension * dimension, "doubles of eigenvectors", 8);
    this.maxIterations = maxIterations;
    this.tolerance = tolerance;
    allocate();
    return this;
  }

  private void allocate() {
    capacity = Math.min(q, maxIterations);
    uBasis = Arrays.copyOf(uBasis, capacity);
    vBasis = Arrays.copyOf(vBasis, capacity + 1);
    alpha = new double[capacity + 1];
    beta = new double[capacity + 1];
    diag = new double[capacity + 1];
    off = new double[capacity + 1];
    lastRow = new double[capacity + 1];
    order = new int[k];
  }

  /**
   * Computes the top k singular triplets of {@code a} (not modified; must be rows × cols with finite
   * entries, else IllegalArgumentException).
   */
  public Result compute(FloatMatrix a) {
    SolverSupport.requireShape(WHO, a, rows, cols);
    double frobenius = SolverSupport.requireFinite(WHO, a);
    // Outside the float products' range the recurrence runs on s·A (a power of two s, ‖s·A‖_F ≈ 1)
    // and the values are scaled back: same vectors, no overflow or subnormal products.
    matrixScale = frobenius == 0 || SolverSupport.inProductRange(frobenius) ? 1 : SolverSupport.powerOfTwoNear(frobenius);
    SplittableRandom random = new SplittableRandom(SolverSupport.START_SEED);
    SolverSupport.randomUnit(random, vector(vBasis, 0, q));
    double[] sigma = new double[k];
    double[] bound = new double[k];
    double normEstimate = 0;
    int matVecs = 0;
    int steps = 0;
    int nextCheck = k;
    boolean converged = false;
    while (true) {
      int j = steps;
      // Left step: α_j·u_j = A·v_j − β_{j−1}·u_{j−1}, orthogonalised against u_0..u_{j−1}.
      float[] vj = vBasis[j];
      apply(a, vj, productP);
      matVecs++;
      for (int i = 0; i < p; i++) {
        workP[i] = productP[i];
      }
      if (j > 0) {
        SolverSupport.subtract(p, beta[j - 1], uBasis[j - 1], workP);
      }
      orthogonalize(workP, uBasis, j, p);
      double al = SolverSupport.norm(p, workP);
      normEstimate = Math.max(normEstimate, al);
      float[] uj = vector(uBasis, j, p);
      if (al <= FLOAT_EPS * normEstimate) {
        al = 0; // A·v_j lies in span(U): continue the basis with a random orthogonal direction
        randomOrthogonal(random, uj, uBasis, j, workP, p);
      } else {
        store(workP, 1 / al, uj, p);
      }
      alpha[j] = al;

      // Right step: β_j·v_{j+1} = Aᵀ·u_j − α_j·v_j, orthogonalised against v_0..v_j.
      applyTransposed(a, uj, productQ);
      matVecs++;
      for (int i = 0; i < q; i++) {
        workQ[i] = productQ[i] - al * vj[i];
      }
      orthogonalize(workQ, vBasis, j + 1, q);
      double be = SolverSupport.norm(q, workQ);
      normEstimate = Math.max(normEstimate, be);
      steps = j + 1;
      boolean exhausted = steps == q;
      if (exhausted) {
        be = 0; // V spans the whole space: what remains is rounding
      } else if (be <= FLOAT_EPS * normEstimate) {
        be = 0;
        randomOrthogonal(random, vector(vBasis, steps, q), vBasis, steps, workQ, q);
      } else {
        store(workQ, 1 / be, vector(vBasis, steps, q), q);
      }
      beta[j] = be;

      if (steps >= nextCheck || exhausted || steps == capacity) {
        ritzValues(steps, sigma, bound);
        if (allConverged(sigma, bound)) {
          converged = true;
          break;
        }
        if (steps == capacity) {
          break;
        }
        // A check costs O(steps²) (the QL sweep); space checks out so that this stays about the cost
        // of the products in between. Every step is checked while steps² ≪ rows·cols.
        double size = Math.max((double) p * q, CHECK_EVERY_STEP_BELOW);
        nextCheck = steps + 1 + (int) Math.min(steps, CHECK_COST * steps * steps / size);
      }
    }
    FloatMatrix left = FloatMatrix.zeros(rows, k);
    FloatMatrix right = FloatMatrix.zeros(cols, k);
    ritzVectors(steps, sigma, transposed ? right : left, transposed ? left : right);
    for (int i = 0; i < k; i++) {
      sigma[i] /= matrixScale;
      bound[i] /= matrixScale;
    }
    return new Result(sigma, left, right, bound, converged, matVecs);
  }

  private boolean allConverged(double[] sigma, double[] bound) {
    for (int i = 0; i < k; i++) {
      if (!(bound[i] <= tolerance * sigma[i] || bound[i] <= FLOAT_EPS * sigma[0])) {
        return false;
      }
    }
    return true;
  }

  /** Top-k singular values of B_n and their bounds |β_{n−1}·x_i[n−1]|, from B_n·B_nᵀ. */
  private void ritzValues(int n, double[] sigma, double[] bound) {
    loadOuterGram(n);
    Arrays.fill(lastRow, 0, n, 0);
    lastRow[n - 1] = 1;
    SymmetricTridiagonal.diagonalize(n, diag, off, lastRow, null);
    SymmetricTridiagonal.largestFirst(n, diag, k, order);
    double b = beta[n - 1];
    for (int i = 0; i < k; i++) {
      sigma[i] = Math.sqrt(Math.max(diag[order[i]], 0));
      bound[i] = Math.abs(b * lastRow[order[i]]);
    }
  }

  /** Loads B·Bᵀ (tridiagonal) of the n×n bidiagonal into diag/off. */
  private void loadOuterGram(int n) {
    for (int i = 0; i < n; i++) {
      double b = i < n - 1 ? beta[i] : 0;
      diag[i] = alpha[i] * alpha[i] + b * b;
      off[i] = i < n - 1 ? beta[i] * alpha[i + 1] : 0;
    }
  }

  /**
   * Writes the Ritz vectors U·x_i into {@code leftOut} (p×k) and V·y_i into {@code rightOut} (q×k),
   * recomputing σ_i from the full eigen-decomposition (same values as the last check).
   */
  private void ritzVectors(int n, double[] sigma, FloatMatrix leftOut, FloatMatrix rightOut) {
    loadOuterGram(n);
    double[] x = identity(n);
    SymmetricTridiagonal.diagonalize(n, diag, off, null, x);
    int[] idx = new int[k];
    SymmetricTridiagonal.largestFirst(n, diag, k, idx);
    double[] y = null;
    int[] yIdx = null;
    double[] xi = new double[n];
    double[] yi = new double[n];
    for (int i = 0; i < k; i++) {
      sigma[i] = Math.sqrt(Math.max(diag[idx[i]], 0));
    }
    double top = sigma[0];
    for (int i = 0; i < k; i++) {
      for (int t = 0; t < n; t++) {
        xi[t] = x[t * n + idx[i]];
      }
      if (sigma[i] > SMALL_SIGMA * top) {
        // y = Bᵀx/σ: (Bᵀx)_t = α_t·x_t + β_{t−1}·x_{t−1}.
        for (int t = 0; t < n; t++) {
          yi[t] = (alpha[t] * xi[t] + (t > 0 ? beta[t - 1] * xi[t - 1] : 0)) / sigma[i];
        }
      } else {
        if (y == null) {
          // Tiny σ: Bᵀx/σ is inaccurate; take the eigenvectors of the tridiagonal BᵀB in the same rank.
          double[] d2 = new double[n];
          double[] e2 = new double[n];
          for (int t = 0; t < n; t++) {
            double b = t > 0 ? beta[t - 1] : 0;
            d2[t] = alpha[t] * alpha[t] + b * b;
            e2[t] = t < n - 1 ? alpha[t] * beta[t] : 0;
          }
          y = identity(n);
          SymmetricTridiagonal.diagonalize(n, d2, e2, null, y);
          yIdx = new int[k];
          SymmetricTridiagonal.largestFirst(n, d2, k, yIdx);
        }
        for (int t = 0; t < n; t++) {
          yi[t] = y[t * n + yIdx[i]];
        }
      }
      normalize(yi, n);
      combine(uBasis, xi, n, p, workP);
      writeColumn(leftOut, i, workP);
      combine(vBasis, yi, n, q, workQ);
      writeColumn(rightOut, i, workQ);
    }
  }

  private static double[] identity(int n) {
    double[] z = new double[n * n];
    for (int i = 0; i < n; i++) {
      z[i * n + i] = 1;
    }
    return z;
  }

  private static void normalize(double[] x, int n) {
    double s = SolverSupport.norm(n, x);
    if (s > 0) {
      for (int i = 0; i < n; i++) {
        x[i] /= s;
      }
    }
  }

  /** out = Σ_t c_t·basis_t in double. out is modified. */
  private static void combine(float[][] basis, double[] c, int n, int len, double[] out) {
    Arrays.fill(out, 0, len, 0);
    for (int t = 0; t < n; t++) {
      double ct = c[t];
      float[] b = basis[t];
      for (int i = 0; i < len; i++) {
        out[i] += ct * b[i];
      }
    }
  }

  private static void writeColumn(FloatMatrix m, int col, double[] values) {
    float[] d = m.data();
    int stride = m.cols();
    for (int r = 0; r < m.rows(); r++) {
      d[r * stride + col] = (float) values[r];
    }
  }

  /** out = op(s·A)·v: A·v, or Aᵀ·v when A is wide (s = {@link #matrixScale}). out is modified. */
  private void apply(FloatMatrix a, float[] v, float[] out) {
    if (matrixScale == 1) {
      Blas.gemv(transposed, 1f, a, v, 0f, out);
    } else {
      SolverSupport.scaledGemv(transposed, a, matrixScale, v, out);
    }
  }

  /** out = op(s·A)ᵀ·u. out is modified. */
  private void applyTransposed(FloatMatrix a, float[] u, float[] out) {
    if (matrixScale == 1) {
      Blas.gemv(!transposed, 1f, a, u, 0f, out);
    } else {
      SolverSupport.scaledGemv(!transposed, a, matrixScale, u, out);
    }
  }

  /**
   * Gram–Schmidt of w against basis[0..count), accumulated in double, with a second pass when the first
   * removed more than 1 − 1/√2 of w's norm (Daniel, Gragg, Kaufman and Stewart, Math. Comp. 30, 1976:
   * "twice is enough"). w is modified.
   */
  private static void orthogonalize(double[] w, float[][] basis, int count, int len) {
    if (count == 0) {
      return;
    }
    double before = SolverSupport.norm(len, w);
    for (int pass = 0; pass < 2; pass++) {
      for (int t = 0; t < count; t++) {
        double c = SolverSupport.dot(len, basis[t], w);
        SolverSupport.subtract(len, c, basis[t], w);
      }
      double after = SolverSupport.norm(len, w);
      if (after > REORTHOGONALIZE * before) {
        return;
      }
      before = after;
    }
  }

  /** dst = a random unit vector orthogonal to basis[0..count) (count &lt; len); work is scratch. */
  private static void randomOrthogonal(
      SplittableRandom random, float[] dst, float[][] basis, int count, double[] work, int len) {
    double s;
    do {
      for (int i = 0; i < len; i++) {
        work[i] = SolverSupport.gaussian(random);
      }
      orthogonalize(work, basis, count, len);
      s = SolverSupport.norm(len, work);
    } while (!(s > 1e-3)); // a Gaussian vector keeps most of its norm unless count ≈ len; retry then
    store(work, 1 / s, dst, len);
  }

  private static void store(double[] w, double scale, float[] dst, int len) {
    for (int i = 0; i < len; i++) {
      dst[i] = (float) (w[i] * scale);
    }
  }

  /** basis[index], allocated on first use and kept for later calls. */
  private static float[] vector(float[][] basis, int index, int len) {
    float[] b = basis[index];
    if (b == null) {
      b = new float[len];
      basis[index] = b;
    }
    return b;
  }
}
