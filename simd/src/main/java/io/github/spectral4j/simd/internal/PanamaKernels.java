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

  @Override
  public void addWithSquares(int n, float[] x, float[] y, double[] sums) {
    // Memory-bound (x and y read, y written once): one half-width step at a time, each half widened to
    // double for the squares; two accumulators per sum cover the FMA latency at the rate memory feeds them.
    int half = FLOAT_HALF.length();
    DoubleVector sx0 = DoubleVector.zero(DOUBLE);
    DoubleVector sx1 = DoubleVector.zero(DOUBLE);
    DoubleVector sy0 = DoubleVector.zero(DOUBLE);
    DoubleVector sy1 = DoubleVector.zero(DOUBLE);
    int i = 0;
    int bound = n - n % (2 * half);
    for (; i < bound; i += 2 * half) {
      FloatVector x0 = FloatVector.fromArray(FLOAT_HALF, x, i);
      FloatVector x1 = FloatVector.fromArray(FLOAT_HALF, x, i + half);
      FloatVector y0 = FloatVector.fromArray(FLOAT_HALF, y, i).add(x0);
      FloatVector y1 = FloatVector.fromArray(FLOAT_HALF, y, i + half).add(x1);
      y0.intoArray(y, i);
      y1.intoArray(y, i + half);
      DoubleVector dx0 = (DoubleVector) x0.convertShape(VectorOperators.F2D, DOUBLE, 0);
      DoubleVector dx1 = (DoubleVector) x1.convertShape(VectorOperators.F2D, DOUBLE, 0);
      DoubleVector dy0 = (DoubleVector) y0.convertShape(VectorOperators.F2D, DOUBLE, 0);
      DoubleVector dy1 = (DoubleVector) y1.convertShape(VectorOperators.F2D, DOUBLE, 0);
      sx0 = dx0.fma(dx0, sx0);
      sx1 = dx1.fma(dx1, sx1);
      sy0 = dy0.fma(dy0, sy0);
      sy1 = dy1.fma(dy1, sy1);
    }
    sums[0] = sumLanes(sx0.add(sx1));
    sums[1] = sumLanes(sy0.add(sy1));
    ScalarKernels.addWithSquares(i, n, x, y, sums);
  }

  /**
   * The sum of a vector's lanes in one fixed order — a pairwise tree, lane i + h folded into lane i for
   * h = LANES/2, …, 1. {@code reduceLanes(ADD)} leaves the order unspecified, and the interpreter and C2
   * do use different orders, so the same call could round differently before and after compilation;
   * lane-wise adds are exact IEEE operations in every tier, so this sum is bit-reproducible.
   */
  static float sumLanes(FloatVector v) {
    // Unrolled over static final shuffles (constants to C2; a loop over the list kept the vector boxed
    // and cost ~25 ns per call). The folds beyond FLOAT_FOLDS.size() are dead code for this species.
    if (F_FOLDS > 0) {
      v = v.add(v.rearrange(F0));
    }
    if (F_FOLDS > 1) {
      v = v.add(v.rearrange(F1));
    }
    if (F_FOLDS > 2) {
      v = v.add(v.rearrange(F2));
    }
    if (F_FOLDS > 3) {
      v = v.add(v.rearrange(F3));
    }
    for (int i = 4; i < F_FOLDS; i++) {
      v = v.add(v.rearrange(FLOAT_FOLDS.get(i)));
    }
    return v.lane(0);
  }

  /** As {@link #sumLanes(FloatVector)}, for the double accumulators. */
  static double sumLanes(DoubleVector v) {
    if (D_FOLDS > 0) {
      v = v.add(v.rearrange(D0));
    }
    if (D_FOLDS > 1) {
      v = v.add(v.rearrange(D1));
    }
    if (D_FOLDS > 2) {
      v = v.add(v.rearrange(D2));
    }
    for (int i = 3; i < D_FOLDS; i++) {
      v = v.add(v.rearrange(DOUBLE_FOLDS.get(i)));
    }
    return v.lane(0);
  }

  private static final int F_FOLDS = FLOAT_FOLDS.size();
  private static final VectorShuffle<Float> F0 = F_FOLDS > 0 ? FLOAT_FOLDS.get(0) : null;
  private static final VectorShuffle<Float> F1 = F_FOLDS > 1 ? FLOAT_FOLDS.get(1) : null;
  private static final VectorShuffle<Float> F2 = F_FOLDS > 2 ? FLOAT_FOLDS.get(2) : null;
  private static final VectorShuffle<Float> F3 = F_FOLDS > 3 ? FLOAT_FOLDS.get(3) : null;
  private static final int D_FOLDS = DOUBLE_FOLDS.size();
  private static final VectorShuffle<Double> D0 = D_FOLDS > 0 ? DOUBLE_FOLDS.get(0) : null;
  private static final VectorShuffle<Double> D1 = D_FOLDS > 1 ? DOUBLE_FOLDS.get(1) : null;
  private static final VectorShuffle<Double> D2 = D_FOLDS > 2 ? DOUBLE_FOLDS.get(2) : null;

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
      dot4(n, a, i * lda, lda, x, 0, y, i, alpha, beta);
    }
    for (; i < m; i++) {
      float s = alpha * dot(n, a, i * lda, x, 0);
      y[i] = beta == 0 ? s : s + beta * y[i];
    }
  }

  /**
   * out[o + r] = α·(row r of the 4 rows at aOff)·x[xOff ..] + β·out[o + r] for r &lt; 4 (β = 0 overwrites). One load
   * of x serves four rows, and the four row sums are four independent FMA chains.
   */
  private static void dot4(
      int n, float[] a, int aOff, int lda, float[] x, int xOff, float[] out, int o, float alpha, float beta) {
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
      FloatVector xv = FloatVector.fromArray(FLOAT, x, xOff + j);
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
      float xj = x[xOff + j];
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
    if (!transA && transB && m < SMALL_M) {
      smallNT(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads);
      return;
    }
    if (!transA && transB && m <= PanamaThinGemm.MAX_M) {
      PanamaThinGemm.gemmNT(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads);
      return;
    }
    PanamaGemm.gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads);
  }

  /**
   * Rows of C below which A·Bᵀ runs as dot products on unpacked B (see {@link #smallNT}); from here to
   * {@link PanamaThinGemm#MAX_M} rows it runs as the transposed product on unpacked B (measured: the dot
   * products win below 8 rows, where a panel vector would be mostly padding).
   */
  static final int SMALL_M = 8;

  /** Below this many multiply-adds a small-m product runs on the calling thread only (as in PanamaGemm). */
  private static final long SMALL_PARALLEL_THRESHOLD = 1L << 21;

  /**
   * C = α·A·Bᵀ + β·C for few rows of A (m &lt; {@link #SMALL_M}): with B row-major, each C(i, j) is the dot
   * product of row i of A with row j of B, both contiguous, so nothing is packed. Four rows of B at a
   * time are read once from memory (and stay in L1) while they meet all m rows of A (held in L1/L2),
   * four by four: 16 independent accumulators and 8 vector loads per 16 FMAs. Packing all of B for
   * a few rows of C would cost more than the product itself. Every element of C gets the same sequence
   * of operations (one vector accumulator over k in order, the fixed-order lane sum, a scalar tail) in
   * whatever block it falls, so the result does not depend on the blocking or on the thread count.
   */
  private static void smallNT(
      int m, int n, int k, float alpha, float[] a, int lda, float[] b, int ldb, float beta, float[] c, int ldc,
      int threads) {
    int groups = (n + 3) / 4;
    int t = (long) m * n * k < SMALL_PARALLEL_THRESHOLD ? 1 : Math.min(threads, groups);
    if (t <= 1) {
      smallNT(0, n, m, k, alpha, a, lda, b, ldb, beta, c, ldc);
      return;
    }
    Parallel.forEach(t, task -> {
      int j0 = Parallel.split(groups, t, task) * 4;
      int j1 = Math.min(n, Parallel.split(groups, t, task + 1) * 4);
      smallNT(j0, j1, m, k, alpha, a, lda, b, ldb, beta, c, ldc);
    });
  }

  /** Columns [j0, j1) of the small-m product. */
  private static void smallNT(
      int j0, int j1, int m, int k, float alpha, float[] a, int lda, float[] b, int ldb, float beta, float[] c,
      int ldc) {
    int j = j0;
    for (; j + 4 <= j1; j += 4) {
      int i = 0;
      for (; i + 4 <= m; i += 4) {
        dots4x4(k, a, i * lda, lda, b, j * ldb, ldb, c, i * ldc + j, ldc, alpha, beta);
      }
      for (; i < m; i++) {
        dot4(k, b, j * ldb, ldb, a, i * lda, c, i * ldc + j, alpha, beta);
      }
    }
    for (; j < j1; j++) {
      for (int i = 0; i < m; i++) {
        c[i * ldc + j] = scaled(dot1(k, a, i * lda, b, j * ldb), alpha, beta, c[i * ldc + j]);
      }
    }
  }

  private static float scaled(float s, float alpha, float beta, float c) {
    return beta == 0 ? alpha * s : alpha * s + beta * c;
  }

  /** x·y with one accumulator, in the element order of {@link #dots4x4} and {@link #dot4}. */
  private static float dot1(int n, float[] x, int xOff, float[] y, int yOff) {
    FloatVector acc = FloatVector.zero(FLOAT);
    int p = 0;
    int bound = FLOAT.loopBound(n);
    for (; p < bound; p += LANES) {
      acc = FloatVector.fromArray(FLOAT, x, xOff + p).fma(FloatVector.fromArray(FLOAT, y, yOff + p), acc);
    }
    float s = sumLanes(acc);
    for (; p < n; p++) {
      s = Math.fma(x[xOff + p], y[yOff + p], s);
    }
    return s;
  }

  /**
   * C(i + r, j + q) = α·(row r of the 4 A rows at aOff)·(row q of the 4 B rows at bOff) + β·C for r, q &lt; 4:
   * 16 accumulators, each step loading four vectors of B and four of A. (The rows of A left over below a
   * multiple of four go through {@link #dot4}, with the four B rows as its matrix: the same operations.)
   */
  private static void dots4x4(
      int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc, float alpha,
      float beta) {
    FloatVector c00 = FloatVector.zero(FLOAT);
    FloatVector c01 = FloatVector.zero(FLOAT);
    FloatVector c02 = FloatVector.zero(FLOAT);
    FloatVector c03 = FloatVector.zero(FLOAT);
    FloatVector c10 = FloatVector.zero(FLOAT);
    FloatVector c11 = FloatVector.zero(FLOAT);
    FloatVector c12 = FloatVector.zero(FLOAT);
    FloatVector c13 = FloatVector.zero(FLOAT);
    FloatVector c20 = FloatVector.zero(FLOAT);
    FloatVector c21 = FloatVector.zero(FLOAT);
    FloatVector c22 = FloatVector.zero(FLOAT);
    FloatVector c23 = FloatVector.zero(FLOAT);
    FloatVector c30 = FloatVector.zero(FLOAT);
    FloatVector c31 = FloatVector.zero(FLOAT);
    FloatVector c32 = FloatVector.zero(FLOAT);
    FloatVector c33 = FloatVector.zero(FLOAT);
    int a0 = aOff;
    int a1 = a0 + lda;
    int a2 = a1 + lda;
    int a3 = a2 + lda;
    int b0 = bOff;
    int b1 = b0 + ldb;
    int b2 = b1 + ldb;
    int b3 = b2 + ldb;
    int p = 0;
    int bound = FLOAT.loopBound(k);
    for (; p < bound; p += LANES) {
      FloatVector v0 = FloatVector.fromArray(FLOAT, b, b0 + p);
      FloatVector v1 = FloatVector.fromArray(FLOAT, b, b1 + p);
      FloatVector v2 = FloatVector.fromArray(FLOAT, b, b2 + p);
      FloatVector v3 = FloatVector.fromArray(FLOAT, b, b3 + p);
      FloatVector x = FloatVector.fromArray(FLOAT, a, a0 + p);
      c00 = x.fma(v0, c00);
      c01 = x.fma(v1, c01);
      c02 = x.fma(v2, c02);
      c03 = x.fma(v3, c03);
      x = FloatVector.fromArray(FLOAT, a, a1 + p);
      c10 = x.fma(v0, c10);
      c11 = x.fma(v1, c11);
      c12 = x.fma(v2, c12);
      c13 = x.fma(v3, c13);
      x = FloatVector.fromArray(FLOAT, a, a2 + p);
      c20 = x.fma(v0, c20);
      c21 = x.fma(v1, c21);
      c22 = x.fma(v2, c22);
      c23 = x.fma(v3, c23);
      x = FloatVector.fromArray(FLOAT, a, a3 + p);
      c30 = x.fma(v0, c30);
      c31 = x.fma(v1, c31);
      c32 = x.fma(v2, c32);
      c33 = x.fma(v3, c33);
    }
    // Lane sums first, then the scalar tails in element order: as in dot1.
    float s00 = sumLanes(c00);
    float s01 = sumLanes(c01);
    float s02 = sumLanes(c02);
    float s03 = sumLanes(c03);
    float s10 = sumLanes(c10);
    float s11 = sumLanes(c11);
    float s12 = sumLanes(c12);
    float s13 = sumLanes(c13);
    float s20 = sumLanes(c20);
    float s21 = sumLanes(c21);
    float s22 = sumLanes(c22);
    float s23 = sumLanes(c23);
    float s30 = sumLanes(c30);
    float s31 = sumLanes(c31);
    float s32 = sumLanes(c32);
    float s33 = sumLanes(c33);
    for (; p < k; p++) {
      float x0 = a[a0 + p];
      float x1 = a[a1 + p];
      float x2 = a[a2 + p];
      float x3 = a[a3 + p];
      float y0 = b[b0 + p];
      float y1 = b[b1 + p];
      float y2 = b[b2 + p];
      float y3 = b[b3 + p];
      s00 = Math.fma(x0, y0, s00);
      s01 = Math.fma(x0, y1, s01);
      s02 = Math.fma(x0, y2, s02);
      s03 = Math.fma(x0, y3, s03);
      s10 = Math.fma(x1, y0, s10);
      s11 = Math.fma(x1, y1, s11);
      s12 = Math.fma(x1, y2, s12);
      s13 = Math.fma(x1, y3, s13);
      s20 = Math.fma(x2, y0, s20);
      s21 = Math.fma(x2, y1, s21);
      s22 = Math.fma(x2, y2, s22);
      s23 = Math.fma(x2, y3, s23);
      s30 = Math.fma(x3, y0, s30);
      s31 = Math.fma(x3, y1, s31);
      s32 = Math.fma(x3, y2, s32);
      s33 = Math.fma(x3, y3, s33);
    }
    int o = cOff;
    c[o] = scaled(s00, alpha, beta, c[o]);
    c[o + 1] = scaled(s01, alpha, beta, c[o + 1]);
    c[o + 2] = scaled(s02, alpha, beta, c[o + 2]);
    c[o + 3] = scaled(s03, alpha, beta, c[o + 3]);
    o += ldc;
    c[o] = scaled(s10, alpha, beta, c[o]);
    c[o + 1] = scaled(s11, alpha, beta, c[o + 1]);
    c[o + 2] = scaled(s12, alpha, beta, c[o + 2]);
    c[o + 3] = scaled(s13, alpha, beta, c[o + 3]);
    o += ldc;
    c[o] = scaled(s20, alpha, beta, c[o]);
    c[o + 1] = scaled(s21, alpha, beta, c[o + 1]);
    c[o + 2] = scaled(s22, alpha, beta, c[o + 2]);
    c[o + 3] = scaled(s23, alpha, beta, c[o + 3]);
    o += ldc;
    c[o] = scaled(s30, alpha, beta, c[o]);
    c[o + 1] = scaled(s31, alpha, beta, c[o + 1]);
    c[o + 2] = scaled(s32, alpha, beta, c[o + 2]);
    c[o + 3] = scaled(s33, alpha, beta, c[o + 3]);
  }

  @Override
  public void gramTimes(int m, int n, float[] a, int aOff, int lda, float[] v, float[] av, int avOff, float[] out) {
    java.util.Arrays.fill(out, 0, n, 0f);
    int i = 0;
    // Four rows at a time: their dots with v, then (rows still in L1) their axpy into out.
    for (; i + 4 <= m; i += 4) {
      int r = aOff + i * lda;
      int o = avOff + i;
      dot4(n, a, r, lda, v, 0, av, o, 1f, 0f);
      axpy4(n, av[o], av[o + 1], av[o + 2], av[o + 3], a, r, lda, out);
    }
    for (; i < m; i++) {
      float s = dot(n, a, aOff + i * lda, v, 0);
      av[avOff + i] = s;
      axpy(n, s, a, aOff + i * lda, out, 0);
    }
  }

  @Override
  public double differenceGramTimes(
      int m, int n, float[] a, float[] b, int ld, float[] x, float[] ax, float[] aOut, float[] y, float[] dy,
      float[] dOut) {
    // Per row: one sweep for the dot products and squares, then, with both rows still in L1, one sweep
    // for the axpys; the matrices are read from memory once, D is recomputed in the second sweep. With
    // and without A's products are separate loops, so that no loop branches on x.
    java.util.Arrays.fill(dOut, 0, n, 0f);
    if (x == null) {
      return driftGram(m, n, a, b, ld, y, dy, dOut);
    }
    java.util.Arrays.fill(aOut, 0, n, 0f);
    int bound = FLOAT.loopBound(n);
    double squares = 0;
    int i = 0;
    // Four rows at a time (as gramTimes): each vector of x, y, aOut and dOut is loaded once for four
    // rows, which halves the time per row against one row at a time. Every element still gets the
    // operations of the one-row loop below, in the same order.
    for (; i + 4 <= m; i += 4) {
      squares += differenceGram4(i, n, bound, a, b, ld, x, ax, aOut, y, dy, dOut);
    }
    for (int r = i * ld; i < m; i++, r += ld) {
      FloatVector accX = FloatVector.zero(FLOAT);
      FloatVector accY = FloatVector.zero(FLOAT);
      FloatVector accQ = FloatVector.zero(FLOAT);
      for (int j = 0; j < bound; j += LANES) {
        FloatVector av = FloatVector.fromArray(FLOAT, a, r + j);
        FloatVector d = av.sub(FloatVector.fromArray(FLOAT, b, r + j));
        accX = av.fma(FloatVector.fromArray(FLOAT, x, j), accX);
        accY = d.fma(FloatVector.fromArray(FLOAT, y, j), accY);
        accQ = d.fma(d, accQ);
      }
      float sx = rowTail(sumLanes(accX), n, bound, a, r, x);
      float sy = diffTail(sumLanes(accY), n, bound, a, b, r, y);
      squares += squaresTail(sumLanes(accQ), n, bound, a, b, r);
      ax[i] = sx;
      dy[i] = sy;
      FloatVector sxv = FloatVector.broadcast(FLOAT, sx);
      FloatVector syv = FloatVector.broadcast(FLOAT, sy);
      int j = 0;
      for (; j < bound; j += LANES) {
        FloatVector av = FloatVector.fromArray(FLOAT, a, r + j);
        FloatVector d = av.sub(FloatVector.fromArray(FLOAT, b, r + j));
        sxv.fma(av, FloatVector.fromArray(FLOAT, aOut, j)).intoArray(aOut, j);
        syv.fma(d, FloatVector.fromArray(FLOAT, dOut, j)).intoArray(dOut, j);
      }
      for (; j < n; j++) {
        aOut[j] = Math.fma(sx, a[r + j], aOut[j]);
        dOut[j] = Math.fma(sy, a[r + j] - b[r + j], dOut[j]);
      }
    }
    return squares;
  }

  /** Rows i … i + 3 of differenceGramTimes; returns their Σ D². */
  private static double differenceGram4(
      int i, int n, int bound, float[] a, float[] b, int ld, float[] x, float[] ax, float[] aOut, float[] y,
      float[] dy, float[] dOut) {
    int r0 = i * ld;
    int r1 = r0 + ld;
    int r2 = r1 + ld;
    int r3 = r2 + ld;
    FloatVector x0 = FloatVector.zero(FLOAT);
    FloatVector x1 = FloatVector.zero(FLOAT);
    FloatVector x2 = FloatVector.zero(FLOAT);
    FloatVector x3 = FloatVector.zero(FLOAT);
    FloatVector y0 = FloatVector.zero(FLOAT);
    FloatVector y1 = FloatVector.zero(FLOAT);
    FloatVector y2 = FloatVector.zero(FLOAT);
    FloatVector y3 = FloatVector.zero(FLOAT);
    FloatVector q0 = FloatVector.zero(FLOAT);
    FloatVector q1 = FloatVector.zero(FLOAT);
    FloatVector q2 = FloatVector.zero(FLOAT);
    FloatVector q3 = FloatVector.zero(FLOAT);
    for (int j = 0; j < bound; j += LANES) {
      FloatVector xv = FloatVector.fromArray(FLOAT, x, j);
      FloatVector yv = FloatVector.fromArray(FLOAT, y, j);
      FloatVector a0 = FloatVector.fromArray(FLOAT, a, r0 + j);
      FloatVector d0 = a0.sub(FloatVector.fromArray(FLOAT, b, r0 + j));
      x0 = a0.fma(xv, x0);
      y0 = d0.fma(yv, y0);
      q0 = d0.fma(d0, q0);
      FloatVector a1 = FloatVector.fromArray(FLOAT, a, r1 + j);
      FloatVector d1 = a1.sub(FloatVector.fromArray(FLOAT, b, r1 + j));
      x1 = a1.fma(xv, x1);
      y1 = d1.fma(yv, y1);
      q1 = d1.fma(d1, q1);
      FloatVector a2 = FloatVector.fromArray(FLOAT, a, r2 + j);
      FloatVector d2 = a2.sub(FloatVector.fromArray(FLOAT, b, r2 + j));
      x2 = a2.fma(xv, x2);
      y2 = d2.fma(yv, y2);
      q2 = d2.fma(d2, q2);
      FloatVector a3 = FloatVector.fromArray(FLOAT, a, r3 + j);
      FloatVector d3 = a3.sub(FloatVector.fromArray(FLOAT, b, r3 + j));
      x3 = a3.fma(xv, x3);
      y3 = d3.fma(yv, y3);
      q3 = d3.fma(d3, q3);
    }
    // The twelve lane sums go through memory: as calls of sumLanes they made this method too large for
    // C2 to inline them all, and the vectors of the calls left out were boxed on the heap.
    float[] t = PanamaGemm.workspace().tile;
    x0.intoArray(t, 0);
    x1.intoArray(t, LANES);
    x2.intoArray(t, 2 * LANES);
    x3.intoArray(t, 3 * LANES);
    y0.intoArray(t, 4 * LANES);
    y1.intoArray(t, 5 * LANES);
    y2.intoArray(t, 6 * LANES);
    y3.intoArray(t, 7 * LANES);
    q0.intoArray(t, 8 * LANES);
    q1.intoArray(t, 9 * LANES);
    q2.intoArray(t, 10 * LANES);
    q3.intoArray(t, 11 * LANES);
    float sx0 = rowTail(foldLanes(t, 0), n, bound, a, r0, x);
    float sx1 = rowTail(foldLanes(t, LANES), n, bound, a, r1, x);
    float sx2 = rowTail(foldLanes(t, 2 * LANES), n, bound, a, r2, x);
    float sx3 = rowTail(foldLanes(t, 3 * LANES), n, bound, a, r3, x);
    float sy0 = diffTail(foldLanes(t, 4 * LANES), n, bound, a, b, r0, y);
    float sy1 = diffTail(foldLanes(t, 5 * LANES), n, bound, a, b, r1, y);
    float sy2 = diffTail(foldLanes(t, 6 * LANES), n, bound, a, b, r2, y);
    float sy3 = diffTail(foldLanes(t, 7 * LANES), n, bound, a, b, r3, y);
    double squares = squaresTail(foldLanes(t, 8 * LANES), n, bound, a, b, r0);
    squares += squaresTail(foldLanes(t, 9 * LANES), n, bound, a, b, r1);
    squares += squaresTail(foldLanes(t, 10 * LANES), n, bound, a, b, r2);
    squares += squaresTail(foldLanes(t, 11 * LANES), n, bound, a, b, r3);
    ax[i] = sx0;
    ax[i + 1] = sx1;
    ax[i + 2] = sx2;
    ax[i + 3] = sx3;
    dy[i] = sy0;
    dy[i + 1] = sy1;
    dy[i + 2] = sy2;
    dy[i + 3] = sy3;
    FloatVector sx0v = FloatVector.broadcast(FLOAT, sx0);
    FloatVector sx1v = FloatVector.broadcast(FLOAT, sx1);
    FloatVector sx2v = FloatVector.broadcast(FLOAT, sx2);
    FloatVector sx3v = FloatVector.broadcast(FLOAT, sx3);
    FloatVector sy0v = FloatVector.broadcast(FLOAT, sy0);
    FloatVector sy1v = FloatVector.broadcast(FLOAT, sy1);
    FloatVector sy2v = FloatVector.broadcast(FLOAT, sy2);
    FloatVector sy3v = FloatVector.broadcast(FLOAT, sy3);
    int j = 0;
    for (; j < bound; j += LANES) {
      FloatVector ao = FloatVector.fromArray(FLOAT, aOut, j);
      FloatVector dO = FloatVector.fromArray(FLOAT, dOut, j);
      FloatVector a0 = FloatVector.fromArray(FLOAT, a, r0 + j);
      ao = sx0v.fma(a0, ao);
      dO = sy0v.fma(a0.sub(FloatVector.fromArray(FLOAT, b, r0 + j)), dO);
      FloatVector a1 = FloatVector.fromArray(FLOAT, a, r1 + j);
      ao = sx1v.fma(a1, ao);
      dO = sy1v.fma(a1.sub(FloatVector.fromArray(FLOAT, b, r1 + j)), dO);
      FloatVector a2 = FloatVector.fromArray(FLOAT, a, r2 + j);
      ao = sx2v.fma(a2, ao);
      dO = sy2v.fma(a2.sub(FloatVector.fromArray(FLOAT, b, r2 + j)), dO);
      FloatVector a3 = FloatVector.fromArray(FLOAT, a, r3 + j);
      ao = sx3v.fma(a3, ao);
      dO = sy3v.fma(a3.sub(FloatVector.fromArray(FLOAT, b, r3 + j)), dO);
      ao.intoArray(aOut, j);
      dO.intoArray(dOut, j);
    }
    for (; j < n; j++) {
      float ao = aOut[j];
      float dO = dOut[j];
      ao = Math.fma(sx0, a[r0 + j], ao);
      dO = Math.fma(sy0, a[r0 + j] - b[r0 + j], dO);
      ao = Math.fma(sx1, a[r1 + j], ao);
      dO = Math.fma(sy1, a[r1 + j] - b[r1 + j], dO);
      ao = Math.fma(sx2, a[r2 + j], ao);
      dO = Math.fma(sy2, a[r2 + j] - b[r2 + j], dO);
      ao = Math.fma(sx3, a[r3 + j], ao);
      dO = Math.fma(sy3, a[r3 + j] - b[r3 + j], dO);
      aOut[j] = ao;
      dOut[j] = dO;
    }
    return squares;
  }

  /**
   * The lane sum of {@link #sumLanes(FloatVector)} on a vector stored at {@code t[off …]}, bit for bit:
   * the same pairwise folds (lane i + h onto lane i), in scalar adds. Overwrites the stored lanes.
   */
  private static float foldLanes(float[] t, int off) {
    for (int h = LANES / 2; h >= 1; h /= 2) {
      for (int i = 0; i < h; i++) {
        t[off + i] += t[off + i + h];
      }
    }
    return t[off];
  }

  /** s + Σ a[r + j]·x[j] over the scalar tail j ∈ [from, n), in order. */
  private static float rowTail(float s, int n, int from, float[] a, int r, float[] x) {
    for (int j = from; j < n; j++) {
      s = Math.fma(a[r + j], x[j], s);
    }
    return s;
  }

  /** s + Σ (a[r + j] − b[r + j])·y[j] over the scalar tail, in order. */
  private static float diffTail(float s, int n, int from, float[] a, float[] b, int r, float[] y) {
    for (int j = from; j < n; j++) {
      s = Math.fma(a[r + j] - b[r + j], y[j], s);
    }
    return s;
  }

  /** s + Σ (a[r + j] − b[r + j])² over the scalar tail, in order. */
  private static float squaresTail(float s, int n, int from, float[] a, float[] b, int r) {
    for (int j = from; j < n; j++) {
      float d = a[r + j] - b[r + j];
      s = Math.fma(d, d, s);
    }
    return s;
  }

  /** differenceGramTimes without A's products: the same operations for D. */
  private static double driftGram(int m, int n, float[] a, float[] b, int ld, float[] y, float[] dy, float[] dOut) {
    int bound = FLOAT.loopBound(n);
    double squares = 0;
    for (int i = 0, r = 0; i < m; i++, r += ld) {
      FloatVector accY = FloatVector.zero(FLOAT);
      FloatVector accQ = FloatVector.zero(FLOAT);
      int j = 0;
      for (; j < bound; j += LANES) {
        FloatVector d = FloatVector.fromArray(FLOAT, a, r + j).sub(FloatVector.fromArray(FLOAT, b, r + j));
        accY = d.fma(FloatVector.fromArray(FLOAT, y, j), accY);
        accQ = d.fma(d, accQ);
      }
      float sy = diffTail(sumLanes(accY), n, j, a, b, r, y);
      squares += squaresTail(sumLanes(accQ), n, j, a, b, r);
      dy[i] = sy;
      FloatVector syv = FloatVector.broadcast(FLOAT, sy);
      for (j = 0; j < bound; j += LANES) {
        FloatVector d = FloatVector.fromArray(FLOAT, a, r + j).sub(FloatVector.fromArray(FLOAT, b, r + j));
        syv.fma(d, FloatVector.fromArray(FLOAT, dOut, j)).intoArray(dOut, j);
      }
      for (; j < n; j++) {
        dOut[j] = Math.fma(sy, a[r + j] - b[r + j], dOut[j]);
      }
    }
    return squares;
  }
}
