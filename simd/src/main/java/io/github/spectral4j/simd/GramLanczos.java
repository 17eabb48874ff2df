package io.github.spectral4j.simd;

import java.util.Arrays;

/**
 * σ₁ and its singular vectors by symmetric Lanczos on the Gram matrix AᵀA, one pass over A per step
 * (Golub and Van Loan, Matrix Computations, §10.1; Lanczos, J. Res. Nat. Bur. Standards 45, 1950).
 *
 * <p>The Krylov space K_j(AᵀA, v₁) is the one Golub–Kahan bidiagonalisation builds for the right
 * vectors, so the number of steps is the same as {@link Lanczos}'s; but where Golub–Kahan needs A·v
 * and then Aᵀ·u — two passes over A — each step here is one fused Gram product A·v, Aᵀ·(A·v)
 * ({@link PowerIteration.Gram}), which reads A once: half the memory traffic for the largest singular
 * value, where the squaring of the spectrum costs nothing (σ₁² is the best-separated end). The
 * recurrence w = AᵀA·v_j − α_j·v_j − β_{j−1}·v_{j−1} is orthogonalised against every earlier vector in
 * double (twice when the first pass cancels much of it); θ₁, the largest eigenvalue of the
 * tridiagonal T_j, is σ₁², and its residual |β_j·s_j| (s_j the last component of its eigenvector)
 * bounds ‖AᵀA·y − θ₁·y‖, so ‖Aᵀu − σ·y‖ ≤ |β_j·s_j|/σ with u = A·y/σ — the bound {@link Lanczos} and
 * {@link PowerIteration} report. The products A·v_j are kept, so u is a combination of them and needs
 * no further pass. The basis holds at most {@code maxBasis} vectors; when it is full the run restarts
 * from the current Ritz vector. Products run on v·c, c a power of two near 1/‖A‖_F, so they neither
 * overflow nor underflow; the caller ensures ‖A‖_F is inside {@link SolverSupport#inProductRange}.
 * Not thread-safe; buffers are allocated as the basis grows and kept.
 */
final class GramLanczos {
  // Block Lanczos (four vectors per pass over A) was measured and not taken (issue 11). In a float64 model with
  // this stopping rule a 2048² Gaussian matrix needs 38 block passes against 61-63 single ones (0.62x), so a
  // block pass must cost under ~1.6x a single one to break even. The best four-vector pass (panels of 32-64 rows:
  // their 16 dots while A streams in, then the 4 outputs' axpys from L2 with 16 sums in registers; bit for bit
  // four single passes) took 1.57-1.66x a single pass (paired medians of 300 rounds of thread time in one JVM,
  // loaded 2-core Zen 5; 1.36x only when contention slowed the single pass to 0.70 ms): the dots keep up with the
  // stream (0.93-1.02x), the axpys add ~0.25 ms (55 % of the FMA peak, panel in L2). Slower still: the next
  // panel's dots interleaved with the axpys (32 or 8 KB units), touching the next panel during the axpys, a
  // packed panel, 24 sums in registers (C2 boxed them). Even with the axpys at the FMA peak (0.14 ms) the block
  // solve would take ~0.85x this one's passes' time, before its larger reorthogonalisation.
  // A pass inside the solve costs what a bare pass does: in one JVM alternating cold 2048² solves with 50 bare
  // passes through the same route (GramProducts, same A; thread CPU time, loaded 2-core Zen 5), the in-solve
  // pass's median was 0.98-1.06x the bare one's over 6 runs of 60 rounds, by step from 1.0x to ~1.08x at step 50
  // as the basis grows (0.8 MB of vectors and products); the ~20 % gap reported before did not reproduce this way
  // (the bare passes through Fused.gramTimes, one block, cost the same as GramProducts' eight). Beyond its passes
  // a solve then spent ~10 % (the QL checks, Gram–Schmidt, ‖A‖_F), less since the checks are skipped.
  private static final double FLOAT_EPS = Math.ulp(1f);
  /** Second Gram–Schmidt pass when the first leaves less than this fraction of the norm. */
  private static final double REORTHOGONALIZE = Math.sqrt(0.5);
  /** As in {@link Lanczos}: a check costs ≈ CHECK_COST·j² entries' worth of product. */
  private static final double CHECK_COST = 128;
  private static final double CHECK_EVERY_STEP_BELOW = 1 << 20;

