package io.github.spectral4j.simd.internal;

/**
 * The optimizer's pass without products ({@link Kernels#update} without a reference,
 * {@link Kernels#addWithSquares}, and AdamW's {@link Kernels#adamWWithSquares}) in fixed blocks:
 * {@code d = α·g} (or d as given, or AdamW's update), {@code w = w + d}, with {@code Σ d²} and
 * {@code Σ w²} formed by {@link Kernels#updateBlock} (or {@link Kernels#adamWApply}) for each block of
 * {@link #BLOCK} elements and the blocks' sums added in block order. The blocks depend on the length
 * only, so from {@link #PARALLEL} elements their contiguous shares run on up to
 * {@link Parallel#parallelism()} threads with the same bits on any thread count: this pass over every
 * weight of the model (memory-bound, about a tenth of an MLP step on one thread) ran on one thread while
 * the others idled. A pass of at most one block is that block's kernel call, as before blocks existed.
 * One job per calling thread, reused: nothing is allocated per pass.
 */
final class SquaresPass extends Parallel.Job {
  /** Elements per block (a multiple of every vector kernel's step). */
  static final int BLOCK = 1 << 16;

  /**
   * Elements from which the blocks are split among threads: 2 MB read and 2 MB written at the least,
   * tens of µs, several times the cost of handing a share to a thread.
   */
  static final int PARALLEL = 1 << 17;

  private static final ThreadLocal<SquaresPass> JOBS = ThreadLocal.withInitial(SquaresPass::new);

  private Kernels kernels;
  private int n;
  private int blocks;
  private int tasks;
  private float alpha;
  private float[] g;
  private float[] d;
  private float[] w;
  /** AdamW's moments (null for the plain pass) and its constants, as {@link Kernels#adamW} takes them. */
  private float[] m;
  private float[] v;
  private float b1;
  private float b2;
  private float c1;
  private float c2;
  private float lr;
  private float wd;
  private float eps;
  /** Σ d² and Σ w² of block b at 2b and 2b + 1; grown, never shrunk. */
  private double[] blockSums = new double[0];
  /** One two-entry scratch per task for the kernel's sums; grown, never shrunk. */
  private double[][] scratch = new double[0][];

  /**
   * The pass over [0, n): {@code sums[0] = Σ d²}, {@code sums[1] = Σ w²} (overwritten), d (when g is
   * not null) and w modified, as {@link Kernels#update} without a reference states it.
   */
  static void run(Kernels kernels, int n, float alpha, float[] g, float[] d, float[] w, double[] sums) {
    if (n <= BLOCK) {
      kernels.updateBlock(0, n, alpha, g, d, w, sums);
      return;
    }
    SquaresPass job = claimed();
    job.set(kernels, n, alpha, g, d, w);
    job.pass(sums);
  }

  /**
   * AdamW's pass over [0, n) ({@link Kernels#adamWWithSquares}): each block by {@link Kernels#adamWApply}, so
   * m, v, d and w as {@link Kernels#adamW} followed by this class's plain pass leaves them, with its sums.
   */
  static void runAdamW(Kernels kernels, int n, float[] g, float[] m, float[] v, float[] w, float[] d, float b1,
      float b2, float c1, float c2, float lr, float wd, float eps, double[] sums) {
    if (n <= BLOCK) {
      kernels.adamWApply(0, n, g, m, v, w, d, b1, b2, c1, c2, lr, wd, eps, sums);
      return;
    }
    SquaresPass job = claimed();
    job.set(kernels, n, 0f, g, d, w);
    job.m = m;
    job.v = v;
    job.b1 = b1;
    job.b2 = b2;
    job.c1 = c1;
    job.c2 = c2;
    job.lr = lr;
    job.wd = wd;
    job.eps = eps;
    job.pass(sums);
  }

  private static SquaresPass claimed() {
    SquaresPass job = JOBS.get();
    if (!job.claim()) { // a pass inside a share of this thread's forked job: never today
      job = new SquaresPass();
      job.claim();
    }
    return job;
  }

  /** The blocks of the pass set up, on up to {@link Parallel#parallelism()} threads, their sums added in order. */
  private void pass(double[] sums) {
    int blocks = this.blocks;
    run(tasks);
    double[] b = blockSums; // kept by clear(): read before this thread's next pass
    double sd = 0;
    double sw = 0;
    for (int k = 0; k < blocks; k++) {
      sd += b[2 * k];
      sw += b[2 * k + 1];
    }
    sums[0] = sd;
    sums[1] = sw;
  }

  private void set(Kernels kernels, int n, float alpha, float[] g, float[] d, float[] w) {
    this.kernels = kernels;
    this.n = n;
    this.blocks = (n + BLOCK - 1) / BLOCK;
    this.tasks = n < PARALLEL ? 1 : Math.min(Parallel.parallelism(), blocks);
    this.alpha = alpha;
    this.g = g;
    this.d = d;
    this.w = w;
    this.m = null;
    this.v = null;
    if (blockSums.length < 2 * blocks) {
      blockSums = new double[2 * blocks];
    }
    if (scratch.length < tasks) {
      double[][] grown = java.util.Arrays.copyOf(scratch, tasks);
      for (int t = scratch.length; t < tasks; t++) {
        grown[t] = new double[2];
      }
      scratch = grown;
    }
  }

  @Override
  public void accept(int task) {
    double[] s = scratch[task];
    for (int b = Parallel.split(blocks, tasks, task), end = Parallel.split(blocks, tasks, task + 1); b < end; b++) {
      int from = b * BLOCK;
      int to = Math.min(n, from + BLOCK);
      if (m == null) {
        kernels.updateBlock(from, to, alpha, g, d, w, s);
      } else {
        kernels.adamWApply(from, to, g, m, v, w, d, b1, b2, c1, c2, lr, wd, eps, s);
      }
      blockSums[2 * b] = s[0];
      blockSums[2 * b + 1] = s[1];
    }
  }

  @Override
  void clear() {
    kernels = null;
    g = null;
    d = null;
    w = null;
    m = null;
    v = null;
  }
}
