package io.github.spectral4j.simd;

import io.github.spectral4j.simd.internal.KernelProvider;
import io.github.spectral4j.simd.internal.Kernels;
import io.github.spectral4j.simd.internal.Parallel;
import java.util.Arrays;
import java.util.Objects;

/**
 * Dense float32 linear algebra (BLAS levels 1–3) on row-major {@link FloatMatrix} and {@code float[]}
 * vectors: dot, axpy, scal, nrm2 (double accumulation), gemv y = α·op(A)·x + β·y, ger A = A + α·x·yᵀ,
 * gemm C = α·op(A)·op(B) + β·C with op(X) = X or Xᵀ (fused operations that do two passes' work in one
 * are in {@link Fused}; σ₁ is {@link SpectralNorm}). Every method checks its arguments (shapes, offsets, lengths, outputs aliasing inputs) and
 * throws {@link IllegalArgumentException} naming the offending values, then runs the kernels picked once
 * for this JVM: Vector API kernels with {@code --add-modules jdk.incubator.vector}, scalar ones otherwise
 * (see {@link #implementation()}). As in BLAS, β = 0 overwrites the output, ignoring NaN in it. Each
 * method's Javadoc says which argument is modified; all others are not.
 */
public final class Blas {
  private static final Kernels KERNELS = KernelProvider.kernels();

  private Blas() {}

  /** The active kernels, e.g. {@code "panama (512-bit)"} or {@code "scalar"}. */
  public static String implementation() {
    return KERNELS.name();
  }

  /** Σ x[xOff+i]·y[yOff+i] over i &lt; n (n ≥ 0). Nothing is modified. */
  public static float dot(int n, float[] x, int xOff, float[] y, int yOff) {
    checkRange("x", n, x, xOff);
    checkRange("y", n, y, yOff);
    return KERNELS.dot(n, x, xOff, y, yOff);
  }

  /** x·y for vectors of equal length. Nothing is modified. */
  public static float dot(float[] x, float[] y) {
    checkSameLength(x, y);
    return KERNELS.dot(x.length, x, 0, y, 0);
  }

