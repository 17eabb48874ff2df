package io.github.spectral4j.simd.internal;

import static io.github.spectral4j.simd.internal.PanamaConstants.FLOAT;
import static io.github.spectral4j.simd.internal.PanamaConstants.GEMM_PARALLEL_THRESHOLD;
import static io.github.spectral4j.simd.internal.PanamaConstants.KC;
import static io.github.spectral4j.simd.internal.PanamaConstants.LANES;
import static io.github.spectral4j.simd.internal.PanamaConstants.MC;
import static io.github.spectral4j.simd.internal.PanamaConstants.MR;
import static io.github.spectral4j.simd.internal.PanamaConstants.NC;
import static io.github.spectral4j.simd.internal.PanamaConstants.NR;
import static io.github.spectral4j.simd.internal.PanamaConstants.PB_SKIP;
import static io.github.spectral4j.simd.internal.PanamaConstants.WIDE_SHARE;
import static io.github.spectral4j.simd.internal.PanamaLevel1.FLOAT_MASK;
import static io.github.spectral4j.simd.internal.PanamaLevel1.FLOAT_VECTOR;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * C = α·op(A)·op(B) + β·C on the Vector API, in the Goto/BLIS structure: for each NC-wide column block
 * and KC-deep slice of k, op(B) is packed into zero-padded KC × NR panels and op(A) into zero-padded
 * MR × KC panels (transposition happens here, so the inner loop only reads contiguous memory), then a
 * register-tiled MR × NR micro-kernel multiplies panel pairs with 24 vector accumulators (12 where the
 * CPU has only 16 vector registers) and no masks.
 *
 * <p>Threads split C into rectangles aligned to the tile grid. Every element of C is computed by the same
 * sequence of operations whichever thread owns it — the same k slices in the same order, the same FMA
 * order inside the micro-kernel — so the result is bit-identical for any thread count.
 */
final class PanamaGemm {
  /** Write-back modes of a micro-tile: C = α·acc, C = α·acc + β·C, C = α·acc + C. */
  static final int OVERWRITE = 0;
  static final int SCALE = 1;
  static final int ACCUMULATE = 2;

  /** Packing buffers per thread, grown on demand and then reused: no allocation in steady state. */
  private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

  /** This thread's packing buffers (also lent to {@link PanamaThinGemm}, which never runs inside a GEMM). */
  static Workspace workspace() {
    return WORKSPACE.get();
  }

  static final class Workspace {
    float[] packA = new float[0];
    float[] packB = new float[0];
    final float[] tile = new float[MR * NR];
    float[] transposed = new float[0];

    /** The block of Cᵀ of {@link PanamaTransposedGemm}. */
    float[] transposed(int size) {
      if (transposed.length < size) {
        transposed = new float[size];
      }
      return transposed;
    }

    float[] packA(int size) {
      if (packA.length < size) {
        packA = new float[size];
      }
      return packA;
    }

    float[] packB(int size) {
      if (packB.length < size) {
        packB = new float[size];
      }
      return packB;
    }
  }

  /** Whether the CPU selects lanes from two vectors natively (the six-row transposition of packA uses it). */
  private static final boolean TRANSPOSE = FLOAT.vectorBitSize() >= 256;

  /**
   * Lane indices of the six-row transposition in packA, eight vectors of LANES: the pairwise interleave of
   * the low and the high half of two rows, then for each of the three output vectors of a half the
   * select from the 0|1 and 2|3 pairs and the select merging in the 4|5 pair.
   */
  private static final float[] TRANSPOSE_INDEX = transposeIndex();

  private static float[] transposeIndex() {
    float[] x = new float[8 * LANES];
    for (int e = 0; e < LANES; e++) {
      int i = e / 2;
      int s = e % 2;
      x[e] = s * LANES + i;
      x[LANES + e] = s * LANES + LANES / 2 + i;
    }
    for (int q = 0; q < 3; q++) {
      for (int l = 0; l < LANES; l++) {
        int e = q * LANES + l;
        int row = e % MR;
        int pos = 2 * (e / MR) + row % 2;
        x[(2 + 2 * q) * LANES + l] = row / 2 == 1 ? LANES + pos : pos;
        x[(3 + 2 * q) * LANES + l] = row / 2 == 2 ? LANES + pos : l;
      }
    }
    return x;
  }

  /**
   * Rows of C up to which a rectangle packs all of op(A) once and each NR panel of op(B) just before its
   * row tiles use it (the panel is still in L2 for all of them): with few rows the packed block of B would
   * be written out to L3 and read back for each block of MC rows (measured on a loaded Zen 5, medians of
   * interleaved runs: NN 128 × 1024 × 1024 from 0.58 to 0.67 × the FMA peak, NT from 0.64 to 0.71; at
   * 192 rows still 0.78 to 0.81).
   */
  private static final int FEW_ROWS = 4 * MC;

  /**
   * Floats of a packed block of B small enough to stay in L2 while every row tile sweeps it (512 KB): the
   * weight gradient's K = 128 slices (measured 0.73 to 0.76 × peak at 1024 × 1024 × 128, loaded machine).
   */
  private static final long L2_PANEL_FLOATS = 1 << 17;

  /**
   * Most floats of op(A) that a column split packs once for all its threads (4 MB); before, each thread
   * packed all of op(A) itself. Measured on a loaded Zen 5, both threads' CPU time per call, medians of
   * 60 rounds alternating in one JVM: NN 128 × 1024 × 1024 1438 → 1394 µs (one thread: 1407), TN
   * 1024 × 1024 × 128 1280 → 1259 µs (one thread: 1247). A larger op(A) stays private to each thread.
   */
  private static final long SHARED_A_FLOATS = 1 << 20;

  /** Least floats of op(A) worth a fork of their own to pack once (a 128 × 256 block). */
  private static final long SHARED_A_MIN = 1 << 15;

  /**
   * Floats of padding after each packed panel of a transposed A (one cache line). Unpadded, the panels of a
   * deep slice are a multiple of 4 KB apart (24 KB at kc = 1024), so packA's stores of one step p, one per
   * panel, all fall in the same set of the L1 cache: 16 panels (96 rows) took 3.1 × as long to pack as 8,
   * where padded they take 0.76 × (packing 1536 × 1024 alone, loaded Zen 5).
   */
  private static final int PANEL_PAD = 16;

  private PanamaGemm() {}

  /**
   * Packs rows [ic, ic + mr) of op(A) (mr ≤ 4) into one 4-row panel at {@code pa[off …]}: for each p the
   * four values of column p at {@code off + 4·p}, rows past mr zero.
   */
  private static void packA4(boolean transA, float[] a, int lda, int ic, int mr, int pc, int kc, float[] pa, int off) {
    for (int p = 0, d = off; p < kc; p++, d += 4) {
      for (int r = 0; r < 4; r++) {
        pa[d + r] = r >= mr ? 0f : transA ? a[(pc + p) * lda + ic + r] : a[(ic + r) * lda + pc + p];
      }
    }
  }

