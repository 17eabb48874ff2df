package io.github.spectral4j.simd;

import io.github.spectral4j.simd.internal.KernelProvider;
import io.github.spectral4j.simd.internal.Kernels;
import io.github.spectral4j.simd.internal.Parallel;
import java.util.Objects;

/**
 * Fused kernels: operations that BLAS would do in two or three passes over memory, done in one, for
 * the loops of an optimizer and of the spectral solvers — an update added with both norms returned
 * ({@link #addWithNorms}: y ← y + x, ‖x‖₂, ‖y‖₂; {@link #update}: the same for plain SGD's x = −η·g, with
 * the Gram products of power iteration on the new y and its drift when asked,
 * {@link #updateWithDifferenceGram}; plain SGD written by the weight gradient's GEMM, {@link #gemmUpdate}:
 * W ← W + α·(γ·op(A)·op(B)) with both norms, the gradient never stored, and with the Gram products of power
 * iteration on the new W and its drift, {@link #gemmUpdateWithDifferenceGram}), the Gram product of power
 * iteration ({@link #gramTimes}: A·v and Aᵀ·(A·v) reading A once), and the same for a matrix and its drift from
 * a reference ({@link #differenceGramTimes}: D = A − B formed row by row, never stored, with ‖D‖_F²),
 * and a dense layer's element-wise work done by the GEMM's write-back ({@link #gemmBiasRectify}:
 * φ(α·A·Bᵀ + 1·bᵀ) with the rectifier φ; {@link #gemmMasked}: a product masked by [M &gt; 0], the
 * rectifier's derivative) with their one-pass forms {@link #rectify} and {@link #keepWherePositive},
 * and its bias gradient ({@link #columnSums}: the scaled sum of a matrix's rows, split among threads).
 * Each checks its arguments as {@link Blas} does and runs on the same kernels; each method's Javadoc
 * says which argument is modified, all others are not. For σ₁ itself use {@link SpectralNorm}.
 */
public final class Fused {
  private static final Kernels KERNELS = KernelProvider.kernels();

  private Fused() {}

  /**
   * y = y + x in one pass that also returns {@code norms[0] = ‖x‖₂} and {@code norms[1] = ‖y‖₂} of the
   * updated y (squares accumulated in double): what an optimizer needs when it applies an update ΔW to
   * W, for the traffic of one {@link Blas#axpy} instead of that and two {@link Blas#nrm2} passes. Each y[i] is
   * rounded as {@code Blas.axpy(1, x, y)} rounds it. The squares are summed in blocks of 2¹⁶ elements,
   * the blocks' sums added in order; a long array's blocks are split among {@link Blas#parallelism()}
   * threads, with the same bits on any thread count. y and norms are modified; x is not; x and y are
   * distinct arrays of equal length and norms has at least two entries.
   */
  public static void addWithNorms(float[] x, float[] y, double[] norms) {
    checkSameLength(x, y);
    Objects.requireNonNull(norms, "norms");
    if (x == y) {
      throw new IllegalArgumentException("addWithNorms: x and y are the same array");
    }
    if (norms.length < 2) {
      throw new IllegalArgumentException("addWithNorms: norms needs 2 entries, got " + norms.length);
    }
    KERNELS.addWithSquares(x.length, x, y, norms);
    norms[0] = Math.sqrt(norms[0]);
    norms[1] = Math.sqrt(norms[1]);
  }

  /**
   * An optimizer's step on a parameter W in one pass: {@code d = α·g} (one rounding; when g is null, d
   * is taken as given), {@code w ← w + d} (one rounding), with {@code norms[0] = ‖d‖_F} and
   * {@code norms[1] = ‖w‖_F} of the new w — plain SGD's {@code ΔW = −η·G} (α = −η) applied and measured
   * for the traffic of reading G and W and writing W and ΔW, where {@link Blas#scal}-like scaling and
   * {@link #addWithNorms} take two passes. The elements of d and w are bit-identical to
   * {@code d[i] = α·g[i]; w[i] += d[i]}, and the norms those of {@link #addWithNorms}{@code (d, w, norms)}
   * (squares in double), also bit for bit; a norm is finite exactly when every entry is. w, d
   * (unless g is null) and norms are modified; g is not. g, d and w have one shape and are distinct
   * arrays; norms has at least two entries.
   *
   * @param alpha α, e.g. −η
   * @param g the gradient, or null to apply d as given; not modified
   * @param d receives α·g (read when g is null)
   * @param w the parameter, modified
   * @param norms receives ‖d‖_F and ‖w‖_F, modified
   * @throws IllegalArgumentException if a shape differs, arrays alias or norms is too short
   */
  public static void update(float alpha, FloatMatrix g, FloatMatrix d, FloatMatrix w, double[] norms) {
    checkUpdate("update", g, d, w, null, norms, 2);
    KERNELS.update(w.rows(), w.cols(), alpha, g == null ? null : g.data(), d.data(), w.data(), null, null, null,
        null, null, null, null, norms);
    norms[0] = Math.sqrt(norms[0]);
    norms[1] = Math.sqrt(norms[1]);
  }