  /** Outcome of the last run (fields, not a record: a solver's run allocates nothing of its own). */
  private double lastSigma;
  private double lastBound;
  private boolean lastConverged;
  private int lastPasses;

  private final int rows;
  private final int cols;
  private final int maxBasis;
  private float[][] vBasis;
  private float[][] avBasis;
  private final double[] alpha;
  private final double[] beta;
  private final double[] diag;
  private final double[] off;
  private final double[] lastRow;
  private double[] eigenvectors = new double[0];
  private final int[] top = new int[1];
  /** θ₁ and the last component of its eigenvector from SymmetricTridiagonal.largest. */
  private final double[] topPair = new double[2];
  private double lastComponent;
  private final double[] work;
  private final double[] workRows;
  private final float[] x;
  private final float[] gram;

  GramLanczos(int rows, int cols, int maxBasis) {
    this.rows = rows;
    this.cols = cols;
    this.maxBasis = maxBasis;
    this.vBasis = new float[maxBasis + 1][];
    this.avBasis = new float[maxBasis][];
    this.alpha = new double[maxBasis + 1];
    this.beta = new double[maxBasis + 1];
    this.diag = new double[maxBasis + 1];
    this.off = new double[maxBasis + 1];
    this.lastRow = new double[maxBasis + 1];
    this.work = new double[cols];
    this.workRows = new double[rows];
    this.x = new float[cols];
    this.gram = new float[cols];
  }

  /**
   * Runs from the unit vector {@code v} (length cols) for at most {@code maxPasses} passes; on return
   * v holds the right singular vector and u (length rows) the left one, and {@link #sigma()},
   * {@link #bound()}, {@link #converged()} and {@link #passes()} describe the run. v and u are modified.
   *
   * <p>A rank-r matrix has K(AᵀA, v) ⊆ span(v) + range(AᵀA) of dimension r + 1, but in float the space
   * built in r + 1 steps need not hold the top vector to the tolerance (measured on 5 × 49 Gaussian
   * matrices: 5e-5); so the run stops on its residual bound only, a few steps later.
   */
  void run(PowerIteration.Gram op, double frobenius, float[] v, float[] u, int maxPasses, double tolerance) {
    run(op, frobenius, v, u, maxPasses, tolerance, false);
  }

