package io.github.spectral4j.simd;

import io.github.spectral4j.simd.internal.KernelProvider;
import io.github.spectral4j.simd.internal.Kernels;
import java.util.SplittableRandom;

/** Argument checks, start vectors and double-accumulating vector loops shared by the spectral solvers. */
final class SolverSupport {
  /** Seed of every cold start, so that a solver gives the same answer on every run. */
  static final long START_SEED = 0x5EC7_4A1L;

  private static final Kernels KERNELS = KernelProvider.kernels();

  /**
   * Matrices with |log₂ ‖A‖_F| above this run their products on s·A, s a power of two with
   * ‖s·A‖_F ≈ 1 ({@link #scaledGemv}): below it, float products on unit (or 1/‖A‖_F-scaled) vectors
   * neither overflow nor fall among the subnormals, where a product keeps only a few bits.
   */
  static final int SAFE_EXPONENT = 64;

  private SolverSupport() {}

  /** Whether ‖A‖_F = frobenius lets the float kernels run on A itself (see {@link #SAFE_EXPONENT}). */
  static boolean inProductRange(double frobenius) {
    return Math.abs(Math.getExponent(frobenius)) <= SAFE_EXPONENT;
  }

  /** A power of two near 1/x (exact in float and double). */
  static double powerOfTwoNear(double inverseOf) {
    return Math.scalb(1.0, -Math.getExponent(inverseOf));
  }

  /**
   * y = (s·op(A))·x with op(A) = A or Aᵀ, each entry multiplied by s in double before it meets x and
   * the sums kept in double, so that nothing leaves the float range whatever the scale of A: the
   * slow, exact-scaling product for matrices outside {@link #inProductRange}. y is modified.
   */
  static void scaledGemv(boolean transA, FloatMatrix a, double s, float[] x, float[] y) {
    int m = a.rows();
    int n = a.cols();
    float[] d = a.data();
    if (!transA) {
      for (int i = 0, r = 0; i < m; i++, r += n) {
        double dot = 0;
        for (int j = 0; j < n; j++) {
          dot += d[r + j] * s * x[j];
        }
        y[i] = (float) dot;
      }
    } else {
      double[] acc = new double[n];
      for (int i = 0, r = 0; i < m; i++, r += n) {
        double xi = x[i] * s;
        for (int j = 0; j < n; j++) {
          acc[j] += d[r + j] * xi;
        }
      }
      for (int j = 0; j < n; j++) {
        y[j] = (float) acc[j];
      }
    }
  }

  static void requirePositiveShape(String who, int rows, int cols) {
    if (rows < 1 || cols < 1) {
      throw new IllegalArgumentException(who + ": sizes must be >= 1, got " + rows + "x" + cols);
    }
  }

  static void requireShape(String who, FloatMatrix a, int rows, int cols) {
    if (a == null) {
      throw new IllegalArgumentException(who + ": matrix is null");
    }
    if (a.rows() != rows || a.cols() != cols) {
      throw new IllegalArgumentException(
          who + " was built for " + rows + "x" + cols + " matrices, got " + a.rows() + "x" + a.cols());
    }
  }

  static void requireOptions(String who, int maxIterations, double tolerance) {
    if (maxIterations < 1) {
      throw new IllegalArgumentException(who + ": maxIterations must be >= 1, got " + maxIterations);
    }
    if (!(tolerance > 0) || !Double.isFinite(tolerance)) {
      throw new IllegalArgumentException(who + ": tolerance must be finite and > 0, got " + tolerance);
    }
  }

  /**
   * Returns ‖A‖_F, throwing if any entry of {@code a} is NaN or infinite (naming the first such entry).
   * One pass: the Frobenius norm runs on the SIMD kernels with double accumulation, and a sum of
   * squares is non-finite exactly when some entry is (finite float squares cannot overflow a double
   * sum, and non-negative terms cannot cancel an infinity); only then are the entries searched.
   */
  static double requireFinite(String who, FloatMatrix a) {
    double norm = Blas.frobeniusNorm(a);
    if (Double.isFinite(norm)) {
      return norm;
    }
    float[] d = a.data();
    for (int i = 0; i < d.length; i++) {
      if (!Float.isFinite(d[i])) {
        throw new IllegalArgumentException(
            who + ": matrix entry (" + i / a.cols() + ", " + i % a.cols() + ") = " + d[i] + " is not finite");
      }
    }
    throw new IllegalArgumentException(who + ": ‖A‖_F = " + norm + " is not finite");
  }

  /** Fills {@code x} with a unit vector of independent Gaussian direction. x is modified. */
  static void randomUnit(SplittableRandom random, float[] x) {
    double s = 0;
    for (int i = 0; i < x.length; i++) {
      double g = gaussian(random);
      x[i] = (float) g;
      s += (double) x[i] * x[i];
    }
    float inv = (float) (1 / Math.sqrt(s));
    for (int i = 0; i < x.length; i++) {
      x[i] *= inv;
    }
  }

  static double gaussian(SplittableRandom random) {
    // Box–Muller, one value per call (start vectors are short; simplicity over speed).
    double u1 = 1.0 - random.nextDouble();
    double u2 = random.nextDouble();
    return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** Σ x_i·y_i accumulated in double (x widened), on the SIMD kernels. */
  static double dot(int n, float[] x, double[] y) {
    return KERNELS.dot(n, x, y);
  }

  /** y ← y − c·x in double. y is modified. */
  static void subtract(int n, double c, float[] x, double[] y) {
    KERNELS.subtract(n, c, x, y);
  }

  /** ‖x[0 .. n)‖ in double on the SIMD kernels (a scalar loop's two chains of adds took ~1 % of a 2048² solve). */
  static double norm(int n, double[] x) {
    return Math.sqrt(KERNELS.sumOfSquares(n, x));
  }
}
