package io.github.spectral4j.simd.internal;

/**
 * The Gram product av = A·v, out = Aᵀ·(A·v) of a large matrix on several threads with a result that
 * does not depend on the thread count: the rows are cut into blocks of a fixed size
 * ({@link #BLOCK_ROWS}), each block's share of Aᵀ·(A·v) is formed in a buffer of its own by the fused
 * one-pass kernel, and the shares are added in block order. Threads take contiguous runs of blocks.
 * Used by the spectral solvers, whose steps are one such product each; memory-bound, so a second core
 * pays only where one core cannot saturate the memory bus.
 */
public final class GramProducts {
  /** Rows per block: 256 rows of a 2048-column matrix are 2 MB, a block share is 8 KB. */
  public static final int BLOCK_ROWS = 256;

  /** Below this many matrix entries one thread does all blocks (a fork costs about 10–20 µs). */
  public static final long PARALLEL_ENTRIES = 1L << 18;

  private GramProducts() {}

  /** Number of blocks for m rows; {@link #gramTimes} needs blocks(m) − 1 share buffers. */
  public static int blocks(int m) {
    return (m + BLOCK_ROWS - 1) / BLOCK_ROWS;
  }

  /**
   * av = A·v (length m), out = Aᵀ·(A·v) (length n) for the m×n row-major A; {@code shares} holds
   * blocks(m) − 1 scratch vectors of length n. av, out and shares are modified.
   */
  public static void gramTimes(
      Kernels kernels, int m, int n, float[] a, float[] v, float[] av, float[] out, float[][] shares, int threads) {
    product(kernels, m, n, a, v, av, out, shares, threads, false);
  }

  /**
   * {@link #gramTimes} (the same bits in av and out) that also returns Σ a_ij² over A: the blocks' sums of
   * {@link Kernels#gramTimesSquares} added in block order, so the same bits for every thread count. NaN or
   * infinite when an entry is (or a square overflows float); see Kernels for what the sum keeps.
   */
  public static double gramTimesSquares(
      Kernels kernels, int m, int n, float[] a, float[] v, float[] av, float[] out, float[][] shares, int threads) {
    return product(kernels, m, n, a, v, av, out, shares, threads, true);
  }

  private static double product(
      Kernels kernels, int m, int n, float[] a, float[] v, float[] av, float[] out, float[][] shares, int threads,
      boolean withSquares) {
    int blocks = blocks(m);
    int t = (long) m * n < PARALLEL_ENTRIES ? 1 : Math.min(threads, blocks);
    double squares = 0;
    if (t <= 1) {
      for (int b = 0; b < blocks; b++) {
        squares += block(kernels, b, m, n, a, v, av, out, shares, withSquares);
      }
    } else {
      Call call = CALLS.get();
      if (!call.claim()) { // a Gram product inside a share of this thread's: never today
        call = new Call();
        call.claim();
      }
      call.kernels = kernels;
      call.tasks = t;
      call.blocks = blocks;
      call.m = m;
      call.n = n;
      call.a = a;
      call.v = v;
      call.av = av;
      call.out = out;
      call.shares = shares;
      call.withSquares = withSquares;
      if (withSquares && call.squares.length < blocks) {
        call.squares = new double[blocks];
      }
      call.run(t);
      if (withSquares) {
        for (int b = 0; b < blocks; b++) {
          squares += call.squares[b];
        }
      }
    }
    for (int b = 1; b < blocks; b++) {
      kernels.axpy(n, 1f, shares[b - 1], 0, out, 0);
    }
    return squares;
  }

  private static final ThreadLocal<Call> CALLS = ThreadLocal.withInitial(Call::new);

  /** One calling thread's forked Gram product: its arguments in fields, reused (a solver forks one per pass). */
  private static final class Call extends Parallel.Job {
    Kernels kernels;
    int tasks;
    int blocks;
    int m;
    int n;
    float[] a;
    float[] v;
    float[] av;
    float[] out;
    float[][] shares;
    boolean withSquares;
    /** Each block's Σ a_ij² (withSquares), added in block order by the caller; grown, never shrunk. */
    double[] squares = new double[0];

    @Override
    public void accept(int task) {
      for (int b = Parallel.split(blocks, tasks, task), end = Parallel.split(blocks, tasks, task + 1); b < end; b++) {
        double s = block(kernels, b, m, n, a, v, av, out, shares, withSquares);
        if (withSquares) {
          squares[b] = s;
        }
      }
    }

    @Override
    void clear() {
      kernels = null;
      a = null;
      v = null;
      av = null;
      out = null;
      shares = null;
    }
  }

  private static double block(
      Kernels kernels, int b, int m, int n, float[] a, float[] v, float[] av, float[] out, float[][] shares,
      boolean withSquares) {
    int r0 = b * BLOCK_ROWS;
    int rows = Math.min(BLOCK_ROWS, m - r0);
    float[] share = b == 0 ? out : shares[b - 1];
    if (withSquares) {
      return kernels.gramTimesSquares(rows, n, a, r0 * n, n, v, av, r0, share);
    }
    kernels.gramTimes(rows, n, a, r0 * n, n, v, av, r0, share);
    return 0;
  }
}