  /**
   * As {@link #run(PowerIteration.Gram, double, float[], float[], int, double)}; if {@code firstGiven}, the caller
   * has written the first pass's products on v itself (not on v·c) — A·v into {@link #firstProduct()} and AᵀA·v
   * into {@link #firstGram()}, e.g. fused with its read of ‖A‖_F — and the run takes them as its first pass
   * (counted), multiplied by c: a power of two, so the same bits as products on v·c while neither meets float's
   * subnormals or overflow (the caller keeps ‖A‖_F well inside the products' range for that).
   */
  void run(
      PowerIteration.Gram op, double frobenius, float[] v, float[] u, int maxPasses, double tolerance,
      boolean firstGiven) {
    double c = SolverSupport.powerOfTwoNear(frobenius);
    int passes = 0;
    double sigma = 0;
    double bound = Double.POSITIVE_INFINITY;
    boolean converged = false;
    while (passes < maxPasses && !converged) {
      System.arraycopy(v, 0, vector(vBasis, 0, cols), 0, cols);
      int steps = 0;
      int nextCheck = 1;
      int lastCheck = 0;
      double lastRatio = Double.NaN;
      double thetaMax = 0;
      boolean restart = false;
      while (!converged && !restart && passes < maxPasses) {
        int j = steps;
        float[] vj = vBasis[j];
        float[] av = vector(avBasis, j, rows);
        if (firstGiven && passes == 0) {
          // av = A·v_1 and gram = AᵀA·v_1 from the caller: av becomes c·A·v_1 as stored for every step.
          float cf = (float) c;
          for (int i = 0; i < rows; i++) {
            av[i] *= cf;
          }
          for (int i = 0; i < cols; i++) {
            work[i] = gram[i];
          }
        } else {
          for (int i = 0; i < cols; i++) {
            x[i] = (float) (vj[i] * c);
          }
          op.apply(x, av, gram); // av = c·A·v_j, gram = c·AᵀA·v_j
          double inv = 1 / c;
          for (int i = 0; i < cols; i++) {
            work[i] = gram[i] * inv;
          }
        }
        passes++;
        double a = SolverSupport.dot(cols, vj, work);
        // α = v_jᵀ·w is not finite exactly when an entry of w is not: the terms of finite entries (floats times a
        // unit float vector, in double) cannot overflow, and a non-finite one (inf·0 = NaN included) makes the
        // sum so. One check instead of a sweep of w.
        if (!Double.isFinite(a)) {
          throw new IllegalArgumentException("SpectralNorm: the product with A at pass " + passes
              + " is not finite: A has a non-finite entry, or ‖A‖_F = " + frobenius + " given for it is far too small");
        }
        SolverSupport.subtract(cols, a, vj, work);
        if (j > 0) {
          SolverSupport.subtract(cols, beta[j - 1], vBasis[j - 1], work);
        }
        double b = orthogonalize(work, vBasis, j + 1, cols);
        alpha[j] = a;
        beta[j] = b;
        steps = j + 1;
        thetaMax = Math.max(thetaMax, Math.abs(a) + b);
        // An invariant subspace (b ≈ 0 at float resolution) or the whole space: T's values are exact.
        boolean exhausted = steps == cols || b <= FLOAT_EPS * thetaMax;
        if (exhausted) {
          beta[j] = 0;
        }
        boolean full = steps == maxBasis;
        if (steps >= nextCheck || exhausted || full || passes == maxPasses) {
          double theta = topRitzValue(steps);
          sigma = Math.sqrt(Math.max(theta, 0));
          double thetaBound = Math.abs(beta[j] * lastComponent);
          bound = sigma > 0 ? thetaBound / sigma : thetaBound == 0 ? 0 : Double.POSITIVE_INFINITY;
          // Met the tolerance, or the float resolution of the products (as in Lanczos).
          converged = exhausted || thetaBound <= tolerance * theta || thetaBound <= FLOAT_EPS * theta;
          if (converged || full || passes == maxPasses) {
            ritzVectors(steps, v, u);
            restart = !converged;
            break;
          }
          double size = Math.max((double) rows * cols, CHECK_EVERY_STEP_BELOW);
          int skip = (int) Math.min(steps, CHECK_COST * steps * steps / size);
          double ratio = thetaBound / theta;
          skip = Math.max(skip, predictedSkip(steps, ratio, lastCheck, lastRatio, Math.max(tolerance, FLOAT_EPS)));
          lastCheck = steps;
          lastRatio = ratio;
          nextCheck = steps + 1 + skip;
        }
        float[] next = vector(vBasis, steps, cols);
        double ib = 1 / b;
        for (int i = 0; i < cols; i++) {
          next[i] = (float) (work[i] * ib);
        }
      }
    }
    lastSigma = sigma;
    lastBound = bound;
    lastConverged = converged;
    lastPasses = passes;
  }

  /**
   * Checks to leave out after a check at {@code steps} whose relative bound ratio = |β·s|/θ missed
   * {@code target}: half the steps that the bound's decay since the previous check (lastRatio at lastCheck)
   * predicts to the target, at most a quarter of steps. A check's QL sweep costs ~20 ns·steps², a sixth of a
   * 2048² pass at 50 steps; the bounds decay about geometrically there (0.7-0.9 a step, faster as they
   * converge), so half the predicted distance does not overshoot: on the 2048² Gaussian matrix the checks fall
   * at 1-10, 13, 17, 22, 28, 36, 46, 50, 51, 52 (a quarter of the QL work of checking every step) and the run
   * stops at the same step.
   */
  static int predictedSkip(int steps, double ratio, int lastCheck, double lastRatio, double target) {
    if (!(lastRatio > ratio) || !(ratio > target) || lastCheck <= 0) {
      return 0;
    }
    double rate = Math.log(ratio / lastRatio) / (steps - lastCheck); // log of the decay per step, < 0
    double remaining = Math.log(target / ratio) / rate;
    return (int) Math.min(steps / 4, remaining / 2);
  }

  /** Where the caller of a run with firstGiven writes A·v (length rows): the basis's first product. */
  float[] firstProduct() {
    return vector(avBasis, 0, rows);
  }

