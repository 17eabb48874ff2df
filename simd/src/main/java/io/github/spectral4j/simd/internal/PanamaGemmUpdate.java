package io.github.spectral4j.simd.internal;

import static io.github.spectral4j.simd.internal.PanamaConstants.FLOAT;
import static io.github.spectral4j.simd.internal.PanamaConstants.KC;
import static io.github.spectral4j.simd.internal.PanamaConstants.LANES;
import static io.github.spectral4j.simd.internal.PanamaConstants.MR;
import static io.github.spectral4j.simd.internal.PanamaConstants.NR;
import static io.github.spectral4j.simd.internal.PanamaLevel1.FLOAT_VECTOR;

import jdk.incubator.vector.FloatVector;

/**
 * {@link Kernels#gemmUpdate} in {@link PanamaGemm}'s write-back: plain SGD's {@code W ← W + s·(α·op(A)·op(B))}
 * applied while each tile of the product is at hand, so that the gradient G is never stored and the
 * optimizer's pass over it (read G, write ΔW, read and write W) disappears: W is read and written once where
 * the plain product wrote G. Per element the operations of the separate passes in their order
 * ({@code g = acc·α}, {@code u = g·s}, {@code w + u}), so W and ΔW are bit for bit the same. On the route
 * whose row tiles sweep an L2-sized block of B (the weight gradients of an MLP with K = 128) a block of rows
 * of G goes to a buffer and the step then runs along those rows ({@link #rowBlock}); elsewhere each tile's
 * write-back applies it ({@link #writeBack}).
 *
 * <p>The squares of u and of the new w are summed per row of W and NR-column panel (the product's column
 * tiles, whose bounds depend on n only; each (row, panel) goes through {@link #step} exactly once whatever the
 * threads' rectangles and the route are), stored at that (row, panel)'s index ({@link #at}: row by row) and
 * added in double in index order after the fork: the sums are the same on any thread count. Their last bits differ from the separate
 * pass's, which sums in double in blocks of 2¹⁶ elements. Only for products of one k slice (k ≤ KC): with
 * more, C would hold partial sums of the product between slices.
 *
 * <p>Given a reference, the power-iteration products on the new W and on E = W − ref ({@code ax = W·x},
 * {@code aOut = Wᵀ·ax}, {@code ey = E·y}, {@code eOut = Eᵀ·ey}, Σ E²) are formed per fixed bucket of
 * {@link #BUCKET} rows, each bucket's share of aOut and eOut (and its Σ E²) in a buffer of its own, the
 * buckets added in order after the fork ({@link #finish}): {@link #rowBlock} forms a bucket's rows (four at a
 * time) right after the step of its last row, W's rows still in L2, so that W₀ is the only extra read (a
 * read-only pass after the product read W and W₀ again: 23 MB per step of the MLP, memory-bound). JFR of the
 * MLP step measured every step (one thread, loaded 2-core Zen 5): the products took 10.1 % of it as that
 * pass, 7.2 % here. The product then splits rows among threads at bucket boundaries ({@link #splitRows}), never
 * columns, so each bucket is formed by one thread in row order; buckets the route did not form (a thread's
 * rectangle of few rows, columns wider than a block) are formed by a read-only pass over their rows after
 * the product, with the same operations ({@link PanamaGram#differenceGramRows} four rows at a time from the
 * bucket's start). So every bit of the products depends on the shape only, never on the thread count or the
 * route. Why fixed buckets and not the read-only pass's two halves of the rows: a thread's rows depend on the
 * thread count, and a half formed by two threads would chain its rows' multiply-adds in another order. 48
 * rows (eight six-row tiles) keep a 2-thread split of 1024 rows at 528 | 496 (the tile split: 516 | 508) and
 * cost 22 buffers of 2 × 4 KB at 1024 columns. The products' last bits differ from the read-only pass's
 * (two halves) and from the optimizer's pass; W, ΔW and the two sums are those without products, bit for bit.
 */
final class PanamaGemmUpdate {
  private static final ThreadLocal<PanamaGemmUpdate> UPDATES = ThreadLocal.withInitial(PanamaGemmUpdate::new);

  /** Rows of a bucket of the products: a multiple of four (their groups) and of MR (the split's unit). */
  static final int BUCKET = 8 * MR;

