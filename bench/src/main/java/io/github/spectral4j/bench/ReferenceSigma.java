package io.github.spectral4j.bench;

import io.github.spectral4j.simd.FloatMatrix;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;

/**
 * σ₁ of a float matrix to about 1e-12 relative, independent of the simd module: Golub–Kahan
 * bidiagonalisation in double precision with full reorthogonalisation of both Krylov bases, the
 * small bidiagonal's singular values from EJML's SVD. Used only to check benchmark results.
 */
final class ReferenceSigma {
  private ReferenceSigma() {}

  static double of(FloatMatrix matrix) {
    int m = matrix.rows();
    int n = matrix.cols();
    float[] a = matrix.data();
    int maxSteps = Math.min(Math.min(m, n), 400);
    double[][] us = new double[maxSteps][];
    double[][] vs = new double[maxSteps + 1][];
    double[] alpha = new double[maxSteps];
    double[] beta = new double[maxSteps];
    double[] v = new double[n];
    for (int j = 0; j < n; j++) {
      v[j] = 1 + 0.5 * Math.sin(j);
    }
    scale(v, 1 / norm(v));
    vs[0] = v;
    double previous = 0;
    double sigma = 0;
    for (int k = 0; k < maxSteps; k++) {
      double[] u = new double[m];
      for (int i = 0; i < m; i++) {
        double s = 0;
        for (int j = 0; j < n; j++) {
          s += a[i * n + j] * vs[k][j];
        }
        u[i] = s;
      }
      reorthogonalize(u, us, k);
      alpha[k] = norm(u);
      if (alpha[k] == 0) {
        break;
      }
      scale(u, 1 / alpha[k]);
      us[k] = u;
      double[] w = new double[n];
      for (int i = 0; i < m; i++) {
        double ui = u[i];
        for (int j = 0; j < n; j++) {
          w[j] += a[i * n + j] * ui;
        }
      }
      reorthogonalize(w, vs, k + 1);
      beta[k] = norm(w);
      if (k % 8 == 7 || k == maxSteps - 1 || beta[k] == 0) {
        sigma = largestSingularValue(alpha, beta, k + 1);
        if (Math.abs(sigma - previous) <= 1e-13 * sigma || beta[k] == 0) {
          return sigma;
        }
        previous = sigma;
      }
      scale(w, 1 / beta[k]);
      vs[k + 1] = w;
    }
    return sigma;
  }

  /** σ₁ from EJML's full SVD in double precision: O(n³), for cross-checking small cases. */
  static double byEjmlSvd(FloatMatrix matrix) {
    DMatrixRMaj d = new DMatrixRMaj(matrix.rows(), matrix.cols());
    for (int i = 0; i < d.data.length; i++) {
      d.data[i] = matrix.data()[i];
    }
    SingularValueDecomposition_F64<DMatrixRMaj> svd = DecompositionFactory_DDRM.svd(d.numRows, d.numCols, false, false, true);
    if (!svd.decompose(d)) {
      throw new IllegalStateException("EJML's SVD did not converge");
    }
    return max(svd.getSingularValues(), svd.numberOfSingularValues());
  }

  /** Largest singular value of the k×k upper bidiagonal matrix with diagonal alpha and superdiagonal beta. */
  private static double largestSingularValue(double[] alpha, double[] beta, int k) {
    DMatrixRMaj b = new DMatrixRMaj(k, k);
    for (int i = 0; i < k; i++) {
      b.set(i, i, alpha[i]);
      if (i + 1 < k) {
        b.set(i, i + 1, beta[i]);
      }
    }
    SingularValueDecomposition_F64<DMatrixRMaj> svd = DecompositionFactory_DDRM.svd(k, k, false, false, true);
    if (!svd.decompose(b)) {
      throw new IllegalStateException("EJML's SVD of the bidiagonal did not converge");
    }
    return max(svd.getSingularValues(), svd.numberOfSingularValues());
  }

  private static double max(double[] values, int count) {
    double best = 0;
    for (int i = 0; i < count; i++) {
      best = Math.max(best, values[i]);
    }
    return best;
  }

  /** Two passes of classical Gram–Schmidt against basis[0..count). */
  private static void reorthogonalize(double[] x, double[][] basis, int count) {
    for (int pass = 0; pass < 2; pass++) {
      for (int b = 0; b < count; b++) {
        double[] q = basis[b];
        double dot = 0;
        for (int i = 0; i < x.length; i++) {
          dot += q[i] * x[i];
        }
        for (int i = 0; i < x.length; i++) {
          x[i] -= dot * q[i];
        }
      }
    }
  }

  private static double norm(double[] x) {
    double s = 0;
    for (double v : x) {
      s += v * v;
    }
    return Math.sqrt(s);
  }

  private static void scale(double[] x, double f) {
    for (int i = 0; i < x.length; i++) {
      x[i] *= f;
    }
  }
}