  /** Where the caller of a run with firstGiven writes AᵀA·v (length cols). */
  float[] firstGram() {
    return gram;
  }

  /** σ₁ of the last run. */
  double sigma() {
    return lastSigma;
  }

  /** The residual bound ‖Aᵀu − σv‖ of the last run. */
  double bound() {
    return lastBound;
  }

  /** Whether the last run met its tolerance (or the float resolution, or exhausted the Krylov space). */
  boolean converged() {
    return lastConverged;
  }

  /** Passes over the operator of the last run. */
  int passes() {
    return lastPasses;
  }

  /**
   * θ₁ of the leading steps×steps block of T, with the last component of its unit eigenvector in lastComponent:
   * by Newton's method on T's pivots in O(steps) per step (SymmetricTridiagonal.largest), else by QL in
   * O(steps²), which the checks spent ~2 % of a 2048² solve on.
   */
  private double topRitzValue(int n) {
    if (SymmetricTridiagonal.largest(n, alpha, beta, diag, off, topPair)) {
      lastComponent = topPair[1];
      return topPair[0];
    }
    lastComponent = topRitzValueByQl(n);
    return diag[top[0]];
  }

  /** QL's θ₁ in diag[top[0]]; returns the last component of its eigenvector. */
  private double topRitzValueByQl(int n) {
    loadT(n);
    Arrays.fill(lastRow, 0, n, 0);
    lastRow[n - 1] = 1;
    SymmetricTridiagonal.diagonalize(n, diag, off, lastRow, null);
    SymmetricTridiagonal.largestFirst(n, diag, 1, top);
    return lastRow[top[0]];
  }

  private void loadT(int n) {
    for (int i = 0; i < n; i++) {
      diag[i] = alpha[i];
      off[i] = i < n - 1 ? beta[i] : 0;
    }
  }

  /** v = V·s and u = (A·V)·s/σ for the top eigenvector s of T, both normalised. v and u are modified. */
  private void ritzVectors(int n, float[] v, float[] u) {
    if (eigenvectors.length < n * n) {
      eigenvectors = new double[n * n];
    }
    double[] z = eigenvectors;
    Arrays.fill(z, 0, n * n, 0);
    for (int i = 0; i < n; i++) {
      z[i * n + i] = 1;
    }
    loadT(n);
    SymmetricTridiagonal.diagonalize(n, diag, off, null, z);
    SymmetricTridiagonal.largestFirst(n, diag, 1, top);
    int col = top[0];
    Arrays.fill(work, 0);
    Arrays.fill(workRows, 0);
    for (int t = 0; t < n; t++) {
      double s = z[t * n + col];
      float[] vt = vBasis[t];
      for (int i = 0; i < cols; i++) {
        work[i] += s * vt[i];
      }
      float[] at = avBasis[t];
      for (int i = 0; i < rows; i++) {
        workRows[i] += s * at[i];
      }
    }
    double vn = SolverSupport.norm(cols, work);
    for (int i = 0; i < cols; i++) {
      v[i] = (float) (work[i] / vn);
    }
    // A·y = Σ s_t·A·v_t (the stored products are c·A·v_t); its norm is σ up to rounding.
    double un = SolverSupport.norm(rows, workRows);
    if (un > 0) {
      for (int i = 0; i < rows; i++) {
        u[i] = (float) (workRows[i] / un);
      }
    } else {
      Arrays.fill(u, 0f);
      u[0] = 1f;
    }
  }

  /**
   * Gram–Schmidt of w against basis[0..count) in double, twice when the first pass cancels much of w; returns
   * ‖w‖ after it (the β of the step).
   */
  private static double orthogonalize(double[] w, float[][] basis, int count, int len) {
    double before = SolverSupport.norm(len, w);
    double after = before;
    for (int pass = 0; pass < 2; pass++) {
      for (int t = 0; t < count; t++) {
        double c = SolverSupport.dot(len, basis[t], w);
        SolverSupport.subtract(len, c, basis[t], w);
      }
      after = SolverSupport.norm(len, w);
      if (after > REORTHOGONALIZE * before) {
        break;
      }
      before = after;
    }
    return after;
  }

  private static float[] vector(float[][] basis, int index, int len) {
    float[] b = basis[index];
    if (b == null) {
      b = new float[len];
      basis[index] = b;
    }
    return b;
  }
}