  static void gemm(
      boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int lda, float[] b, int ldb,
      float beta, float[] c, int ldc, int threads) {
    gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads, null);
  }

  /**
   * {@link Kernels#gemmEpilogue}: the bias, the rectifier and the mask are applied by the write-back of the
   * last k slice, while the tile is in cache, with the roundings of the separate passes.
   */
  static void gemmEpilogue(
      boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int lda, float[] b, int ldb,
      float beta, float[] c, int ldc, int threads, float biasScale, float[] bias, boolean rectify, float[] mask,
      int ldm) {
    Epilogue e = EPILOGUES.get();
    if (e.busy) { // as for Call: never today
      e = new Epilogue();
    }
    e.busy = true;
    e.biasScale = biasScale;
    e.bias = bias;
    e.rectify = rectify;
    e.mask = mask;
    e.ldm = ldm;
    try {
      gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads, e);
    } finally {
      e.busy = false;
      e.bias = null; // do not keep the caller's arrays alive
      e.mask = null;
    }
  }

  private static final ThreadLocal<Epilogue> EPILOGUES = ThreadLocal.withInitial(Epilogue::new);

  /** What {@link #writeBackEpilogue} applies after α·acc + β·C; one per calling thread, reused. */
  static final class Epilogue {
    boolean busy;
    float biasScale;
    float[] bias;
    boolean rectify;
    float[] mask;
    int ldm;
    /** Set instead: the gradient step of {@link PanamaGemmUpdate}, C being W (never read as β·C). */
    PanamaGemmUpdate update;
  }

  private static void gemm(
      boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int lda, float[] b, int ldb,
      float beta, float[] c, int ldc, int threads, Epilogue epilogue) {
    if (PanamaTransposedGemm.applies(transA, transB, m, n, k)) {
      PanamaTransposedGemm.gemm(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads, epilogue);
      return;
    }
    packed(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads, epilogue);
  }

  /** The packed route whatever the shape (the other route gives the same bits; the tests compare them). */
  static void packed(
      boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int lda, float[] b, int ldb,
      float beta, float[] c, int ldc, int threads, Epilogue epilogue) {
    int rowTiles = ceilDiv(m, MR);
    int colTiles = ceilDiv(n, NR);
    int t = (long) m * n * k < GEMM_PARALLEL_THRESHOLD ? 1 : threads;
    // Every thread packs all of op(A) for its columns and all of op(B) for its rows. Splitting columns
    // repeats the packing of A, which is cheap when each column share is wide; otherwise split rows
    // (repeating B), and only when both run short, both. Columns also give way to rows when their
    // largest share holds more tiles (the weight gradient of a 784-wide input: 13 column tiles split
    // 7 | 6, 171 row tiles 86 | 85).
    int tc;
    int tr;
    boolean rowsBalanceBetter =
        rowTiles >= t && (long) ceilDiv(rowTiles, t) * colTiles < (long) ceilDiv(colTiles, t) * rowTiles;
    // A step that forms products per fixed bucket of rows (PanamaGemmUpdate) needs whole rows per thread,
    // split at bucket boundaries: then each bucket is one thread's, formed in row order.
    int unit = epilogue != null && epilogue.update != null ? epilogue.update.splitRows() : 0;
    if (unit > 0) {
      tc = 1;
      tr = Math.min(t, ceilDiv(m, unit));
    } else if (colTiles >= t && (n >= m || n / t >= WIDE_SHARE) && !rowsBalanceBetter) {
      tc = t;
      tr = 1;
    } else if (rowTiles >= t) {
      tc = 1;
      tr = t;
    } else {
      tc = Math.min(t, colTiles);
      tr = Math.min(Math.max(1, t / tc), rowTiles);
    }
    if (tr * tc == 1) {
      block(transA, transB, 0, m, 0, n, k, alpha, a, lda, b, ldb, beta, c, ldc, epilogue, null);
      return;
    }
    Call call = CALLS.get();
    if (call.busy) { // a GEMM inside a share of this thread's GEMM: never today, but not to be corrupted
      call = new Call();
    }
    call.unitTiles = unit > 0 ? unit / MR : 1;
    call.run(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, rowTiles, colTiles, tr, tc, epilogue);
  }

  private static final ThreadLocal<Call> CALLS = ThreadLocal.withInitial(Call::new);

  /**
   * One calling thread's forked GEMM: its arguments in fields that the shares read, reused from call to call
   * (a capturing lambda would allocate on every forked GEMM of a training step).
   */
  private static final class Call implements java.util.function.IntConsumer {
    boolean busy;
    boolean transA;
    boolean transB;
    int m;
    int n;
    int k;
    float alpha;
    float beta;
    float[] a;
    float[] b;
    float[] c;
    int lda;
    int ldb;
    int ldc;
    int rowTiles;
    int colTiles;
    int tr;
    int tc;
    /** Row tiles per unit of the row split (1: any tile). */
    int unitTiles = 1;
    Epilogue epilogue;
    /** op(A) packed once per k slice as {@link #block} lays it out, when the shares use it; else null. */
    float[][] packedA;
    /** Grown, never shrunk: the per-slice buffers of {@link #packedA}. */
    private float[][] sharedA = new float[0][];
    /** While true the shares pack op(A) (panel units split among them) instead of computing. */
    boolean packing;

    void run(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int lda, float[] b,
        int ldb, float beta, float[] c, int ldc, int rowTiles, int colTiles, int tr, int tc, Epilogue epilogue) {
      this.transA = transA;
      this.transB = transB;
      this.m = m;
      this.n = n;
      this.k = k;
      this.alpha = alpha;
      this.beta = beta;
      this.a = a;
      this.b = b;
      this.c = c;
      this.lda = lda;
      this.ldb = ldb;
      this.ldc = ldc;
      this.rowTiles = rowTiles;
      this.colTiles = colTiles;
      this.tr = tr;
      this.tc = tc;
      this.epilogue = epilogue;
      busy = true;
      try {
        long aFloats = (long) m * k;
        if (tr == 1 && aFloats >= SHARED_A_MIN && aFloats <= SHARED_A_FLOATS) {
          // A column split: every share would pack all of op(A). Pack it once, split among the threads,
          // then compute; the same panels, so the same bits.
          packedA = sharedA(m, k);
          packing = true;
          Parallel.forEach(tc, this);
          packing = false;
        }
        Parallel.forEach(tr * tc, this);
      } finally {
        busy = false;
        packing = false;
        packedA = null;
        this.a = null; // do not keep the caller's matrices alive
        this.b = null;
        this.c = null;
        this.epilogue = null;
      }
    }

    /** The buffers for op(A)'s slices, grown to the layout {@link #block} packs for rows [0, m). */
    private float[][] sharedA(int m, int k) {
      int slices = ceilDiv(k, KC);
      int kcMax = ceilDiv(k, slices);
      if (sharedA.length < slices) {
        sharedA = java.util.Arrays.copyOf(sharedA, slices);
      }
      int size = packedSize(m, kcMax);
      for (int s = 0; s < slices; s++) {
        if (sharedA[s] == null || sharedA[s].length < size) {
          sharedA[s] = new float[size];
        }
      }
      return sharedA;
    }

    @Override
    public void accept(int task) {
      if (packing) {
        packShare(transA, a, lda, m, k, tc, task, packedA);
        return;
      }
      int r = task / tc;
      int q = task % tc;
      int units = ceilDiv(rowTiles, unitTiles);
      int i0 = Parallel.split(units, tr, r) * unitTiles * MR;
      int i1 = Math.min(m, Parallel.split(units, tr, r + 1) * unitTiles * MR);
      int j0 = Parallel.split(colTiles, tc, q) * NR;
      int j1 = Math.min(n, Parallel.split(colTiles, tc, q + 1) * NR);
      block(transA, transB, i0, i1, j0, j1, k, alpha, a, lda, b, ldb, beta, c, ldc, epilogue, packedA);
    }
  }

  /** The 4-row tiles after the six-row ones of a few-row rectangle of mc rows (see {@link #block}). */
  private static int fourRowTiles(int mc) {
    int rest = mc % MR;
    return NR != 4 * LANES ? 0 : rest == 2 && mc > MR ? 2 : rest >= 2 && rest <= 4 ? 1 : 0;
  }

  /** Rows of a few-row rectangle of mc rows in six-row tiles. */
  private static int sixRowTiles(int mc, int fours) {
    int rest = mc % MR;
    return fours == 0 ? mc : fours == 2 ? mc - rest - MR : mc - rest;
  }

  /** Floats of op(A)'s rows [0, m) packed for one k slice of depth kc, as block lays them out. */
  private static int packedSize(int m, int kc) {
    if (m > FEW_ROWS) {
      return ceilDiv(m, MR) * MR * kc;
    }
    int fours = fourRowTiles(m);
    return ceilDiv(sixRowTiles(m, fours), MR) * MR * kc + fours * 4 * kc;
  }

  /**
   * Share {@code task} of {@code tasks} of packing op(A)'s rows [0, m) for every k slice into
   * {@code packed[s]}, as {@link #block} packs them for a rectangle of all m rows: the slices' panels
   * (six-row ones, then a few-row rectangle's 4-row ones) in one sequence, split into contiguous runs.
   */
  private static void packShare(boolean transA, float[] a, int lda, int m, int k, int tasks, int task, float[][] packed) {
    int slices = ceilDiv(k, KC);
    int kcMax = ceilDiv(k, slices);
    boolean fewRows = m <= FEW_ROWS;
    int fours = fewRows ? fourRowTiles(m) : 0;
    int sixRows = fewRows ? sixRowTiles(m, fours) : m;
    int sixPanels = ceilDiv(sixRows, MR);
    int perSlice = sixPanels + fours;
    int u0 = Parallel.split(slices * perSlice, tasks, task);
    int u1 = Parallel.split(slices * perSlice, tasks, task + 1);
    for (int s = u0 / perSlice; s * perSlice < u1; s++) {
      int pc = s * kcMax;
      int kc = Math.min(kcMax, k - pc);
      int q0 = Math.max(u0 - s * perSlice, 0);
      int q1 = Math.min(u1 - s * perSlice, perSlice);
      float[] pa = packed[s];
      // At most 4 × MC rows per packA call, as block packs them (a transposed A's stores spread over
      // more panels would miss in L1), and for a transposed A at most 8 panels per L1 set its panels'
      // stores fall in: these panels are not padded (see PANEL_PAD), so at kc = 1024, 24 KB apart, 32
      // panels' stores of one step all fell in one set (weight gradients on two threads, both threads' CPU
      // time, paired medians, loaded Zen 5: 512 × 512 × 1024 0.90 ×, 512 × 2048 × 1024 0.97 ×).
      int step = transA ? Math.min(4 * MC / MR, 8 * (4096 / gcd(MR * Float.BYTES * kc, 4096))) : 4 * MC / MR;
      for (int q = q0, end = Math.min(q1, sixPanels); q < end; q += step) {
        int r0 = q * MR;
        packA(transA, a, lda, r0, Math.min(sixRows, Math.min(end, q + step) * MR) - r0, pc, kc, pa, r0 * kc);
      }
      int fourOff = sixPanels * MR * kc;
      for (int f = Math.max(q0, sixPanels) - sixPanels; f < q1 - sixPanels; f++) {
        packA4(transA, a, lda, sixRows + 4 * f, Math.min(4, m - sixRows - 4 * f), pc, kc, pa, fourOff + f * 4 * kc);
      }
    }
  }

  /**
   * The rectangle rows [i0, i1) × columns [j0, j1) of C; i0 is a multiple of MR and j0 of NR. The epilogue
   * (or null) goes with the last k slice's write-back. {@code packedA}, when not null, holds op(A)
   * already packed for each k slice (by {@link #packShare}; then [i0, i1) is all of op(A)'s rows).
   */
  private static void block(
      boolean transA, boolean transB, int i0, int i1, int j0, int j1, int k, float alpha, float[] a, int lda,
      float[] b, int ldb, float beta, float[] c, int ldc, Epilogue epilogue, float[][] packedA) {
    Workspace w = WORKSPACE.get();
    // The k slices depend on k only (never on the rectangle), so every element sees the same slices.
    int slices = ceilDiv(k, KC);
    int kcMax = ceilDiv(k, slices);
    // Shallow slices get taller blocks of A (the same L2 footprint): fewer, longer reads of each row of a
    // transposed A, fewer packs of A per pass over B. At most 4 × MC rows: taller blocks spread packA's
    // stores of a transposed A over more panels (3 KB apart at k = 128) than L1's ways hold (measured at
    // 1024 × 1024 × 128, loaded: 192 rows 4% faster than 48 and than 384).
    // A transposed A packed by this rectangle (not shared, not for a gradient step's rowBlock, which reads
    // unpadded panels) gets padded panels (PANEL_PAD) and blocks of at least 2 × MC rows: each packA pass
    // reads 96 floats of each row of a instead of 48, and the B panels are swept half as often. Measured
    // on the GPT's weight gradients (k = 1024, one thread, loaded Zen 5, paired medians of 300 rounds):
    // 1536 × 512 0.96–0.98 ×, 2048 × 512 0.97 ×, 512 × 512 and 512 × 2048 1.00 ×; 3 × MC and 4 × MC no
    // better; padding alone at MC rows 1.00 ×.
    boolean padded = transA && packedA == null && (epilogue == null || epilogue.update == null);
    int mcMax = Math.max(padded ? 2 * MC : MC, Math.min(4 * MC, MC * KC / kcMax / MR * MR));
    boolean fewRows = i1 - i0 <= FEW_ROWS;
    for (int jc = j0; jc < j1; jc += NC) {
      int nc = Math.min(NC, j1 - jc);
      for (int s = 0; s < slices; s++) {
        int pc = s * kcMax;
        int kc = Math.min(kcMax, k - pc);
        int mode = s > 0 ? ACCUMULATE : beta == 0 ? OVERWRITE : SCALE;
        Epilogue e = s == slices - 1 ? epilogue : null;
        if (fewRows) {
          // All of op(A) packed once, each panel of op(B) packed just before its tiles use it.
          int mc = i1 - i0;
          // The rows past the last whole six go in 4-row tiles where that saves padding: 2 → 4 + 4 (one
          // six less), 3 or 4 → 4; 1 and 5 stay in a padded six. (128 rows: 20 sixes and two fours
          // instead of 22 tiles, the last a third full.)
          int fours = fourRowTiles(mc);
          int sixRows = sixRowTiles(mc, fours);
          int fourOff = ceilDiv(sixRows, MR) * MR * kc;
          float[] pa = packedA != null ? packedA[s] : w.packA(fourOff + fours * 4 * kc);
          if (packedA == null) {
            packA(transA, a, lda, i0, sixRows, pc, kc, pa, 0);
            for (int f = 0; f < fours; f++) {
              packA4(transA, a, lda, i0 + sixRows + 4 * f, Math.min(4, mc - sixRows - 4 * f), pc, kc, pa,
                  fourOff + f * 4 * kc);
            }
          }
          float[] pbAll = w.packB(PB_SKIP + 2 * NR * kc);
          boolean ahead = false; // this panel was copied by the previous panel's first tile (at pbAll's 2nd half)
          for (int jr = 0; jr < nc; jr += NR) {
            int nr = Math.min(NR, nc - jr);
            int ir = 0;
            int pbo = ahead ? NR * kc : 0; // this panel's offset in pbAll
            if (ahead) {
              ahead = false;
            } else if (!transB && NR == 4 * LANES && sixRows > 0 && nc - jr >= 2 * NR) {
              // Two panels from each row of b at once: the first row tile packs its panel and copies the next
              // one's 64 columns (the same 4 KB page, the adjacent lines), so that the page walk and the miss
              // of each strided row are paid once for two panels.
              kernelWidePair(kc, pa, 0, b, pc * ldb + jc + jr, ldb, pbAll, PB_SKIP, pbAll, PB_SKIP + NR * kc,
                  w.tile);
              writeTile(c, i0, jc + jr, ldc, Math.min(MR, sixRows), nr, alpha, beta, mode, w.tile, e);
              ir = MR;
              ahead = true;
            } else if (!transB && nr == NR && NR == 4 * LANES && sixRows > 0) {
              // The first row tile reads its panel straight from b and packs it on the way, its loads
              // overlapping its multiply-adds: packed apart, the panel's 4 KB-strided rows cost ~15% of
              // a 128 × 1024 × 1024 product.
              kernelWidePacking(kc, pa, 0, b, pc * ldb + jc + jr, ldb, pbAll, PB_SKIP, w.tile);
              writeTile(c, i0, jc + jr, ldc, Math.min(MR, sixRows), nr, alpha, beta, mode, w.tile, e);
              ir = MR;
            } else {
              packB(transB, b, ldb, pc, kc, jc + jr, nr, pbAll);
            }
            for (; ir < sixRows; ir += MR) {
              tile(kc, pa, ir, pbAll, pbo / kc, w.tile, c, i0 + ir, jc + jr, ldc, Math.min(MR, sixRows - ir), nr, alpha,
                  beta, mode, e);
            }
            for (int f = 0; f < fours; f++) {
              kernelWide4(kc, pa, fourOff + f * 4 * kc, pbAll, PB_SKIP + pbo, w.tile);
              writeTile(c, i0 + sixRows + 4 * f, jc + jr, ldc, Math.min(4, mc - sixRows - 4 * f), nr, alpha, beta,
                  mode, w.tile, e);
            }
          }
          continue;
        }
        float[] pb = w.packB(PB_SKIP + ceilDiv(nc, NR) * NR * kc);
        packB(transB, b, ldb, pc, kc, jc, nc, pb);
        // A packed block of B that fits in L2 is swept by each row tile in turn, so that C is written row
        // by row; a deeper one is swept one panel at a time by all the row tiles (its panel stays in L2).
        boolean rowsOuter = (long) kc * nc <= L2_PANEL_FLOATS;
        int ps = padded ? MR * kc + PANEL_PAD : MR * kc; // floats from one panel of pa to the next
        for (int ic = i0; ic < i1; ic += mcMax) {
          int mc = Math.min(mcMax, i1 - ic);
          float[] pa = packedA != null ? packedA[s] : w.packA(ceilDiv(mc, MR) * ps);
          int ai = packedA != null ? ic * kc : 0; // this block's first panel in pa
          if (packedA == null) {
            packA(transA, a, lda, ic, mc, pc, kc, pa, 0, ps);
          }
          if (rowsOuter && e != null && e.update != null) {
            e.update.rowBlock(kc, pa, ai / kc, pb, w.tile, c, ic, jc, ldc, mc, nc, alpha);
          } else if (rowsOuter) {
            for (int ir = 0; ir < mc; ir += MR) {
              int mr = Math.min(MR, mc - ir);
              for (int jr = 0; jr < nc; jr += NR) {
                tileAt(kc, pa, ai + ir / MR * ps, pb, jr, w.tile, c, ic + ir, jc + jr, ldc, mr, Math.min(NR, nc - jr),
                    alpha, beta, mode, e);
              }
            }
          } else {
            for (int jr = 0; jr < nc; jr += NR) {
              int nr = Math.min(NR, nc - jr);
              for (int ir = 0; ir < mc; ir += MR) {
                tileAt(kc, pa, ai + ir / MR * ps, pb, jr, w.tile, c, ic + ir, jc + jr, ldc, Math.min(MR, mc - ir), nr,
                    alpha, beta, mode, e);
              }
            }
          }
        }
      }
    }
  }

  /**
   * One micro-tile: rows [ir, ir + mr) of the packed A block against the packed B panel starting at column
   * jr of the packed block, written to C at (row, col).
   */
  static void tile(
      int kc, float[] pa, int ir, float[] pb, int jr, float[] tile, float[] c, int row, int col, int ldc, int mr,
      int nr, float alpha, float beta, int mode, Epilogue e) {
    tileAt(kc, pa, ir * kc, pb, jr, tile, c, row, col, ldc, mr, nr, alpha, beta, mode, e);
  }

  /** {@link #tile} with the packed A panel at {@code pa[ai …]}. */
  private static void tileAt(
      int kc, float[] pa, int ai, float[] pb, int jr, float[] tile, float[] c, int row, int col, int ldc, int mr,
      int nr, float alpha, float beta, int mode, Epilogue e) {
    if (NR == 4 * LANES && e == null && mode == OVERWRITE && mr == MR && nr == NR) {
      kernelWideOverwrite(kc, pa, ai, pb, PB_SKIP + jr * kc, c, row * ldc + col, ldc, alpha);
      return;
    }
    if (NR == 4 * LANES && nr <= LANES) {
      kernelEdge(kc, pa, ai, pb, PB_SKIP + jr * kc, tile);
    } else if (NR == 4 * LANES) {
      kernelWide(kc, pa, ai, pb, PB_SKIP + jr * kc, tile);
    } else {
      kernelNarrow(kc, pa, ai, pb, PB_SKIP + jr * kc, tile);
    }
    writeTile(c, row, col, ldc, mr, nr, alpha, beta, mode, tile, e);
  }

  private static void writeTile(
      float[] c, int row, int col, int ldc, int mr, int nr, float alpha, float beta, int mode, float[] tile,
      Epilogue e) {
    if (e == null) {
      writeBack(c, row * ldc + col, ldc, mr, nr, alpha, beta, mode, tile);
    } else if (e.update != null) {
      e.update.writeBack(c, row, col, ldc, mr, nr, alpha, tile);
    } else {
      writeBackEpilogue(c, row, col, ldc, mr, nr, alpha, beta, mode, tile, e);
    }
  }

  /**
   * Packs op(B)[pc .. pc+kc) × [jc .. jc+nc) into panels of NR columns: panel q holds, for each p, the NR
   * values of row p contiguously at {@code PB_SKIP + q·kc·NR + p·NR}; columns past nc are zero.
   */
  static void packB(boolean transB, float[] b, int ldb, int pc, int kc, int jc, int nc, float[] pb) {
    for (int jr = 0; jr < nc; jr += NR) {
      int nr = Math.min(NR, nc - jr);
      int dst = PB_SKIP + jr * kc;
      int col = jc + jr;
      if (!transB) {
        // op(B)(p, j) = b[p·ldb + j]: each panel row is one contiguous copy.
        int src = pc * ldb + col;
        if (nr == NR) {
          for (int p = 0; p < kc; p++, src += ldb, dst += NR) {
            for (int v = 0; v < NR; v += LANES) {
              FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, b, src + v)).intoArray(pb, dst + v);
            }
          }
        } else {
          for (int v = 0; v < NR; v += LANES) {
            VectorMask<Float> mask = FLOAT.indexInRange(v, nr);
            for (int p = 0, s = src + v, d = dst + v; p < kc; p++, s += ldb, d += NR) {
              FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, b, s, FLOAT_MASK.cast(mask))).intoArray(pb, d);
            }
          }
        }
      } else {
        // op(B)(p, j) = b[j·ldb + p]: read eight rows of b contiguously and write them down eight adjacent
        // panel columns, so each step stores half a cache line (measured 1.4× faster than four rows; a
        // gather of 16 rows was 3× slower).
        int cc = 0;
        if (LANES == 16) {
          // Sixteen rows of b at a time, sixteen steps of p per call of transpose16.
          for (; cc + 16 <= nr; cc += 16) {
            int s0 = (col + cc) * ldb + pc;
            int p = 0;
            for (; p + 16 <= kc; p += 16) {
              transpose16(b, s0 + p, ldb, pb, dst + cc + p * NR, NR);
            }
            for (; p < kc; p++) {
              for (int r = 0, d = dst + cc + p * NR; r < 16; r++) {
                pb[d + r] = b[s0 + r * ldb + p];
              }
            }
          }
        }
        for (; cc + 8 <= nr; cc += 8) {
          int s0 = (col + cc) * ldb + pc;
          int s1 = s0 + ldb;
          int s2 = s1 + ldb;
          int s3 = s2 + ldb;
          int s4 = s3 + ldb;
          int s5 = s4 + ldb;
          int s6 = s5 + ldb;
          int s7 = s6 + ldb;
          for (int p = 0, d = dst + cc; p < kc; p++, d += NR) {
            pb[d] = b[s0 + p];
            pb[d + 1] = b[s1 + p];
            pb[d + 2] = b[s2 + p];
            pb[d + 3] = b[s3 + p];
            pb[d + 4] = b[s4 + p];
            pb[d + 5] = b[s5 + p];
            pb[d + 6] = b[s6 + p];
            pb[d + 7] = b[s7 + p];
          }
        }
        for (; cc < nr; cc++) {
          int src = (col + cc) * ldb + pc;
          for (int p = 0, d = dst + cc; p < kc; p++, d += NR) {
            pb[d] = b[src + p];
          }
        }
        for (cc = nr; cc < NR; cc++) {
          for (int p = 0, d = dst + cc; p < kc; p++, d += NR) {
            pb[d] = 0;
          }
        }
      }
    }
  }

  /**
   * Copies the 16 × 16 block of b at rows s, s + ldb, … (16 floats each) transposed into pb: column i of
   * the block goes to pb[d + i·ldd .. + 16). Four rounds of pairwise interleaving (vector i with vector
   * i + 8) each rotate the bits of (vector, lane) by one place, so four rounds swap them. In a method of
   * its own so that C2 compiles its 64 lane selects alone: inlined into packB it did not always keep them
   * intrinsic (measured 8 MB allocated per NT product at n = 1024).
   */
  static void transpose16(float[] b, int s, int ldb, float[] pb, int d, int ldd) {
    FloatVector lo = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, TRANSPOSE_INDEX, 0));
    FloatVector hi = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, TRANSPOSE_INDEX, LANES));
    FloatVector x0 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, b, s));
    FloatVector x1 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, b, s + ldb));
    FloatVector x2 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, b, s + 2 * ldb));
    FloatVector x3 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, b, s + 3 * ldb));
    FloatVector x4 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, b, s + 4 * ldb));
    FloatVector x5 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, b, s + 5 * ldb));
    FloatVector x6 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, b, s + 6 * ldb));
    FloatVector x7 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, b, s + 7 * ldb));
    FloatVector x8 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, b, s + 8 * ldb));
    FloatVector x9 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, b, s + 9 * ldb));
    FloatVector x10 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, b, s + 10 * ldb));
    FloatVector x11 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, b, s + 11 * ldb));
    FloatVector x12 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, b, s + 12 * ldb));
    FloatVector x13 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, b, s + 13 * ldb));
    FloatVector x14 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, b, s + 14 * ldb));
    FloatVector x15 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, b, s + 15 * ldb));
    FloatVector y0 = lo.selectFrom(x0, x8);
    FloatVector y1 = hi.selectFrom(x0, x8);
    FloatVector y2 = lo.selectFrom(x1, x9);
    FloatVector y3 = hi.selectFrom(x1, x9);
    FloatVector y4 = lo.selectFrom(x2, x10);
    FloatVector y5 = hi.selectFrom(x2, x10);
    FloatVector y6 = lo.selectFrom(x3, x11);
    FloatVector y7 = hi.selectFrom(x3, x11);
    FloatVector y8 = lo.selectFrom(x4, x12);
    FloatVector y9 = hi.selectFrom(x4, x12);
    FloatVector y10 = lo.selectFrom(x5, x13);
    FloatVector y11 = hi.selectFrom(x5, x13);
    FloatVector y12 = lo.selectFrom(x6, x14);
    FloatVector y13 = hi.selectFrom(x6, x14);
    FloatVector y14 = lo.selectFrom(x7, x15);
    FloatVector y15 = hi.selectFrom(x7, x15);
    FloatVector z0 = lo.selectFrom(y0, y8);
    FloatVector z1 = hi.selectFrom(y0, y8);
    FloatVector z2 = lo.selectFrom(y1, y9);
    FloatVector z3 = hi.selectFrom(y1, y9);
    FloatVector z4 = lo.selectFrom(y2, y10);
    FloatVector z5 = hi.selectFrom(y2, y10);
    FloatVector z6 = lo.selectFrom(y3, y11);
    FloatVector z7 = hi.selectFrom(y3, y11);
    FloatVector z8 = lo.selectFrom(y4, y12);
    FloatVector z9 = hi.selectFrom(y4, y12);
    FloatVector z10 = lo.selectFrom(y5, y13);
    FloatVector z11 = hi.selectFrom(y5, y13);
    FloatVector z12 = lo.selectFrom(y6, y14);
    FloatVector z13 = hi.selectFrom(y6, y14);
    FloatVector z14 = lo.selectFrom(y7, y15);
    FloatVector z15 = hi.selectFrom(y7, y15);
    FloatVector u0 = lo.selectFrom(z0, z8);
    FloatVector u1 = hi.selectFrom(z0, z8);
    FloatVector u2 = lo.selectFrom(z1, z9);
    FloatVector u3 = hi.selectFrom(z1, z9);
    FloatVector u4 = lo.selectFrom(z2, z10);
    FloatVector u5 = hi.selectFrom(z2, z10);
    FloatVector u6 = lo.selectFrom(z3, z11);
    FloatVector u7 = hi.selectFrom(z3, z11);
    FloatVector u8 = lo.selectFrom(z4, z12);
    FloatVector u9 = hi.selectFrom(z4, z12);
    FloatVector u10 = lo.selectFrom(z5, z13);
    FloatVector u11 = hi.selectFrom(z5, z13);
    FloatVector u12 = lo.selectFrom(z6, z14);
    FloatVector u13 = hi.selectFrom(z6, z14);
    FloatVector u14 = lo.selectFrom(z7, z15);
    FloatVector u15 = hi.selectFrom(z7, z15);
    FloatVector v0 = lo.selectFrom(u0, u8);
    FloatVector v1 = hi.selectFrom(u0, u8);
    FloatVector v2 = lo.selectFrom(u1, u9);
    FloatVector v3 = hi.selectFrom(u1, u9);
    FloatVector v4 = lo.selectFrom(u2, u10);
    FloatVector v5 = hi.selectFrom(u2, u10);
    FloatVector v6 = lo.selectFrom(u3, u11);
    FloatVector v7 = hi.selectFrom(u3, u11);
    FloatVector v8 = lo.selectFrom(u4, u12);
    FloatVector v9 = hi.selectFrom(u4, u12);
    FloatVector v10 = lo.selectFrom(u5, u13);
    FloatVector v11 = hi.selectFrom(u5, u13);
    FloatVector v12 = lo.selectFrom(u6, u14);
    FloatVector v13 = hi.selectFrom(u6, u14);
    FloatVector v14 = lo.selectFrom(u7, u15);
    FloatVector v15 = hi.selectFrom(u7, u15);
    v0.intoArray(pb, d);
    v1.intoArray(pb, d + ldd);
    v2.intoArray(pb, d + 2 * ldd);
    v3.intoArray(pb, d + 3 * ldd);
    v4.intoArray(pb, d + 4 * ldd);
    v5.intoArray(pb, d + 5 * ldd);
    v6.intoArray(pb, d + 6 * ldd);
    v7.intoArray(pb, d + 7 * ldd);
    v8.intoArray(pb, d + 8 * ldd);
    v9.intoArray(pb, d + 9 * ldd);
    v10.intoArray(pb, d + 10 * ldd);
    v11.intoArray(pb, d + 11 * ldd);
    v12.intoArray(pb, d + 12 * ldd);
    v13.intoArray(pb, d + 13 * ldd);
    v14.intoArray(pb, d + 14 * ldd);
    v15.intoArray(pb, d + 15 * ldd);
  }

  /**
   * Packs op(A)[ic .. ic+mc) × [pc .. pc+kc) into panels of MR rows: panel q holds, for each p, the MR
   * values of column p contiguously at {@code off + q·MR·kc + p·MR}; rows past mc are zero.
   */
  private static void packA(
      boolean transA, float[] a, int lda, int ic, int mc, int pc, int kc, float[] pa, int off) {
    packA(transA, a, lda, ic, mc, pc, kc, pa, off, MR * kc);
  }

  /** {@link #packA} with panel q at {@code off + q·ps} ({@code ps ≥ MR·kc}; only a transposed A uses it). */
  private static void packA(
      boolean transA, float[] a, int lda, int ic, int mc, int pc, int kc, float[] pa, int off, int ps) {
    if (transA) {
      // op(A)(i, p) = a[p·lda + i]: row p of a holds column p of op(A) contiguously; read it once, in
      // order, and deal it out MR values per panel (rows of a are 4 KB apart at n = 1024, so reading a
      // panel's MR values from every row in turn would keep missing the L1 cache). The kernels could read these
      // six values in place (stride lda instead of MR, the same bits) and skip this pass; measured 1.02× slower
      // at 1024 × 1024 × 128 (paired medians of 800, loaded Zen 5), and the SGD write-back step 1.02–1.03×: a
      // tile's 128 lines of A in 128 pages cost more than the pack. Dealing out 4 to 16 rows of a per panel
      // at a time (stores of a panel together) was 1.00–1.08× slower. For the GPT's weight gradients
      // (k = 1024; paired medians, loaded Zen 5), also slower: the first column panel's row tiles packing
      // their own panel inside the kernel (a vector load of row p per step, stored to pa, broadcast from
      // there) 1.03–1.05×, the stride misses then stall the multiply-adds; packing 2–32 blocks in one pass
      // (padded) 0.97–1.11×; KC = 512 1.00–1.06× on all twelve of the step's products; on two threads,
      // sharing an op(A) of up to 8 MB (SHARED_A_FLOATS 2^21) 1.01–1.05× (CPU time). Without the Vector
      // API's bounds checks (VECTOR_ACCESS_OOB_CHECK=0) the NT products were slower, not faster: the
      // checkIndex samples under transpose16 (23 of its 27 at the first load of b) are that load's miss.
      int fullPanels = mc / MR;
      int rest = mc - fullPanels * MR;
      for (int p = 0; p < kc; p++) {
        int src = (pc + p) * lda + ic;
        int d = off + p * MR;
        int q = 0;
        if (LANES >= MR && p + (LANES - 1) / MR < kc) {
          // One full vector per panel step: the lanes past MR land in the slots of the next steps of the
          // same panel, which the following p overwrite (hence not on the last steps). Near the end of a
          // the load would run past it; the scalar loop below takes over there. (A narrower species
          // would be enough, but mixing two vector shapes in one JVM can defeat C2's intrinsics.)
          int last = a.length - LANES;
          for (; q < fullPanels && src <= last; q++, src += MR, d += ps) {
            FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, a, src)).intoArray(pa, d);
          }
        }
        for (; q < fullPanels; q++, src += MR, d += ps) {
          pa[d] = a[src];
          pa[d + 1] = a[src + 1];
          pa[d + 2] = a[src + 2];
          pa[d + 3] = a[src + 3];
          pa[d + 4] = a[src + 4];
          pa[d + 5] = a[src + 5];
        }
        if (rest > 0) {
          for (int r = 0; r < MR; r++) {
            pa[d + r] = r < rest ? a[src + r] : 0f;
          }
        }
      }
      return;
    }
    for (int ir = 0; ir < mc; ir += MR) {
      int mr = Math.min(MR, mc - ir);
      int dst = off + ir * kc;
      // op(A)(i, p) = a[i·lda + p]: the rows of a go down the columns of the panel; a full panel reads
      // its six rows together, so each step writes six adjacent floats.
      int src = (ic + ir) * lda + pc;
      if (mr == MR) {
        int p = 0;
        if (TRANSPOSE) {
          // LANES columns of the six rows at once, transposed in registers with two-vector lane selects:
          // first rows 0|1, 2|3 and 4|5 are interleaved pairwise (each pair gives a vector for the low and
          // one for the high half of the columns), then each output vector merges the three pairs.
          FloatVector lo = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, TRANSPOSE_INDEX, 0));
          FloatVector hi = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, TRANSPOSE_INDEX, LANES));
          FloatVector u0 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, TRANSPOSE_INDEX, 2 * LANES));
          FloatVector w0 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, TRANSPOSE_INDEX, 3 * LANES));
          FloatVector u1 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, TRANSPOSE_INDEX, 4 * LANES));
          FloatVector w1 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, TRANSPOSE_INDEX, 5 * LANES));
          FloatVector u2 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, TRANSPOSE_INDEX, 6 * LANES));
          FloatVector w2 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, TRANSPOSE_INDEX, 7 * LANES));
          for (; p + LANES <= kc; p += LANES) {
            int s = src + p;
            FloatVector r0 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, a, s));
            FloatVector r1 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, a, s + lda));
            FloatVector r2 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, a, s + 2 * lda));
            FloatVector r3 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, a, s + 3 * lda));
            FloatVector r4 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, a, s + 4 * lda));
            FloatVector r5 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, a, s + 5 * lda));
            FloatVector l01 = FLOAT_VECTOR.cast(lo).selectFrom(r0, r1);
            FloatVector l23 = FLOAT_VECTOR.cast(lo).selectFrom(r2, r3);
            FloatVector l45 = FLOAT_VECTOR.cast(lo).selectFrom(r4, r5);
            FloatVector h01 = FLOAT_VECTOR.cast(hi).selectFrom(r0, r1);
            FloatVector h23 = FLOAT_VECTOR.cast(hi).selectFrom(r2, r3);
            FloatVector h45 = FLOAT_VECTOR.cast(hi).selectFrom(r4, r5);
            int d = dst + p * MR;
            FLOAT_VECTOR.cast(w0).selectFrom(FLOAT_VECTOR.cast(u0).selectFrom(l01, l23), l45).intoArray(pa, d);
            FLOAT_VECTOR.cast(w1).selectFrom(FLOAT_VECTOR.cast(u1).selectFrom(l01, l23), l45).intoArray(pa, d + LANES);
            FLOAT_VECTOR.cast(w2).selectFrom(FLOAT_VECTOR.cast(u2).selectFrom(l01, l23), l45).intoArray(pa, d + 2 * LANES);
            FLOAT_VECTOR.cast(w0).selectFrom(FLOAT_VECTOR.cast(u0).selectFrom(h01, h23), h45).intoArray(pa, d + 3 * LANES);
            FLOAT_VECTOR.cast(w1).selectFrom(FLOAT_VECTOR.cast(u1).selectFrom(h01, h23), h45).intoArray(pa, d + 4 * LANES);
            FLOAT_VECTOR.cast(w2).selectFrom(FLOAT_VECTOR.cast(u2).selectFrom(h01, h23), h45).intoArray(pa, d + 5 * LANES);
          }
        }
        for (int d = dst + p * MR; p < kc; p++, d += MR) {
          int s = src + p;
          pa[d] = a[s];
          pa[d + 1] = a[s + lda];
          pa[d + 2] = a[s + 2 * lda];
          pa[d + 3] = a[s + 3 * lda];
          pa[d + 4] = a[s + 4 * lda];
          pa[d + 5] = a[s + 5 * lda];
        }
      } else {
        for (int r = 0; r < mr; r++, src += lda) {
          for (int p = 0, d = dst + r; p < kc; p++, d += MR) {
            pa[d] = a[src + p];
          }
        }
        for (int r = mr; r < MR; r++) {
          for (int p = 0, d = dst + r; p < kc; p++, d += MR) {
            pa[d] = 0;
          }
        }
      }
    }
  }

  /**
   * The micro-kernel for 32 vector registers (AVX-512), NR = 4·LANES: 24 accumulators (6 rows × 4
   * vectors), and each k step loads four vectors of packed B and broadcasts six packed elements of A, so
   * 24 FMAs share 10 loads. Twice the work per broadcast of the 6 × 2 tile lets the panels stream from
   * L2, hence the deep KC. No masks, no branches in the loop. A partial tile (mr &lt; MR or nr &lt; NR)
   * runs the same loop over the zero-padded panels and is written from {@code tile} by
   * {@link #writeBack}, so results do not depend on where the tile grid falls.
   */
  private static void kernelWide(int kc, float[] pa, int ai, float[] pb, int bi, float[] tile) {
    FloatVector c00 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c01 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c02 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c03 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c10 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c11 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c12 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c13 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c20 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c21 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c22 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c23 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c30 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c31 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c32 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c33 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c40 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c41 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c42 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c43 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c50 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c51 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c52 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c53 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    for (int p = 0; p < kc; p++) {
      int ao = ai + p * MR;
      int bo = bi + p * NR;
      FloatVector b0 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, pb, bo));
      FloatVector b1 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, pb, bo + LANES));
      FloatVector b2 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, pb, bo + 2 * LANES));
      FloatVector b3 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, pb, bo + 3 * LANES));
      FloatVector av = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, pa[ao]));
      c00 = av.fma(b0, c00);
      c01 = av.fma(b1, c01);
      c02 = av.fma(b2, c02);
      c03 = av.fma(b3, c03);
      av = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, pa[ao + 1]));
      c10 = av.fma(b0, c10);
      c11 = av.fma(b1, c11);
      c12 = av.fma(b2, c12);
      c13 = av.fma(b3, c13);
      av = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, pa[ao + 2]));
      c20 = av.fma(b0, c20);
      c21 = av.fma(b1, c21);
      c22 = av.fma(b2, c22);
      c23 = av.fma(b3, c23);
      av = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, pa[ao + 3]));
      c30 = av.fma(b0, c30);
      c31 = av.fma(b1, c31);
      c32 = av.fma(b2, c32);
      c33 = av.fma(b3, c33);
      av = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, pa[ao + 4]));
      c40 = av.fma(b0, c40);
      c41 = av.fma(b1, c41);
      c42 = av.fma(b2, c42);
      c43 = av.fma(b3, c43);
      av = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, pa[ao + 5]));
      c50 = av.fma(b0, c50);
      c51 = av.fma(b1, c51);
      c52 = av.fma(b2, c52);
      c53 = av.fma(b3, c53);
    }
    // The accumulators go through the tile to a write-back of its own (called by block): with the three
    // write-back modes and the edge case in here, C2 deoptimised this method whenever a new mode appeared
    // and could end up running it as allocating Java code (24 stores and loads per tile cost nothing
    // measurable).
    FLOAT_VECTOR.cast(c00).intoArray(tile, 0);
    FLOAT_VECTOR.cast(c01).intoArray(tile, LANES);
    FLOAT_VECTOR.cast(c02).intoArray(tile, 2 * LANES);
    FLOAT_VECTOR.cast(c03).intoArray(tile, 3 * LANES);
    FLOAT_VECTOR.cast(c10).intoArray(tile, NR);
    FLOAT_VECTOR.cast(c11).intoArray(tile, NR + LANES);
    FLOAT_VECTOR.cast(c12).intoArray(tile, NR + 2 * LANES);
    FLOAT_VECTOR.cast(c13).intoArray(tile, NR + 3 * LANES);
    FLOAT_VECTOR.cast(c20).intoArray(tile, 2 * NR);
    FLOAT_VECTOR.cast(c21).intoArray(tile, 2 * NR + LANES);
    FLOAT_VECTOR.cast(c22).intoArray(tile, 2 * NR + 2 * LANES);
    FLOAT_VECTOR.cast(c23).intoArray(tile, 2 * NR + 3 * LANES);
    FLOAT_VECTOR.cast(c30).intoArray(tile, 3 * NR);
    FLOAT_VECTOR.cast(c31).intoArray(tile, 3 * NR + LANES);
    FLOAT_VECTOR.cast(c32).intoArray(tile, 3 * NR + 2 * LANES);
    FLOAT_VECTOR.cast(c33).intoArray(tile, 3 * NR + 3 * LANES);
    FLOAT_VECTOR.cast(c40).intoArray(tile, 4 * NR);
    FLOAT_VECTOR.cast(c41).intoArray(tile, 4 * NR + LANES);
    FLOAT_VECTOR.cast(c42).intoArray(tile, 4 * NR + 2 * LANES);
    FLOAT_VECTOR.cast(c43).intoArray(tile, 4 * NR + 3 * LANES);
    FLOAT_VECTOR.cast(c50).intoArray(tile, 5 * NR);
    FLOAT_VECTOR.cast(c51).intoArray(tile, 5 * NR + LANES);
    FLOAT_VECTOR.cast(c52).intoArray(tile, 5 * NR + 2 * LANES);
    FLOAT_VECTOR.cast(c53).intoArray(tile, 5 * NR + 3 * LANES);
  }

  /**
   * {@link #kernelWide} for a tile of at most LANES columns (the last panel where n is not a multiple of NR,
   * e.g. 784 = 12·64 + 16: the MLP's first weight gradient): the first vector of each row only, six
   * accumulators, the same operations per element, so the same bits; kernelWide would multiply 48 zero
   * columns. Each k step is bound by one FMA's latency, about a third of kernelWide's 12 cycles.
   */
  private static void kernelEdge(int kc, float[] pa, int ai, float[] pb, int bi, float[] tile) {
    FloatVector c0 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c1 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c2 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c3 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c4 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c5 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    for (int p = 0; p < kc; p++) {
      int ao = ai + p * MR;
      FloatVector b0 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, pb, bi + p * NR));
      c0 = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, pa[ao])).fma(b0, c0);
      c1 = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, pa[ao + 1])).fma(b0, c1);
      c2 = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, pa[ao + 2])).fma(b0, c2);
      c3 = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, pa[ao + 3])).fma(b0, c3);
      c4 = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, pa[ao + 4])).fma(b0, c4);
      c5 = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, pa[ao + 5])).fma(b0, c5);
    }
    FLOAT_VECTOR.cast(c0).intoArray(tile, 0);
    FLOAT_VECTOR.cast(c1).intoArray(tile, NR);
    FLOAT_VECTOR.cast(c2).intoArray(tile, 2 * NR);
    FLOAT_VECTOR.cast(c3).intoArray(tile, 3 * NR);
    FLOAT_VECTOR.cast(c4).intoArray(tile, 4 * NR);
    FLOAT_VECTOR.cast(c5).intoArray(tile, 5 * NR);
  }

  /**
   * {@link #kernelWide} for a whole tile written with C = α·acc (no β, no epilogue): the accumulators go
   * straight to C, without the round trip through the tile (the weight gradient's k = 128 tiles write
   * back every 128 steps; measured 2–3% faster at 1024 × 1024 × 128, loaded machine). One mode, no
   * branches: C2 keeps it intrinsic.
   */
  private static void kernelWideOverwrite(
      int kc, float[] pa, int ai, float[] pb, int bi, float[] c, int o, int ldc, float alpha) {
    FloatVector c00 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c01 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c02 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c03 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c10 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c11 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c12 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c13 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c20 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c21 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c22 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c23 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c30 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c31 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c32 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c33 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c40 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c41 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c42 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c43 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c50 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c51 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c52 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c53 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    for (int p = 0; p < kc; p++) {
      int ao = ai + p * MR;
      int bo = bi + p * NR;
      FloatVector b0 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, pb, bo));
      FloatVector b1 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, pb, bo + LANES));
      FloatVector b2 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, pb, bo + 2 * LANES));
      FloatVector b3 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, pb, bo + 3 * LANES));
      FloatVector av = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, pa[ao]));
      c00 = av.fma(b0, c00);
      c01 = av.fma(b1, c01);
      c02 = av.fma(b2, c02);
      c03 = av.fma(b3, c03);
      av = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, pa[ao + 1]));
      c10 = av.fma(b0, c10);
      c11 = av.fma(b1, c11);
      c12 = av.fma(b2, c12);
      c13 = av.fma(b3, c13);
      av = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, pa[ao + 2]));
      c20 = av.fma(b0, c20);
      c21 = av.fma(b1, c21);
      c22 = av.fma(b2, c22);
      c23 = av.fma(b3, c23);
      av = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, pa[ao + 3]));
      c30 = av.fma(b0, c30);
      c31 = av.fma(b1, c31);
      c32 = av.fma(b2, c32);
      c33 = av.fma(b3, c33);
      av = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, pa[ao + 4]));
      c40 = av.fma(b0, c40);
      c41 = av.fma(b1, c41);
      c42 = av.fma(b2, c42);
      c43 = av.fma(b3, c43);
      av = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, pa[ao + 5]));
      c50 = av.fma(b0, c50);
      c51 = av.fma(b1, c51);
      c52 = av.fma(b2, c52);
      c53 = av.fma(b3, c53);
    }
    FloatVector alphaV = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, alpha));
    FLOAT_VECTOR.cast(c00).mul(alphaV).intoArray(c, o);
    FLOAT_VECTOR.cast(c01).mul(alphaV).intoArray(c, o + LANES);
    FLOAT_VECTOR.cast(c02).mul(alphaV).intoArray(c, o + 2 * LANES);
    FLOAT_VECTOR.cast(c03).mul(alphaV).intoArray(c, o + 3 * LANES);
    o += ldc;
    FLOAT_VECTOR.cast(c10).mul(alphaV).intoArray(c, o);
    FLOAT_VECTOR.cast(c11).mul(alphaV).intoArray(c, o + LANES);
    FLOAT_VECTOR.cast(c12).mul(alphaV).intoArray(c, o + 2 * LANES);
    FLOAT_VECTOR.cast(c13).mul(alphaV).intoArray(c, o + 3 * LANES);
    o += ldc;
    FLOAT_VECTOR.cast(c20).mul(alphaV).intoArray(c, o);
    FLOAT_VECTOR.cast(c21).mul(alphaV).intoArray(c, o + LANES);
    FLOAT_VECTOR.cast(c22).mul(alphaV).intoArray(c, o + 2 * LANES);
    FLOAT_VECTOR.cast(c23).mul(alphaV).intoArray(c, o + 3 * LANES);
    o += ldc;
    FLOAT_VECTOR.cast(c30).mul(alphaV).intoArray(c, o);
    FLOAT_VECTOR.cast(c31).mul(alphaV).intoArray(c, o + LANES);
    FLOAT_VECTOR.cast(c32).mul(alphaV).intoArray(c, o + 2 * LANES);
    FLOAT_VECTOR.cast(c33).mul(alphaV).intoArray(c, o + 3 * LANES);
    o += ldc;
    FLOAT_VECTOR.cast(c40).mul(alphaV).intoArray(c, o);
    FLOAT_VECTOR.cast(c41).mul(alphaV).intoArray(c, o + LANES);
    FLOAT_VECTOR.cast(c42).mul(alphaV).intoArray(c, o + 2 * LANES);
    FLOAT_VECTOR.cast(c43).mul(alphaV).intoArray(c, o + 3 * LANES);
    o += ldc;
    FLOAT_VECTOR.cast(c50).mul(alphaV).intoArray(c, o);
    FLOAT_VECTOR.cast(c51).mul(alphaV).intoArray(c, o + LANES);
    FLOAT_VECTOR.cast(c52).mul(alphaV).intoArray(c, o + 2 * LANES);
    FLOAT_VECTOR.cast(c53).mul(alphaV).intoArray(c, o + 3 * LANES);
  }

  /**
   * {@link #kernelWide} for a 4-row panel (stride 4, see {@link #packA4}): 16 accumulators, the same
   * operations per element as the six-row tile.
   */
  private static void kernelWide4(int kc, float[] pa, int ai, float[] pb, int bi, float[] tile) {
    FloatVector c00 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c01 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c02 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c03 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c10 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c11 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c12 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c13 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c20 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c21 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c22 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c23 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c30 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c31 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c32 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c33 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    for (int p = 0; p < kc; p++) {
      int ao = ai + p * 4;
      int bo = bi + p * NR;
      FloatVector b0 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, pb, bo));
      FloatVector b1 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, pb, bo + LANES));
      FloatVector b2 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, pb, bo + 2 * LANES));
      FloatVector b3 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, pb, bo + 3 * LANES));
      FloatVector av = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, pa[ao]));
      c00 = av.fma(b0, c00);
      c01 = av.fma(b1, c01);
      c02 = av.fma(b2, c02);
      c03 = av.fma(b3, c03);
      av = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, pa[ao + 1]));
      c10 = av.fma(b0, c10);
      c11 = av.fma(b1, c11);
      c12 = av.fma(b2, c12);
      c13 = av.fma(b3, c13);
      av = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, pa[ao + 2]));
      c20 = av.fma(b0, c20);
      c21 = av.fma(b1, c21);
      c22 = av.fma(b2, c22);
      c23 = av.fma(b3, c23);
      av = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, pa[ao + 3]));
      c30 = av.fma(b0, c30);
      c31 = av.fma(b1, c31);
      c32 = av.fma(b2, c32);
      c33 = av.fma(b3, c33);
    }
    FLOAT_VECTOR.cast(c00).intoArray(tile, 0);
    FLOAT_VECTOR.cast(c01).intoArray(tile, LANES);
    FLOAT_VECTOR.cast(c02).intoArray(tile, 2 * LANES);
    FLOAT_VECTOR.cast(c03).intoArray(tile, 3 * LANES);
    FLOAT_VECTOR.cast(c10).intoArray(tile, NR);
    FLOAT_VECTOR.cast(c11).intoArray(tile, NR + LANES);
    FLOAT_VECTOR.cast(c12).intoArray(tile, NR + 2 * LANES);
    FLOAT_VECTOR.cast(c13).intoArray(tile, NR + 3 * LANES);
    FLOAT_VECTOR.cast(c20).intoArray(tile, 2 * NR);
    FLOAT_VECTOR.cast(c21).intoArray(tile, 2 * NR + LANES);
    FLOAT_VECTOR.cast(c22).intoArray(tile, 2 * NR + 2 * LANES);
    FLOAT_VECTOR.cast(c23).intoArray(tile, 2 * NR + 3 * LANES);
    FLOAT_VECTOR.cast(c30).intoArray(tile, 3 * NR);
    FLOAT_VECTOR.cast(c31).intoArray(tile, 3 * NR + LANES);
    FLOAT_VECTOR.cast(c32).intoArray(tile, 3 * NR + 2 * LANES);
    FLOAT_VECTOR.cast(c33).intoArray(tile, 3 * NR + 3 * LANES);
  }

  /**
   * {@link #kernelWide} for an untransposed B whose panel is not packed yet: each k step loads the panel's
   * four vectors from row pc + p of b (at bo + p·ldb) and also stores them where packB would put them,
   * then multiplies exactly as kernelWide does.
   */
  private static void kernelWidePacking(
      int kc, float[] pa, int ai, float[] b, int bo, int ldb, float[] pb, int bi, float[] tile) {
    FloatVector c00 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c01 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c02 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c03 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c10 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c11 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c12 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c13 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c20 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c21 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c22 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c23 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c30 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c31 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c32 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c33 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c40 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c41 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c42 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c43 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c50 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c51 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c52 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c53 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    for (int p = 0; p < kc; p++) {
      int ao = ai + p * MR;
      int so = bo + p * ldb;
      int d = bi + p * NR;
      FloatVector b0 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, b, so));
      FloatVector b1 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, b, so + LANES));
      FloatVector b2 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, b, so + 2 * LANES));
      FloatVector b3 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, b, so + 3 * LANES));
      b0.intoArray(pb, d);
      b1.intoArray(pb, d + LANES);
      b2.intoArray(pb, d + 2 * LANES);
      b3.intoArray(pb, d + 3 * LANES);
      FloatVector av = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, pa[ao]));
      c00 = av.fma(b0, c00);
      c01 = av.fma(b1, c01);
      c02 = av.fma(b2, c02);
      c03 = av.fma(b3, c03);
      av = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, pa[ao + 1]));
      c10 = av.fma(b0, c10);
      c11 = av.fma(b1, c11);
      c12 = av.fma(b2, c12);
      c13 = av.fma(b3, c13);
      av = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, pa[ao + 2]));
      c20 = av.fma(b0, c20);
      c21 = av.fma(b1, c21);
      c22 = av.fma(b2, c22);
      c23 = av.fma(b3, c23);
      av = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, pa[ao + 3]));
      c30 = av.fma(b0, c30);
      c31 = av.fma(b1, c31);
      c32 = av.fma(b2, c32);
      c33 = av.fma(b3, c33);
      av = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, pa[ao + 4]));
      c40 = av.fma(b0, c40);
      c41 = av.fma(b1, c41);
      c42 = av.fma(b2, c42);
      c43 = av.fma(b3, c43);
      av = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, pa[ao + 5]));
      c50 = av.fma(b0, c50);
      c51 = av.fma(b1, c51);
      c52 = av.fma(b2, c52);
      c53 = av.fma(b3, c53);
    }
    FLOAT_VECTOR.cast(c00).intoArray(tile, 0);
    FLOAT_VECTOR.cast(c01).intoArray(tile, LANES);
    FLOAT_VECTOR.cast(c02).intoArray(tile, 2 * LANES);
    FLOAT_VECTOR.cast(c03).intoArray(tile, 3 * LANES);
    FLOAT_VECTOR.cast(c10).intoArray(tile, NR);
    FLOAT_VECTOR.cast(c11).intoArray(tile, NR + LANES);
    FLOAT_VECTOR.cast(c12).intoArray(tile, NR + 2 * LANES);
    FLOAT_VECTOR.cast(c13).intoArray(tile, NR + 3 * LANES);
    FLOAT_VECTOR.cast(c20).intoArray(tile, 2 * NR);
    FLOAT_VECTOR.cast(c21).intoArray(tile, 2 * NR + LANES);
    FLOAT_VECTOR.cast(c22).intoArray(tile, 2 * NR + 2 * LANES);
    FLOAT_VECTOR.cast(c23).intoArray(tile, 2 * NR + 3 * LANES);
    FLOAT_VECTOR.cast(c30).intoArray(tile, 3 * NR);
    FLOAT_VECTOR.cast(c31).intoArray(tile, 3 * NR + LANES);
    FLOAT_VECTOR.cast(c32).intoArray(tile, 3 * NR + 2 * LANES);
    FLOAT_VECTOR.cast(c33).intoArray(tile, 3 * NR + 3 * LANES);
    FLOAT_VECTOR.cast(c40).intoArray(tile, 4 * NR);
    FLOAT_VECTOR.cast(c41).intoArray(tile, 4 * NR + LANES);
    FLOAT_VECTOR.cast(c42).intoArray(tile, 4 * NR + 2 * LANES);
    FLOAT_VECTOR.cast(c43).intoArray(tile, 4 * NR + 3 * LANES);
    FLOAT_VECTOR.cast(c50).intoArray(tile, 5 * NR);
    FLOAT_VECTOR.cast(c51).intoArray(tile, 5 * NR + LANES);
    FLOAT_VECTOR.cast(c52).intoArray(tile, 5 * NR + 2 * LANES);
    FLOAT_VECTOR.cast(c53).intoArray(tile, 5 * NR + 3 * LANES);
  }

  /**
   * {@link #kernelWidePacking} that also copies the next panel's part of each row of b (the 64 columns after
   * this panel's, at bo + NR + p·ldb) to {@code pb2[bi2 + p·NR …]}, where packB would put that panel: a row
   * of b is 4 KB from the next, so each step misses in the TLB and, with b out of cache, in memory; adjacent
   * lines ride along with almost no extra wait. Measured on a loaded Zen 5 (128 × 1024 × 1024, one thread,
   * paired medians of 500-800 interleaved rounds): 0.97× the time with A and B evicted before each call,
   * 0.98-1.00× with them in cache.
   */
  private static void kernelWidePair(
      int kc, float[] pa, int ai, float[] b, int bo, int ldb, float[] pb, int bi, float[] pb2, int bi2, float[] tile) {
    FloatVector c00 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c01 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c02 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c03 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c10 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c11 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c12 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c13 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c20 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c21 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c22 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c23 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c30 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c31 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c32 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c33 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c40 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c41 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c42 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c43 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c50 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c51 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c52 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c53 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    for (int p = 0; p < kc; p++) {
      int ao = ai + p * MR;
      int so = bo + p * ldb;
      int d = bi + p * NR;
      FloatVector b0 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, b, so));
      FloatVector b1 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, b, so + LANES));
      FloatVector b2 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, b, so + 2 * LANES));
      FloatVector b3 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, b, so + 3 * LANES));
      b0.intoArray(pb, d);
      b1.intoArray(pb, d + LANES);
      b2.intoArray(pb, d + 2 * LANES);
      b3.intoArray(pb, d + 3 * LANES);
      for (int v = 0, d2 = bi2 + p * NR; v < NR; v += LANES) { // the next panel's part of row p, copied
        FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, b, so + NR + v)).intoArray(pb2, d2 + v);
      }
      FloatVector av = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, pa[ao]));
      c00 = av.fma(b0, c00);
      c01 = av.fma(b1, c01);
      c02 = av.fma(b2, c02);
      c03 = av.fma(b3, c03);
      av = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, pa[ao + 1]));
      c10 = av.fma(b0, c10);
      c11 = av.fma(b1, c11);
      c12 = av.fma(b2, c12);
      c13 = av.fma(b3, c13);
      av = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, pa[ao + 2]));
      c20 = av.fma(b0, c20);
      c21 = av.fma(b1, c21);
      c22 = av.fma(b2, c22);
      c23 = av.fma(b3, c23);
      av = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, pa[ao + 3]));
      c30 = av.fma(b0, c30);
      c31 = av.fma(b1, c31);
      c32 = av.fma(b2, c32);
      c33 = av.fma(b3, c33);
      av = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, pa[ao + 4]));
      c40 = av.fma(b0, c40);
      c41 = av.fma(b1, c41);
      c42 = av.fma(b2, c42);
      c43 = av.fma(b3, c43);
      av = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, pa[ao + 5]));
      c50 = av.fma(b0, c50);
      c51 = av.fma(b1, c51);
      c52 = av.fma(b2, c52);
      c53 = av.fma(b3, c53);
    }
    FLOAT_VECTOR.cast(c00).intoArray(tile, 0);
    FLOAT_VECTOR.cast(c01).intoArray(tile, LANES);
    FLOAT_VECTOR.cast(c02).intoArray(tile, 2 * LANES);
    FLOAT_VECTOR.cast(c03).intoArray(tile, 3 * LANES);
    FLOAT_VECTOR.cast(c10).intoArray(tile, NR);
    FLOAT_VECTOR.cast(c11).intoArray(tile, NR + LANES);
    FLOAT_VECTOR.cast(c12).intoArray(tile, NR + 2 * LANES);
    FLOAT_VECTOR.cast(c13).intoArray(tile, NR + 3 * LANES);
    FLOAT_VECTOR.cast(c20).intoArray(tile, 2 * NR);
    FLOAT_VECTOR.cast(c21).intoArray(tile, 2 * NR + LANES);
    FLOAT_VECTOR.cast(c22).intoArray(tile, 2 * NR + 2 * LANES);
    FLOAT_VECTOR.cast(c23).intoArray(tile, 2 * NR + 3 * LANES);
    FLOAT_VECTOR.cast(c30).intoArray(tile, 3 * NR);
    FLOAT_VECTOR.cast(c31).intoArray(tile, 3 * NR + LANES);
    FLOAT_VECTOR.cast(c32).intoArray(tile, 3 * NR + 2 * LANES);
    FLOAT_VECTOR.cast(c33).intoArray(tile, 3 * NR + 3 * LANES);
    FLOAT_VECTOR.cast(c40).intoArray(tile, 4 * NR);
    FLOAT_VECTOR.cast(c41).intoArray(tile, 4 * NR + LANES);
    FLOAT_VECTOR.cast(c42).intoArray(tile, 4 * NR + 2 * LANES);
    FLOAT_VECTOR.cast(c43).intoArray(tile, 4 * NR + 3 * LANES);
    FLOAT_VECTOR.cast(c50).intoArray(tile, 5 * NR);
    FLOAT_VECTOR.cast(c51).intoArray(tile, 5 * NR + LANES);
    FLOAT_VECTOR.cast(c52).intoArray(tile, 5 * NR + 2 * LANES);
    FLOAT_VECTOR.cast(c53).intoArray(tile, 5 * NR + 3 * LANES);
  }

  /**
   * As {@link #kernelWide} for 16 vector registers (AVX2), NR = 2·LANES: 12 accumulators (6 rows × 2
   * vectors) + 2 vectors of B + 1 broadcast = 15 registers, where 24 accumulators would spill.
   */
  private static void kernelNarrow(int kc, float[] pa, int ai, float[] pb, int bi, float[] tile) {
    FloatVector c00 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c01 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c10 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c11 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c20 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c21 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c30 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c31 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c40 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c41 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c50 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c51 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    for (int p = 0; p < kc; p++) {
      int ao = ai + p * MR;
      int bo = bi + p * NR;
      FloatVector b0 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, pb, bo));
      FloatVector b1 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, pb, bo + LANES));
      FloatVector av = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, pa[ao]));
      c00 = av.fma(b0, c00);
      c01 = av.fma(b1, c01);
      av = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, pa[ao + 1]));
      c10 = av.fma(b0, c10);
      c11 = av.fma(b1, c11);
      av = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, pa[ao + 2]));
      c20 = av.fma(b0, c20);
      c21 = av.fma(b1, c21);
      av = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, pa[ao + 3]));
      c30 = av.fma(b0, c30);
      c31 = av.fma(b1, c31);
      av = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, pa[ao + 4]));
      c40 = av.fma(b0, c40);
      c41 = av.fma(b1, c41);
      av = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, pa[ao + 5]));
      c50 = av.fma(b0, c50);
      c51 = av.fma(b1, c51);
    }
    // The accumulators go through the tile to a write-back of its own (called by block): with the three
    // write-back modes and the edge case in here, C2 deoptimised this method whenever a new mode appeared
    // and could end up running it as allocating Java code (24 stores and loads per tile cost nothing
    // measurable).
    FLOAT_VECTOR.cast(c00).intoArray(tile, 0);
    FLOAT_VECTOR.cast(c01).intoArray(tile, LANES);
    FLOAT_VECTOR.cast(c10).intoArray(tile, NR);
    FLOAT_VECTOR.cast(c11).intoArray(tile, NR + LANES);
    FLOAT_VECTOR.cast(c20).intoArray(tile, 2 * NR);
    FLOAT_VECTOR.cast(c21).intoArray(tile, 2 * NR + LANES);
    FLOAT_VECTOR.cast(c30).intoArray(tile, 3 * NR);
    FLOAT_VECTOR.cast(c31).intoArray(tile, 3 * NR + LANES);
    FLOAT_VECTOR.cast(c40).intoArray(tile, 4 * NR);
    FLOAT_VECTOR.cast(c41).intoArray(tile, 4 * NR + LANES);
    FLOAT_VECTOR.cast(c50).intoArray(tile, 5 * NR);
    FLOAT_VECTOR.cast(c51).intoArray(tile, 5 * NR + LANES);
  }

  /**
   * Writes the mr × nr valid elements of a tile (its MR × NR accumulators in {@code tile}) to C: C = α·acc
   * (OVERWRITE, C not read) or C = α·acc + β·C in one fused multiply-add (β = 1 for ACCUMULATE). Tiles of
   * NR columns are written with vectors, narrower ones element by element with the same roundings.
   */
  private static void writeBack(
      float[] c, int cOff, int ldc, int mr, int nr, float alpha, float beta, int mode, float[] tile) {
    float betaEff = mode == SCALE ? beta : 1f;
    if (nr == NR) {
      FloatVector alphaV = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, alpha));
      FloatVector betaV = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, betaEff));
      for (int r = 0; r < mr; r++) {
        for (int j = 0, t = r * NR, o = cOff + r * ldc; j < NR; j += LANES, t += LANES, o += LANES) {
          FloatVector acc = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, tile, t));
          if (mode == OVERWRITE) {
            acc.mul(alphaV).intoArray(c, o);
          } else {
            FLOAT_VECTOR.cast(acc).fma(alphaV, FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, c, o)).mul(betaV)).intoArray(c, o);
          }
        }
      }
      return;
    }
    for (int r = 0; r < mr; r++) {
      for (int j = 0, t = r * NR, o = cOff + r * ldc; j < nr; j++, t++, o++) {
        c[o] = mode == OVERWRITE ? tile[t] * alpha : Math.fma(tile[t], alpha, c[o] * betaEff);
      }
    }
  }

  /**
   * {@link #writeBack}, then the epilogue on each written element (row {@code row + r}, column
   * {@code col + j} of C): the bias as a fused multiply-add (as axpy rounds it), the rectifier and the mask
   * as compare-and-blend (x &gt; 0 ? x : 0 maps NaN to 0 like the scalar form). Kept apart from writeBack
   * so that plain products run the write-back they always ran.
   */
  private static void writeBackEpilogue(
      float[] c, int row, int col, int ldc, int mr, int nr, float alpha, float beta, int mode, float[] tile,
      Epilogue e) {
    float betaEff = mode == SCALE ? beta : 1f;
    float[] bias = e.bias;
    float s = e.biasScale;
    boolean rectify = e.rectify;
    float[] mask = e.mask;
    int ldm = e.ldm;
    int cOff = row * ldc + col;
    if (nr == NR) {
      FloatVector alphaV = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, alpha));
      FloatVector betaV = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, betaEff));
      FloatVector sV = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, s));
      FloatVector zero = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
      for (int r = 0; r < mr; r++) {
        int mOff = (row + r) * ldm + col;
        for (int j = 0, t = r * NR, o = cOff + r * ldc; j < NR; j += LANES, t += LANES, o += LANES) {
          FloatVector acc = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, tile, t));
          FloatVector v = mode == OVERWRITE
              ? acc.mul(alphaV)
              : acc.fma(alphaV, FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, c, o)).mul(betaV));
          if (bias != null) {
            v = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, bias, col + j)).fma(sV, v);
          }
          if (rectify) {
            v = FLOAT_VECTOR.cast(zero).blend(v, FLOAT_VECTOR.cast(v).compare(VectorOperators.GT, 0f));
          }
          if (mask != null) {
            v = FLOAT_VECTOR.cast(zero).blend(v, FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, mask, mOff + j)).compare(VectorOperators.GT, 0f));
          }
          FLOAT_VECTOR.cast(v).intoArray(c, o);
        }
      }
      return;
    }
    for (int r = 0; r < mr; r++) {
      for (int j = 0, t = r * NR, o = cOff + r * ldc; j < nr; j++, t++, o++) {
        float v = mode == OVERWRITE ? tile[t] * alpha : Math.fma(tile[t], alpha, c[o] * betaEff);
        if (bias != null) {
          v = Math.fma(bias[col + j], s, v);
        }
        if (rectify) {
          v = v > 0 ? v : 0f;
        }
        if (mask != null) {
          v = mask[(row + r) * ldm + col + j] > 0 ? v : 0f;
        }
        c[o] = v;
      }
    }
  }

  private static int gcd(int x, int y) {
    return y == 0 ? x : gcd(y, x % y);
  }

  private static int ceilDiv(int x, int y) {
    return (x + y - 1) / y;
  }
}