  /**
   * {@link #update} with the Gram products of power iteration on the new W and on its drift E = W − ref
   * from a reference (formed row by row, never stored) in the same pass: {@code ax = W·x},
   * {@code aOut = Wᵀ·ax}, {@code ey = E·y}, {@code eOut = Eᵀ·ey} (as {@link #differenceGramTimes} gives them
   * for the new W), and {@code norms[2] = ‖E‖_F}; here each row's squares are summed in float (again in
   * double for a row whose float sum overflows) and the rows in double. An optimizer's step that also advances the power
   * iterations for ‖W‖* and ‖W − W₀‖* reads W₀ as its only extra traffic, the rows of W still in cache
   * when their products are formed. Each element of aOut and eOut is one fused multiply-add per row, in
   * row order (on the Vector API kernels from 64 rows, per fixed half of the rows, the second half's sum
   * added to the first's), so the results are the same on any thread count. x and y have W.cols()
   * entries, ax and ey W.rows(), aOut and eOut W.cols(). w, d (unless g is null), ax, aOut, ey, eOut
   * and norms are modified (aOut and eOut overwritten); g, ref, x and y are not. The matrices share one shape; every modified array is distinct
   * from every other array; norms has at least three entries.
   *
   * @param alpha α, e.g. −η
   * @param g the gradient, or null to apply d as given; not modified
   * @param d receives α·g (read when g is null)
   * @param w the parameter, modified
   * @param ref the reference W₀, not modified
   * @param x W's input vector, not modified
   * @param ax receives W·x
   * @param aOut receives Wᵀ·(W·x)
   * @param y the drift's input vector, not modified
   * @param ey receives E·y
   * @param eOut receives Eᵀ·(E·y)
   * @param norms receives ‖d‖_F, ‖w‖_F and ‖w − ref‖_F, modified
   * @throws IllegalArgumentException if a shape or length differs, arrays alias or norms is too short
   */
  public static void updateWithDifferenceGram(
      float alpha, FloatMatrix g, FloatMatrix d, FloatMatrix w, FloatMatrix ref, float[] x, float[] ax,
      float[] aOut, float[] y, float[] ey, float[] eOut, double[] norms) {
    Objects.requireNonNull(ref, "ref");
    checkUpdate("updateWithDifferenceGram", g, d, w, ref, norms, 3);
    int m = w.rows();
    int n = w.cols();
    checkProducts("updateWithDifferenceGram", m, n, x, ax, aOut, y, ey, eOut, d.data(), w.data(), ref.data(),
        g == null ? null : g.data());
    KERNELS.update(m, n, alpha, g == null ? null : g.data(), d.data(), w.data(), ref.data(), x, ax, aOut, y, ey,
        eOut, norms);
    norms[0] = Math.sqrt(norms[0]);
    norms[1] = Math.sqrt(norms[1]);
    norms[2] = Math.sqrt(norms[2]);
  }

  private static final java.util.List<String> UPDATE_NAMES =
      java.util.List.of("ax", "aOut", "ey", "eOut", "d", "w", "ref", "x", "y", "g");

  /** The i-th of the arrays named in {@link #UPDATE_NAMES}. */
  private static float[] pickUpdate(
      int i, float[] ax, float[] aOut, float[] ey, float[] eOut, float[] d, float[] w, float[] ref, float[] x,
      float[] y, float[] g) {
    return switch (i) {
      case 0 -> ax;
      case 1 -> aOut;
      case 2 -> ey;
      case 3 -> eOut;
      case 4 -> d;
      case 5 -> w;
      case 6 -> ref;
      case 7 -> x;
      case 8 -> y;
      default -> g;
    };
  }

  /**
   * The products' vectors of an m×n W (x, y, aOut, eOut of n entries, ax, ey of m) present, and each output
   * (ax, aOut, ey, eOut) a separate array from every other array named in {@link #UPDATE_NAMES} (g may be null).
   * Without building arrays of them: this runs every step.
   */
  private static void checkProducts(String who, int m, int n, float[] x, float[] ax, float[] aOut, float[] y,
      float[] ey, float[] eOut, float[] d, float[] w, float[] ref, float[] g) {
    Objects.requireNonNull(x, "x");
    Objects.requireNonNull(ax, "ax");
    Objects.requireNonNull(aOut, "aOut");
    Objects.requireNonNull(y, "y");
    Objects.requireNonNull(ey, "ey");
    Objects.requireNonNull(eOut, "eOut");
    if (x.length != n || y.length != n || ax.length != m || ey.length != m || aOut.length != n || eOut.length != n) {
      throw new IllegalArgumentException(who + ": W " + m + "x" + n + " needs x and y of length " + n
          + ", ax and ey of length " + m + ", aOut and eOut of length " + n + ", got x " + x.length + ", y " + y.length
          + ", ax " + ax.length + ", ey " + ey.length + ", aOut " + aOut.length + ", eOut " + eOut.length);
    }
    for (int i = 0; i < 4; i++) {
      float[] p = pickUpdate(i, ax, aOut, ey, eOut, d, w, ref, x, y, g);
      for (int j = i + 1; j < 10; j++) {
        if (p == pickUpdate(j, ax, aOut, ey, eOut, d, w, ref, x, y, g)) {
          throw new IllegalArgumentException(
              who + ": " + UPDATE_NAMES.get(i) + " and " + UPDATE_NAMES.get(j) + " are the same array");
        }
      }
    }
  }

