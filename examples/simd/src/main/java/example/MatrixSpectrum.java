package example;

import io.github.spectral4j.simd.Blas;
import io.github.spectral4j.simd.FloatMatrix;
import io.github.spectral4j.simd.SpectralNorm;
import io.github.spectral4j.simd.SpectralNorms;
import java.util.Arrays;

/** The spectral norm and stable rank of your own matrix, and a GEMM, on the Vector API kernels. */
public final class MatrixSpectrum {
  public static void main(String[] args) {
    System.out.println("kernels: " + Blas.implementation());

    // Your matrix, row-major: here 500 x 300 Gaussian noise of standard deviation 0.01 plus the rank-1
    // signal 3 * u * v^T with unit vectors u, v. The noise lifts sigma_1 to 3 + 0.01^2 * (500 + 300) / 6
    // = 3.013 on average, give or take 0.01, and the stable rank ||A||_F^2 / sigma_1^2 from 1 to about
    // (3^2 + 0.01^2 * 500 * 300) / 3.013^2 = 2.64.
    int rows = 500;
    int cols = 300;
    FloatMatrix a = FloatMatrix.gaussian(rows, cols, 0.01, 42);
    float[] u = new float[rows];
    float[] v = new float[cols];
    Arrays.fill(u, (float) (1 / Math.sqrt(rows)));
    Arrays.fill(v, (float) (1 / Math.sqrt(cols)));
    Blas.ger(3f, u, v, a); // a += 3 * u * v^T (a is modified)

    // One-off: sigma_1 to relative accuracy 1e-6, and the stable rank.
    System.out.printf("sigma_1 = %.5f  stable rank = %.3f%n",
        SpectralNorms.spectralNorm(a), SpectralNorms.stableRank(a));

    // Repeatedly, e.g. once per training step: a solver keeps its buffers and starts from its last
    // singular vector, so after a small change of the matrix it needs only a few passes over it.
    SpectralNorm solver = new SpectralNorm(rows, cols).setOptions(1000, 1e-6);
    SpectralNorm.Result cold = solver.of(a);
    Blas.ger(0.01f, u, v, a); // a small change along the top singular direction: sigma_1 grows ~0.01
    SpectralNorm.Result warm = solver.of(a);
    System.out.printf("solver: sigma_1 = %.5f in %d passes, after a small change %.5f in %d passes%n",
        cold.sigma(), cold.passes(), warm.sigma(), warm.passes());

    // GEMM: G = A^T * A (300 x 300). Its largest eigenvalue, which is its spectral norm, is sigma_1^2.
    FloatMatrix g = FloatMatrix.zeros(cols, cols);
    Blas.gemm(true, false, 1f, a, a, 0f, g);
    System.out.printf("||A^T A||* = %.4f = sigma_1^2 = %.4f%n",
        SpectralNorms.spectralNorm(g), warm.sigma() * warm.sigma());
  }
}
