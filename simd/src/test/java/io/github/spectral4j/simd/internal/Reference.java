package io.github.spectral4j.simd.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;

/**
 * Test oracles: naive double-precision kernels, the one tolerance rule of the kernel tests, and access to
 * the two implementations.
 */
public final class Reference {
  /**
   * Unit roundoff of float (2⁻²⁴) doubled. A sum of k float products, in any order and with or without
   * FMA, is within k·2⁻²⁴·Σ|terms| of the exact value; a few more roundings come from α, β and the
   * final store. So an element computed from k products must satisfy
   * |got − exact| ≤ (k + {@link #EXTRA_ROUNDINGS})·{@link #EPS}·scale, scale = |α|·Σ|a·b| + |β·c|.
   */
  public static final double EPS = 0x1p-23;

  /** Roundings beyond the k of the sum (α, β, the final add). */
  public static final int EXTRA_ROUNDINGS = 4;

  private Reference() {}

  /** The tolerance for an element formed from k products, relative to its scale. */
  public static double tolerance(int k) {
    return (k + EXTRA_ROUNDINGS) * EPS;
  }

  /** Asserts |got − exact| ≤ tolerance(k)·scale (+ the smallest normal float, for exact zeros). */
  public static void assertClose(double exact, float got, double scale, int k, String what) {
    double bound = tolerance(k) * scale + Float.MIN_NORMAL;
    assertTrue(Math.abs(got - exact) <= bound,
        () -> what + ": got " + got + ", exact " + exact + ", |error| " + Math.abs(got - exact) + " > bound " + bound);
  }

  /** The implementation named {@code scalar} or {@code panama}; skips the test if Panama is absent. */
  public static Kernels kernels(String name) {
    if (name.equals("scalar")) {
      return KernelProvider.scalar();
    }
    Optional<Kernels> panama = KernelProvider.panama();
    Assumptions.assumeTrue(panama.isPresent(), "jdk.incubator.vector is not in the boot layer");
    return panama.get();
  }

  /** Uniform values in [−1, 1). */
  public static float[] random(SplittableRandom random, int length) {
    float[] x = new float[length];
    for (int i = 0; i < length; i++) {
      x[i] = (float) (2 * random.nextDouble() - 1);
    }
    return x;
  }

  /**
   * Stores the r×c matrix {@code op} (row-major) as itself, or transposed (a c×r row-major array) when
   * {@code trans}: the array whose op(·) is {@code op}.
   */
  public static float[] store(float[] op, int r, int c, boolean trans) {
    if (!trans) {
      return op.clone();
    }
    float[] t = new float[op.length];
    for (int i = 0; i < r; i++) {
      for (int j = 0; j < c; j++) {
        t[j * r + i] = op[i * c + j];
      }
    }
    return t;
  }

  /** exact[i·n + j] = α·Σ_p opA(i,p)·opB(p,j) + β·c0(i,j) and its scale, in double. Index 0: exact, 1: scale. */
  public static double[][] gemm(int m, int n, int k, float alpha, float[] opA, float[] opB, float beta, float[] c0) {
    double[] exact = new double[m * n];
    double[] scale = new double[m * n];
    double[] row = new double[n];
    double[] absRow = new double[n];
    for (int i = 0; i < m; i++) {
      java.util.Arrays.fill(row, 0);
      java.util.Arrays.fill(absRow, 0);
      for (int p = 0; p < k; p++) {
        double aip = opA[i * k + p];
        for (int j = 0; j < n; j++) {
          double bpj = opB[p * n + j];
          row[j] += aip * bpj;
          absRow[j] += Math.abs(aip * bpj);
        }
      }
      for (int j = 0; j < n; j++) {
        double cij = beta == 0 ? 0 : (double) beta * c0[i * n + j];
        exact[i * n + j] = alpha * row[j] + cij;
        scale[i * n + j] = Math.abs(alpha) * absRow[j] + Math.abs(cij);
      }
    }
    return new double[][] {exact, scale};
  }
}