  /** The checks {@link #update} and {@link #updateWithDifferenceGram} share on the matrices and norms. */
  private static void checkUpdate(
      String who, FloatMatrix g, FloatMatrix d, FloatMatrix w, FloatMatrix ref, double[] norms, int normCount) {
    Objects.requireNonNull(d, "d");
    Objects.requireNonNull(w, "w");
    Objects.requireNonNull(norms, "norms");
    requireShapeOf(who, "G", g, w);
    requireShapeOf(who, "D", d, w);
    requireShapeOf(who, "the reference", ref, w);
    if (d.data() == w.data() || g != null && (g.data() == d.data() || g.data() == w.data())
        || ref != null && (ref.data() == w.data() || ref.data() == d.data())) {
      throw new IllegalArgumentException(who + ": G, D, W and the reference must be distinct arrays");
    }
    if (norms.length < normCount) {
      throw new IllegalArgumentException(who + ": norms needs " + normCount + " entries, got " + norms.length);
    }
  }

  /**
   * The Gram product of power iteration: av = A·v and out = Aᵀ·(A·v) = (AᵀA)·v, computed in one pass
   * over A. Row a_i is read once: its dot product av[i] = a_i·v is formed and, while a_i is still in
   * cache, out += av[i]·a_i is accumulated — half the memory traffic of gemv followed by gemv with Aᵀ.
   * v has A.cols() entries, av A.rows(), out A.cols(). av and out are modified (out is overwritten);
   * A and v are not. v, av, out and A's array must be four distinct arrays.
   */
  public static void gramTimes(FloatMatrix a, float[] v, float[] av, float[] out) {
    Objects.requireNonNull(a, "a");
    Objects.requireNonNull(v, "v");
    Objects.requireNonNull(av, "av");
    Objects.requireNonNull(out, "out");
    int m = a.rows();
    int n = a.cols();
    if (v.length != n || av.length != m || out.length != n) {
      throw new IllegalArgumentException("gramTimes: A " + m + "x" + n + " needs v of length " + n + ", av of length "
          + m + " and out of length " + n + ", got " + v.length + ", " + av.length + " and " + out.length);
    }
    float[] d = a.data();
    if (av == v || out == v || out == av || av == d || out == d) {
      throw new IllegalArgumentException(
          "gramTimes: v, av, out and A must be distinct arrays (av==v: " + (av == v) + ", out==v: " + (out == v)
              + ", out==av: " + (out == av) + ", av==A: " + (av == d) + ", out==A: " + (out == d) + ")");
    }
    KERNELS.gramTimes(m, n, d, n, v, av, out);
  }

  /**
   * Power iteration on a matrix and on its drift from a reference, in one pass over both: with
   * D = A − B formed row by row (never stored), ax = A·x and aOut = Aᵀ·(A·x) as {@link #gramTimes}, and
   * dy = D·y and dOut = Dᵀ·(D·y); returns ‖D‖_F² (each row's squares in float, summed in double). Both
   * matrices are read once — a weight matrix W and its initialisation W₀ give the products for ‖W‖* and
   * ‖W − W₀‖* for the traffic of two matrices. x, ax and aOut may all be null (then only D's products
   * are formed). x and y have A.cols() entries, ax and dy A.rows(), aOut and dOut A.cols(); B has A's
   * shape. ax, aOut, dy and dOut are modified (aOut and dOut overwritten); A, B, x and y are not. The
   * output arrays must be distinct from each other and from every input. With both products, from 64 rows
   * the Vector API pass is {@link #updateWithDifferenceGram}'s without the update (the same bits as that
   * pass's on the same A): two fixed halves of the rows, on two threads when {@link Blas#parallelism()}
   * allows, so the results are the same on any thread count.
   */
  public static double differenceGramTimes(
      FloatMatrix a, FloatMatrix b, float[] x, float[] ax, float[] aOut, float[] y, float[] dy, float[] dOut) {
    Objects.requireNonNull(a, "a");
    Objects.requireNonNull(b, "b");
    Objects.requireNonNull(y, "y");
    Objects.requireNonNull(dy, "dy");
    Objects.requireNonNull(dOut, "dOut");
    int m = a.rows();
    int n = a.cols();
    boolean withA = x != null || ax != null || aOut != null;
    if (withA && (x == null || ax == null || aOut == null)) {
      throw new IllegalArgumentException("differenceGramTimes: x, ax and aOut must be all null or all given, got "
          + (x == null ? "x null" : "x") + ", " + (ax == null ? "ax null" : "ax") + ", "
          + (aOut == null ? "aOut null" : "aOut"));
    }
    if (b.rows() != m || b.cols() != n || y.length != n || dy.length != m || dOut.length != n
        || withA && (x.length != n || ax.length != m || aOut.length != n)) {
      throw new IllegalArgumentException("differenceGramTimes: A " + m + "x" + n + " needs B " + m + "x" + n
          + ", x and y of length " + n + ", ax and dy of length " + m + ", aOut and dOut of length " + n + ", got B "
          + b.rows() + "x" + b.cols() + (withA ? ", x " + x.length + ", ax " + ax.length + ", aOut " + aOut.length : "")
          + ", y " + y.length + ", dy " + dy.length + ", dOut " + dOut.length);
    }
    // Every output against every other array, without building arrays of them (this runs once per
    // power-iteration step, which allocates nothing).
    for (int i = 0; i < 4; i++) {
      for (int j = i + 1; j < 8; j++) {
        float[] p = pick(i, ax, aOut, dy, dOut, a.data(), b.data(), x, y);
        if (p != null && p == pick(j, ax, aOut, dy, dOut, a.data(), b.data(), x, y)) {
          throw new IllegalArgumentException(
              "differenceGramTimes: " + NAMES.get(i) + " and " + NAMES.get(j) + " are the same array");
        }
      }
    }
    return KERNELS.differenceGramTimes(m, n, a.data(), b.data(), n, x, ax, aOut, y, dy, dOut);
  }

