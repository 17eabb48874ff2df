package io.github.spectral4j.simd;

import io.github.spectral4j.simd.internal.KernelProvider;
import io.github.spectral4j.simd.internal.Kernels;

/**
 * Element-wise kernels of a training step, vectorised: GELU in its tanh form
 * {@code φ(x) = ½x(1 + tanh u)}, {@code u = √(2/π)(x + 0.044715x³)} (Hendrycks and Gimpel), and its
 * derivative; AdamW's moment update and step ({@link #adamW}); RMS normalisation of rows with a gain and
 * its two gradients ({@link #rmsNorm}); a row's softmax ({@link #softmax}). Each works on a range {@code [from, to)} of its arrays so that a caller can split a large
 * array between threads: every entry is computed by the same float operations whichever range, vector
 * lane or loop tail it falls in, and the scalar and Vector API implementations agree bit for bit, so a
 * result never depends on the split or the thread count. φ is computed as {@code x·σ(2u)} from
 * {@code k = σ(−2|u|)} (σ the logistic function, no cancellation on either tail; within a few float ulps
 * of the exact value, see the tests) and {@code k} is kept for the derivative, which then needs no second
 * exponential. Arguments are checked here; each method says which array it modifies.
 */
public final class Elementwise {
  private static final Kernels KERNELS = KernelProvider.kernels();

  private Elementwise() {}

  /**
   * {@code y[i] = φ(x[i])} and {@code keep[i] = σ(−2|u(x[i])|)} for i in [from, to). NaN gives NaN,
   * +∞ gives +∞ and −∞ gives −0.
   *
   * @param from first entry
   * @param to end of the range (exclusive)
   * @param x the inputs; not modified
   * @param y receives φ; modified (distinct from x and keep)
   * @param keep receives what {@link #geluBackward} needs; modified (distinct from x and y)
   * @throws IllegalArgumentException if the range is not inside all three arrays or arrays alias
   */
  public static void gelu(int from, int to, float[] x, float[] y, float[] keep) {
    checkRange("gelu", from, to, x, y, keep);
    if (y == x || keep == x || keep == y) {
      throw new IllegalArgumentException("gelu: x, y and keep must be distinct arrays");
    }
    KERNELS.gelu(from, to, x, y, keep);
  }

  /**
   * {@code dx[i] = dy[i]·φ'(x[i])} for i in [from, to), with {@code keep} as {@link #gelu} left it for
   * the same x. φ'(±∞) is 1 and 0 (so an infinite dy stays infinite there), NaN gives NaN.
   *
   * @param from first entry
   * @param to end of the range (exclusive)
   * @param x the inputs of the forward pass; not modified
   * @param keep as {@link #gelu} wrote it for x; not modified
   * @param dy the gradient of φ(x); not modified
   * @param dx receives the gradient of x; modified (may be dy itself, not x or keep)
   * @throws IllegalArgumentException if the range is not inside all four arrays or dx aliases x or keep
   */
  public static void geluBackward(int from, int to, float[] x, float[] keep, float[] dy, float[] dx) {
    checkRange("geluBackward", from, to, x, keep, dy);
    checkRange("geluBackward", from, to, dx, dx, dx);
    if (dx == x || dx == keep) {
      throw new IllegalArgumentException("geluBackward: dx must not be x or keep");
    }
    KERNELS.geluBackward(from, to, x, keep, dy, dx);
  }

  /**
   * AdamW's moments and update (Loshchilov and Hutter) in one pass over i in [from, to):
   * {@code m ← β1·m + (1−β1)·g}, {@code v ← β2·v + (1−β2)·g²},
   * {@code d = −η·((m·c1)/(√(v·c2) + ε) + λ·w)} with the bias corrections {@code c1 = 1/(1−β1ᵗ)},
   * {@code c2 = 1/(1−β2ᵗ)} supplied by the caller; float arithmetic, every operation rounded as written.
   *
   * @param from first entry
   * @param to end of the range (exclusive)
   * @param g the gradient; not modified
   * @param m the first moment; modified
   * @param v the second moment; modified
   * @param w the parameter (read for the decay); not modified
   * @param d receives the update; modified
   * @param beta1 β1
   * @param beta2 β2
   * @param c1 the first moment's bias correction
   * @param c2 the second moment's bias correction
   * @param learningRate η
   * @param weightDecay λ
   * @param epsilon ε
   * @throws IllegalArgumentException if the range is not inside all five arrays or m, v, d alias each other or g, w
   */
  public static void adamW(int from, int to, float[] g, float[] m, float[] v, float[] w, float[] d, float beta1,
      float beta2, float c1, float c2, float learningRate, float weightDecay, float epsilon) {
    checkRange("adamW", from, to, g, m, v);
    checkRange("adamW", from, to, w, d, d);
    if (m == v || m == d || v == d || m == g || v == g || d == g || m == w || v == w || d == w) {
      throw new IllegalArgumentException("adamW: m, v and d must be distinct arrays, and none of them g or w");
    }
    KERNELS.adamW(from, to, g, m, v, w, d, beta1, beta2, c1, c2, learningRate, weightDecay, epsilon);
  }

