package io.github.spectral4j.simd.internal;

/**
 * The dense float32 kernels behind {@code io.github.spectral4j.simd.Blas}: one scalar and one Vector API
 * implementation, picked once by {@link KernelProvider}. Every method assumes valid input — sizes ≥ 1
 * for matrices, offsets and lengths inside the arrays, outputs not aliasing inputs — because the public
 * facade has already checked it. Matrices are row-major with a leading dimension (the row stride).
 */
public interface Kernels {

  /** A short description of this implementation, e.g. {@code "panama (512-bit)"} or {@code "scalar"}. */
  String name();

  /**
   * The least m from which {@link #gemm} and {@link #gemmEpilogue} compute every row of C by the same
   * operations whatever m is (for fixed n, k, transposes and leading dimensions): below it the kernel
   * picked for a product depends on m, and a row of a taller product may round differently. 1 where no
   * kernel is picked by m.
   */
  default int rowIndependentFrom() {
    return 1;
  }

  /** Σ x[xOff+i]·y[yOff+i] for i &lt; n. */
  float dot(int n, float[] x, int xOff, float[] y, int yOff);

  /** y[yOff+i] += α·x[xOff+i] for i &lt; n. y is modified. */
  void axpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff);

  /** x[xOff+i] *= α for i &lt; n. x is modified. */
  void scal(int n, float alpha, float[] x, int xOff);

  /** Σ x[xOff+i]² accumulated in double. */
  double sumOfSquares(int n, float[] x, int xOff);

  /**
   * Σ x[i]·y[i] for i &lt; n, the float x widened to double and the sum accumulated in double: the
   * projections of a Krylov solver's reorthogonalisation (float basis, double work vector).
   */
  double dot(int n, float[] x, double[] y);

  /** y[i] −= c·x[i] for i &lt; n in double (x widened). y is modified. */
  void subtract(int n, double c, float[] x, double[] y);

  /** Σ x[i]² over i &lt; n in double. */
  double sumOfSquares(int n, double[] x);

  /**
   * y[i] += x[i] for i &lt; n in one pass, with sums[0] = Σ x[i]² and sums[1] = Σ y[i]² (after the
   * addition), both accumulated in double: {@link #updateBlock} on each block of {@link SquaresPass#BLOCK}
   * elements, the blocks' sums added in block order (large arrays split their blocks among
   * {@link Parallel#parallelism()} threads, with the same bits on any thread count). y and sums are modified.
   */
  default void addWithSquares(int n, float[] x, float[] y, double[] sums) {
    SquaresPass.run(this, n, 0f, null, x, y, sums);
  }

  /**
   * One block of the optimizer's pass without products, elements [from, to): {@code d = α·g} (one
   * rounding) when g is not null, else d is read as given, then {@code w = w + d} (one rounding), with
   * {@code sums[0] = Σ d²} and {@code sums[1] = Σ w²} of the block's new w, accumulated in double
   * (overwritten). d (when g is given), w and sums are modified.
   */
  void updateBlock(int from, int to, float alpha, float[] g, float[] d, float[] w, double[] sums);

  /**
   * y = α·A·x + β·y for the m×n matrix A (row stride lda), or y = α·Aᵀ·x + β·y when {@code transA}.
   * When β = 0, y is overwritten (NaN in y is ignored). y is modified.
   */
  void gemv(boolean transA, int m, int n, float alpha, float[] a, int lda, float[] x, float beta, float[] y);

  /**
   * A = A + α·x·yᵀ for the m×n matrix A (row stride lda): one {@link #axpy} per row, which is as fast
   * as a rank-1 update gets (each element of A is read and written once). A is modified.
   */
  default void ger(int m, int n, float alpha, float[] x, float[] y, float[] a, int lda) {
    for (int i = 0; i < m; i++) {
      axpy(n, alpha * x[i], y, 0, a, i * lda);
    }
  }

  /**
   * C = α·op(A)·op(B) + β·C with op(A) m×k, op(B) k×n, C m×n (row strides lda, ldb, ldc). When β = 0,
   * C is overwritten (NaN in C is ignored). Uses up to {@code threads} threads; the result is
   * bit-identical for every thread count. C is modified.
   */
  void gemm(
      boolean transA,
      boolean transB,
      int m,
      int n,
      int k,
      float alpha,
      float[] a,
      int lda,
      float[] b,
      int ldb,
      float beta,
      float[] c,
      int ldc,
      int threads);

  /**
   * One optimizer pass over an m×n parameter W (row-major, row stride n for every matrix): per element
   * {@code d = α·g} (one rounding) when g is not null, else d is read as given, then {@code w = w + d}
   * (one rounding) — the bits of {@link #scal} and {@link #addWithSquares}' addition — with
   * {@code sums[0] = Σ d²} and {@code sums[1] = Σ w²} of the new w. When ref is not null, also the Gram
   * products of power iteration on the new W and on E = W − ref formed row by row (never stored), as
   * {@link #differenceGramTimes} gives them: {@code ax = W·x}, {@code aOut = Wᵀ·ax}, {@code ey = E·y},
   * {@code eOut = Eᵀ·ey} and {@code sums[2] = Σ E²}; x, ax, aOut, y, ey and eOut are then all given, else
   * all null. Without ref the sums are exactly those of {@link #addWithSquares} of d into w; with it, squares
   * are summed in float per row (again in double for a row whose float sum overflows) and over rows in
   * double. d (when g is given), w, ax, aOut, ey, eOut and sums are modified.
   */
  default void update(
      int m, int n, float alpha, float[] g, float[] d, float[] w, float[] ref, float[] x, float[] ax, float[] aOut,
      float[] y, float[] ey, float[] eOut, double[] sums) {
    if (ref == null) {
      SquaresPass.run(this, m * n, alpha, g, d, w, sums);
      return;
    }
    OptimizerPass.update(m, n, alpha, g, d, w, ref, x, ax, aOut, y, ey, eOut, sums);
  }

  /**
   * A gradient step written by the product's write-back: with {@code g = α·(op(A)·op(B))[i][j]} rounded as
   * {@link #gemm} with β = 0 rounds it, {@code u = scale·g} (one rounding), {@code w[i·ldw + j] = w + u} (one
   * rounding) and {@code d[i·ldw + j] = u} when d is not null — bit for bit the gemm into a buffer G followed by
   * {@link #update} with g = G — and {@code sums[0] = Σ u²}, {@code sums[1] = Σ w²} of the new w in double.
   * The sums' order belongs to the implementation (so their last bits may differ from {@link #update}'s) but
   * not to the thread count. This default computes the product into d (or a per-thread scratch buffer) and
   * then runs the update over it; an implementation may apply it while each tile is in registers, so that G
   * is never written. w, d and sums are modified.
   */
  default void gemmUpdate(
      boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int lda, float[] b, int ldb,
      float scale, float[] w, int ldw, float[] d, int threads, double[] sums) {
    float[] g = d != null ? d : GemmUpdateScratch.get(m * ldw);
    gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, 0f, g, ldw, threads);
    if (ldw == n) {
      // d = scale·g in place (each element read before it is written), then w += d with the sums.
      update(m, n, scale, g, g, w, null, null, null, null, null, null, null, sums);
      return;
    }
    double sd = 0;
    double sw = 0;
    for (int i = 0; i < m; i++) {
      updateBlock(i * ldw, i * ldw + n, scale, g, g, w, sums);
      sd += sums[0];
      sw += sums[1];
    }
    sums[0] = sd;
    sums[1] = sw;
  }

  /**
   * {@link #gemmUpdate(boolean, boolean, int, int, int, float, float[], int, float[], int, float, float[], int,
   * float[], int, double[])} — W, d, {@code sums[0]} and {@code sums[1]} bit for bit — and, when ref is not null,
   * the Gram products of power iteration on the new W and on E = W − ref as {@link #differenceGramTimes} gives
   * them ({@code ax = W·x}, {@code aOut = Wᵀ·ax}, {@code ey = E·y}, {@code eOut = Eᵀ·ey}) with
   * {@code sums[2] = Σ E²}; ref has W's row stride ldw; x, ax, aOut, y, ey and eOut are then all given, else all
   * null. The products are the same on any thread count; their order of operations belongs to the
   * implementation. This default runs the step, then {@link #differenceGramTimes} over the new W and ref (a
   * second read of W); an implementation may form them while the step's rows of W are in cache. w, d, ax, aOut,
   * ey, eOut and sums are modified.
   */
  default void gemmUpdate(
      boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int lda, float[] b, int ldb,
      float scale, float[] w, int ldw, float[] d, int threads, float[] ref, float[] x, float[] ax, float[] aOut,
      float[] y, float[] ey, float[] eOut, double[] sums) {
    gemmUpdate(transA, transB, m, n, k, alpha, a, lda, b, ldb, scale, w, ldw, d, threads, sums);
    if (ref != null) {
      sums[2] = differenceGramTimes(m, n, w, ref, ldw, x, ax, aOut, y, ey, eOut);
    }
  }

  /**
   * As {@link #gemm}, then on each element of C in this order: {@code c += biasScale·bias[j]} rounded as
   * {@link #axpy} rounds it (skipped when bias is null); {@code c = c > 0 ? c : 0} when {@code rectify}
   * (NaN gives 0); {@code c = mask[i·ldm + j] > 0 ? c : 0} (skipped when mask is null). Bit-identical to
   * the gemm followed by those passes, which is what this default does; an implementation may apply them
   * while the tile is still in registers. C is modified.
   */
  default void gemmEpilogue(
      boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int lda, float[] b, int ldb,
      float beta, float[] c, int ldc, int threads, float biasScale, float[] bias, boolean rectify, float[] mask,
      int ldm) {
    gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads);
    for (int i = 0; i < m; i++) {
      if (bias != null) {
        axpy(n, biasScale, bias, 0, c, i * ldc);
      }
      if (rectify) {
        rectify(n, c, i * ldc, c, i * ldc);
      }
      if (mask != null) {
        keepWherePositive(n, mask, i * ldm, c, i * ldc, c, i * ldc);
      }
    }
  }

  /** y[yOff+i] = x[xOff+i] &gt; 0 ? x[xOff+i] : 0 for i &lt; n (NaN gives 0). y is modified (may be x's range). */
  default void rectify(int n, float[] x, int xOff, float[] y, int yOff) {
    for (int i = 0; i < n; i++) {
      float v = x[xOff + i];
      y[yOff + i] = v > 0 ? v : 0f;
    }
  }

  /**
   * y[yOff+i] = mask[mOff+i] &gt; 0 ? x[xOff+i] : 0 for i &lt; n. y is modified (may be x's range, not mask's).
   */
  default void keepWherePositive(int n, float[] mask, int mOff, float[] x, int xOff, float[] y, int yOff) {
    for (int i = 0; i < n; i++) {
      y[yOff + i] = mask[mOff + i] > 0 ? x[xOff + i] : 0f;
    }
  }

  /**
   * av = A·v and out = Aᵀ·av in one pass over the rows of the m×n matrix A (row stride lda): each row is
   * read once for its dot product with v and, while still in cache, for its axpy into out. av and out
   * are modified.
   */
  default void gramTimes(int m, int n, float[] a, int lda, float[] v, float[] av, float[] out) {
    gramTimes(m, n, a, 0, lda, v, av, 0, out);
  }

  /**
   * As {@link #gramTimes(int, int, float[], int, float[], float[], float[])} for the m×n matrix whose
   * first row starts at {@code a[aOff]}, with A·v written to {@code av[avOff ..]}: a block of rows of a
   * larger matrix, out being that block's share of Aᵀ·(A·v). av and out are modified.
   */
  void gramTimes(int m, int n, float[] a, int aOff, int lda, float[] v, float[] av, int avOff, float[] out);

  /**
   * {@link #gramTimes(int, int, float[], int, int, float[], float[], int, float[])} (the same bits in av and out)
   * that also returns the block's Σ a_ij² (each row's squares summed in float, the rows added in double in an
   * order fixed by the shape): the first pass of a solve reads ‖A‖_F and the finiteness of A with its product.
   * The sum is NaN or infinite when an entry is, and also when a square overflows float (|a_ij| ≥ 2^64); squares
   * below float's range count as zero.
   */
  double gramTimesSquares(int m, int n, float[] a, int aOff, int lda, float[] v, float[] av, int avOff, float[] out);

  /**
   * One pass over the rows of the m×n matrices A and B (row stride ld for both), with D = A − B formed
   * row by row and never stored: the Gram products of power iteration on A, ax = A·x and aOut = Aᵀ·ax
   * (skipped when x is null; then ax and aOut are null too), and on D, dy = D·y and dOut = Dᵀ·dy, and
   * the returned ‖D‖_F² (each row's squares summed in float, the rows in double). ax, aOut, dy and dOut
   * are modified.
   */
  double differenceGramTimes(
      int m, int n, float[] a, float[] b, int ld, float[] x, float[] ax, float[] aOut, float[] y, float[] dy,
      float[] dOut);

  /**
   * GELU (tanh form) of x[from .. to): y[i] = φ(x[i]) and keep[i] = σ(−2|u(x[i])|), the value
   * {@link #geluBackward} needs (see {@code ScalarElementwise}). Both implementations give bit-identical
   * results. y and keep are modified.
   */
  void gelu(int from, int to, float[] x, float[] y, float[] keep);

  /** dx[i] = dy[i]·φ'(x[i]) for i in [from, to), from x and the keep of {@link #gelu}. dx is modified. */
  void geluBackward(int from, int to, float[] x, float[] keep, float[] dy, float[] dx);

  /**
   * AdamW's moments and update for i in [from, to): {@code m = b1·m + (1−b1)·g}, {@code v = b2·v + (1−b2)·g²},
   * {@code d = −lr·(m·c1/(√(v·c2) + eps) + wd·w)}, in float, each operation rounded as written (both
   * implementations bit-identical). m, v and d are modified.
   */
  void adamW(int from, int to, float[] g, float[] m, float[] v, float[] w, float[] d, float b1, float b2, float c1,
      float c2, float lr, float wd, float eps);

  /**
   * {@code out[i] = x[i] + α·f[i]} for i in [from, to), each element rounded as {@link #axpy} rounds
   * {@code y += α·f} from {@code y = x}, in one pass (a copy of x into out first would overwrite f when out is
   * f). out may be x or f. out is modified.
   */
  void addScaled(int from, int to, float[] x, float alpha, float[] f, float[] out);

  /**
   * {@link #adamW} on [from, to), then {@code w = w + d} with {@code sums[0] = Σ d²} and {@code sums[1] = Σ w²}
   * of the new w: bit for bit {@link #adamW} followed by {@link #updateBlock}{@code (from, to, 0, null, d, w,
   * sums)}, which is what this default does; an implementation may fuse the two passes (the update then
   * never leaves the cache before it is added). m, v, d, w and sums are modified.
   */
  default void adamWApply(int from, int to, float[] g, float[] m, float[] v, float[] w, float[] d, float b1,
      float b2, float c1, float c2, float lr, float wd, float eps, double[] sums) {
    adamW(from, to, g, m, v, w, d, b1, b2, c1, c2, lr, wd, eps);
    updateBlock(from, to, 0f, null, d, w, sums);
  }

  /**
   * AdamW on [0, n) with the update applied: m, v, d and w as {@link #adamW} followed by
   * {@link #addWithSquares}{@code (n, d, w, sums)} leaves them, and that method's sums, bit for bit: its blocks,
   * each by {@link #adamWApply}, on up to {@link Parallel#parallelism()} threads. m, v, d, w and sums are
   * modified.
   */
  default void adamWWithSquares(int n, float[] g, float[] m, float[] v, float[] w, float[] d, float b1, float b2,
      float c1, float c2, float lr, float wd, float eps, double[] sums) {
    SquaresPass.runAdamW(this, n, g, m, v, w, d, b1, b2, c1, c2, lr, wd, eps, sums);
  }

  /**
   * RMS normalisation of rows [rowFrom, rowTo) of the row-major {@code x} (rows of {@code width}):
   * {@code r_i = 1/√(Σ_j x_ij²/width + eps)} (squares summed in double) into {@code inverseRms[i]}, and
   * {@code y_ij = (multiplier·r_i)·gain_j·x_ij}. y and inverseRms are modified.
   */
  void rmsNorm(int rowFrom, int rowTo, int width, float[] x, float[] gain, float multiplier, float eps, float[] y,
      float[] inverseRms);

  /**
   * The input gradient of {@link #rmsNorm} for rows [rowFrom, rowTo): with {@code c_i = r_i·Σ_j
   * (multiplier·gain_j·dy_ij)·x_ij/width}, {@code dx_ij = r_i·(multiplier·gain_j·dy_ij − (x_ij·r_i)·c_i)}.
   * dx is modified.
   */
  void rmsNormBackward(int rowFrom, int rowTo, int width, float[] x, float[] gain, float multiplier,
      float[] inverseRms, float[] dy, float[] dx);

  /**
   * The gain gradient of {@link #rmsNorm} for columns [colFrom, colTo): {@code dg_j = multiplier·Σ_i
   * dy_ij·(x_ij·r_i)}, the rows summed in order in float, each column by the same operations in both
   * implementations (bit-identical). dg is modified.
   */
  void rmsNormGainGradient(int colFrom, int colTo, int rows, int width, float[] x, float[] inverseRms, float[] dy,
      float multiplier, float[] dg);

  /**
   * In-place softmax of a[off .. off+n), n ≥ 1: {@code a_j ← e_j/Σe}, {@code e_j = exp(a_j − max)} by the
   * exponential of {@code ScalarElementwise} (within a few ulps; arguments below −87 give 0), the sum in
   * float. a is modified.
   */
  void softmax(float[] a, int off, int n);
}