  private static final java.util.List<String> NAMES = java.util.List.of("ax", "aOut", "dy", "dOut", "A", "B", "x", "y");

  /** The i-th of the arrays named in {@link #NAMES}. */
  private static float[] pick(
      int i, float[] ax, float[] aOut, float[] dy, float[] dOut, float[] a, float[] b, float[] x, float[] y) {
    return switch (i) {
      case 0 -> ax;
      case 1 -> aOut;
      case 2 -> dy;
      case 3 -> dOut;
      case 4 -> a;
      case 5 -> b;
      case 6 -> x;
      default -> y;
    };
  }

  private static void requireShapeOf(String who, String name, FloatMatrix other, FloatMatrix w) {
    if (other != null && (other.rows() != w.rows() || other.cols() != w.cols())) {
      throw new IllegalArgumentException(
          who + ": W is " + w.rows() + "x" + w.cols() + " but " + name + " is " + other.rows() + "x" + other.cols());
    }
  }

  /**
   * Plain SGD written by the weight gradient's GEMM: {@code W ← W + α·G} with {@code G = γ·op(A)·op(B)}
   * never stored — for a dense layer {@code C = W − η_l·(m·δᵀX)} (γ = m its forward multiplier, α = −η_l) —
   * with {@code norms[0] = ‖α·G‖_F} and {@code norms[1] = ‖W‖_F} of the new W (squares in double; a norm is
   * finite exactly when every entry is). Each element is rounded as {@link Blas#gemm} (γ, β = 0) into G and
   * then {@link #update}{@code (α, G, D, W, norms)} round it: {@code g = γ·acc}, {@code u = α·g},
   * {@code w = w + u}, so W (and D) are bit for bit those of the two calls, on any thread count, while W is
   * read and written once by the product's write-back instead of G being written, read again and D written.
   * The norms are the same on any thread count; their last bits differ from {@link #update}'s, whose sums are
   * formed in another order. Where the product takes no packed write-back (a single row or column, the
   * small-row NT kernels, an inner size above the kernel's k slice) the product goes to D (or a per-thread
   * buffer, grown once) and then the update pass, with the same bits. Allocates nothing in steady state.
   *
   * @param transA whether op(A) = Aᵀ
   * @param transB whether op(B) = Bᵀ
   * @param gamma γ, finite
   * @param a A, not modified
   * @param b B, not modified
   * @param alpha α, e.g. −η; finite
   * @param w W, op(A)·op(B)'s shape, modified; must not share its array with A or B
   * @param d receives α·G (W's shape), modified; or null to keep no copy of the update
   * @param norms receives ‖α·G‖_F and ‖W‖_F, modified; at least two entries
   * @throws IllegalArgumentException naming the shape, scale or array that does not fit
   */
  public static void gemmUpdate(
      boolean transA, boolean transB, float gamma, FloatMatrix a, FloatMatrix b, float alpha, FloatMatrix w,
      FloatMatrix d, double[] norms) {
    Blas.checkGemm(transA, transB, a, b, w);
    gemmUpdate("gemmUpdate", transA, transB, w.rows(), w.cols(), transA ? a.rows() : a.cols(), gamma, a, b, alpha, w,
        d, norms);
  }

  /**
   * {@link #gemmUpdate(boolean, boolean, float, FloatMatrix, FloatMatrix, float, FloatMatrix, FloatMatrix, double[])}
   * on leading blocks as {@link Blas#gemm(boolean, boolean, int, int, int, float, FloatMatrix, FloatMatrix, float,
   * FloatMatrix)} takes them: op(A)'s leading m×k and op(B)'s leading k×n blocks, read in place — the weight
   * gradient of a batch's first k rows (rows after them rode along in the forward pass). W is m×n whole.
   *
   * @param transA whether op(A) = Aᵀ
   * @param transB whether op(B) = Bᵀ
   * @param m rows of W, 1 ≤ m ≤ rows of op(A)
   * @param n columns of W, 1 ≤ n ≤ columns of op(B)
   * @param k the inner size, 1 ≤ k ≤ columns of op(A) and rows of op(B)
   * @param gamma γ, finite
   * @param a A, not modified
   * @param b B, not modified
   * @param alpha α, e.g. −η; finite
   * @param w W, m×n, modified; must not share its array with A or B
   * @param d receives α·G (m×n), modified; or null to keep no copy of the update
   * @param norms receives ‖α·G‖_F and ‖W‖_F, modified; at least two entries
   * @throws IllegalArgumentException naming the size, scale or array that does not fit
   */
  public static void gemmUpdate(
      boolean transA, boolean transB, int m, int n, int k, float gamma, FloatMatrix a, FloatMatrix b, float alpha,
      FloatMatrix w, FloatMatrix d, double[] norms) {
    Blas.checkLeadingBlocks("gemmUpdate", transA, transB, m, n, k, a, b, w);
    if (w.rows() != m || w.cols() != n) {
      throw new IllegalArgumentException("gemmUpdate: W must be the whole " + m + "x" + n + " product, got "
          + w.rows() + "x" + w.cols());
    }
    gemmUpdate("gemmUpdate", transA, transB, m, n, k, gamma, a, b, alpha, w, d, norms);
  }

