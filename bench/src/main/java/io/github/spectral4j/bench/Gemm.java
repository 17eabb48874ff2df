package io.github.spectral4j.bench;

import io.github.spectral4j.simd.Blas;
import io.github.spectral4j.simd.FloatMatrix;
import java.util.Arrays;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;

/**
 * One square SGEMM {@code C = op(A)·op(B)} (α = 1, β = 0) of a given implementation, with its inputs
 * allocated once. The implementations are the contestants of {@link GemmBenchmark}:
 * {@code vector} (spectral4j's {@link Blas#gemm}), {@code scalar} (plain Java loops in the best order
 * for each transpose), {@code ejml} ({@link CommonOps_FDRM}) and {@code openblas} ({@code cblas_sgemm}
 * on off-heap buffers, so that no JNI array copy is timed).
 */
abstract sealed class Gemm {
  final int n;
  final boolean transA;
  final boolean transB;

  private Gemm(int n, String op) {
    this.n = n;
    this.transA = switch (op) {
      case "NN", "NT" -> false;
      case "TN", "TT" -> true;
      default -> throw new IllegalArgumentException("op must be NN, NT, TN or TT, got " + op);
    };
    this.transB = op.charAt(1) == 'T';
  }

  /** Runs one multiplication and returns something that depends on its result. */
  abstract Object run();

  /** C as a row-major float array (for cross-checking the contestants). */
  abstract float[] result();

  static Gemm create(String impl, String op, int n, int threads, long seed) {
    FloatMatrix a = FloatMatrix.gaussian(n, n, 1.0, seed);
    FloatMatrix b = FloatMatrix.gaussian(n, n, 1.0, seed + 1);
    return switch (impl) {
      case "vector" -> new Vector(n, op, a, b, threads);
      case "scalar" -> new Scalar(n, op, a, b);
      case "ejml" -> new Ejml(n, op, a, b);
      case "openblas" -> new OpenBlasGemm(n, op, a, b, threads);
      default -> throw new IllegalArgumentException("impl must be vector, scalar, ejml or openblas, got " + impl);
    };
  }

  static final class Vector extends Gemm {
    private final FloatMatrix a;
    private final FloatMatrix b;
    private final FloatMatrix c;

    Vector(int n, String op, FloatMatrix a, FloatMatrix b, int threads) {
      super(n, op);
      this.a = a;
      this.b = b;
      this.c = FloatMatrix.zeros(n, n);
      Kernels.init(threads);
    }

    @Override
    Object run() {
      Blas.gemm(transA, transB, 1f, a, b, 0f, c);
      return c;
    }

    @Override
    float[] result() {
      return c.data();
    }
  }

  /** What a careful user writes without the Vector API: the loop order that streams rows. */
  static final class Scalar extends Gemm {
    private final float[] a;
    private final float[] b;
    private final float[] c;

    Scalar(int n, String op, FloatMatrix a, FloatMatrix b) {
      super(n, op);
      this.a = a.data();
      this.b = b.data();
      this.c = new float[n * n];
    }

    @Override
    Object run() {
      if (!transB) {
        Arrays.fill(c, 0f);
        if (!transA) {
          multNN(n, a, b, c);
        } else {
          multTN(n, a, b, c);
        }
      } else if (!transA) {
        multNT(n, a, b, c);
      } else {
        throw new UnsupportedOperationException("scalar TT is not benchmarked");
      }
      return c;
    }

    @Override
    float[] result() {
      return c;
    }

    /** C = A·B in i-k-j order: the inner loop is an axpy over contiguous rows of B and C. */
    static void multNN(int n, float[] a, float[] b, float[] c) {
      for (int i = 0; i < n; i++) {
        int ci = i * n;
        for (int p = 0; p < n; p++) {
          float aip = a[ci + p];
          int bp = p * n;
          for (int j = 0; j < n; j++) {
            c[ci + j] += aip * b[bp + j];
          }
        }
      }
    }

    /** C = Aᵀ·B in k-i-j order: row p of A scales row p of B into every row of C. */
    static void multTN(int n, float[] a, float[] b, float[] c) {
      for (int p = 0; p < n; p++) {
        int ap = p * n;
        for (int i = 0; i < n; i++) {
          float api = a[ap + i];
          int ci = i * n;
          for (int j = 0; j < n; j++) {
            c[ci + j] += api * b[ap + j];
          }
        }
      }
    }

    /** C = A·Bᵀ in i-j-k order: every entry is a dot product of two contiguous rows. */
    static void multNT(int n, float[] a, float[] b, float[] c) {
      for (int i = 0; i < n; i++) {
        int ai = i * n;
        for (int j = 0; j < n; j++) {
          int bj = j * n;
          float s = 0f;
          for (int p = 0; p < n; p++) {
            s += a[ai + p] * b[bj + p];
          }
          c[ai + j] = s;
        }
      }
    }
  }

  static final class Ejml extends Gemm {
    private final FMatrixRMaj a;
    private final FMatrixRMaj b;
    private final FMatrixRMaj c;

    Ejml(int n, String op, FloatMatrix a, FloatMatrix b) {
      super(n, op);
      this.a = FMatrixRMaj.wrap(n, n, a.data());
      this.b = FMatrixRMaj.wrap(n, n, b.data());
      this.c = new FMatrixRMaj(n, n);
    }

    @Override
    Object run() {
      if (!transA && !transB) {
        CommonOps_FDRM.mult(a, b, c);
      } else if (transA && !transB) {
        CommonOps_FDRM.multTransA(a, b, c);
      } else if (!transA) {
        CommonOps_FDRM.multTransB(a, b, c);
      } else {
        CommonOps_FDRM.multTransAB(a, b, c);
      }
      return c;
    }

    @Override
    float[] result() {
      return c.data;
    }
  }

  static final class OpenBlasGemm extends Gemm {
    private final FloatPointer a;
    private final FloatPointer b;
    private final FloatPointer c;

    OpenBlasGemm(int n, String op, FloatMatrix a, FloatMatrix b, int threads) {
      super(n, op);
      OpenBlas.init(threads);
      this.a = OpenBlas.offHeap(a.data());
      this.b = OpenBlas.offHeap(b.data());
      this.c = new FloatPointer((long) n * n);
    }

    @Override
    Object run() {
      openblas.cblas_sgemm(openblas.CblasRowMajor,
          transA ? openblas.CblasTrans : openblas.CblasNoTrans,
          transB ? openblas.CblasTrans : openblas.CblasNoTrans,
          n, n, n, 1f, a, n, b, n, 0f, c, n);
      return c;
    }

    @Override
    float[] result() {
      float[] out = new float[n * n];
      c.get(out);
      return out;
    }
  }
}
