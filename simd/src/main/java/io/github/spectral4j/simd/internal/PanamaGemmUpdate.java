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
 * threads' rectangles and the route are), stored at that (row, panel)'s index and added in double in index
 * order after the fork: the sums are the same on any thread count. Their last bits differ from the separate
 * pass's, which sums in double in blocks of 2¹⁶ elements. Only for products of one k slice (k ≤ KC): with
 * more, C would hold partial sums of the product between slices.
 */
final class PanamaGemmUpdate {
  private static final ThreadLocal<PanamaGemmUpdate> UPDATES = ThreadLocal.withInitial(PanamaGemmUpdate::new);

  private final PanamaGemm.Epilogue epilogue = new PanamaGemm.Epilogue();
  private boolean busy;
  private float scale;
  /** Receives u, or null. */
  private float[] d;
  /** Rows of W. */
  private int rows;
  /** Σ u² and Σ w² of row i and panel q at 2(q·m + i) and the next index; grown, never shrunk. */
  private double[] sums = new double[0];

  private PanamaGemmUpdate() {
    epilogue.update = this;
  }

  /** Whether the write-back can take the step: the product has one k slice. */
  static boolean applies(int k) {
    return k <= KC;
  }

  /** {@link Kernels#gemmUpdate} for a product that {@link #applies}, on the packed route. */
  static void gemmUpdate(
      boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int lda, float[] b, int ldb,
      float scale, float[] w, int ldw, float[] d, int threads, double[] sums) {
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
    try {
      // β = 0 and one k slice: every tile is written once, in OVERWRITE mode, through writeBack below.
      PanamaGemm.packed(transA, transB, m, n, k, alpha, a, lda, b, ldb, 0f, w, ldw, threads, u.epilogue);
    } finally {
      u.busy = false;
      u.d = null; // do not keep the caller's array alive
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
   * A block of rows of the product (rows [row, row + mc) of W, columns [col, col + nc)) on the route whose
   * row tiles sweep a packed block of B that stays in L2: its tiles write G = α·acc into a per-thread buffer
   * of mc × nc floats (768 KB at 192 × 1024) straight from their registers, then the step runs along those
   * rows of W, contiguous in memory when W is as wide as the product, as one pass. W is read from memory in
   * bursts that long passes take at streaming speed. Measured on a loaded Zen 5 (one thread, CPU time,
   * medians of 20–24 rounds alternating in one JVM, the MLP step's three weight gradients): a step after
   * each six-row tile (24 KB of W per burst) 5.76–5.90 ms, after every 8 tiles 5.57–5.65, every 16
   * 5.52–5.59, after the whole block of 32 tiles 5.35; blocks of 96 to 1024 rows instead of 192 did no
   * better (5.15–5.36 ms against 5.22).
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
    for (int r = 0; r < mc; r++) {
      for (int jr = 0; jr < nc; jr += NR) {
        step(g, r * nc + jr, w, (row + r) * ldw + col + jr, Math.min(NR, nc - jr), at(row + r, col + jr));
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
   * The index in {@link #sums} of the row and of the panel holding the column: panel by panel, so that
   * threads that split the columns write apart (row by row, their shares of a row met in one cache line).
   */
  private int at(int row, int col) {
    return 2 * ((col / NR) * rows + row);
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
