package io.github.spectral4j.bench;

import io.github.spectral4j.simd.FloatMatrix;
import java.util.SplittableRandom;

/** The inputs of the solver benchmarks. */
final class TestMatrices {
  private TestMatrices() {}

  /**
   * {@code gaussian}: i.i.d. N(0, 1/n) entries, σ₁ ≈ 2 with a small gap to σ₂ (the edge of the
   * Marchenko–Pastur law). {@code gap099}: the singular values 1, 0.99, 0.99², … (σ₂/σ₁ = 0.99 exactly)
   * in random orthogonal bases {@code A = H_x·diag(s)·H_y}, with Householder reflections
   * {@code H = I − 2·w·wᵀ} for random unit w — the hard case for power iteration.
   */
  static FloatMatrix square(String spectrum, int n, long seed) {
    return switch (spectrum) {
      case "gaussian" -> FloatMatrix.gaussian(n, n, 1 / Math.sqrt(n), seed);
      case "gap099" -> geometricSpectrum(n, 0.99, seed);
      default -> throw new IllegalArgumentException("spectrum must be gaussian or gap099, got " + spectrum);
    };
  }

  static FloatMatrix geometricSpectrum(int n, double ratio, long seed) {
    double[] s = new double[n];
    for (int i = 0; i < n; i++) {
      s[i] = Math.pow(ratio, i);
    }
    double[] x = unit(n, new SplittableRandom(seed));
    double[] y = unit(n, new SplittableRandom(seed + 1));
    // (I − 2xxᵀ) D (I − 2yyᵀ) = D − 2x(Dx)ᵀ − 2(Dy)yᵀ + 4(xᵀDy)·x·yᵀ for diagonal D.
    double xDy = 0;
    for (int i = 0; i < n; i++) {
      xDy += x[i] * s[i] * y[i];
    }
    float[] a = new float[n * n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        double v = (i == j ? s[i] : 0) - 2 * x[i] * s[j] * x[j] - 2 * s[i] * y[i] * y[j] + 4 * xDy * x[i] * y[j];
        a[i * n + j] = (float) v;
      }
    }
    return FloatMatrix.wrap(n, n, a);
  }

  private static double[] unit(int n, SplittableRandom random) {
    double[] w = new double[n];
    double norm = 0;
    for (int i = 0; i < n; i++) {
      w[i] = random.nextDouble(-1, 1);
      norm += w[i] * w[i];
    }
    norm = Math.sqrt(norm);
    for (int i = 0; i < n; i++) {
      w[i] /= norm;
    }
    return w;
  }
}