  private final PanamaGemm.Epilogue epilogue = new PanamaGemm.Epilogue();
  private boolean busy;
  private float scale;
  /** Receives u, or null. */
  private float[] d;
  /** Rows of W. */
  private int rows;
  /** NR-column panels of W. */
  private int panels;
  /** Σ u² and Σ w² of row i and panel q at 2(i·panels + q) and the next index; grown, never shrunk. */
  private double[] sums = new double[0];
  /** Columns of W. */
  private int cols;
  /** Row stride of W and of ref. */
  private int ld;
  /** The products' inputs and row outputs while a call forms them; ref null otherwise. */
  private float[] w;
  private float[] ref;
  private float[] x;
  private float[] ax;
  private float[] y;
  private float[] ey;
  /** Bucket b's share of aOut and eOut, its Σ E² and its rows formed so far; grown, never shrunk. */
  private float[][] aOuts = new float[0][];
  private float[][] eOuts = new float[0][];
  private double[] squares = new double[0];
  private int[] formed = new int[0];
  /** The read-only pass over the buckets the product did not form, forked over their rows. */
  private final Rest rest = new Rest(this);

  private PanamaGemmUpdate() {
    epilogue.update = this;
  }

  /** Whether the write-back can take the step: the product has one k slice. */
  static boolean applies(int k) {
    return k <= KC;
  }

  /**
   * {@link Kernels#gemmUpdate} with the products (ref given, with W's row stride; else they are all null), for
   * a product that {@link #applies}, on the packed route.
   */
  static void gemmUpdate(
      boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int lda, float[] b, int ldb,
      float scale, float[] w, int ldw, float[] d, int threads, float[] ref, float[] x, float[] ax, float[] aOut,
      float[] y, float[] ey, float[] eOut, double[] sums) {
    PanamaGemmUpdate u = UPDATES.get();
    if (u.busy) { // a step inside a share of this thread's step: never today
      u = new PanamaGemmUpdate();
    }
    int panels = (n + NR - 1) / NR;
    int size = 2 * m * panels;
    if (u.sums.length < size) {
      u.sums = new double[size];
    }
    u.busy = true;
    u.scale = scale;
    u.d = d;
    u.rows = m;
    u.panels = panels;
    if (ref != null) {
      u.products(m, n, w, ref, ldw, x, ax, y, ey);
    }
    try {
      // β = 0 and one k slice: every tile is written once, in OVERWRITE mode, through writeBack below.
      PanamaGemm.packed(transA, transB, m, n, k, alpha, a, lda, b, ldb, 0f, w, ldw, threads, u.epilogue);
      if (ref != null) {
        sums[2] = u.finish(threads, aOut, eOut);
      }
    } finally {
      u.busy = false;
      u.d = null; // do not keep the caller's arrays alive
      u.clearProducts();
    }
    double[] s = u.sums;
    double sd = 0;
    double sw = 0;
    for (int i = 0; i < size; i += 2) {
      sd += s[i];
      sw += s[i + 1];
    }
    sums[0] = sd;
    sums[1] = sw;
  }

  /**
   * The products of {@link Kernels#gemmUpdate} on a W already updated (by a route that takes no write-back):
   * the same buckets and bits as the write-back forms. Returns Σ E². ax, aOut, ey and eOut are modified.
   */
  static double products(
      int m, int n, float[] w, float[] ref, int ld, float[] x, float[] ax, float[] aOut, float[] y, float[] ey,
      float[] eOut, int threads) {
    PanamaGemmUpdate u = UPDATES.get();
    if (u.busy) {
      u = new PanamaGemmUpdate();
    }
    u.busy = true;
    u.products(m, n, w, ref, ld, x, ax, y, ey);
    try {
      return u.finish(threads, aOut, eOut);
    } finally {
      u.busy = false;
      u.clearProducts();
    }
  }

  /** Sets up the products of a call: inputs, and the buckets' buffers grown to m × n, none formed. */
  private void products(int m, int n, float[] w, float[] ref, int ld, float[] x, float[] ax, float[] y, float[] ey) {
    int buckets = (m + BUCKET - 1) / BUCKET;
    if (aOuts.length < buckets) {
      aOuts = java.util.Arrays.copyOf(aOuts, buckets);
      eOuts = java.util.Arrays.copyOf(eOuts, buckets);
      squares = new double[buckets];
      formed = new int[buckets];
    }
    for (int q = 0; q < buckets; q++) {
      if (aOuts[q] == null || aOuts[q].length < n) {
        aOuts[q] = new float[n];
        eOuts[q] = new float[n];
      }
    }
    java.util.Arrays.fill(formed, 0, buckets, 0);
    rows = m;
    cols = n;
    this.ld = ld;
    this.w = w;
    this.ref = ref;
    this.x = x;
    this.ax = ax;
    this.y = y;
    this.ey = ey;
  }