  /**
   * {@link #gemmUpdate(boolean, boolean, int, int, int, float, FloatMatrix, FloatMatrix, float, FloatMatrix,
   * FloatMatrix, double[])} with the Gram products of power iteration on the new W and on its drift E = W − ref
   * formed in the same pass, as {@link #updateWithDifferenceGram} forms them in an optimizer's pass:
   * {@code ax = W·x}, {@code aOut = Wᵀ·ax}, {@code ey = E·y}, {@code eOut = Eᵀ·ey} and {@code norms[2] = ‖E‖_F}
   * — plain SGD written by the weight gradient's GEMM that also advances the power iterations for ‖W‖* and
   * ‖W − W₀‖*. W, D, {@code norms[0]} and {@code norms[1]} are bit for bit those of {@code gemmUpdate}. On the
   * Vector API kernels the products are formed per fixed bucket of 48 rows of W, right after the bucket's
   * update while its rows are in cache (W₀ is the only extra read), the buckets' shares of aOut and eOut
   * added in bucket order: the same bits on any thread count (and on any route of the product), which may
   * differ in their last bits from {@link #differenceGramTimes}' on the same W. The scalar kernels, and γ = 0
   * (A and B are not read), run the step and then {@code differenceGramTimes}. Allocates nothing in steady
   * state. x and y have n entries, ax and ey m, aOut and eOut n; every output array is distinct from every
   * other array.
   *
   * @param transA whether op(A) = Aᵀ
   * @param transB whether op(B) = Bᵀ
   * @param m rows of W, 1 ≤ m ≤ rows of op(A)
   * @param n columns of W, 1 ≤ n ≤ columns of op(B)
   * @param k the inner size, 1 ≤ k ≤ columns of op(A) and rows of op(B)
   * @param gamma γ, finite
   * @param a A, not modified
   * @param b B, not modified
   * @param alpha α, e.g. −η; finite
   * @param w W, m×n, modified; must not share its array with A or B
   * @param d receives α·G (m×n), modified; or null to keep no copy of the update
   * @param ref the reference W₀, m×n, not modified
   * @param x W's input vector, not modified
   * @param ax receives W·x
   * @param aOut receives Wᵀ·(W·x)
   * @param y the drift's input vector, not modified
   * @param ey receives E·y
   * @param eOut receives Eᵀ·(E·y)
   * @param norms receives ‖α·G‖_F, ‖W‖_F and ‖W − ref‖_F, modified; at least three entries
   * @throws IllegalArgumentException naming the size, scale, length or array that does not fit
   */
  public static void gemmUpdateWithDifferenceGram(
      boolean transA, boolean transB, int m, int n, int k, float gamma, FloatMatrix a, FloatMatrix b, float alpha,
      FloatMatrix w, FloatMatrix d, FloatMatrix ref, float[] x, float[] ax, float[] aOut, float[] y, float[] ey,
      float[] eOut, double[] norms) {
    String who = "gemmUpdateWithDifferenceGram";
    Blas.checkLeadingBlocks(who, transA, transB, m, n, k, a, b, w);
    if (w.rows() != m || w.cols() != n) {
      throw new IllegalArgumentException(who + ": W must be the whole " + m + "x" + n + " product, got " + w.rows()
          + "x" + w.cols());
    }
    Objects.requireNonNull(ref, "ref");
    Objects.requireNonNull(norms, "norms");
    requireShapeOf(who, "the reference", ref, w);
    if (norms.length < 3) {
      throw new IllegalArgumentException(who + ": norms needs 3 entries, got " + norms.length);
    }
    float[] dd = d == null ? null : d.data();
    checkProducts(who, m, n, x, ax, aOut, y, ey, eOut, dd, w.data(), ref.data(), null);
    // The outputs against A and B (the gradient's factors), and ref against W and D.
    for (int i = 0; i < 4; i++) {
      float[] p = pickUpdate(i, ax, aOut, ey, eOut, dd, w.data(), ref.data(), x, y, null);
      if (p == a.data() || p == b.data()) {
        throw new IllegalArgumentException(who + ": " + UPDATE_NAMES.get(i) + " is the array of A or B");
      }
    }
    if (ref.data() == w.data() || ref.data() == dd) {
      throw new IllegalArgumentException(who + ": the reference must be a separate array from W and D");
    }
    if (gamma == 0 || !Float.isFinite(gamma) || !Float.isFinite(alpha)) {
      gemmUpdate(who, transA, transB, m, n, k, gamma, a, b, alpha, w, d, norms); // γ = 0 (or throws)
      norms[2] = Math.sqrt(KERNELS.differenceGramTimes(m, n, w.data(), ref.data(), n, x, ax, aOut, y, ey, eOut));
      return;
    }
    checkGemmUpdate(who, a, b, w, d, norms);
    KERNELS.gemmUpdate(transA, transB, m, n, k, gamma, a.data(), a.cols(), b.data(), b.cols(), alpha, w.data(), n,
        dd, Blas.parallelism(), ref.data(), x, ax, aOut, y, ey, eOut, norms);
    norms[0] = Math.sqrt(norms[0]);
    norms[1] = Math.sqrt(norms[1]);
    norms[2] = Math.sqrt(norms[2]);
  }