  /**
   * y[yOff+i] += α·x[xOff+i] over i &lt; n (n ≥ 0). y is modified; x is not. x and y may be the same range
   * but must not partly overlap.
   */
  public static void axpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
    checkRange("x", n, x, xOff);
    checkRange("y", n, y, yOff);
    if (x == y && xOff != yOff && Math.abs(xOff - yOff) < n) {
      throw new IllegalArgumentException(
          "axpy: x and y overlap partly in one array (xOff=" + xOff + ", yOff=" + yOff + ", n=" + n + ")");
    }
    KERNELS.axpy(n, alpha, x, xOff, y, yOff);
  }

  /** y = y + α·x for vectors of equal length. y is modified; x is not. */
  public static void axpy(float alpha, float[] x, float[] y) {
    checkSameLength(x, y);
    KERNELS.axpy(x.length, alpha, x, 0, y, 0);
  }

  /** x[xOff+i] *= α over i &lt; n (n ≥ 0). x is modified. */
  public static void scal(int n, float alpha, float[] x, int xOff) {
    checkRange("x", n, x, xOff);
    KERNELS.scal(n, alpha, x, xOff);
  }

  /** x = α·x. x is modified. */
  public static void scal(float alpha, float[] x) {
    Objects.requireNonNull(x, "x");
    KERNELS.scal(x.length, alpha, x, 0);
  }

  /** ‖x[xOff .. xOff+n)‖₂, squares accumulated in double (no overflow or underflow for any float). */
  public static double nrm2(int n, float[] x, int xOff) {
    checkRange("x", n, x, xOff);
    return Math.sqrt(KERNELS.sumOfSquares(n, x, xOff));
  }

  /** ‖x‖₂ accumulated in double. Nothing is modified. */
  public static double nrm2(float[] x) {
    Objects.requireNonNull(x, "x");
    return Math.sqrt(KERNELS.sumOfSquares(x.length, x, 0));
  }

  /**
   * y = y + x with norms[0] = ‖x‖₂ and norms[1] = ‖y‖₂ of the updated y, in one pass.
   *
   * @param x the update, not modified
   * @param y the vector updated, modified
   * @param norms receives the two norms, modified
   * @deprecated a fused operation: use {@link Fused#addWithNorms}, which this calls.
   */
  @Deprecated
  public static void addWithNorms(float[] x, float[] y, double[] norms) {
    Fused.addWithNorms(x, y, norms);
  }

  /** Frobenius norm ‖A‖_F = √(Σ a_ij²) with double accumulation. Nothing is modified. */
  public static double frobeniusNorm(FloatMatrix a) {
    return nrm2(Objects.requireNonNull(a, "a").data());
  }

  /**
   * y = α·op(A)·x + β·y with op(A) = A (x has A.cols() entries, y A.rows()) or Aᵀ when {@code transA}
   * (x has A.rows(), y A.cols()). y is modified and must not be x or A's array; A and x are not modified.
   */
  public static void gemv(boolean transA, float alpha, FloatMatrix a, float[] x, float beta, float[] y) {
    Objects.requireNonNull(a, "a");
    Objects.requireNonNull(x, "x");
    Objects.requireNonNull(y, "y");
    int m = a.rows();
    int n = a.cols();
    int xLength = transA ? m : n;
    int yLength = transA ? n : m;
    String op = transA ? "Aᵀ" : "A";
    if (x.length != xLength || y.length != yLength) {
      throw new IllegalArgumentException("gemv: y = " + op + "·x with A " + m + "x" + n + " needs x of length "
          + xLength + " and y of length " + yLength + ", got " + x.length + " and " + y.length);
    }
    if (y == x || y == a.data()) {
      throw new IllegalArgumentException("gemv: y must not alias " + (y == x ? "x" : "A"));
    }
    if (alpha == 0) {
      scaleOrClear(beta, y);
      return;
    }
    KERNELS.gemv(transA, m, n, alpha, a.data(), n, x, beta, y);
  }

  /**
   * A = A + α·x·yᵀ (rank-1 update) with x of length A.rows() and y of length A.cols(). A is modified and
   * must not share its array with x or y; x and y are not modified.
   */
  public static void ger(float alpha, float[] x, float[] y, FloatMatrix a) {
    Objects.requireNonNull(a, "a");
    Objects.requireNonNull(x, "x");
    Objects.requireNonNull(y, "y");
    if (x.length != a.rows() || y.length != a.cols()) {
      throw new IllegalArgumentException("ger: A " + a.rows() + "x" + a.cols() + " needs x of length " + a.rows()
          + " and y of length " + a.cols() + ", got " + x.length + " and " + y.length);
    }
    if (a.data() == x || a.data() == y) {
      throw new IllegalArgumentException("ger: A must not alias " + (a.data() == x ? "x" : "y"));
    }
    KERNELS.ger(a.rows(), a.cols(), alpha, x, y, a.data(), a.cols());
  }

  /**
   * C = α·op(A)·op(B) + β·C with op(X) = Xᵀ when the flag is set: op(A) is m×k, op(B) is k×n and C is
   * m×n. Runs on up to {@link #parallelism()} threads with a bit-identical result for every thread count.
   * C is modified and must not be, or share its array with, A or B; A and B are not modified (they may be
   * the same matrix).
   */
  public static void gemm(
      boolean transA, boolean transB, float alpha, FloatMatrix a, FloatMatrix b, float beta, FloatMatrix c) {
    checkGemm(transA, transB, a, b, c);
    if (alpha == 0) {
      scaleOrClear(beta, c.data());
      return;
    }
    int m = c.rows();
    int n = c.cols();
    int k = transA ? a.rows() : a.cols();
    KERNELS.gemm(transA, transB, m, n, k, alpha, a.data(), a.cols(), b.data(), b.cols(), beta, c.data(), n,
        Parallel.parallelism());
  }

  /**
   * As {@link #gemm(boolean, boolean, float, FloatMatrix, FloatMatrix, float, FloatMatrix)} on leading
   * blocks, BLAS's sub-matrix convention: op(A)'s leading m×k block, op(B)'s leading k×n block and C's
   * leading m×n block, read and written in place with each matrix's own row length as its leading
   * dimension (no copy); the rest of C is not touched. A leading block of a row-major matrix with all its
   * columns is a row prefix: this is how a batch's first rows are multiplied while its other rows (e.g. probe
   * rows that ride along in a training batch, excluded from the loss) are skipped. The result is the same
   * for every thread count; where every block spans all the columns of its matrix (row prefixes), it is bit
   * for bit that of {@code gemm} on matrices holding just those rows.
   *
   * @param transA whether op(A) = Aᵀ
   * @param transB whether op(B) = Bᵀ
   * @param m rows of the product, 1 ≤ m ≤ rows of op(A) and of C
   * @param n columns of the product, 1 ≤ n ≤ columns of op(B) and of C
   * @param k the inner size, 1 ≤ k ≤ columns of op(A) and rows of op(B)
   * @param alpha α
   * @param a A, not modified
   * @param b B, not modified
   * @param beta β (0 overwrites C's block, ignoring NaN in it)
   * @param c C, modified in its leading m×n block only; must not share its array with A or B
   * @throws IllegalArgumentException if a size is outside those bounds or C aliases an input
   */
  public static void gemm(
      boolean transA, boolean transB, int m, int n, int k, float alpha, FloatMatrix a, FloatMatrix b, float beta,
      FloatMatrix c) {
    checkLeadingBlocks("gemm", transA, transB, m, n, k, a, b, c);
    if (alpha == 0) {
      float[] d = c.data();
      for (int i = 0, off = 0; i < m; i++, off += c.cols()) {
        if (beta == 0) {
          Arrays.fill(d, off, off + n, 0f);
        } else if (beta != 1) {
          KERNELS.scal(n, beta, d, off);
        }
      }
      return;
    }
    KERNELS.gemm(transA, transB, m, n, k, alpha, a.data(), a.cols(), b.data(), b.cols(), beta, c.data(), c.cols(),
        Parallel.parallelism());
  }

  /**
   * The least number of rows m from which the products of {@link #gemm} and of {@link Fused}'s GEMM
   * epilogues compute each row of C by the same operations whatever m is: for products of at least this
   * many rows (the other sizes, transposes and row lengths fixed), the first rows of a taller product are
   * bit for bit those of the shorter one. Below it the kernel for a product is chosen by its number of rows
   * (small and thin products), so appending rows may change how the others round. What lets rows ride
   * along in a training batch without changing the batch's results.
   *
   * @return at least 1 (1 for the scalar kernels)
   */
  public static int rowIndependentFrom() {
    return KERNELS.rowIndependentFrom();
  }

  /** The argument checks of the leading-block products (shared with {@link Fused}). */
  static void checkLeadingBlocks(
      String op, boolean transA, boolean transB, int m, int n, int k, FloatMatrix a, FloatMatrix b, FloatMatrix c) {
    Objects.requireNonNull(a, "a");
    Objects.requireNonNull(b, "b");
    Objects.requireNonNull(c, "c");
    int am = transA ? a.cols() : a.rows();
    int ak = transA ? a.rows() : a.cols();
    int bk = transB ? b.cols() : b.rows();
    int bn = transB ? b.rows() : b.cols();
    if (m < 1 || n < 1 || k < 1 || m > am || m > c.rows() || n > bn || n > c.cols() || k > ak || k > bk) {
      throw new IllegalArgumentException(op + ": leading blocks m=" + m + ", n=" + n + ", k=" + k + " of "
          + (transA ? "Aᵀ" : "A") + " " + am + "x" + ak + ", " + (transB ? "Bᵀ" : "B") + " " + bk + "x" + bn + ", C "
          + c.rows() + "x" + c.cols() + ": need 1 <= m <= " + Math.min(am, c.rows()) + ", 1 <= n <= "
          + Math.min(bn, c.cols()) + ", 1 <= k <= " + Math.min(ak, bk));
    }
    if (c == a || c.data() == a.data() || c == b || c.data() == b.data()) {
      throw new IllegalArgumentException(
          op + ": C must not alias " + (c == a || c.data() == a.data() ? "A" : "B") + " (" + c + ")");
    }
  }

  /** The argument checks of {@link #gemm} (shared with {@link Fused}'s products). */
  static void checkGemm(boolean transA, boolean transB, FloatMatrix a, FloatMatrix b, FloatMatrix c) {
    Objects.requireNonNull(a, "a");
    Objects.requireNonNull(b, "b");
    Objects.requireNonNull(c, "c");
    int m = transA ? a.cols() : a.rows();
    int k = transA ? a.rows() : a.cols();
    int kb = transB ? b.cols() : b.rows();
    int n = transB ? b.rows() : b.cols();
    if (k != kb || c.rows() != m || c.cols() != n) {
      throw new IllegalArgumentException("gemm: C = " + (transA ? "Aᵀ" : "A") + "·" + (transB ? "Bᵀ" : "B")
          + " with A " + a.rows() + "x" + a.cols() + ", B " + b.rows() + "x" + b.cols() + ", C " + c.rows() + "x"
          + c.cols() + ": op(A) is " + m + "x" + k + ", op(B) is " + kb + "x" + n + ", so C must be " + m + "x" + n
          + (k != kb ? " and the inner sizes " + k + " and " + kb + " must agree" : ""));
    }
    if (c == a || c.data() == a.data() || c == b || c.data() == b.data()) {
      throw new IllegalArgumentException(
          "gemm: C must not alias " + (c == a || c.data() == a.data() ? "A" : "B") + " (" + c + ")");
    }
  }

  /**
   * av = A·v and out = Aᵀ·(A·v) in one pass over A.
   *
   * @param a the matrix, not modified
   * @param v the vector, not modified
   * @param av receives A·v, modified
   * @param out receives Aᵀ·(A·v), modified
   * @deprecated a fused operation: use {@link Fused#gramTimes}, which this calls.
   */
  @Deprecated
  public static void gramTimes(FloatMatrix a, float[] v, float[] av, float[] out) {
    Fused.gramTimes(a, v, av, out);
  }

  /**
   * The Gram products of A and of D = A − B in one pass over both, returning ‖D‖_F².
   *
   * @param a the matrix A, not modified
   * @param b the reference B, not modified
   * @param x A's input, not modified (null to skip A's products)
   * @param ax receives A·x, modified
   * @param aOut receives Aᵀ·(A·x), modified
   * @param y D's input, not modified
   * @param dy receives D·y, modified
   * @param dOut receives Dᵀ·(D·y), modified
   * @return ‖A − B‖_F²
   * @deprecated a fused operation: use {@link Fused#differenceGramTimes}, which this calls.
   */
  @Deprecated
  public static double differenceGramTimes(
      FloatMatrix a, FloatMatrix b, float[] x, float[] ax, float[] aOut, float[] y, float[] dy, float[] dOut) {
    return Fused.differenceGramTimes(a, b, x, ax, aOut, y, dy, dOut);
  }

  /** Threads used by gemm (default: available processors, or {@code -Dspectral4j.threads}). */
  public static int parallelism() {
    return Parallel.parallelism();
  }

  /**
   * Runs {@code task.accept(t)} for every t in [0, tasks) on gemm's threads: t = 0 on the calling thread,
   * the others on gemm's fork-join pool; returns when all are done and rethrows the first failure. For a
   * caller that splits independent work (e.g. attention heads) into fixed shares, so that its result does not
   * depend on the thread count. With one task nothing is allocated; with more, a few small fork-join
   * objects per call.
   *
   * @param tasks number of shares, from 1 to {@link #parallelism()} (more would queue on the pool)
   * @param task the work of one share, not modified
   * @throws IllegalArgumentException if tasks is below 1
   */
  public static void forEachTask(int tasks, java.util.function.IntConsumer task) {
    Objects.requireNonNull(task, "task");
    if (tasks < 1) {
      throw new IllegalArgumentException("forEachTask: tasks must be >= 1, got " + tasks);
    }
    Parallel.forEach(tasks, task);
  }

  /** Sets the threads used by gemm (≥ 1); results are bit-identical for any value. */
  public static void setParallelism(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("parallelism must be >= 1, got " + threads);
    }
    Parallel.setParallelism(threads);
  }

  private static void scaleOrClear(float beta, float[] y) {
    if (beta == 0) {
      Arrays.fill(y, 0f);
    } else if (beta != 1) {
      KERNELS.scal(y.length, beta, y, 0);
    }
  }

  private static void checkSameLength(float[] x, float[] y) {
    Objects.requireNonNull(x, "x");
    Objects.requireNonNull(y, "y");
    if (x.length != y.length) {
      throw new IllegalArgumentException("vector lengths differ: x has " + x.length + ", y has " + y.length);
    }
  }

  private static void checkRange(String name, int n, float[] x, int off) {
    Objects.requireNonNull(x, name);
    if (n < 0) {
      throw new IllegalArgumentException("n must be >= 0, got " + n);
    }
    if (off < 0 || (long) off + n > x.length) {
      throw new IllegalArgumentException(name + "Off=" + off + " with n=" + n + " runs outside " + name
          + " of length " + x.length);
    }
  }
}