  private void clearProducts() {
    w = null;
    ref = null;
    x = null;
    ax = null;
    y = null;
    ey = null;
  }

  /**
   * Rows per unit of the product's row split ({@link PanamaGemm#packed}): {@link #BUCKET} while products are
   * formed (each bucket then belongs to one thread, which forms its rows in order), else 0 (any split).
   */
  int splitRows() {
    return ref != null ? BUCKET : 0;
  }

  /**
   * After the product: the buckets it did not form by a read-only pass over their rows (forked), then
   * aOut and eOut as the buckets' shares added in bucket order; returns their Σ E² added in bucket order.
   */
  private double finish(int threads, float[] aOut, float[] eOut) {
    int buckets = (rows + BUCKET - 1) / BUCKET;
    int missing = 0;
    for (int q = 0; q < buckets; q++) {
      if (formed[q] != bucketRows(q)) {
        missing++;
      }
    }
    if (missing > 0) {
      // Each bucket whole on one thread, so the split changes no bit; few rows stay on this thread.
      int tasks = (long) missing * BUCKET * cols < REST_PARALLEL_FLOATS ? 1 : Math.min(threads, missing);
      rest.run(tasks, buckets);
    }
    int n = cols;
    System.arraycopy(aOuts[0], 0, aOut, 0, n);
    System.arraycopy(eOuts[0], 0, eOut, 0, n);
    double sq = squares[0];
    for (int q = 1; q < buckets; q++) {
      PanamaLevel1.axpy(n, 1f, aOuts[q], 0, aOut, 0);
      PanamaLevel1.axpy(n, 1f, eOuts[q], 0, eOut, 0);
      sq += squares[q];
    }
    return sq;
  }

  /** Floats of W below which the read-only pass over missing buckets stays on the calling thread. */
  private static final long REST_PARALLEL_FLOATS = 1 << 16;

  /** Rows of bucket q. */
  private int bucketRows(int q) {
    return Math.min(BUCKET, rows - q * BUCKET);
  }

  /**
   * The products of rows [lo, hi) of W, updated: the next rows of one bucket, from its start or from where
   * it stopped, ending at a multiple of four rows after the bucket's start or at m.
   */
  private void formRows(int lo, int hi) {
    while (lo < hi) {
      int stop = Math.min(hi, (lo / BUCKET + 1) * BUCKET);
      formBucketRows(lo, stop);
      lo = stop;
    }
  }

  private void formBucketRows(int lo, int hi) {
    int q = lo / BUCKET;
    float[] ao = aOuts[q];
    float[] eo = eOuts[q];
    double s = squares[q];
    if (lo == q * BUCKET) {
      java.util.Arrays.fill(ao, 0, cols, 0f);
      java.util.Arrays.fill(eo, 0, cols, 0f);
      s = 0;
    }
    squares[q] = PanamaGram.differenceGramRows(lo, hi, cols, w, ref, ld, x, ax, ao, y, ey, eo, s);
    formed[q] += hi - lo;
  }

  /** The read-only pass over the buckets the product did not form: a job reused by its calling thread. */
  private static final class Rest extends Parallel.Job {
    private final PanamaGemmUpdate u;
    private int tasks;
    private int buckets;

    Rest(PanamaGemmUpdate u) {
      this.u = u;
    }

    void run(int tasks, int buckets) {
      this.tasks = tasks;
      this.buckets = buckets;
      if (tasks == 1 || !claim()) {
        for (int t = 0; t < tasks; t++) {
          accept(t);
        }
        return;
      }
      run(tasks);
    }

    @Override
    public void accept(int t) {
      int q0 = Parallel.split(buckets, tasks, t);
      int q1 = Parallel.split(buckets, tasks, t + 1);
      for (int q = q0; q < q1; q++) {
        if (u.formed[q] != u.bucketRows(q)) {
          u.formed[q] = 0;
          u.formRows(q * BUCKET, q * BUCKET + u.bucketRows(q));
        }
      }
    }

    @Override
    void clear() {}
  }

