package io.github.spectral4j.bench;

import java.util.SplittableRandom;

/** Self-checks the benchmarks run once in their setup, so that a fast wrong answer cannot score. */
final class Checks {
  private Checks() {}

  /**
   * Compares 64 sampled entries of {@code c = op(A)·op(B)} (square n×n, row-major) with a
   * double-precision dot product; throws if one is off by more than a float rounding allowance
   * that grows like √n.
   */
  static void gemmSample(String what, int n, boolean transA, boolean transB, float[] a, float[] b, float[] c) {
    SplittableRandom random = new SplittableRandom(n);
    for (int s = 0; s < 64; s++) {
      int i = random.nextInt(n);
      int j = random.nextInt(n);
      double exact = 0;
      double magnitude = 0;
      for (int p = 0; p < n; p++) {
        double x = transA ? a[p * n + i] : a[i * n + p];
        double y = transB ? b[j * n + p] : b[p * n + j];
        exact += x * y;
        magnitude += Math.abs(x * y);
      }
      double error = Math.abs(c[i * n + j] - exact);
      if (!(error <= 1e-5 * Math.sqrt(n) * magnitude + 1e-30)) {
        throw new IllegalStateException(what + ": C[" + i + "][" + j + "] = " + c[i * n + j]
            + " but the double-precision value is " + exact);
      }
    }
  }

  /** Throws unless {@code value} is within {@code relative} of {@code reference}. */
  static void relative(String what, double value, double reference, double relative) {
    double error = Math.abs(value - reference) / Math.abs(reference);
    if (!(error <= relative)) {
      throw new IllegalStateException(what + " = " + value + " but the reference is " + reference
          + " (relative error " + error + " > " + relative + ")");
    }
  }
}