  /**
   * {@code out[i] = x[i] + α·f[i]} for i in [from, to) in one pass — a residual connection's sum — each
   * element bit for bit as a copy of x into out followed by {@link Blas#axpy}{@code (α, f, out)} rounds it
   * (which read and wrote out twice).
   *
   * @param from first entry
   * @param to end of the range (exclusive)
   * @param x the base; not modified (unless it is out)
   * @param alpha α
   * @param f the scaled term; not modified (unless it is out)
   * @param out receives the sum; modified; may be x or f
   * @throws IllegalArgumentException if the range is not inside all three arrays
   */
  public static void addScaled(int from, int to, float[] x, float alpha, float[] f, float[] out) {
    checkRange("addScaled", from, to, x, f, out);
    KERNELS.addScaled(from, to, x, alpha, f, out);
  }

  /**
   * {@link #adamW} over whole arrays with the update applied, in one pass: m, v, d and w, and
   * {@code norms[0] = ‖d‖₂}, {@code norms[1] = ‖w‖₂} of the new w, bit for bit those of {@link #adamW}
   * followed by {@link Fused#addWithNorms}{@code (d, w, norms)}, in that method's blocks of 2¹⁶ entries
   * split among {@link Blas#parallelism()} threads (the same bits on any thread count). One read of g, m, v and
   * w and one write of m, v, d and w, where the two passes read d and w again.
   *
   * @param g the gradient; not modified
   * @param m the first moment; modified
   * @param v the second moment; modified
   * @param w the parameter (read for the decay, then updated); modified
   * @param d receives the update; modified
   * @param beta1 β1
   * @param beta2 β2
   * @param c1 the first moment's bias correction
   * @param c2 the second moment's bias correction
   * @param learningRate η
   * @param weightDecay λ
   * @param epsilon ε
   * @param norms receives ‖d‖₂ and ‖w‖₂ in its first two entries; modified
   * @throws IllegalArgumentException if the five arrays differ in length, m, v, d alias each other or g,
   *     w, w is g, or norms has fewer than two entries
   */
  public static void adamWApply(float[] g, float[] m, float[] v, float[] w, float[] d, float beta1, float beta2,
      float c1, float c2, float learningRate, float weightDecay, float epsilon, double[] norms) {
    int n = g == null ? 0 : g.length;
    checkRange("adamWApply", 0, n, g, m, v);
    checkRange("adamWApply", 0, n, w, d, d);
    if (m.length != n || v.length != n || w.length != n || d.length != n) {
      throw new IllegalArgumentException("adamWApply: g, m, v, w and d must have one length, got " + n + ", "
          + m.length + ", " + v.length + ", " + w.length + " and " + d.length);
    }
    if (m == v || m == d || v == d || m == g || v == g || d == g || m == w || v == w || d == w || g == w) {
      throw new IllegalArgumentException("adamWApply: g, m, v, w and d must be distinct arrays");
    }
    if (norms == null || norms.length < 2) {
      throw new IllegalArgumentException(
          "adamWApply: norms needs 2 entries, got " + (norms == null ? "null" : norms.length));
    }
    KERNELS.adamWWithSquares(n, g, m, v, w, d, beta1, beta2, c1, c2, learningRate, weightDecay, epsilon, norms);
    norms[0] = Math.sqrt(norms[0]);
    norms[1] = Math.sqrt(norms[1]);
  }

  /**
   * RMS normalisation of rows [rowFrom, rowTo) of the row-major {@code x} with {@code width} columns:
   * {@code r_i = 1/√(Σ_j x_ij²/width + ε)} (the squares summed in double) and
   * {@code y_ij = (m·r_i)·g_j·x_ij}. A row is computed by the same code whatever range it is in.
   *
   * @param rowFrom first row
   * @param rowTo end of the rows (exclusive)
   * @param width columns, ≥ 1
   * @param x the input; not modified
   * @param gain g, at least width entries; not modified
   * @param multiplier m
   * @param epsilon ε
   * @param y receives the output; modified (not x)
   * @param inverseRms receives r_i at index i; modified
   * @throws IllegalArgumentException if a range does not fit an array, or y is x
   */
  public static void rmsNorm(int rowFrom, int rowTo, int width, float[] x, float[] gain, float multiplier,
      float epsilon, float[] y, float[] inverseRms) {
    checkRows("rmsNorm", rowFrom, rowTo, width, x, y, x, gain, inverseRms);
    if (y == x) {
      throw new IllegalArgumentException("rmsNorm: y must not be x");
    }
    KERNELS.rmsNorm(rowFrom, rowTo, width, x, gain, multiplier, epsilon, y, inverseRms);
  }

