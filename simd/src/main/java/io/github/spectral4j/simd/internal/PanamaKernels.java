package io.github.spectral4j.simd.internal;

import static io.github.spectral4j.simd.internal.PanamaConstants.DOUBLE;
import static io.github.spectral4j.simd.internal.PanamaConstants.DOUBLE_FOLDS;
import static io.github.spectral4j.simd.internal.PanamaConstants.FLOAT;
import static io.github.spectral4j.simd.internal.PanamaConstants.FLOAT_FOLDS;
import static io.github.spectral4j.simd.internal.PanamaConstants.FLOAT_HALF;
import static io.github.spectral4j.simd.internal.PanamaConstants.LANES;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;

/**
 * Kernels on the Vector API ({@code jdk.incubator.vector}). Loaded only by name from
 * {@link KernelProvider}, so nothing here is touched when the module is absent. Each loop is: vector body
 * up to the species' loop bound (with several accumulators where there is a reduction), then a scalar
 * tail. GEMM lives in {@link PanamaGemm}.
 */
final class PanamaKernels implements Kernels {
  /** Four vectors per step in reductions (see {@link #dot}). */
  private static final int UNROLL = 4;

  /** Narrower vectors (or none: 64 bits) give no gain over scalar code. */
  static final int MIN_BITS = 128;

  /** Fails when the CPU's vectors are too narrow for these kernels to beat the scalar ones. */
  PanamaKernels() {
    if (FLOAT.vectorBitSize() < MIN_BITS) {
      throw new UnsupportedOperationException(
          "the preferred vector size is " + FLOAT.vectorBitSize() + " bits; the SIMD kernels need " + MIN_BITS);
    }
  }

  @Override
  public String name() {
    return "panama (" + FLOAT.vectorBitSize() + "-bit)";
  }

  @Override
  public float dot(int n, float[] x, int xOff, float[] y, int yOff) {
    // A dot product needs two loads per FMA, so the load ports cap it near one vector FMA per cycle;
    // four independent accumulators cover the 4-cycle FMA latency at that rate (more would only add
    // register pressure and a longer tail).
    int i = 0;
    FloatVector acc = FloatVector.zero(FLOAT);
    int bound4 = n - n % (UNROLL * LANES);
    if (bound4 > 0) {
      FloatVector s1 = FloatVector.zero(FLOAT);
      FloatVector s2 = FloatVector.zero(FLOAT);
      FloatVector s3 = FloatVector.zero(FLOAT);
      for (; i < bound4; i += UNROLL * LANES) {
        acc = FloatVector.fromArray(FLOAT, x, xOff + i).fma(FloatVector.fromArray(FLOAT, y, yOff + i), acc);
        s1 = FloatVector.fromArray(FLOAT, x, xOff + i + LANES)
            .fma(FloatVector.fromArray(FLOAT, y, yOff + i + LANES), s1);
        s2 = FloatVector.fromArray(FLOAT, x, xOff + i + 2 * LANES)
            .fma(FloatVector.fromArray(FLOAT, y, yOff + i + 2 * LANES), s2);
        s3 = FloatVector.fromArray(FLOAT, x, xOff + i + 3 * LANES)
            .fma(FloatVector.fromArray(FLOAT, y, yOff + i + 3 * LANES), s3);
      }
      acc = acc.add(s1).add(s2.add(s3));
    }
    int bound = FLOAT.loopBound(n);
    for (; i < bound; i += LANES) {
      acc = FloatVector.fromArray(FLOAT, x, xOff + i).fma(FloatVector.fromArray(FLOAT, y, yOff + i), acc);
    }
    float s = sumLanes(acc);
    for (; i < n; i++) {
      s = Math.fma(x[xOff + i], y[yOff + i], s);
    }
    return s;
  }

