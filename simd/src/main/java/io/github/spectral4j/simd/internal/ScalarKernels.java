package io.github.spectral4j.simd.internal;

/**
 * Plain-Java kernels: the reference the Vector API kernels are tested against and the fallback when
 * {@code jdk.incubator.vector} is absent. GEMM splits the rows of C between threads; each element is
 * computed by one thread in a fixed order, so the result does not depend on the thread count.
 */
final class ScalarKernels implements Kernels {
  /** Below this many multiply-adds GEMM runs on the calling thread only. */
  private static final long PARALLEL_THRESHOLD = 1L << 21;

  ScalarKernels() {}

  @Override
  public String name() {
    return "scalar";
  }

  @Override
  public float dot(int n, float[] x, int xOff, float[] y, int yOff) {
    float s = 0;
    for (int i = 0; i < n; i++) {
      s += x[xOff + i] * y[yOff + i];
    }
    return s;
  }

  @Override
  public void axpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
    for (int i = 0; i < n; i++) {
      y[yOff + i] += alpha * x[xOff + i];
    }
  }

  /** {@code x + α·f} rounded as {@link #axpy} rounds it: the product, then the sum. */
  @Override
  public void addScaled(int from, int to, float[] x, float alpha, float[] f, float[] out) {
    for (int i = from; i < to; i++) {
      out[i] = x[i] + alpha * f[i];
    }
  }

  @Override
  public void scal(int n, float alpha, float[] x, int xOff) {
    for (int i = 0; i < n; i++) {
      x[xOff + i] *= alpha;
    }
  }

  @Override
  public double dot(int n, float[] x, double[] y) {
    // Four partial sums for instruction-level parallelism.
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int i = 0;
    for (; i + 3 < n; i += 4) {
      s0 += x[i] * y[i];
      s1 += x[i + 1] * y[i + 1];
      s2 += x[i + 2] * y[i + 2];
      s3 += x[i + 3] * y[i + 3];
    }
    for (; i < n; i++) {
      s0 += x[i] * y[i];
    }
    return (s0 + s1) + (s2 + s3);
  }

  @Override
  public void subtract(int n, double c, float[] x, double[] y) {
    for (int i = 0; i < n; i++) {
      y[i] -= c * x[i];
    }
  }

  @Override
  public double sumOfSquares(int n, double[] x) {
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int i = 0;
    for (; i + 3 < n; i += 4) {
      s0 = Math.fma(x[i], x[i], s0);
      s1 = Math.fma(x[i + 1], x[i + 1], s1);
      s2 = Math.fma(x[i + 2], x[i + 2], s2);
      s3 = Math.fma(x[i + 3], x[i + 3], s3);
    }
    for (; i < n; i++) {
      s0 = Math.fma(x[i], x[i], s0);
    }
    return (s0 + s1) + (s2 + s3);
  }

  @Override
  public void updateBlock(int from, int to, float alpha, float[] g, float[] d, float[] w, double[] sums) {
    if (g != null) {
      for (int i = from; i < to; i++) {
        d[i] = alpha * g[i];
      }
    }
    sums[0] = 0;
    sums[1] = 0;
    addWithSquares(from, to, d, w, sums);
  }

  /** y[i] += x[i] for from ≤ i &lt; n, adding Σ x[i]² to sums[0] and Σ y[i]² (after) to sums[1]. */
  static void addWithSquares(int from, int n, float[] x, float[] y, double[] sums) {
    double sx = sums[0];
    double sy = sums[1];
    for (int i = from; i < n; i++) {
      float v = y[i] + x[i];
      y[i] = v;
      sx += (double) x[i] * x[i];
      sy += (double) v * v;
    }
    sums[0] = sx;
    sums[1] = sy;
  }

  @Override
  public double sumOfSquares(int n, float[] x, int xOff) {
    double s = 0;
    for (int i = 0; i < n; i++) {
      double v = x[xOff + i];
      s += v * v;
    }
    return s;
  }

  @Override
  public void gemv(boolean transA, int m, int n, float alpha, float[] a, int lda, float[] x, float beta, float[] y) {
    if (!transA) {
      for (int i = 0; i < m; i++) {
        float s = alpha * dot(n, a, i * lda, x, 0);
        y[i] = beta == 0 ? s : s + beta * y[i];
      }
    } else {
      scaleOrClear(n, beta, y, 0);
      for (int i = 0; i < m; i++) {
        axpy(n, alpha * x[i], a, i * lda, y, 0);
      }
    }
  }

  @Override
  public void gemm(
      boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int lda, float[] b, int ldb,
      float beta, float[] c, int ldc, int threads) {
    int tasks = (long) m * n * k < PARALLEL_THRESHOLD ? 1 : Math.min(threads, m);
    if (tasks == 1) {
      gemmRows(transA, transB, 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    } else {
      RowsCall call = GemmCall.claim(GEMM_CALLS, RowsCall::new);
      call.set(tasks, m, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
      call.kernels = this;
      call.transA = transA;
      call.transB = transB;
      call.run(tasks);
    }
  }

  private static final ThreadLocal<RowsCall> GEMM_CALLS = ThreadLocal.withInitial(RowsCall::new);

  /** One calling thread's forked GEMM: its arguments in fields, reused from call to call. */
  private static final class RowsCall extends GemmCall {
    ScalarKernels kernels;
    boolean transA;
    boolean transB;

    @Override
    public void accept(int t) {
      kernels.gemmRows(transA, transB, Parallel.split(groups, tasks, t), Parallel.split(groups, tasks, t + 1), n, k,
          alpha, a, lda, b, ldb, beta, c, ldc);
    }

    @Override
    void clear() {
      super.clear();
      kernels = null;
    }
  }

  /**
   * The gradient step row by row: each row of the product computed by {@link #gemmRows} into a per-thread
   * row buffer, then u = scale·g, w += u, d = u on that row while it is in cache, with the row's squares
   * summed in double and stored at its index; the rows' sums are added in row order after the fork, so they
   * are the same on any thread count. The same bits of w and d as gemm into G, then {@link #updateBlock}.
   */
  @Override
  public void gemmUpdate(
      boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int lda, float[] b, int ldb,
      float scale, float[] w, int ldw, float[] d, int threads, double[] sums) {
    UpdateCall call = GemmCall.claim(UPDATE_CALLS, UpdateCall::new);
    if (call.rowSums.length < 2 * m) {
      call.rowSums = new double[2 * m];
    }
    int tasks = (long) m * n * k < PARALLEL_THRESHOLD ? 1 : Math.min(threads, m);
    call.set(tasks, m, m, n, k, alpha, a, lda, b, ldb, 0f, w, ldw);
    call.kernels = this;
    call.transA = transA;
    call.transB = transB;
    call.scale = scale;
    call.d = d;
    double[] rowSums = call.rowSums; // kept by clear(): read before this thread's next step
    call.run(tasks);
    double sd = 0;
    double sw = 0;
    for (int i = 0; i < 2 * m; i += 2) {
      sd += rowSums[i];
      sw += rowSums[i + 1];
    }
    sums[0] = sd;
    sums[1] = sw;
  }

  private static final ThreadLocal<UpdateCall> UPDATE_CALLS = ThreadLocal.withInitial(UpdateCall::new);

  /** Each share's rows of the product, one at a time in a row buffer of the thread it runs on. */
  private static final ThreadLocal<float[][]> ROWS = ThreadLocal.withInitial(() -> new float[][] {new float[0]});

  /** One calling thread's forked step (c is W, ldc its row stride): its arguments in fields, reused. */
  private static final class UpdateCall extends GemmCall {
    ScalarKernels kernels;
    boolean transA;
    boolean transB;
    float scale;
    float[] d;
    double[] rowSums = new double[0];

    @Override
    public void accept(int t) {
      float[][] holder = ROWS.get();
      if (holder[0].length < n) {
        holder[0] = new float[n];
      }
      float[] g = holder[0];
      for (int i = Parallel.split(groups, tasks, t), end = Parallel.split(groups, tasks, t + 1); i < end; i++) {
        // Row i of the product alone: gemmRows writes row r at r·ldc, so the row is shifted to index 0.
        kernels.gemmRows(transA, transB, i, i + 1, n, k, alpha, a, lda, b, ldb, 0f, g, 0);
        double sd = 0;
        double sw = 0;
        for (int j = 0, o = i * ldc; j < n; j++, o++) {
          float u = scale * g[j];
          float v = c[o] + u;
          c[o] = v;
          if (d != null) {
            d[o] = u;
          }
          sd += (double) u * u;
          sw += (double) v * v;
        }
        rowSums[2 * i] = sd;
        rowSums[2 * i + 1] = sw;
      }
    }

    @Override
    void clear() {
      super.clear();
      kernels = null;
      d = null;
    }
  }

  /** Rows [i0, i1) of C. */
  private void gemmRows(
      boolean transA, boolean transB, int i0, int i1, int n, int k, float alpha, float[] a, int lda, float[] b,
      int ldb, float beta, float[] c, int ldc) {
    for (int i = i0; i < i1; i++) {
      int ci = i * ldc;
      if (!transB) {
        // Row i of C is a combination of the rows of B: the inner loop runs along contiguous memory.
        scaleOrClear(n, beta, c, ci);
        for (int p = 0; p < k; p++) {
          float aip = alpha * (transA ? a[p * lda + i] : a[i * lda + p]);
          axpy(n, aip, b, p * ldb, c, ci);
        }
      } else {
        for (int j = 0; j < n; j++) {
          float s = 0;
          int bj = j * ldb;
          if (transA) {
            for (int p = 0; p < k; p++) {
              s += a[p * lda + i] * b[bj + p];
            }
          } else {
            s = dot(k, a, i * lda, b, bj);
          }
          c[ci + j] = beta == 0 ? alpha * s : alpha * s + beta * c[ci + j];
        }
      }
    }
  }

  private void scaleOrClear(int n, float beta, float[] y, int yOff) {
    if (beta == 0) {
      java.util.Arrays.fill(y, yOff, yOff + n, 0f);
    } else if (beta != 1) {
      scal(n, beta, y, yOff);
    }
  }

  @Override
  public void gramTimes(int m, int n, float[] a, int aOff, int lda, float[] v, float[] av, int avOff, float[] out) {
    java.util.Arrays.fill(out, 0, n, 0f);
    for (int i = 0; i < m; i++) {
      float s = dot(n, a, aOff + i * lda, v, 0);
      av[avOff + i] = s;
      axpy(n, s, a, aOff + i * lda, out, 0);
    }
  }

  @Override
  public double gramTimesSquares(
      int m, int n, float[] a, int aOff, int lda, float[] v, float[] av, int avOff, float[] out) {
    gramTimes(m, n, a, aOff, lda, v, av, avOff, out);
    double squares = 0;
    for (int i = 0; i < m; i++) {
      float s = 0;
      for (int j = 0, r = aOff + i * lda; j < n; j++) {
        s = Math.fma(a[r + j], a[r + j], s);
      }
      squares += s;
    }
    return squares;
  }

  @Override
  public double differenceGramTimes(
      int m, int n, float[] a, float[] b, int ld, float[] x, float[] ax, float[] aOut, float[] y, float[] dy,
      float[] dOut) {
    if (x != null) {
      java.util.Arrays.fill(aOut, 0, n, 0f);
    }
    java.util.Arrays.fill(dOut, 0, n, 0f);
    double squares = 0;
    for (int i = 0, r = 0; i < m; i++, r += ld) {
      float sx = 0;
      float sy = 0;
      float sq = 0;
      for (int j = 0; j < n; j++) {
        float d = a[r + j] - b[r + j];
        if (x != null) {
          sx = Math.fma(a[r + j], x[j], sx);
        }
        sy = Math.fma(d, y[j], sy);
        sq = Math.fma(d, d, sq);
      }
      squares += sq;
      dy[i] = sy;
      if (x != null) {
        ax[i] = sx;
      }
      for (int j = 0; j < n; j++) {
        if (x != null) {
          aOut[j] = Math.fma(sx, a[r + j], aOut[j]);
        }
        dOut[j] = Math.fma(sy, a[r + j] - b[r + j], dOut[j]);
      }
    }
    return squares;
  }

  @Override
  public void gelu(int from, int to, float[] x, float[] y, float[] keep) {
    ScalarElementwise.gelu(from, to, x, y, keep);
  }

  @Override
  public void geluBackward(int from, int to, float[] x, float[] keep, float[] dy, float[] dx) {
    ScalarElementwise.geluBackward(from, to, x, keep, dy, dx);
  }

  @Override
  public void adamW(int from, int to, float[] g, float[] m, float[] v, float[] w, float[] d, float b1, float b2,
      float c1, float c2, float lr, float wd, float eps) {
    ScalarElementwise.adamW(from, to, g, m, v, w, d, b1, b2, c1, c2, lr, wd, eps);
  }

  @Override
  public void rmsNorm(int rowFrom, int rowTo, int width, float[] x, float[] gain, float multiplier, float eps,
      float[] y, float[] inverseRms) {
    ScalarElementwise.rmsNorm(rowFrom, rowTo, width, x, gain, multiplier, eps, y, inverseRms);
  }

  @Override
  public void rmsNormBackward(int rowFrom, int rowTo, int width, float[] x, float[] gain, float multiplier,
      float[] inverseRms, float[] dy, float[] dx) {
    ScalarElementwise.rmsNormBackward(rowFrom, rowTo, width, x, gain, multiplier, inverseRms, dy, dx);
  }

  @Override
  public void rmsNormGainGradient(int colFrom, int colTo, int rows, int width, float[] x, float[] inverseRms,
      float[] dy, float multiplier, float[] dg) {
    ScalarElementwise.rmsNormGainGradient(colFrom, colTo, rows, width, x, inverseRms, dy, multiplier, dg);
  }

  @Override
  public void softmax(float[] a, int off, int n) {
    ScalarElementwise.softmax(a, off, n);
  }
}
