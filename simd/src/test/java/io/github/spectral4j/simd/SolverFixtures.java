package io.github.spectral4j.simd;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.QRDecomposition;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;

/** Test matrices with known spectra and the EJML oracle (SVD in double of the float matrix). */
final class SolverFixtures {
  /** Relative accuracy demanded of singular values against the EJML oracle. */
  static final double SIGMA_TOL = 1e-5;

  private SolverFixtures() {}

  static DMatrixRMaj toDouble(FloatMatrix a) {
    DMatrixRMaj d = new DMatrixRMaj(a.rows(), a.cols());
    float[] src = a.data();
    for (int i = 0; i < src.length; i++) {
      d.data[i] = src[i];
    }
    return d;
  }

  static FloatMatrix toFloat(DMatrixRMaj d) {
    float[] values = new float[d.numRows * d.numCols];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) d.data[i];
    }
    return FloatMatrix.of(d.numRows, d.numCols, values);
  }

  /** All min(m, n) singular values of a, descending, by EJML's SVD in double. */
  static double[] singularValues(FloatMatrix a) {
    SingularValueDecomposition_F64<DMatrixRMaj> svd =
        DecompositionFactory_DDRM.svd(a.rows(), a.cols(), false, false, true);
    if (!svd.decompose(toDouble(a))) {
      throw new AssertionError("EJML SVD failed");
    }
    double[] s = Arrays.copyOf(svd.getSingularValues(), svd.numberOfSingularValues());
    Arrays.sort(s);
    for (int i = 0; i < s.length / 2; i++) {
      double t = s[i];
      s[i] = s[s.length - 1 - i];
      s[s.length - 1 - i] = t;
    }
    return s;
  }

  /** The polar factor U·Vᵀ of a (full column/row rank), by EJML's compact SVD. */
  static DMatrixRMaj polarFactor(FloatMatrix a) {
    SingularValueDecomposition_F64<DMatrixRMaj> svd =
        DecompositionFactory_DDRM.svd(a.rows(), a.cols(), true, true, true);
    if (!svd.decompose(toDouble(a))) {
      throw new AssertionError("EJML SVD failed");
    }
    DMatrixRMaj u = svd.getU(null, false);
    DMatrixRMaj vt = svd.getV(null, true);
    DMatrixRMaj p = new DMatrixRMaj(a.rows(), a.cols());
    CommonOps_DDRM.mult(u, vt, p);
    return p;
  }

  /** An m×r matrix with orthonormal columns (r ≤ m): Q of the QR factorisation of a Gaussian matrix. */
  static DMatrixRMaj orthonormalColumns(int m, int r, SplittableRandom random) {
    DMatrixRMaj g = new DMatrixRMaj(m, r);
    for (int i = 0; i < g.data.length; i++) {
      g.data[i] = SolverSupport.gaussian(random);
    }
    QRDecomposition<DMatrixRMaj> qr = DecompositionFactory_DDRM.qr(m, r);
    if (!qr.decompose(g)) {
      throw new AssertionError("EJML QR failed");
    }
    return qr.getQ(null, true);
  }

  /** U·diag(sigma)·Vᵀ with random orthonormal U (m×r), V (n×r), r = sigma.length ≤ min(m, n), rounded to float. */
  static FloatMatrix withSpectrum(int m, int n, double[] sigma, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int r = sigma.length;
    DMatrixRMaj u = orthonormalColumns(m, r, random);
    DMatrixRMaj v = orthonormalColumns(n, r, random);
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < r; j++) {
        u.set(i, j, u.get(i, j) * sigma[j]);
      }
    }
    DMatrixRMaj a = new DMatrixRMaj(m, n);
    CommonOps_DDRM.multTransB(u, v, a);
    return toFloat(a);
  }

  /** σ = (1, 0.99, then geometric decay from 0.9 by 0.97 per index), length min(m, n). */
  static double[] nearDegenerateSpectrum(int m, int n) {
    double[] s = new double[Math.min(m, n)];
    for (int i = 0; i < s.length; i++) {
      s[i] = i == 0 ? 1 : i == 1 ? 0.99 : 0.9 * Math.pow(0.97, i - 2);
    }
    return s;
  }

  /** ‖A·v − σ·u‖₂ in double. */
  static double leftResidual(FloatMatrix a, float[] u, float[] v, double sigma) {
    double s = 0;
    for (int i = 0; i < a.rows(); i++) {
      double t = 0;
      for (int j = 0; j < a.cols(); j++) {
        t += (double) a.get(i, j) * v[j];
      }
      t -= sigma * u[i];
      s += t * t;
    }
    return Math.sqrt(s);
  }

  /** ‖Aᵀ·u − σ·v‖₂ in double. */
  static double rightResidual(FloatMatrix a, float[] u, float[] v, double sigma) {
    double s = 0;
    for (int j = 0; j < a.cols(); j++) {
      double t = 0;
      for (int i = 0; i < a.rows(); i++) {
        t += (double) a.get(i, j) * u[i];
      }
      t -= sigma * v[j];
      s += t * t;
    }
    return Math.sqrt(s);
  }

  static float[] column(FloatMatrix m, int j) {
    float[] c = new float[m.rows()];
    for (int i = 0; i < c.length; i++) {
      c[i] = m.get(i, j);
    }
    return c;
  }

  static double norm(float[] x) {
    double s = 0;
    for (float v : x) {
      s += (double) v * v;
    }
    return Math.sqrt(s);
  }

  /** max |(MᵀM − I)_ij| for the columns of m, in double. */
  static double columnOrthonormalityError(FloatMatrix m) {
    double worst = 0;
    for (int a = 0; a < m.cols(); a++) {
      for (int b = 0; b < m.cols(); b++) {
        double s = 0;
        for (int i = 0; i < m.rows(); i++) {
          s += (double) m.get(i, a) * m.get(i, b);
        }
        worst = Math.max(worst, Math.abs(s - (a == b ? 1 : 0)));
      }
    }
    return worst;
  }
}
