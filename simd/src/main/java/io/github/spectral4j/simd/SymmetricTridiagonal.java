package io.github.spectral4j.simd;

/**
 * Eigenvalues (and optionally eigenvectors) of a small symmetric tridiagonal matrix in double, by the
 * implicit QL iteration with Wilkinson shifts (Golub and Van Loan, Matrix Computations, §8.3; the QL
 * variant as in Bowdler, Martin, Reinsch and Wilkinson, Numer. Math. 11, 1968).
 */
final class SymmetricTridiagonal {
  private static final int MAX_SWEEPS_PER_EIGENVALUE = 60;

  /** Newton steps (with bisection where a step leaves the bracket) before {@link #largest} gives up. */
  private static final int MAX_NEWTON_STEPS = 100;

  private SymmetricTridiagonal() {}

  /**
   * The largest eigenvalue θ of the n×n symmetric tridiagonal T (diagonal {@code d[0..n)}, off-diagonal
   * {@code e[0..n-1)}, every e[k] &gt; 0: an unreduced T, as Lanczos builds it) into out[0], and the last component
   * of its unit eigenvector (taken ≥ 0) into out[1], in O(n) per step instead of QL's O(n²): Newton's method on
   * the last pivot D_n(x) of T − x·I = L·D·Lᵀ (D_1 = d_1 − x, D_k = d_k − x − e_{k−1}²/D_{k−1}; above every
   * eigenvalue of the leading (n−1)×(n−1) block, where D_1 … D_{n−1} &lt; 0, D_n is convex and decreasing with θ
   * its only root), from the Gershgorin bound, bisecting in [max d, bound] where a step leaves the bracket or
   * lands below that block's eigenvalues (a pivot before the last ≥ 0); the eigenvector from a twisted
   * factorisation at θ (see lastComponent). Returns false, out unspecified, where it cannot vouch for the result
   * (an off-diagonal ≤ 0 or not finite, no convergence, a pivot of the wrong sign): then use
   * {@link #diagonalize}. {@code pivots} and {@code backward} (length ≥ n) are scratch; d and e are not
   * modified.
   */
  static boolean largest(int n, double[] d, double[] e, double[] pivots, double[] backward, double[] out) {
    double lo = Double.NEGATIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (int k = 0; k < n; k++) {
      double left = k > 0 ? e[k - 1] : 0;
      double right = k < n - 1 ? e[k] : 0;
      if (k < n - 1 && !(right > 0 && right < Double.POSITIVE_INFINITY)) {
        return false;
      }
      lo = Math.max(lo, d[k]);
      hi = Math.max(hi, d[k] + left + right);
    }
    if (!(hi < Double.POSITIVE_INFINITY) || !(lo > Double.NEGATIVE_INFINITY)) {
      return false;
    }
    if (n == 1) {
      out[0] = d[0];
      out[1] = 1;
      return true;
    }
    // θ > max d (the Rayleigh quotient of a unit vector e_k, which is no eigenvector when T is unreduced) and
    // θ ≤ hi. A Newton step from hi (D_n ≤ 0 there) lands at or below θ (D_n convex), and from below θ on D_n's
    // convex branch they rise to θ without passing it.
    double x = hi;
    for (int step = 0; step < MAX_NEWTON_STEPS; step++) {
      double p = d[0] - x;
      double dp = -1;
      pivots[0] = p;
      boolean below = false;
      for (int k = 1; k < n; k++) {
        if (!(p < 0)) {
          below = true; // x is not above every eigenvalue of the leading k×k block, so x < θ
          break;
        }
        double q = e[k - 1] * e[k - 1] / p;
        dp = -1 + q / p * dp;
        p = d[k] - x - q;
        pivots[k] = p;
      }
      double next;
      if (below) {
        lo = Math.max(lo, x);
        next = 0.5 * (lo + hi);
      } else {
        if (p > 0) {
          lo = Math.max(lo, x);
        } else {
          hi = Math.min(hi, x);
        }
        double newton = x - p / dp;
        if (p == 0 || Math.abs(newton - x) <= 2 * Math.ulp(x)) {
          return lastComponent(n, x, d, e, pivots, backward, out);
        }
        next = newton > lo && newton < hi ? newton : 0.5 * (lo + hi);
      }
      if (next == x || !(hi - lo > 2 * Math.ulp(hi))) {
        // The bracket has closed on θ: hi ≥ θ, where every pivot is negative (also where the leading blocks'
        // top eigenvalues lie within rounding of θ, as for a converged Ritz value, and x below them).
        return atUpper(n, hi, d, e, pivots, backward, out);
      }
      x = next;
    }
    return false;
  }

  /** lastComponent at x = hi ≥ θ, with the forward pivots recomputed there (all but the last &lt; 0, the last ≤ 0). */
  private static boolean atUpper(int n, double x, double[] d, double[] e, double[] pivots, double[] backward,
      double[] out) {
    double p = d[0] - x;
    pivots[0] = p;
    for (int k = 1; k < n; k++) {
      if (!(p < 0)) {
        return false;
      }
      p = d[k] - x - e[k - 1] * e[k - 1] / p;
      pivots[k] = p;
    }
    return p <= 0 && lastComponent(n, x, d, e, pivots, backward, out);
  }

