package io.github.spectral4j.simd.internal;

import static io.github.spectral4j.simd.internal.PanamaConstants.FLOAT;
import static io.github.spectral4j.simd.internal.PanamaConstants.MIN_BITS;
import static io.github.spectral4j.simd.internal.PanamaConstants.SMALL_M;
import static io.github.spectral4j.simd.internal.PanamaConstants.SMALL_N;

/**
 * Kernels on the Vector API ({@code jdk.incubator.vector}). Loaded only by name from
 * {@link KernelProvider}, so nothing here is touched when the module is absent. This class only picks
 * the kernel for each job; the kernels live by job: level 1 and the lane sums in {@link PanamaLevel1},
 * matrix-vector products in {@link PanamaGemv}, GEMM in {@link PanamaGemm} (packed, cache-blocked),
 * {@link PanamaThinGemm} (a thin A) and {@link PanamaSmallGemm} (a few rows), the fused Gram products
 * in {@link PanamaGram}; every constant and size threshold in {@link PanamaConstants}.
 */
final class PanamaKernels implements Kernels {
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
    return PanamaLevel1.dot(n, x, xOff, y, yOff);
  }

  @Override
  public void axpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
    PanamaLevel1.axpy(n, alpha, x, xOff, y, yOff);
  }

  @Override
  public void scal(int n, float alpha, float[] x, int xOff) {
    PanamaLevel1.scal(n, alpha, x, xOff);
  }

  @Override
  public double dot(int n, float[] x, double[] y) {
    return PanamaLevel1.dot(n, x, y);
  }

  @Override
  public void subtract(int n, double c, float[] x, double[] y) {
    PanamaLevel1.subtract(n, c, x, y);
  }

  @Override
  public double sumOfSquares(int n, double[] x) {
    return PanamaLevel1.sumOfSquares(n, x);
  }

  @Override
  public double sumOfSquares(int n, float[] x, int xOff) {
    return PanamaLevel1.sumOfSquares(n, x, xOff);
  }

  @Override
  public void updateBlock(int from, int to, float alpha, float[] g, float[] d, float[] w, double[] sums) {
    if (g == null) {
      PanamaLevel1.addWithSquares(from, to, d, w, sums);
    } else {
      PanamaOptimizerPass.addScaledWithSquares(from, to, alpha, g, d, w, sums);
    }
  }

  @Override
  public void update(
      int m, int n, float alpha, float[] g, float[] d, float[] w, float[] ref, float[] x, float[] ax, float[] aOut,
      float[] y, float[] ey, float[] eOut, double[] sums) {
    if (ref == null) {
      SquaresPass.run(this, m * n, alpha, g, d, w, sums);
      return;
    }
    PanamaOptimizerPass.update(m, n, alpha, g, d, w, ref, x, ax, aOut, y, ey, eOut, sums);
  }

  @Override
  public void rectify(int n, float[] x, int xOff, float[] y, int yOff) {
    PanamaLevel1.rectify(n, x, xOff, y, yOff);
  }

  @Override
  public void keepWherePositive(int n, float[] mask, int mOff, float[] x, int xOff, float[] y, int yOff) {
    PanamaLevel1.keepWherePositive(n, mask, mOff, x, xOff, y, yOff);
  }

  @Override
  public void gemv(boolean transA, int m, int n, float alpha, float[] a, int lda, float[] x, float beta, float[] y) {
    PanamaGemv.gemv(transA, m, n, alpha, a, lda, x, beta, y);
  }

  @Override
  public int rowIndependentFrom() {
    // Products of up to MAX_M rows take the small-m and thin kernels, chosen by m (gemm below).
    return Math.max(SMALL_M, PanamaThinGemm.MAX_M + 1);
  }

  @Override
  public void gemm(
      boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int lda, float[] b, int ldb,
      float beta, float[] c, int ldc, int threads) {
    // A single row or column of C is a matrix-vector product; the packed path would pad it to a whole
    // 6 × 32 tile. A 1 × k op(A) and a k × 1 op(B) of a whole matrix are contiguous in memory whether
    // transposed or not; of a leading block (Blas.gemm with m, n, k) a transposed row or an untransposed
    // column is strided, so those take the general paths.
    if (m == 1 && (!transA || lda == 1)) {
      // cᵀ = α·op(B)ᵀ·aᵀ + β·cᵀ
      PanamaGemv.gemv(!transB, transB ? n : k, transB ? k : n, alpha, b, ldb, a, beta, c);
      return;
    }
    if (n == 1 && ldc == 1 && (transB || ldb == 1)) {
      PanamaGemv.gemv(transA, transA ? k : m, transA ? m : k, alpha, a, lda, b, beta, c);
      return;
    }
    if (!transA && transB && m < SMALL_M) {
      PanamaSmallGemm.smallNT(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads);
      return;
    }
    if (!transA && transB && m <= PanamaThinGemm.MAX_M) {
      PanamaThinGemm.gemmNT(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads);
      return;
    }
    if (!transA && transB && n <= SMALL_N) {
      PanamaSmallGemm.smallNT(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads);
      return;
    }
    PanamaGemm.gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads);
  }

  @Override
  public void gemmEpilogue(
      boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int lda, float[] b, int ldb,
      float beta, float[] c, int ldc, int threads, float biasScale, float[] bias, boolean rectify, float[] mask,
      int ldm) {
    // The packed GEMM applies the epilogue in its write-back; the other paths (gemv, a thin A: a probe
    // batch, not a training batch; a few columns: passes over a small C) run it as passes over C.
    if (!writeBackApplies(transA, transB, m, n, lda, ldb, ldc)) {
      Kernels.super.gemmEpilogue(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads, biasScale,
          bias, rectify, mask, ldm);
      return;
    }
    PanamaGemm.gemmEpilogue(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads, biasScale, bias,
        rectify, mask, ldm);
  }

  /** Whether {@link PanamaGemm}'s packed route (and so its write-back epilogue) takes this product. */
  private static boolean writeBackApplies(boolean transA, boolean transB, int m, int n, int lda, int ldb, int ldc) {
    return !(m == 1 && (!transA || lda == 1) || n == 1 && ldc == 1 && (transB || ldb == 1)
        || !transA && transB && (m <= PanamaThinGemm.MAX_M || n <= SMALL_N));
  }

  @Override
  public void gemmUpdate(
      boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int lda, float[] b, int ldb,
      float scale, float[] w, int ldw, float[] d, int threads, double[] sums) {
    gemmUpdate(transA, transB, m, n, k, alpha, a, lda, b, ldb, scale, w, ldw, d, threads, null, null, null, null,
        null, null, null, sums);
  }

  /**
   * The products in {@link PanamaGemmUpdate}'s fixed buckets of rows on every route: formed in the write-back
   * where the product takes it, else by the same read-only pass after the step (same bits either way).
   */
  @Override
  public void gemmUpdate(
      boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int lda, float[] b, int ldb,
      float scale, float[] w, int ldw, float[] d, int threads, float[] ref, float[] x, float[] ax, float[] aOut,
      float[] y, float[] ey, float[] eOut, double[] sums) {
    // Where gemm takes the packed GEMM (or its transposed route, the same bits) with one k slice, the step
    // goes in its write-back; gemv, the small and thin NT kernels and deeper products take the default.
    if (!writeBackApplies(transA, transB, m, n, lda, ldb, ldw) || !PanamaGemmUpdate.applies(k)) {
      Kernels.super.gemmUpdate(transA, transB, m, n, k, alpha, a, lda, b, ldb, scale, w, ldw, d, threads, sums);
      if (ref != null) {
        sums[2] = PanamaGemmUpdate.products(m, n, w, ref, ldw, x, ax, aOut, y, ey, eOut, threads);
      }
      return;
    }
    PanamaGemmUpdate.gemmUpdate(transA, transB, m, n, k, alpha, a, lda, b, ldb, scale, w, ldw, d, threads, ref, x,
        ax, aOut, y, ey, eOut, sums);
  }

  @Override
  public void gramTimes(int m, int n, float[] a, int aOff, int lda, float[] v, float[] av, int avOff, float[] out) {
    PanamaGram.gramTimes(m, n, a, aOff, lda, v, av, avOff, out);
  }

  @Override
  public double gramTimesSquares(
      int m, int n, float[] a, int aOff, int lda, float[] v, float[] av, int avOff, float[] out) {
    return PanamaGram.gramTimesSquares(m, n, a, aOff, lda, v, av, avOff, out);
  }

  @Override
  public double differenceGramTimes(
      int m, int n, float[] a, float[] b, int ld, float[] x, float[] ax, float[] aOut, float[] y, float[] dy,
      float[] dOut) {
    if (x != null && ld == n && m >= PanamaOptimizerPass.SPLIT_ROWS) {
      // Both products of a whole matrix: the read-only pass with products, its rows in two halves.
      return PanamaOptimizerPass.differenceProducts(m, n, a, b, x, ax, aOut, y, dy, dOut);
    }
    return PanamaGram.differenceGramTimes(m, n, a, b, ld, x, ax, aOut, y, dy, dOut);
  }

  @Override
  public void gelu(int from, int to, float[] x, float[] y, float[] keep) {
    PanamaElementwise.gelu(from, to, x, y, keep);
  }

  @Override
  public void geluBackward(int from, int to, float[] x, float[] keep, float[] dy, float[] dx) {
    PanamaElementwise.geluBackward(from, to, x, keep, dy, dx);
  }

  @Override
  public void adamW(int from, int to, float[] g, float[] m, float[] v, float[] w, float[] d, float b1, float b2,
      float c1, float c2, float lr, float wd, float eps) {
    PanamaElementwise.adamW(from, to, g, m, v, w, d, b1, b2, c1, c2, lr, wd, eps);
  }

  @Override
  public void addScaled(int from, int to, float[] x, float alpha, float[] f, float[] out) {
    PanamaElementwise.addScaled(from, to, x, alpha, f, out);
  }

  @Override
  public void adamWApply(int from, int to, float[] g, float[] m, float[] v, float[] w, float[] d, float b1,
      float b2, float c1, float c2, float lr, float wd, float eps, double[] sums) {
    PanamaElementwise.adamWApply(from, to, g, m, v, w, d, b1, b2, c1, c2, lr, wd, eps, sums);
  }

  @Override
  public void rmsNorm(int rowFrom, int rowTo, int width, float[] x, float[] gain, float multiplier, float eps,
      float[] y, float[] inverseRms) {
    PanamaElementwise.rmsNorm(rowFrom, rowTo, width, x, gain, multiplier, eps, y, inverseRms);
  }

  @Override
  public void rmsNormBackward(int rowFrom, int rowTo, int width, float[] x, float[] gain, float multiplier,
      float[] inverseRms, float[] dy, float[] dx) {
    PanamaElementwise.rmsNormBackward(rowFrom, rowTo, width, x, gain, multiplier, inverseRms, dy, dx);
  }

  @Override
  public void rmsNormGainGradient(int colFrom, int colTo, int rows, int width, float[] x, float[] inverseRms,
      float[] dy, float multiplier, float[] dg) {
    PanamaElementwise.rmsNormGainGradient(colFrom, colTo, rows, width, x, inverseRms, dy, multiplier, dg);
  }

  @Override
  public void softmax(float[] a, int off, int n) {
    PanamaElementwise.softmax(a, off, n);
  }
}