  /**
   * The input gradient of {@link #rmsNorm} on rows [rowFrom, rowTo): with {@code u = m·g ⊙ dy} and
   * {@code c_i = r_i·(u_i·x_i)/width} (the dot product in float), {@code dx_ij = r_i·(u_ij − (x_ij·r_i)·c_i)}.
   *
   * @param rowFrom first row
   * @param rowTo end of the rows (exclusive)
   * @param width columns, ≥ 1
   * @param x the forward input; not modified
   * @param gain g; not modified
   * @param multiplier m
   * @param inverseRms r as {@link #rmsNorm} left it; not modified
   * @param dy the output gradient; not modified
   * @param dx receives the input gradient; modified (not x, gain or dy)
   * @throws IllegalArgumentException if a range does not fit an array, or dx aliases an input
   */
  public static void rmsNormBackward(int rowFrom, int rowTo, int width, float[] x, float[] gain, float multiplier,
      float[] inverseRms, float[] dy, float[] dx) {
    checkRows("rmsNormBackward", rowFrom, rowTo, width, x, dy, dx, gain, inverseRms);
    if (dx == x || dx == dy || dx == gain) {
      throw new IllegalArgumentException("rmsNormBackward: dx must not be x, dy or the gain");
    }
    KERNELS.rmsNormBackward(rowFrom, rowTo, width, x, gain, multiplier, inverseRms, dy, dx);
  }

  /**
   * The gain gradient of {@link #rmsNorm} on columns [colFrom, colTo) over all {@code rows}:
   * {@code dg_j = m·Σ_i dy_ij·(x_ij·r_i)}, the rows added in order in float; every column is computed by
   * the same operations whatever range it is in (so a split of the columns never changes a result).
   *
   * @param colFrom first column
   * @param colTo end of the columns (exclusive)
   * @param rows the rows summed over
   * @param width columns of x and dy
   * @param x the forward input; not modified
   * @param inverseRms r as {@link #rmsNorm} left it; not modified
   * @param dy the output gradient; not modified
   * @param multiplier m
   * @param dg receives the gradient (overwritten on the range); modified
   * @throws IllegalArgumentException if a range does not fit an array
   */
  public static void rmsNormGainGradient(int colFrom, int colTo, int rows, int width, float[] x, float[] inverseRms,
      float[] dy, float multiplier, float[] dg) {
    checkRows("rmsNormGainGradient", 0, rows, width, x, dy, dy, dg, inverseRms);
    if (colFrom < 0 || colFrom > colTo || colTo > width) {
      throw new IllegalArgumentException(
          "rmsNormGainGradient: columns [" + colFrom + ", " + colTo + ") are not inside a width of " + width);
    }
    if (dg == x || dg == dy) {
      throw new IllegalArgumentException("rmsNormGainGradient: dg must not be x or dy");
    }
    KERNELS.rmsNormGainGradient(colFrom, colTo, rows, width, x, inverseRms, dy, multiplier, dg);
  }

  /**
   * In-place softmax of {@code a[off .. off+n)}: {@code a_j ← e_j/Σ_k e_k} with {@code e_j = exp(a_j − max_k a_k)}
   * (a vectorised exponential within a few float ulps; a difference below −87 gives {@code e_j = 0}, below
   * 2·10⁻³⁸ of the largest term), the sum in float. A NaN entry makes the row NaN.
   *
   * @param a the row's array; modified on the range
   * @param off first entry
   * @param n entries, ≥ 1
   * @throws IllegalArgumentException if the range is empty or not inside {@code a}
   */
  public static void softmax(float[] a, int off, int n) {
    if (a == null) {
      throw new NullPointerException("softmax: a is null");
    }
    if (n < 1 || off < 0 || (long) off + n > a.length) {
      throw new IllegalArgumentException("softmax: range [" + off + ", " + ((long) off + n) + ") of an array of "
          + a.length);
    }
    KERNELS.softmax(a, off, n);
  }

  private static void checkRows(String what, int rowFrom, int rowTo, int width, float[] a, float[] b, float[] c,
      float[] gain, float[] perRow) {
    if (a == null || b == null || c == null || gain == null || perRow == null) {
      throw new NullPointerException(what + ": an array is null");
    }
    if (width < 1 || rowFrom < 0 || rowFrom > rowTo) {
      throw new IllegalArgumentException(what + ": rows [" + rowFrom + ", " + rowTo + ") of width " + width);
    }
    long need = (long) rowTo * width;
    if (need > Math.min(a.length, Math.min(b.length, c.length)) || gain.length < width || perRow.length < rowTo) {
      throw new IllegalArgumentException(what + ": rows [" + rowFrom + ", " + rowTo + ") of width " + width
          + " do not fit arrays of lengths " + a.length + ", " + b.length + ", " + c.length + " (gain " + gain.length
          + ", per-row " + perRow.length + ")");
    }
  }

  private static void checkRange(String what, int from, int to, float[] a, float[] b, float[] c) {
    if (a == null || b == null || c == null) {
      throw new NullPointerException(what + ": an array is null");
    }
    int n = Math.min(a.length, Math.min(b.length, c.length));
    if (from < 0 || from > to || to > n) {
      throw new IllegalArgumentException(
          what + ": range [" + from + ", " + to + ") is not inside arrays of lengths " + a.length + ", " + b.length
              + ", " + c.length);
    }
  }
}