  /**
   * out = (θ, last component of the unit eigenvector) at θ, from the forward pivots D (all but the last &lt; 0) and the
   * backward ones B (B_n = d_n − θ, B_k = d_k − θ − e_k²/B_{k+1}), twisted at the index r of least |γ_k|, γ_k = D_k
   * + B_k − (d_k − θ) (1/γ_k is the k-th diagonal entry of (T − θI)⁻¹, so r is where the eigenvector is largest):
   * s_r = 1, s_k = −e_k·s_{k+1}/D_k above r and s_k = −e_{k−1}·s_{k−1}/B_k below, each |s_k| ≲ 1 and of one sign
   * (Parlett and Dhillon's twisted factorisation). False where a pivot it divides by is not negative.
   */
  private static boolean lastComponent(
      int n, double theta, double[] d, double[] e, double[] forward, double[] backward, double[] out) {
    double b = d[n - 1] - theta;
    backward[n - 1] = b;
    for (int k = n - 2; k >= 0; k--) {
      b = d[k] - theta - e[k] * e[k] / b;
      backward[k] = b;
    }
    int r = 0;
    double least = Double.POSITIVE_INFINITY;
    for (int k = 0; k < n; k++) {
      double gamma = Math.abs(forward[k] + backward[k] - (d[k] - theta));
      if (gamma < least) {
        least = gamma;
        r = k;
      }
    }
    double squares = 1;
    double s = 1;
    for (int k = r - 1; k >= 0; k--) {
      if (!(forward[k] < 0)) {
        return false;
      }
      s = -e[k] * s / forward[k];
      squares += s * s;
    }
    s = 1;
    for (int k = r + 1; k < n; k++) {
      if (!(backward[k] < 0)) {
        return false;
      }
      s = -e[k - 1] * s / backward[k];
      squares += s * s;
    }
    out[0] = theta;
    out[1] = s / Math.sqrt(squares);
    return Double.isFinite(out[1]) && Double.isFinite(squares);
  }

  /**
   * Diagonalises the n×n symmetric tridiagonal T with diagonal {@code d[0..n)} and off-diagonal
   * {@code e[0..n-1)} (e[i] = T[i][i+1]); e must have room for n entries.
   *
   * <p>On return d holds the eigenvalues (unordered) and e is destroyed. When {@code lastRow} is not
   * null it must hold row n−1 of the initial basis (usually the unit vector e_{n−1}) and receives row
   * n−1 of the eigenvector matrix: lastRow[i] is the last component of the eigenvector of d[i], at a
   * cost of O(1) per rotation. When {@code z} is not null it must hold an n×n row-major matrix (usually
   * the identity) and is multiplied by the rotations: column i becomes the eigenvector of d[i].
   * d, e, lastRow and z are modified.
   *
   * @throws ArithmeticException if the iteration does not converge (never seen for finite input)
   */
  static void diagonalize(int n, double[] d, double[] e, double[] lastRow, double[] z) {
    if (n == 0) {
      return;
    }
    e[n - 1] = 0;
    for (int l = 0; l < n; l++) {
      int sweeps = 0;
      while (true) {
        // Find the end m of the unreduced block that starts at l.
        int m = l;
        while (m < n - 1) {
          double dd = Math.abs(d[m]) + Math.abs(d[m + 1]);
          if (Math.abs(e[m]) <= 0x1p-53 * dd) {
            break;
          }
          m++;
        }
        if (m == l) {
          break;
        }
        if (++sweeps > MAX_SWEEPS_PER_EIGENVALUE) {
          throw new ArithmeticException("tridiagonal QL did not converge at index " + l + " of " + n);
        }
        // Wilkinson-type shift from the leading 2×2 block, then chase the bulge from m up to l.
        double g = (d[l + 1] - d[l]) / (2 * e[l]);
        double r = Math.sqrt(g * g + 1);
        g = d[m] - d[l] + e[l] / (g + Math.copySign(r, g));
        double s = 1;
        double c = 1;
        double p = 0;
        boolean underflow = false;
        for (int i = m - 1; i >= l; i--) {
          double f = s * e[i];
          double b = c * e[i];
          r = Math.sqrt(f * f + g * g); // no hypot: squares of squared singular values stay far from overflow
          e[i + 1] = r;
          if (r == 0) {
            // Exact deflation inside the block: undo the pending shift and restart on the smaller block.
            d[i + 1] -= p;
            e[m] = 0;
            underflow = true;
            break;
          }
          s = f / r;
          c = g / r;
          g = d[i + 1] - p;
          r = (d[i] - g) * s + 2 * c * b;
          p = s * r;
          d[i + 1] = g + p;
          g = c * r - b;
          if (lastRow != null) {
            double t = lastRow[i + 1];
            lastRow[i + 1] = s * lastRow[i] + c * t;
            lastRow[i] = c * lastRow[i] - s * t;
          }
          if (z != null) {
            for (int k = 0; k < n; k++) {
              int at = k * n + i;
              double t = z[at + 1];
              z[at + 1] = s * z[at] + c * t;
              z[at] = c * z[at] - s * t;
            }
          }
        }
        if (underflow) {
          continue;
        }
        d[l] -= p;
        e[l] = g;
        e[m] = 0;
      }
    }
  }

  /** Fills {@code order[0..count)} with the indices of the count largest of d[0..n), largest first. */
  static void largestFirst(int n, double[] d, int count, int[] order) {
    // Insertion into a sorted top list: O(n) when most values fall below the current count-th.
    int size = 0;
    for (int i = 0; i < n; i++) {
      if (size == count && !(d[i] > d[order[size - 1]])) {
        continue;
      }
      int at = size < count ? size++ : count - 1;
      while (at > 0 && d[i] > d[order[at - 1]]) {
        order[at] = order[at - 1];
        at--;
      }
      order[at] = i;
    }
  }
}