  /**
   * A block of rows of the product (rows [row, row + mc) of W, columns [col, col + nc)) on the route whose
   * row tiles sweep a packed block of B that stays in L2: its tiles write G = α·acc into a per-thread buffer
   * of mc × nc floats (768 KB at 192 × 1024) straight from their registers, then the step runs along those
   * rows of W, contiguous in memory when W is as wide as the product, as one pass. W is read from memory in
   * bursts that long passes take at streaming speed. Measured on a loaded Zen 5 (one thread, CPU time,
   * medians of 20–24 rounds alternating in one JVM, the MLP step's three weight gradients): a step after
   * each six-row tile (24 KB of W per burst) 5.76–5.90 ms, after every 8 tiles 5.57–5.65, every 16
   * 5.52–5.59, after the whole block of 32 tiles 5.35; blocks of 96 to 1024 rows instead of 192 did no
   * better (5.15–5.36 ms against 5.22).
   *
   * <p>Not taken: a dense layer's masked ∂X = δ·W and this step in one sweep over W's column panels (∂X's
   * panel by {@link PanamaGemm}'s rectangle code, then the step's rectangle on the same panel of W, δ packed
   * once for each product), to save the step's read of W; the same bits as the two calls (checked). One
   * thread, CPU time, paired medians of 200 interleaved calls after a 64 MB scrub, loaded 2-core Zen 5,
   * 128 × 1024 → 1024 (the two calls 3.6 ms): panels of 128–256 columns 37–73 µs faster, but one panel of
   * 1024 columns (the same code, nothing fused) 54 µs, so the fusion itself bought 0–20 µs, in the noise. W's
   * source hardly matters here: W evicted to memory instead of in L3, +0–8 µs. This route's 0.33 ms over the
   * plain product into G (1.70 against 1.36 ms at 1024 × 1024 × 128) is the step pass (0.19 ms, of which
   * 0.06 its loads of W), the sums (0.11) and the buffer of G (0.04); and W's panel cannot stay in the 1 MB
   * L2 from one product to the other: ∂X's packed δ (512 KB at 128 × 1024) and packed panels of W (256–512
   * KB) fill it, and the step's packed δᵀ (512 KB) streams through it.
   */
  void rowBlock(
      int kc, float[] pa, int ir, float[] pb, float[] tile, float[] w, int row, int col, int ldw, int mc, int nc,
      float alpha) {
    float[] g = rows(mc * nc);
    for (int i = 0; i < mc; i += MR) {
      int mr = Math.min(MR, mc - i);
      for (int jr = 0; jr < nc; jr += NR) {
        PanamaGemm.tile(kc, pa, ir + i, pb, jr, tile, g, i, jr, nc, mr, Math.min(NR, nc - jr), alpha, 0f,
            PanamaGemm.OVERWRITE, null);
      }
    }
    // Products along whole rows: a bucket's rows as soon as its last row has taken its step, the bucket's rows
    // of W (192 KB at 1024 columns) still in L2, and at the block's end its rows up to a multiple of four (the
    // rest of that bucket with the next block of this thread, which owns the bucket; its first block starts
    // one, where row & -4 is row). Paired medians, 3 layers of 1024 x 1024 x 128 after a 64 MB scrub, loaded
    // 2-core Zen 5, products' cost over the step alone: read-only pass after the steps 431-471 us per layer,
    // products every 4 rows (W in L1) 569-609, every 16 rows 391-425, every 48 355-415, every 192 386-429:
    // per four rows the short bursts of W₀ stream slower than they gain from W in L1. Measured slower still (one
    // JVM, 300-400 interleaved rounds, W evicted before each call, loaded 2-core Zen 5, 1 thread, per layer: the
    // step alone 1.52-1.91 ms, the products +0.43-0.48): touching this block's W₀ rows (one load per cache
    // line) while its tiles compute, after each row tile +0.01 ms, after each tile +0.33 (its own lines) or
    // +0.53 (the row tile's next 25), inside the kernel's k loop +0.26 (W₀) to +0.31 (W₀ and W), W alone in the
    // step without products +0.25: Java has no prefetch instruction, a load that misses stalls retirement, and
    // the touched lines push the 512 KB packed B out of L2. The
    // products' dot sweep in the step's own sweep (W₀ read beside W, each row's lane sums carried across the
    // panels, the same bits) +0.46 ms: W₀ streams slower beside the step's W and G than in a bucket's long run.
    // What the products cost: their two sweeps at load and FMA throughput, 0.17-0.18 ms with a bucket's rows in
    // L2 (0.13 with four rows in L1), and W₀'s 4 MB read at this core's 13-20 GB/s, about 0.25 ms.
    boolean products = ref != null && col == 0 && nc == cols;
    int due = row & -4;
    for (int r = 0; r < mc; r++) {
      for (int jr = 0; jr < nc; jr += NR) {
        step(g, r * nc + jr, w, (row + r) * ldw + col + jr, Math.min(NR, nc - jr), at(row + r, col + jr));
      }
      int done = row + r + 1;
      if (products && (done % BUCKET == 0 || done == rows)) {
        formRows(due, done);
        due = done;
      }
    }
    if (products) {
      int end = row + mc == rows ? rows : (row + mc) & -4;
      if (due < end) {
        formRows(due, end);
      }
    }
  }

