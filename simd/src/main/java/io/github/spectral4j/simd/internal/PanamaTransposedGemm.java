package io.github.spectral4j.simd.internal;

import static io.github.spectral4j.simd.internal.PanamaConstants.FLOAT;
import static io.github.spectral4j.simd.internal.PanamaConstants.GEMM_PARALLEL_THRESHOLD;
import static io.github.spectral4j.simd.internal.PanamaConstants.KC;
import static io.github.spectral4j.simd.internal.PanamaConstants.LANES;
import static io.github.spectral4j.simd.internal.PanamaConstants.NR;
import static io.github.spectral4j.simd.internal.PanamaConstants.PB_SKIP;
import static io.github.spectral4j.simd.internal.PanamaConstants.WIDE_TILE;
import static io.github.spectral4j.simd.internal.PanamaLevel1.FLOAT_VECTOR;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * C = α·A·Bᵀ + β·C for a short A and a wide B (a training batch times a weight matrix, e.g. 128 × 1024
 * times 1024 × 1024ᵀ) computed as its transpose Cᵀ = B·Aᵀ: the small operand Aᵀ is packed into
 * {@link PanamaGemm}'s KC × NR panels (one or two of them, which stay in L2), and the big one, B, is read
 * unpacked — each micro-kernel call broadcasts one element from each of five consecutive rows of B per step
 * of k, against the four vectors of a panel row: 20 accumulators ({@link #kernel}), with five sequential
 * streams of B instead of a packed panel of A. Packing B, which the packed GEMM would do once per call for
 * only ⌈m/6⌉ row tiles, is the cost this path removes (measured on a loaded Zen 5, 10th percentiles of
 * interleaved runs: 128 × 1024 × 1024 from 0.74 to 0.83 × the FMA peak, 64 × 1024 × 1024 from 0.63 to 0.82). Blocks of {@link #BLOCK} rows of B
 * give a block of Cᵀ in a per-thread buffer; 16 × 16 register transpositions then write it to C with the
 * write-back mode and the epilogue of the packed GEMM.
 *
 * <p>Past 128 rows (a batch of 128 with the diagnostics' 16 probe rows riding along is 144) a third wide
 * panel would compute up to 63 padded columns (+33 % at 144), and the packed GEMM packs B on every call.
 * So Aᵀ may also be cut into narrow panels of 48 columns (three vectors), run by an 8 × 3-vector kernel
 * ({@link #kernel8}: 24 accumulators, 8 broadcasts and 3 loads per 24 multiply-adds): 144 rows are
 * three narrow panels with no padding, and up to {@link #MAX_WIDTH} rows a {@link #layout} of wide and
 * narrow panels takes those that it pads by at most m/16. Each group of {@link #GROUP} rows of B runs the wide kernel over the wide panels,
 * then the narrow kernel over the narrow ones, while the group's rows are in L1 or L2: B is still read
 * from memory once per call. Measured on a loaded Zen 5 at 144 × 1024 × 1024 with the forward's bias and
 * rectifier and B evicted before each call (paired medians of 100 interleaved rounds): 1.08 × the time of
 * 128 rows on this path (12.5 % more rows), 0.98 × the packed GEMM's time for the same 144 rows (both
 * with the six-row wide kernel that the five-row one replaced, 0.91–0.97 × its time at 128 rows).
 *
 * <p>Each element of C is the packed GEMM's: one chain of fused multiply-adds over each k slice in order
 * (the same slices), from zero, then α·s (+ β·C) in one fused multiply-add, then the epilogue — a·b and
 * b·a round alike. So the result is bit for bit the packed GEMM's, on any thread count.
 */
final class PanamaTransposedGemm {
  /** Rows of B (columns of C) per call of the wide {@link #kernel}. */
  private static final int ROWS = 5;

  /** Rows of B (columns of C) per call of {@link #kernel8}. */
  private static final int ROWS8 = 8;

  /** Rows of B per group (a multiple of ROWS and ROWS8): each runs the wide kernel, then {@link #kernel8}, over its rows. */
  private static final int GROUP = 40;

  /** Columns of a narrow panel of Aᵀ (three vectors), against the wide panel's NR = 64. */
  private static final int NARROW = 3 * LANES;

  /** Rows of B (columns of C) per block of Cᵀ: a multiple of GROUP and of 16, the transposition's side. */
  private static final int BLOCK = 240;

  /**
   * The widest packed Aᵀ this path takes: 160 columns (640 KB at KC = 1024, in the 1 MB L2). Measured on a
   * loaded Zen 5, B (1024 × 1024) evicted before each call as in a training step, this path's time over
   * the packed GEMM's, paired medians of 100 interleaved rounds, with the forward's bias and rectifier:
   * 128 rows 0.977, 144 0.979, 160 1.000, 176 1.027, 192 1.056 (three wide panels; four narrow ones were
   * no faster): past 160 columns the panels crowd W's rows out of L2.
   */
  private static final int MAX_WIDTH = 160;

  private PanamaTransposedGemm() {}

  /**
   * Whether C = A·Bᵀ (m × n, inner dimension k) takes this path: 512-bit vectors (the wide tile), A's rows
   * fitting a {@link #layout} with at most m/16 padded columns (they are computed for nothing: 130 rows in
   * 144 columns took 1.04 × the packed GEMM's time, 150 in 160 1.06 ×, measured as for
   * {@link #MAX_WIDTH}), and B at least four times as tall as A (otherwise packing B costs little per row
   * of C, and this path's transposition of C costs more).
   */
  static boolean applies(boolean transA, boolean transB, int m, int n, int k) {
    if (!WIDE_TILE || LANES != 16 || NR != 64 || transA || !transB || m < 1 || n < 4 * m) {
      return false;
    }
    int layout = layout(m);
    if (layout < 0) {
      return false;
    }
    return width(layout) - m <= m / 16;
  }

  /**
   * The panels of Aᵀ for m rows of A: {@code wide · 8 + narrow}, wide panels of NR = 64 columns (run by
   * the 5 × 4-vector {@link #kernel}) first, then narrow ones of {@link #NARROW} = 48 ({@link #kernel8},
   * 8 × 3 vectors), the fewest padded columns, then the fewest panels, at most {@link #MAX_WIDTH} columns;
   * -1 past that. So 128 rows are two wide panels as before, 144 (a batch of 128 with 16 probe rows) three
   * narrow ones with no padding, 160 one wide and two narrow. Below 128 rows the narrow panels also open
   * this path to 46–48, 91–96 and 106–112 rows (measured as for {@link #MAX_WIDTH}: 48, 96 and 112 rows
   * took 0.79, 0.92 and 0.97 × the packed GEMM's time).
   * Why narrow panels and not two wide ones and a 16-column third (not built): a one-vector panel has one
   * multiply-add per broadcast element of B, so its kernel would be bound by loads (R + 1 loads per R
   * multiply-adds, against 11 per 24 here), on 16 of the 144 columns.
   */
  static int layout(int m) {
    int best = -1;
    for (int wide = 0; wide * NR <= MAX_WIDTH; wide++) {
      for (int narrow = 0; wide * NR + narrow * NARROW <= MAX_WIDTH; narrow++) {
        int width = wide * NR + narrow * NARROW;
        if (width < m) {
          continue;
        }
        int candidate = wide * 8 + narrow;
        if (best < 0 || width < width(best) || width == width(best) && wide + narrow < panels(best)) {
          best = candidate;
        }
        break; // more narrow panels only widen it
      }
    }
    return best;
  }

  private static int width(int layout) {
    return layout / 8 * NR + layout % 8 * NARROW;
  }

  private static int panels(int layout) {
    return layout / 8 + layout % 8;
  }

  /** The first column of panel q of the packed Aᵀ (a row of A). */
  private static int offset(int layout, int q) {
    int wide = layout / 8;
    return q <= wide ? q * NR : wide * NR + (q - wide) * NARROW;
  }

  /**
   * Threads split the sequence of (panel of Aᵀ, group of rows of B) units, panel by panel, into contiguous
   * runs of equal work (a unit weighs its panel's width; {@link #boundary}): each thread packs only the
   * panels its run touches and reads B once, the rows of each group against every one of its panels in
   * turn. So 128 rows on two threads are a wide panel each (as before), 144 rows on three a narrow panel
   * each, and 144 rows on two one and a half narrow panels each (the first thread all of panel 0 and the
   * first half of panel 1's columns): each thread packs two panels, where a split of the columns alone had
   * both pack all three (measured on a loaded Zen 5, W evicted before each call, thread time summed over
   * both threads, paired medians of interleaved rounds: 0.94–0.98 × the column split's at 144 × 1024 ×
   * 1024 and 784; Aᵀ packed once by both threads in a fork of its own, then a column split, measured
   * 0.98–0.99 × at 144 rows and 1.02 × at 128, so not kept). Run boundaries fall on whole groups: no
   * share computes rows of B for nothing inside.
   */
  static void gemm(
      int m, int n, int k, float alpha, float[] a, int lda, float[] b, int ldb, float beta, float[] c, int ldc,
      int threads, PanamaGemm.Epilogue epilogue) {
    int layout = layout(m);
    if (layout < 0) {
      throw new IllegalArgumentException("m = " + m + " rows are more than this path's panels hold");
    }
    int unit = unit(layout);
    int groups = ceilDiv(n, unit);
    int panels = panels(layout);
    int t = (long) m * n * k < GEMM_PARALLEL_THRESHOLD ? 1 : Math.min(threads, groups * panels);
    if (t <= 1) {
      share(0, groups * panels, groups, unit, n, layout, m, k, alpha, a, lda, b, ldb, beta, c, ldc, epilogue);
      return;
    }
    Call call = GemmCall.claim(CALLS, Call::new);
    call.set(t, groups, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    call.layout = layout;
    call.unit = unit;
    call.epilogue = epilogue;
    call.run(t);
  }

  /** Rows of B per group: the wide kernel's 5, {@link #kernel8}'s 8, or {@link #GROUP} when both run. */
  static int unit(int layout) {
    return layout % 8 == 0 ? ROWS : layout / 8 == 0 ? ROWS8 : GROUP;
  }

  /**
   * The first unit of share {@code share} of {@code shares} (share s is units [boundary(s), boundary(s +
   * 1))): unit q·groups + g is panel q against group g, and a unit weighs its panel's columns, so the
   * split point of the weighted sequence is rounded to the nearest whole group of its panel.
   */
  static int boundary(int layout, int groups, int shares, int share) {
    long point = (long) width(layout) * groups * share / shares;
    int q = 0;
    while (q < panels(layout) && (long) offset(layout, q + 1) * groups <= point) {
      q++;
    }
    if (q == panels(layout)) {
      return q * groups;
    }
    int wq = offset(layout, q + 1) - offset(layout, q);
    long g = (point - (long) offset(layout, q) * groups + wq / 2) / wq;
    return q * groups + (int) g;
  }

  private static final ThreadLocal<Call> CALLS = ThreadLocal.withInitial(Call::new);

  /** One calling thread's forked product: its arguments in fields, reused from call to call. */
  private static final class Call extends GemmCall {
    /** The panels of Aᵀ ({@link #layout}). */
    int layout;
    /** Rows of B per group of {@link GemmCall#groups}. */
    int unit;
    PanamaGemm.Epilogue epilogue;

    @Override
    public void accept(int task) {
      int u0 = boundary(layout, groups, tasks, task);
      int u1 = boundary(layout, groups, tasks, task + 1);
      share(u0, u1, groups, unit, n, layout, m, k, alpha, a, lda, b, ldb, beta, c, ldc, epilogue);
    }

    @Override
    void clear() {
      super.clear();
      epilogue = null;
    }
  }

  /**
   * Units [u0, u1) (panel-major, {@link #boundary}) on this thread: per k slice, its panels [qa, qb] of Aᵀ
   * packed, then its columns of C in at most three runs of columns, each with the panels that run covers
   * (from the first unit, panel qa covers groups [ga, groups); panel qb groups [0, gb); those between, all).
   */
  private static void share(
      int u0, int u1, int groups, int unit, int n, int layout, int m, int k, float alpha, float[] a, int lda,
      float[] b, int ldb, float beta, float[] c, int ldc, PanamaGemm.Epilogue epilogue) {
    if (u0 >= u1) {
      return;
    }
    int qa = u0 / groups;
    int ga = u0 % groups;
    int qb = (u1 - 1) / groups;
    int gb = (u1 - 1) % groups + 1;
    PanamaGemm.Workspace w = PanamaGemm.workspace();
    // The packed GEMM's slices of k, so that every element sees the same sums.
    int slices = ceilDiv(k, KC);
    int kcMax = ceilDiv(k, slices);
    int i0 = offset(layout, qa);
    int rows = Math.min(m, offset(layout, qb + 1)) - i0;
    int width = offset(layout, qb + 1) - i0;
    for (int s = 0; s < slices; s++) {
      int pc = s * kcMax;
      int kc = Math.min(kcMax, k - pc);
      float[] pa = w.packB(PB_SKIP + width * kc);
      pack(a, lda, pc, kc, i0, rows, layout, qa, qb + 1, pa);
      PanamaGemm.Epilogue e = s == slices - 1 ? epilogue : null;
      if (qa == qb) {
        compute(ga * unit, Math.min(n, gb * unit), layout, qa, qa + 1, qa, m, pc, kc, alpha, pa, b, ldb, beta, c,
            ldc, s, e);
        continue;
      }
      // Columns [0, x0): panels qa + 1 … qb; [x0, x1): qa … qb when ga < gb, else qa + 1 … qb − 1;
      // [x1, n): qa … qb − 1.
      int x0 = Math.min(n, Math.min(ga, gb) * unit);
      int x1 = Math.min(n, Math.max(ga, gb) * unit);
      compute(0, x0, layout, qa + 1, qb + 1, qa, m, pc, kc, alpha, pa, b, ldb, beta, c, ldc, s, e);
      compute(x0, x1, layout, ga < gb ? qa : qa + 1, ga < gb ? qb + 1 : qb, qa, m, pc, kc, alpha, pa, b, ldb, beta,
          c, ldc, s, e);
      compute(x1, n, layout, qa, qb, qa, m, pc, kc, alpha, pa, b, ldb, beta, c, ldc, s, e);
    }
  }

  /**
   * Packs k slice pc … pc + kc of panels [q0, q1) of Aᵀ (rows i0 = offset(q0) … of A, of which the first
   * {@code rows} exist) into pa as the kernels read them: panel q, wq = 64 or 48 columns wide, at
   * PB_SKIP + (offset(q) − i0)·kc, holding row offset(q) + r of A's column pc + p at + p·wq + r (the
   * layout of the packed GEMM's transposed B panels); padded columns are zero. Whole 16 × 16 squares go
   * through {@link PanamaGemm#transpose16}.
   */
  private static void pack(
      float[] a, int lda, int pc, int kc, int i0, int rows, int layout, int q0, int q1, float[] pa) {
    int wideEnd = layout / 8;
    for (int q = q0; q < q1; q++) {
      int wq = q < wideEnd ? NR : NARROW;
      int r0 = offset(layout, q) - i0;
      int base = PB_SKIP + r0 * kc;
      for (int cc = 0; cc < wq; cc += LANES) {
        int nr = Math.max(0, Math.min(LANES, rows - r0 - cc));
        int p = 0;
        int src = (i0 + r0 + cc) * lda + pc;
        if (nr == LANES) {
          for (; p + LANES <= kc; p += LANES) {
            PanamaGemm.transpose16(a, src + p, lda, pa, base + cc + p * wq, wq);
          }
        }
        for (int r = 0; r < LANES; r++) {
          for (int x = p, d = base + cc + r + p * wq; x < kc; x++, d += wq) {
            pa[d] = r < nr ? a[src + r * lda + x] : 0f;
          }
        }
      }
    }
  }

  /**
   * Columns [j0, j1) of C (rows of B) against panels [q0, q1) of Aᵀ for k slice s (columns pc … pc + kc),
   * from pa packed from panel qp ≤ q0 on, written back with the slice's mode and the epilogue e (or null).
   * Blocks of {@link #BLOCK} rows of B give a block of Cᵀ; in each group of {@link #GROUP} rows the wide
   * kernel runs over the wide panels, then {@link #kernel8} over the narrow ones, so each row of B is read
   * from memory once and from L1 or L2 by the other panels.
   */
  private static void compute(
      int j0, int j1, int layout, int q0, int q1, int qp, int m, int pc, int kc, float alpha, float[] pa,
      float[] b, int ldb, float beta, float[] c, int ldc, int s, PanamaGemm.Epilogue e) {
    if (j0 >= j1 || q0 >= q1) {
      return;
    }
    PanamaGemm.Workspace w = PanamaGemm.workspace();
    int mode = s > 0 ? PanamaGemm.ACCUMULATE : beta == 0 ? PanamaGemm.OVERWRITE : PanamaGemm.SCALE;
    int i0 = offset(layout, q0);
    int width = offset(layout, q1) - i0;
    int rows = Math.min(m, i0 + width) - i0;
    int wideWidth = Math.max(0, offset(layout, Math.min(q1, layout / 8)) - i0);
    int narrow = (width - wideWidth) / NARROW;
    int wide = wideWidth / NR;
    int ao = PB_SKIP + (i0 - offset(layout, qp)) * kc;
    float[] ct = w.transposed(BLOCK * width);
    for (int jb = j0; jb < j1; jb += BLOCK) {
      int nb = Math.min(BLOCK, j1 - jb);
      int last = jb + nb - 1;
      for (int g = 0; g < nb; g += GROUP) {
        int gEnd = Math.min(g + GROUP, nb);
        for (int jr = g; wide > 0 && jr < gEnd; jr += ROWS) {
          int o0 = jb + jr;
          int o1 = Math.min(o0 + 1, last) * ldb + pc;
          int o2 = Math.min(o0 + 2, last) * ldb + pc;
          int o3 = Math.min(o0 + 3, last) * ldb + pc;
          int o4 = Math.min(o0 + 4, last) * ldb + pc;
          o0 = o0 * ldb + pc;
          for (int q = 0; q < wide; q++) {
            kernel(kc, b, o0, o1, o2, o3, o4, pa, ao + q * NR * kc, ct, jr * width + q * NR, width);
          }
        }
        for (int jr = g; narrow > 0 && jr < gEnd; jr += ROWS8) {
          int o0 = jb + jr;
          int o1 = Math.min(o0 + 1, last) * ldb + pc;
          int o2 = Math.min(o0 + 2, last) * ldb + pc;
          int o3 = Math.min(o0 + 3, last) * ldb + pc;
          int o4 = Math.min(o0 + 4, last) * ldb + pc;
          int o5 = Math.min(o0 + 5, last) * ldb + pc;
          int o6 = Math.min(o0 + 6, last) * ldb + pc;
          int o7 = Math.min(o0 + 7, last) * ldb + pc;
          o0 = o0 * ldb + pc;
          for (int q = 0; q < narrow; q++) {
            int col = wideWidth + q * NARROW;
            kernel8(kc, b, o0, o1, o2, o3, o4, o5, o6, o7, pa, ao + col * kc, ct, jr * width + col, width);
          }
        }
      }
      writeBack(ct, width, nb, i0, rows, c, jb, ldc, alpha, beta, mode, w.tile, e);
    }
  }

  /**
   * Five rows of B (at o0 … o4, each from the slice's first column) against one packed panel of Aᵀ: 20
   * accumulators, row r of the tile (a column of C) stored at {@code ct[ci + r·ldt …]}, NR floats. Five
   * rows and not the packed GEMM's six: with six rows of B (24 accumulators) this kernel ran 5–9 % slower
   * per multiply-add (measured on a loaded Zen 5, both kernels in one JVM, 80–150 interleaved rounds,
   * paired medians of thread time, 1 thread, B in cache: 0.95 × the time at 128 × 1024 × 128, 0.91–0.95 ×
   * at 128 × 1024 × 1024), even with the panel in L1. Why is not measured (no counters on this machine):
   * the packed GEMM's six-row kernel, which reads one packed stream of A instead of six rows of B, runs
   * at full speed (1024 × 1536 × 512: 226 GFLOP/s, against 212 for this path over 128-row chunks), and
   * {@link #kernel8} with eight rows was not improved by seven (1.05–1.09 × its time).
   */
  private static void kernel(
      int kc, float[] b, int o0, int o1, int o2, int o3, int o4, float[] pa, int ai, float[] ct, int ci,
      int ldt) {
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
    for (int p = 0; p < kc; p++) {
      int ao = ai + p * NR;
      FloatVector x0 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, pa, ao));
      FloatVector x1 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, pa, ao + LANES));
      FloatVector x2 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, pa, ao + 2 * LANES));
      FloatVector x3 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, pa, ao + 3 * LANES));
      FloatVector bv = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, b[o0 + p]));
      c00 = bv.fma(x0, c00);
      c01 = bv.fma(x1, c01);
      c02 = bv.fma(x2, c02);
      c03 = bv.fma(x3, c03);
      bv = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, b[o1 + p]));
      c10 = bv.fma(x0, c10);
      c11 = bv.fma(x1, c11);
      c12 = bv.fma(x2, c12);
      c13 = bv.fma(x3, c13);
      bv = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, b[o2 + p]));
      c20 = bv.fma(x0, c20);
      c21 = bv.fma(x1, c21);
      c22 = bv.fma(x2, c22);
      c23 = bv.fma(x3, c23);
      bv = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, b[o3 + p]));
      c30 = bv.fma(x0, c30);
      c31 = bv.fma(x1, c31);
      c32 = bv.fma(x2, c32);
      c33 = bv.fma(x3, c33);
      bv = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, b[o4 + p]));
      c40 = bv.fma(x0, c40);
      c41 = bv.fma(x1, c41);
      c42 = bv.fma(x2, c42);
      c43 = bv.fma(x3, c43);
    }
    FLOAT_VECTOR.cast(c00).intoArray(ct, ci);
    FLOAT_VECTOR.cast(c01).intoArray(ct, ci + LANES);
    FLOAT_VECTOR.cast(c02).intoArray(ct, ci + 2 * LANES);
    FLOAT_VECTOR.cast(c03).intoArray(ct, ci + 3 * LANES);
    ci += ldt;
    FLOAT_VECTOR.cast(c10).intoArray(ct, ci);
    FLOAT_VECTOR.cast(c11).intoArray(ct, ci + LANES);
    FLOAT_VECTOR.cast(c12).intoArray(ct, ci + 2 * LANES);
    FLOAT_VECTOR.cast(c13).intoArray(ct, ci + 3 * LANES);
    ci += ldt;
    FLOAT_VECTOR.cast(c20).intoArray(ct, ci);
    FLOAT_VECTOR.cast(c21).intoArray(ct, ci + LANES);
    FLOAT_VECTOR.cast(c22).intoArray(ct, ci + 2 * LANES);
    FLOAT_VECTOR.cast(c23).intoArray(ct, ci + 3 * LANES);
    ci += ldt;
    FLOAT_VECTOR.cast(c30).intoArray(ct, ci);
    FLOAT_VECTOR.cast(c31).intoArray(ct, ci + LANES);
    FLOAT_VECTOR.cast(c32).intoArray(ct, ci + 2 * LANES);
    FLOAT_VECTOR.cast(c33).intoArray(ct, ci + 3 * LANES);
    ci += ldt;
    FLOAT_VECTOR.cast(c40).intoArray(ct, ci);
    FLOAT_VECTOR.cast(c41).intoArray(ct, ci + LANES);
    FLOAT_VECTOR.cast(c42).intoArray(ct, ci + 2 * LANES);
    FLOAT_VECTOR.cast(c43).intoArray(ct, ci + 3 * LANES);
  }

  /**
   * Eight rows of B (at o0 … o7, each from the slice's first column) against one packed panel of Aᵀ
   * {@link #NARROW} columns wide: 24 accumulators, row r of the tile (a column of C) stored at
   * {@code ct[ci + r·ldt …]}, three vectors. Each step of k loads three vectors of the panel and broadcasts
   * eight elements of B, 11 loads per 24 multiply-adds against the wide kernel's 9 per 20.
   */
  private static void kernel8(
      int kc, float[] b, int o0, int o1, int o2, int o3, int o4, int o5, int o6, int o7, float[] pa, int ai,
      float[] ct, int ci, int ldt) {
    FloatVector c00 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c01 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c02 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c10 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c11 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c12 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c20 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c21 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c22 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c30 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c31 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c32 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c40 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c41 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c42 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c50 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c51 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c52 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c60 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c61 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c62 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c70 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c71 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector c72 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    for (int p = 0; p < kc; p++) {
      int ao = ai + p * NARROW;
      FloatVector x0 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, pa, ao));
      FloatVector x1 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, pa, ao + LANES));
      FloatVector x2 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, pa, ao + 2 * LANES));
      FloatVector bv = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, b[o0 + p]));
      c00 = bv.fma(x0, c00);
      c01 = bv.fma(x1, c01);
      c02 = bv.fma(x2, c02);
      bv = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, b[o1 + p]));
      c10 = bv.fma(x0, c10);
      c11 = bv.fma(x1, c11);
      c12 = bv.fma(x2, c12);
      bv = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, b[o2 + p]));
      c20 = bv.fma(x0, c20);
      c21 = bv.fma(x1, c21);
      c22 = bv.fma(x2, c22);
      bv = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, b[o3 + p]));
      c30 = bv.fma(x0, c30);
      c31 = bv.fma(x1, c31);
      c32 = bv.fma(x2, c32);
      bv = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, b[o4 + p]));
      c40 = bv.fma(x0, c40);
      c41 = bv.fma(x1, c41);
      c42 = bv.fma(x2, c42);
      bv = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, b[o5 + p]));
      c50 = bv.fma(x0, c50);
      c51 = bv.fma(x1, c51);
      c52 = bv.fma(x2, c52);
      bv = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, b[o6 + p]));
      c60 = bv.fma(x0, c60);
      c61 = bv.fma(x1, c61);
      c62 = bv.fma(x2, c62);
      bv = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, b[o7 + p]));
      c70 = bv.fma(x0, c70);
      c71 = bv.fma(x1, c71);
      c72 = bv.fma(x2, c72);
    }
    FLOAT_VECTOR.cast(c00).intoArray(ct, ci);
    FLOAT_VECTOR.cast(c01).intoArray(ct, ci + LANES);
    FLOAT_VECTOR.cast(c02).intoArray(ct, ci + 2 * LANES);
    ci += ldt;
    FLOAT_VECTOR.cast(c10).intoArray(ct, ci);
    FLOAT_VECTOR.cast(c11).intoArray(ct, ci + LANES);
    FLOAT_VECTOR.cast(c12).intoArray(ct, ci + 2 * LANES);
    ci += ldt;
    FLOAT_VECTOR.cast(c20).intoArray(ct, ci);
    FLOAT_VECTOR.cast(c21).intoArray(ct, ci + LANES);
    FLOAT_VECTOR.cast(c22).intoArray(ct, ci + 2 * LANES);
    ci += ldt;
    FLOAT_VECTOR.cast(c30).intoArray(ct, ci);
    FLOAT_VECTOR.cast(c31).intoArray(ct, ci + LANES);
    FLOAT_VECTOR.cast(c32).intoArray(ct, ci + 2 * LANES);
    ci += ldt;
    FLOAT_VECTOR.cast(c40).intoArray(ct, ci);
    FLOAT_VECTOR.cast(c41).intoArray(ct, ci + LANES);
    FLOAT_VECTOR.cast(c42).intoArray(ct, ci + 2 * LANES);
    ci += ldt;
    FLOAT_VECTOR.cast(c50).intoArray(ct, ci);
    FLOAT_VECTOR.cast(c51).intoArray(ct, ci + LANES);
    FLOAT_VECTOR.cast(c52).intoArray(ct, ci + 2 * LANES);
    ci += ldt;
    FLOAT_VECTOR.cast(c60).intoArray(ct, ci);
    FLOAT_VECTOR.cast(c61).intoArray(ct, ci + LANES);
    FLOAT_VECTOR.cast(c62).intoArray(ct, ci + 2 * LANES);
    ci += ldt;
    FLOAT_VECTOR.cast(c70).intoArray(ct, ci);
    FLOAT_VECTOR.cast(c71).intoArray(ct, ci + LANES);
    FLOAT_VECTOR.cast(c72).intoArray(ct, ci + 2 * LANES);
  }

  /**
   * Writes the block of Cᵀ (nb rows of {@code ct}, stride ldt, m valid columns) to rows [i0, i0 + m) and
   * columns [col, col + nb) of C, with the packed GEMM's write-back: C = α·s (OVERWRITE), α·s + β·C (SCALE) or α·s + C (ACCUMULATE)
   * in one fused multiply-add, then the epilogue, if any (the bias as a fused multiply-add, the rectifier
   * and the mask as compare-and-blend). Whole 16 × 16 squares go through {@code scratch} transposed in
   * registers and are written a row of C at a time with vectors; the edges element by element, with the
   * same roundings.
   */
  private static void writeBack(
      float[] ct, int ldt, int nb, int i0, int m, float[] c, int col, int ldc, float alpha, float beta, int mode,
      float[] scratch, PanamaGemm.Epilogue e) {
    float betaEff = mode == PanamaGemm.SCALE ? beta : 1f;
    int iFull = m / LANES * LANES;
    int jFull = nb / LANES * LANES;
    for (int i = 0; i < iFull; i += LANES) {
      for (int j = 0; j < jFull; j += LANES) {
        PanamaGemm.transpose16(ct, j * ldt + i, ldt, scratch, 0, LANES);
        if (e == null) {
          storeSquare(scratch, c, (i0 + i) * ldc + col + j, ldc, alpha, betaEff, mode);
        } else {
          storeSquareEpilogue(scratch, c, i0 + i, col + j, ldc, alpha, betaEff, mode, e);
        }
      }
    }
    // The edges: rows of C past the last whole square, and columns past the last whole square.
    for (int j = 0; j < nb; j++) {
      for (int i = j < jFull ? iFull : 0; i < m; i++) {
        float acc = ct[j * ldt + i];
        int o = (i0 + i) * ldc + col + j;
        float v = mode == PanamaGemm.OVERWRITE ? acc * alpha : Math.fma(acc, alpha, c[o] * betaEff);
        if (e != null) {
          if (e.bias != null) {
            v = Math.fma(e.bias[col + j], e.biasScale, v);
          }
          if (e.rectify) {
            v = v > 0 ? v : 0f;
          }
          if (e.mask != null) {
            v = e.mask[(i0 + i) * e.ldm + col + j] > 0 ? v : 0f;
          }
        }
        c[o] = v;
      }
    }
  }

  /** 16 rows of C from the transposed square (row r at {@code square[16·r]}) at cOff. */
  private static void storeSquare(float[] square, float[] c, int cOff, int ldc, float alpha, float betaEff, int mode) {
    FloatVector alphaV = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, alpha));
    FloatVector betaV = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, betaEff));
    for (int r = 0, o = cOff; r < LANES; r++, o += ldc) {
      FloatVector acc = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, square, r * LANES));
      if (mode == PanamaGemm.OVERWRITE) {
        acc.mul(alphaV).intoArray(c, o);
      } else {
        FLOAT_VECTOR.cast(acc).fma(alphaV, FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, c, o)).mul(betaV)).intoArray(c, o);
      }
    }
  }

  /** As {@link #storeSquare}, then the epilogue, for the square at row {@code row}, column {@code col} of C. */
  private static void storeSquareEpilogue(
      float[] square, float[] c, int row, int col, int ldc, float alpha, float betaEff, int mode,
      PanamaGemm.Epilogue e) {
    FloatVector alphaV = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, alpha));
    FloatVector betaV = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, betaEff));
    FloatVector zero = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    float[] bias = e.bias;
    float[] mask = e.mask;
    FloatVector biasV = bias == null ? zero : FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, bias, col));
    FloatVector sV = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, e.biasScale));
    for (int r = 0; r < LANES; r++) {
      int o = (row + r) * ldc + col;
      FloatVector acc = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, square, r * LANES));
      FloatVector v = mode == PanamaGemm.OVERWRITE
          ? acc.mul(alphaV)
          : acc.fma(alphaV, FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, c, o)).mul(betaV));
      if (bias != null) {
        v = FLOAT_VECTOR.cast(biasV).fma(sV, v);
      }
      if (e.rectify) {
        v = FLOAT_VECTOR.cast(zero).blend(v, FLOAT_VECTOR.cast(v).compare(VectorOperators.GT, 0f));
      }
      if (mask != null) {
        v = FLOAT_VECTOR.cast(zero).blend(v,
            FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, mask, (row + r) * e.ldm + col)).compare(VectorOperators.GT, 0f));
      }
      FLOAT_VECTOR.cast(v).intoArray(c, o);
    }
  }

  private static int ceilDiv(int x, int y) {
    return (x + y - 1) / y;
  }
}