  private static void gemmUpdate(
      String who, boolean transA, boolean transB, int m, int n, int k, float gamma, FloatMatrix a, FloatMatrix b,
      float alpha, FloatMatrix w, FloatMatrix d, double[] norms) {
    Objects.requireNonNull(norms, "norms");
    if (!Float.isFinite(gamma) || !Float.isFinite(alpha)) {
      throw new IllegalArgumentException(who + ": the scales must be finite, got "
          + (Float.isFinite(gamma) ? "alpha " + alpha : "gamma " + gamma));
    }
    checkGemmUpdate(who, a, b, w, d, norms);
    float[] dd = d == null ? null : d.data();
    if (gamma == 0) {
      // As Blas.gemm with γ = 0: A and B are not read, G = 0.
      float[] wd = w.data();
      double sd = 0;
      double sw = 0;
      for (int i = 0; i < m * n; i++) {
        float u = alpha * 0f;
        float v = wd[i] + u;
        wd[i] = v;
        if (dd != null) {
          dd[i] = u;
        }
        sd += (double) u * u;
        sw += (double) v * v;
      }
      norms[0] = Math.sqrt(sd);
      norms[1] = Math.sqrt(sw);
      return;
    }
    KERNELS.gemmUpdate(transA, transB, m, n, k, gamma, a.data(), a.cols(), b.data(), b.cols(), alpha, w.data(), n,
        dd, Blas.parallelism(), norms);
    norms[0] = Math.sqrt(norms[0]);
    norms[1] = Math.sqrt(norms[1]);
  }

  /** The checks of the gemmUpdate forms on norms (two entries) and D. */
  private static void checkGemmUpdate(String who, FloatMatrix a, FloatMatrix b, FloatMatrix w, FloatMatrix d,
      double[] norms) {
    if (norms.length < 2) {
      throw new IllegalArgumentException(who + ": norms needs 2 entries, got " + norms.length);
    }
    if (d != null) {
      requireShapeOf(who, "D", d, w);
      if (d.data() == w.data() || d.data() == a.data() || d.data() == b.data()) {
        throw new IllegalArgumentException(who + ": D must be a separate array from "
            + (d.data() == w.data() ? "W" : d.data() == a.data() ? "A" : "B"));
      }
    }
  }

  /**
   * C = φ(α·op(A)·op(B) + s·1·biasᵀ): a product with a row vector added to every row of C and, when
   * {@code rectify}, the rectifier φ(x) = x &gt; 0 ? x : 0 (ReLU; NaN gives 0) — a dense layer's forward
   * pass, applied by the GEMM's write-back while each tile of C is in cache instead of in two more passes
   * over C. The result is bit-identical to {@link Blas#gemm} (β = 0), then
   * {@code Blas.axpy(n, s, bias, 0, c, i·n)} on every row i, then the rectifier, on any thread count.
   *
   * @param transA whether op(A) = Aᵀ
   * @param transB whether op(B) = Bᵀ
   * @param alpha α
   * @param a A, not modified
   * @param b B, not modified
   * @param biasScale s
   * @param bias the row vector (C.cols() entries), or null for none; not modified
   * @param rectify whether φ is the rectifier (else the identity)
   * @param c C, modified (overwritten); as in {@link Blas#gemm} it must not share its array with A or B,
   *     nor with bias
   * @throws IllegalArgumentException if a shape does not fit or C aliases an input
   */
  public static void gemmBiasRectify(
      boolean transA, boolean transB, float alpha, FloatMatrix a, FloatMatrix b, float biasScale, float[] bias,
      boolean rectify, FloatMatrix c) {
    Blas.checkGemm(transA, transB, a, b, c);
    int n = c.cols();
    if (bias != null && (bias.length != n || bias == c.data())) {
      throw new IllegalArgumentException("gemmBiasRectify: the bias must be a separate array of C's " + n
          + " columns, got " + (bias == c.data() ? "C's own array" : "length " + bias.length));
    }
    gemmEpilogue(transA, transB, alpha, a, b, 0f, c, biasScale, bias, rectify, null);
  }