  @Override
  public void axpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
    // Every element is independent (no reduction chain), so one vector per step suffices; C2 unrolls.
    FloatVector a = FloatVector.broadcast(FLOAT, alpha);
    int i = 0;
    int bound = FLOAT.loopBound(n);
    for (; i < bound; i += LANES) {
      FloatVector.fromArray(FLOAT, x, xOff + i)
          .fma(a, FloatVector.fromArray(FLOAT, y, yOff + i))
          .intoArray(y, yOff + i);
    }
    for (; i < n; i++) {
      y[yOff + i] = Math.fma(x[xOff + i], alpha, y[yOff + i]);
    }
  }

  @Override
  public void scal(int n, float alpha, float[] x, int xOff) {
    // Independent elements, as in axpy: no unrolling by hand.
    int i = 0;
    int bound = FLOAT.loopBound(n);
    for (; i < bound; i += LANES) {
      FloatVector.fromArray(FLOAT, x, xOff + i).mul(alpha).intoArray(x, xOff + i);
    }
    for (; i < n; i++) {
      x[xOff + i] *= alpha;
    }
  }

  @Override
  public double sumOfSquares(int n, float[] x, int xOff) {
    // Each half-width float load widens into one double vector; four double accumulators cover the FMA
    // latency, as in dot (one load per FMA here, but the conversion also takes a pipe).
    int half = FLOAT_HALF.length();
    int i = 0;
    DoubleVector acc = DoubleVector.zero(DOUBLE);
    int bound4 = n - n % (UNROLL * half);
    if (bound4 > 0) {
      DoubleVector s1 = DoubleVector.zero(DOUBLE);
      DoubleVector s2 = DoubleVector.zero(DOUBLE);
      DoubleVector s3 = DoubleVector.zero(DOUBLE);
      for (; i < bound4; i += UNROLL * half) {
        DoubleVector v0 = widen(x, xOff + i);
        DoubleVector v1 = widen(x, xOff + i + half);
        DoubleVector v2 = widen(x, xOff + i + 2 * half);
        DoubleVector v3 = widen(x, xOff + i + 3 * half);
        acc = v0.fma(v0, acc);
        s1 = v1.fma(v1, s1);
        s2 = v2.fma(v2, s2);
        s3 = v3.fma(v3, s3);
      }
      acc = acc.add(s1).add(s2.add(s3));
    }
    int bound = n - n % half;
    for (; i < bound; i += half) {
      DoubleVector v = widen(x, xOff + i);
      acc = v.fma(v, acc);
    }
    double s = sumLanes(acc);
    for (; i < n; i++) {
      double v = x[xOff + i];
      s += v * v;
    }
    return s;
  }

  /**
   * The sum of a vector's lanes in one fixed order — a pairwise tree, lane i + h folded into lane i for
   * h = LANES/2, …, 1. {@code reduceLanes(ADD)} leaves the order unspecified, and the interpreter and C2
   * do use different orders, so the same call could round differently before and after compilation;
   * lane-wise adds are exact IEEE operations in every tier, so this sum is bit-reproducible.
   */
  static float sumLanes(FloatVector v) {
    for (VectorShuffle<Float> fold : FLOAT_FOLDS) {
      v = v.add(v.rearrange(fold));
    }
    return v.lane(0);
  }

  /** As {@link #sumLanes(FloatVector)}, for the double accumulators. */
  static double sumLanes(DoubleVector v) {
    for (VectorShuffle<Double> fold : DOUBLE_FOLDS) {
      v = v.add(v.rearrange(fold));
    }
    return v.lane(0);
  }

  private static DoubleVector widen(float[] x, int offset) {
    return (DoubleVector) FloatVector.fromArray(FLOAT_HALF, x, offset).convertShape(VectorOperators.F2D, DOUBLE, 0);
  }

  @Override
  public void gemv(boolean transA, int m, int n, float alpha, float[] a, int lda, float[] x, float beta, float[] y) {
    if (!transA) {
      gemvN(m, n, alpha, a, lda, x, beta, y);
    } else {
      if (beta == 0) {
        java.util.Arrays.fill(y, 0, n, 0f);
      } else if (beta != 1) {
        scal(n, beta, y, 0);
      }
      int i = 0;
      for (; i + 4 <= m; i += 4) {
        axpy4(n, alpha * x[i], alpha * x[i + 1], alpha * x[i + 2], alpha * x[i + 3], a, i * lda, lda, y);
      }
      for (; i < m; i++) {
        axpy(n, alpha * x[i], a, i * lda, y, 0);
      }
    }
  }

  private void gemvN(int m, int n, float alpha, float[] a, int lda, float[] x, float beta, float[] y) {
    int i = 0;
    for (; i + 4 <= m; i += 4) {
      dot4(n, a, i * lda, lda, x, y, i, alpha, beta);
    }
    for (; i < m; i++) {
      float s = alpha * dot(n, a, i * lda, x, 0);
      y[i] = beta == 0 ? s : s + beta * y[i];
    }
  }

  /**
   * out[o + r] = α·(row r of the 4 rows at aOff)·x + β·out[o + r] for r &lt; 4 (β = 0 overwrites). One load
   * of x serves four rows, and the four row sums are four independent FMA chains.
   */
  private static void dot4(int n, float[] a, int aOff, int lda, float[] x, float[] out, int o, float alpha, float beta) {
    int r0 = aOff;
    int r1 = aOff + lda;
    int r2 = aOff + 2 * lda;
    int r3 = aOff + 3 * lda;
    FloatVector s0 = FloatVector.zero(FLOAT);
    FloatVector s1 = FloatVector.zero(FLOAT);
    FloatVector s2 = FloatVector.zero(FLOAT);
    FloatVector s3 = FloatVector.zero(FLOAT);
    int j = 0;
    int bound = FLOAT.loopBound(n);
    for (; j < bound; j += LANES) {
      FloatVector xv = FloatVector.fromArray(FLOAT, x, j);
      s0 = FloatVector.fromArray(FLOAT, a, r0 + j).fma(xv, s0);
      s1 = FloatVector.fromArray(FLOAT, a, r1 + j).fma(xv, s1);
      s2 = FloatVector.fromArray(FLOAT, a, r2 + j).fma(xv, s2);
      s3 = FloatVector.fromArray(FLOAT, a, r3 + j).fma(xv, s3);
    }
    float d0 = sumLanes(s0);
    float d1 = sumLanes(s1);
    float d2 = sumLanes(s2);
    float d3 = sumLanes(s3);
    for (; j < n; j++) {
      float xj = x[j];
      d0 = Math.fma(a[r0 + j], xj, d0);
      d1 = Math.fma(a[r1 + j], xj, d1);
      d2 = Math.fma(a[r2 + j], xj, d2);
      d3 = Math.fma(a[r3 + j], xj, d3);
    }
    if (beta == 0) {
      out[o] = alpha * d0;
      out[o + 1] = alpha * d1;
      out[o + 2] = alpha * d2;
      out[o + 3] = alpha * d3;
    } else {
      out[o] = alpha * d0 + beta * out[o];
      out[o + 1] = alpha * d1 + beta * out[o + 1];
      out[o + 2] = alpha * d2 + beta * out[o + 2];
      out[o + 3] = alpha * d3 + beta * out[o + 3];
    }
  }

  /** y += s0·row0 + s1·row1 + s2·row2 + s3·row3 for the 4 rows at aOff: one load and store of y per 4 rows. */
  private static void axpy4(int n, float s0, float s1, float s2, float s3, float[] a, int aOff, int lda, float[] y) {
    int r0 = aOff;
    int r1 = aOff + lda;
    int r2 = aOff + 2 * lda;
    int r3 = aOff + 3 * lda;
    FloatVector v0 = FloatVector.broadcast(FLOAT, s0);
    FloatVector v1 = FloatVector.broadcast(FLOAT, s1);
    FloatVector v2 = FloatVector.broadcast(FLOAT, s2);
    FloatVector v3 = FloatVector.broadcast(FLOAT, s3);
    int j = 0;
    int bound = FLOAT.loopBound(n);
    for (; j < bound; j += LANES) {
      FloatVector yv = FloatVector.fromArray(FLOAT, y, j);
      yv = FloatVector.fromArray(FLOAT, a, r0 + j).fma(v0, yv);
      yv = FloatVector.fromArray(FLOAT, a, r1 + j).fma(v1, yv);
      yv = FloatVector.fromArray(FLOAT, a, r2 + j).fma(v2, yv);
      yv = FloatVector.fromArray(FLOAT, a, r3 + j).fma(v3, yv);
      yv.intoArray(y, j);
    }
    for (; j < n; j++) {
      float yj = y[j];
      yj = Math.fma(a[r0 + j], s0, yj);
      yj = Math.fma(a[r1 + j], s1, yj);
      yj = Math.fma(a[r2 + j], s2, yj);
      yj = Math.fma(a[r3 + j], s3, yj);
      y[j] = yj;
    }
  }

  @Override
  public void ger(int m, int n, float alpha, float[] x, float[] y, float[] a, int lda) {
    for (int i = 0; i < m; i++) {
      axpy(n, alpha * x[i], y, 0, a, i * lda);
    }
  }

  @Override
  public void gemm(
      boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int lda, float[] b, int ldb,
      float beta, float[] c, int ldc, int threads) {
    // A single row or column of C is a matrix-vector product; the packed path would pad it to a whole
    // 6 × 32 tile. A 1 × k op(A) and a k × 1 op(B) are contiguous in memory whether transposed or not.
    if (m == 1) {
      // cᵀ = α·op(B)ᵀ·aᵀ + β·cᵀ
      gemv(!transB, transB ? n : k, transB ? k : n, alpha, b, ldb, a, beta, c);
      return;
    }
    if (n == 1 && ldc == 1) {
      gemv(transA, transA ? k : m, transA ? m : k, alpha, a, lda, b, beta, c);
      return;
    }
    PanamaGemm.gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads);
  }

  @Override
  public void gramTimes(int m, int n, float[] a, int lda, float[] v, float[] av, float[] out) {
    java.util.Arrays.fill(out, 0, n, 0f);
    int i = 0;
    // Four rows at a time: their dots with v, then (rows still in L1) their axpy into out.
    for (; i + 4 <= m; i += 4) {
      int r = i * lda;
      dot4(n, a, r, lda, v, av, i, 1f, 0f);
      axpy4(n, av[i], av[i + 1], av[i + 2], av[i + 3], a, r, lda, out);
    }
    for (; i < m; i++) {
      float s = dot(n, a, i * lda, v, 0);
      av[i] = s;
      axpy(n, s, a, i * lda, out, 0);
    }
  }
}
