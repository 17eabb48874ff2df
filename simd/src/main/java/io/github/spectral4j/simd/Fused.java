package io.github.spectral4j.simd;

import io.github.spectral4j.simd.internal.KernelProvider;
import io.github.spectral4j.simd.internal.Kernels;
import java.util.Objects;

/**
 * Fused kernels: operations that BLAS would do in two or three passes over memory, done in one, for
 * the loops of an optimizer and of the spectral solvers — an update added with both norms returned
 * ({@link #addWithNorms}: y ← y + x, ‖x‖₂, ‖y‖₂), the Gram product of power iteration
 * ({@link #gramTimes}: A·v and Aᵀ·(A·v) reading A once), and the same for a matrix and its drift from
 * a reference ({@link #differenceGramTimes}: D = A − B formed row by row, never stored, with ‖D‖_F²).
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
   * rounded as {@code Blas.axpy(1, x, y)} rounds it. y and norms are modified; x is not; x and y are
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
   * output arrays must be distinct from each other and from every input.
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

  private static void checkSameLength(float[] x, float[] y) {
    Objects.requireNonNull(x, "x");
    Objects.requireNonNull(y, "y");
    if (x.length != y.length) {
      throw new IllegalArgumentException("vector lengths differ: x has " + x.length + ", y has " + y.length);
    }
  }
}