  /**
   * C = (α·op(A)·op(B) + β·C) ⊙ [M &gt; 0]: every element whose mask element is not positive (zero,
   * negative or NaN) becomes 0 — back-propagation through a rectifier, whose derivative is [x &gt; 0]
   * (M may hold the rectifier's input or its output: both are positive exactly where the input is),
   * applied by the GEMM's write-back while C is produced. Bit-identical to {@link Blas#gemm} followed by
   * {@link #keepWherePositive}, on any thread count.
   *
   * @param transA whether op(A) = Aᵀ
   * @param transB whether op(B) = Bᵀ
   * @param alpha α
   * @param a A, not modified
   * @param b B, not modified
   * @param beta β (0 overwrites C, ignoring NaN in it)
   * @param mask M, C's shape, not modified
   * @param c C, modified; must not share its array with A, B or M
   * @throws IllegalArgumentException if a shape does not fit or C aliases an input
   */
  public static void gemmMasked(
      boolean transA, boolean transB, float alpha, FloatMatrix a, FloatMatrix b, float beta, FloatMatrix mask,
      FloatMatrix c) {
    Blas.checkGemm(transA, transB, a, b, c);
    Objects.requireNonNull(mask, "mask");
    if (mask.rows() != c.rows() || mask.cols() != c.cols() || mask.data() == c.data()) {
      throw new IllegalArgumentException("gemmMasked: the mask must be a separate " + c.rows() + "x" + c.cols()
          + " matrix, got " + (mask.data() == c.data() ? "C's own array" : mask.rows() + "x" + mask.cols()));
    }
    gemmEpilogue(transA, transB, alpha, a, b, beta, c, 0f, null, false, mask.data());
  }

  /**
   * As {@link #gemmMasked(boolean, boolean, float, FloatMatrix, FloatMatrix, float, FloatMatrix, FloatMatrix)}
   * on leading blocks, as {@link Blas#gemm(boolean, boolean, int, int, int, float, FloatMatrix, FloatMatrix,
   * float, FloatMatrix)} takes them: op(A)'s leading m×k, op(B)'s leading k×n, C's and the mask's leading
   * m×n blocks, each read in place with its own row length as leading dimension; the rest of C is not
   * touched. Back-propagation through a rectifier for a batch's first m rows only, the mask being the
   * rectifier's output over the whole batch. The same for every thread count; on row prefixes (blocks
   * spanning all columns), bit for bit {@code gemmMasked} on matrices holding just those rows.
   *
   * @param transA whether op(A) = Aᵀ
   * @param transB whether op(B) = Bᵀ
   * @param m rows of the product, 1 ≤ m ≤ rows of op(A), of C and of the mask
   * @param n columns of the product, 1 ≤ n ≤ columns of op(B), of C and of the mask
   * @param k the inner size, 1 ≤ k ≤ columns of op(A) and rows of op(B)
   * @param alpha α
   * @param a A, not modified
   * @param b B, not modified
   * @param beta β (0 overwrites C's block, ignoring NaN in it)
   * @param mask M, not modified
   * @param c C, modified in its leading m×n block only; must not share its array with A, B or M
   * @throws IllegalArgumentException if a size is out of bounds or C aliases an input
   */
  public static void gemmMasked(
      boolean transA, boolean transB, int m, int n, int k, float alpha, FloatMatrix a, FloatMatrix b, float beta,
      FloatMatrix mask, FloatMatrix c) {
    Blas.checkLeadingBlocks("gemmMasked", transA, transB, m, n, k, a, b, c);
    Objects.requireNonNull(mask, "mask");
    if (m > mask.rows() || n > mask.cols() || mask.data() == c.data()) {
      throw new IllegalArgumentException("gemmMasked: the mask must be a separate matrix of at least " + m + "x" + n
          + ", got " + (mask.data() == c.data() ? "C's own array" : mask.rows() + "x" + mask.cols()));
    }
    if (alpha == 0) {
      Blas.gemm(transA, transB, m, n, k, 0f, a, b, beta, c);
      float[] d = c.data();
      for (int i = 0; i < m; i++) {
        KERNELS.keepWherePositive(n, mask.data(), i * mask.cols(), d, i * c.cols(), d, i * c.cols());
      }
      return;
    }
    KERNELS.gemmEpilogue(transA, transB, m, n, k, alpha, a.data(), a.cols(), b.data(), b.cols(), beta, c.data(),
        c.cols(), Blas.parallelism(), 0f, null, false, mask.data(), mask.cols());
  }

  private static void gemmEpilogue(
      boolean transA, boolean transB, float alpha, FloatMatrix a, FloatMatrix b, float beta, FloatMatrix c,
      float biasScale, float[] bias, boolean rectify, float[] mask) {
    int m = c.rows();
    int n = c.cols();
    if (alpha == 0) {
      // As Blas.gemm: A and B are not read; the epilogue still applies.
      Blas.gemm(transA, transB, 0f, a, b, beta, c);
      float[] d = c.data();
      for (int i = 0, off = 0; i < m; i++, off += n) {
        if (bias != null) {
          KERNELS.axpy(n, biasScale, bias, 0, d, off);
        }
        if (rectify) {
          KERNELS.rectify(n, d, off, d, off);
        }
        if (mask != null) {
          KERNELS.keepWherePositive(n, mask, off, d, off, d, off);
        }
      }
      return;
    }
    int k = transA ? a.rows() : a.cols();
    if (bias == null && !rectify && mask == null) {
      KERNELS.gemm(transA, transB, m, n, k, alpha, a.data(), a.cols(), b.data(), b.cols(), beta, c.data(), n,
          Blas.parallelism());
      return;
    }
    KERNELS.gemmEpilogue(transA, transB, m, n, k, alpha, a.data(), a.cols(), b.data(), b.cols(), beta, c.data(), n,
        Blas.parallelism(), biasScale, bias, rectify, mask, n);
  }

