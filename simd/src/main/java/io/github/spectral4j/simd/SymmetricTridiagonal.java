package io.github.spectral4j.simd;

/**
 * Eigenvalues (and optionally eigenvectors) of a small symmetric tridiagonal matrix in double, by the
 * implicit QL iteration with Wilkinson shifts (Golub and Van Loan, Matrix Computations, §8.3; the QL
 * variant as in Bowdler, Martin, Reinsch and Wilkinson, Numer. Math. 11, 1968).
 */
final class SymmetricTridiagonal {
  private static final int MAX_SWEEPS_PER_EIGENVALUE = 60;

  private SymmetricTridiagonal() {}

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