  /** The rows of G of {@link #rowBlock}: one buffer per thread, grown and never shrunk. */
  private static float[] rows(int size) {
    float[][] holder = ROWS.get();
    if (holder[0].length < size) {
      holder[0] = new float[size];
    }
    return holder[0];
  }

  private static final ThreadLocal<float[][]> ROWS = ThreadLocal.withInitial(() -> new float[][] {new float[0]});

  /**
   * The index in {@link #sums} of the row and of the panel holding the column: row by row, so that a row's
   * steps store to adjacent entries (4 cache lines at 1024 columns) and the sums are added in that order.
   * Panel by panel, as before, a row's 16 stores went 16 KB apart (one L1 set, 256 KB of lines): this layout
   * took 46–95 µs off the route of a 1024 × 1024 × 128 step of 1.7–2.0 ms (one thread, CPU time, paired
   * medians of 200 interleaved calls after a 64 MB scrub, loaded 2-core Zen 5); the same stores added in the
   * old order (the old bits) only 17–72 µs, the strided summation giving the rest back. So the norms' last
   * bits differ from earlier versions' (a double sum in another order), never between thread counts. Threads
   * that split the columns share at most one cache line per row, at their boundary.
   */
  private int at(int row, int col) {
    return 2 * (row * panels + col / NR);
  }

  /**
   * The write-back of the mr × nr tile at (row, col) of W on the other routes: G = α·acc formed in the tile
   * buffer (rows NR apart), then the step on each of its rows.
   */
  void writeBack(float[] w, int row, int col, int ldw, int mr, int nr, float alpha, float[] tile) {
    for (int r = 0; r < mr; r++) {
      int t = r * NR;
      int j = 0;
      if (nr == NR) {
        FloatVector alphaV = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, alpha));
        for (; j < NR; j += LANES) {
          FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, tile, t + j)).mul(alphaV).intoArray(tile, t + j);
        }
      }
      for (; j < nr; j++) {
        tile[t + j] *= alpha;
      }
      step(tile, t, w, (row + r) * ldw + col, nr, at(row + r, col));
    }
  }

  /**
   * The step on one row of one panel, nr ≤ NR elements: u = s·g, w += u, d = u, with Σ u² and Σ w² stored at
   * {@code sums[at]}, {@code sums[at + 1]}. Every (row, panel) goes through here once, whatever the route, so
   * its sums do not depend on the route (which can depend on the thread count). A whole panel's squares are
   * summed in float lanes and folded in a fixed order (64 terms: a relative error of at most about 4·10⁻⁶,
   * far below what a norm of a weight matrix is read for), then added in double; a panel whose float sum
   * overflows is summed again in double, so a sum is finite exactly when every element is.
   */
  private void step(float[] g, int gOff, float[] w, int wOff, int nr, int at) {
    float s = scale;
    float[] d = this.d;
    if (nr == NR) {
      FloatVector sV = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, s));
      FloatVector qd = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
      FloatVector qw = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
      for (int j = 0; j < NR; j += LANES) {
        FloatVector u = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, g, gOff + j)).mul(sV);
        FloatVector v = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, w, wOff + j)).add(u);
        v.intoArray(w, wOff + j);
        if (d != null) {
          u.intoArray(d, wOff + j);
        }
        qd = u.fma(u, qd);
        qw = v.fma(v, qw);
      }
      float fd = PanamaLevel1.sumLanes(qd);
      float fw = PanamaLevel1.sumLanes(qw);
      if (Float.isFinite(fd) && Float.isFinite(fw)) {
        sums[at] = fd;
        sums[at + 1] = fw;
      } else {
        doubleSums(g, gOff, w, wOff, nr, at);
      }
      return;
    }
    for (int j = 0; j < nr; j++) {
      float u = s * g[gOff + j];
      w[wOff + j] += u;
      if (d != null) {
        d[wOff + j] = u;
      }
    }
    doubleSums(g, gOff, w, wOff, nr, at);
  }

  /** Σ u² (u = s·g again, the same bits) and Σ w² of the updated w, in double, at {@code sums[at …]}. */
  private void doubleSums(float[] g, int gOff, float[] w, int wOff, int nr, int at) {
    double sd = 0;
    double sw = 0;
    for (int j = 0; j < nr; j++) {
      float u = scale * g[gOff + j];
      float v = w[wOff + j];
      sd += (double) u * u;
      sw += (double) v * v;
    }
    sums[at] = sd;
    sums[at + 1] = sw;
  }
}