  /**
   * out = s·Σ_i a_i, the sum of A's rows scaled: {@code out[j] = s·(a[0][j] + a[1][j] + … )}, the rows
   * added in order from 0 (each addition rounded, as {@code Blas.axpy(n, 1, row, 0, out, 0)} row after row
   * rounds it), then multiplied by s when s ≠ 1 (as {@link Blas#scal}) — a dense layer's bias gradient
   * {@code ∂b = m_b·Σ_rows ∂Y}. Large matrices are split by columns among {@link Blas#parallelism()} threads;
   * each column is summed by one thread in the same order, so the result is bit-identical for any thread
   * count. Allocates nothing in steady state.
   *
   * @param a A, not modified
   * @param scale s
   * @param out receives the A.cols() sums, modified; must not be A's array
   * @throws IllegalArgumentException if out's length is not A.cols() or out is A's array
   */
  public static void columnSums(FloatMatrix a, float scale, float[] out) {
    Objects.requireNonNull(a, "a");
    Objects.requireNonNull(out, "out");
    if (out.length != a.cols() || out == a.data()) {
      throw new IllegalArgumentException("columnSums: out must be a separate array of A's " + a.cols()
          + " columns, got " + (out == a.data() ? "A's own array" : "length " + out.length));
    }
    int m = a.rows();
    int n = a.cols();
    // Shares of whole 16-column blocks (one 512-bit vector), each worth at least COLUMN_SUMS_SHARE elements.
    int blocks = (n + 15) / 16;
    int tasks = (int) Math.min(Math.min(Blas.parallelism(), blocks), Math.max(1, (long) m * n / COLUMN_SUMS_SHARE));
    if (tasks <= 1) {
      columnSums(a.data(), m, n, 0, n, scale, out);
      return;
    }
    ColumnSums job = COLUMN_SUMS.get();
    if (job.a != null) { // a column sum inside a share of this thread's: never today, but not to be corrupted
      job = new ColumnSums();
    }
    job.run(tasks, blocks, a.data(), m, n, scale, out);
  }

  /** Elements from which a share of {@link #columnSums} pays for waking a thread (≈ 10 µs of adds). */
  private static final long COLUMN_SUMS_SHARE = 1L << 15;

  private static final ThreadLocal<ColumnSums> COLUMN_SUMS = ThreadLocal.withInitial(ColumnSums::new);

  /** One calling thread's split column sum, reused (a capturing lambda would allocate per call). */
  private static final class ColumnSums implements java.util.function.IntConsumer {
    float[] a;
    float[] out;
    int m;
    int n;
    int tasks;
    int blocks;
    float scale;

    void run(int tasks, int blocks, float[] a, int m, int n, float scale, float[] out) {
      this.tasks = tasks;
      this.blocks = blocks;
      this.a = a;
      this.m = m;
      this.n = n;
      this.scale = scale;
      this.out = out;
      try {
        Parallel.forEach(tasks, this);
      } finally {
        this.a = null;
        this.out = null;
      }
    }

    @Override
    public void accept(int task) {
      int j0 = Parallel.split(blocks, tasks, task) * 16;
      int j1 = Math.min(n, Parallel.split(blocks, tasks, task + 1) * 16);
      columnSums(a, m, n, j0, j1, scale, out);
    }
  }

  /** Columns [j0, j1) of {@link #columnSums}. */
  private static void columnSums(float[] a, int m, int n, int j0, int j1, float scale, float[] out) {
    int w = j1 - j0;
    java.util.Arrays.fill(out, j0, j1, 0f);
    for (int i = 0, off = j0; i < m; i++, off += n) {
      KERNELS.axpy(w, 1f, a, off, out, j0);
    }
    if (scale != 1f) {
      KERNELS.scal(w, scale, out, j0);
    }
  }

  /**
   * y = x &gt; 0 ? x : 0 element-wise: the rectifier (ReLU), branch-free on the Vector API kernels; NaN
   * gives 0.
   *
   * @param x not modified
   * @param y modified; of x's length, and may be x
   * @throws IllegalArgumentException if the lengths differ
   */
  public static void rectify(float[] x, float[] y) {
    checkSameLength(x, y);
    KERNELS.rectify(x.length, x, 0, y, 0);
  }

  /**
   * y = mask &gt; 0 ? x : 0 element-wise: x kept where the mask is positive, 0 elsewhere (also where the
   * mask is NaN) — the backward pass of the rectifier given its input or its output as the mask.
   *
   * @param mask not modified
   * @param x not modified
   * @param y modified; of x's length, and may be x (not the mask)
   * @throws IllegalArgumentException if the lengths differ or y is the mask
   */
  public static void keepWherePositive(float[] mask, float[] x, float[] y) {
    checkSameLength(x, y);
    Objects.requireNonNull(mask, "mask");
    if (mask.length != x.length) {
      throw new IllegalArgumentException("keepWherePositive: mask has " + mask.length + " entries, x has " + x.length);
    }
    if (y == mask && y != x) {
      throw new IllegalArgumentException("keepWherePositive: y must not be the mask");
    }
    KERNELS.keepWherePositive(x.length, mask, 0, x, 0, y, 0);
  }

  private static void checkSameLength(float[] x, float[] y) {
    Objects.requireNonNull(x, "x");
    Objects.requireNonNull(y, "y");
    if (x.length != y.length) {
      throw new IllegalArgumentException("vector lengths differ: x has " + x.length + ", y has " + y.length);
    }
  }
}
