package io.github.spectral4j.simd.internal;

import static io.github.spectral4j.simd.internal.PanamaConstants.DOUBLE;
import static io.github.spectral4j.simd.internal.PanamaConstants.F0;
import static io.github.spectral4j.simd.internal.PanamaConstants.F1;
import static io.github.spectral4j.simd.internal.PanamaConstants.F2;
import static io.github.spectral4j.simd.internal.PanamaConstants.F3;
import static io.github.spectral4j.simd.internal.PanamaConstants.FLOAT;
import static io.github.spectral4j.simd.internal.PanamaConstants.F_FOLDS;
import static io.github.spectral4j.simd.internal.PanamaConstants.FLOAT_HALF;
import static io.github.spectral4j.simd.internal.PanamaConstants.LANES;
import static io.github.spectral4j.simd.internal.PanamaLevel1.DOUBLE_VECTOR;
import static io.github.spectral4j.simd.internal.PanamaLevel1.FLOAT_VECTOR;
import static io.github.spectral4j.simd.internal.PanamaLevel1.HALF_VECTOR;

import java.util.Arrays;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * {@link Kernels#update} on the Vector API: an optimizer's pass over a parameter, {@code d = α·g},
 * {@code w = w + d}, with the squares of both and, given a reference, the Gram products of power
 * iteration on the new W and on its drift W − ref — per row one sweep that reads g, w and ref once and
 * writes w and d, then, after every four such rows (counted from the start of each fixed half of the rows,
 * see {@link #SPLIT_ROWS}) and with them still in cache, one sweep for the two axpys of all four, which loads
 * and stores aOut and eOut once per four rows instead of once per row (rows left after the last group of
 * four get a sweep each). Each element of aOut and eOut still receives one fused multiply-add per row, in
 * row order, so the grouping changes no bit. The pass is memory-bound (five
 * streams), so one accumulator per sum suffices. The elements of d and w get the roundings of the scalar
 * pass; without products the sums are those of {@link PanamaLevel1#addWithSquares}, bit for bit, and with
 * them they differ from the scalar pass's only in their order. Each row variant is a method of one loop
 * whose lane sums leave as floats through {@code t}: vectors merged across loops or returned were boxed
 * by C2, and vectors stored and then summed lane by lane stalled on store forwarding (a third of the
 * pass). Two rows at a time (ten lane sums in one method) made C2 box the vectors again.
 */
final class PanamaOptimizerPass {
  /** Where a row's lane sums ({@link PanamaLevel1#sumLanes}) are left in {@code t}: Σd², Σw², ΣE², W·x, E·y. */
  private static final int D = 0;
  private static final int W = 1;
  private static final int E = 2;
  private static final int X = 3;
  private static final int Y = 4;

  private PanamaOptimizerPass() {}

  /** The pass with products (ref given); without them {@link SquaresPass} runs {@link #addScaledWithSquares} by blocks. */
  static void update(
      int m, int n, float alpha, float[] g, float[] d, float[] w, float[] ref, float[] x, float[] ax, float[] aOut,
      float[] y, float[] ey, float[] eOut, double[] sums) {
    if (m < SPLIT_ROWS) {
      productRows(0, m, n, alpha, g, d, w, ref, x, ax, aOut, y, ey, eOut, sums);
      return;
    }
    Split split = Split.halves(false, m, n, alpha, g, d, w, ref, x, ax, aOut, y, ey, eOut);
    sums[0] = split.sums0[0] + split.sums1[0];
    sums[1] = split.sums0[1] + split.sums1[1];
    sums[2] = split.sums0[2] + split.sums1[2];
  }

  /**
   * {@link Kernels#differenceGramTimes} with both products ({@code ax = W·x}, {@code aOut = Wᵀ·ax},
   * {@code ey = E·y}, {@code eOut = Eᵀ·ey} for E = W − ref, W only read) on m ≥ {@link #SPLIT_ROWS} rows:
   * {@link PanamaGram}'s four-row pass on the same two fixed halves of the rows as the pass with products,
   * on two threads when there are — a read-only pass after a step whose product wrote W (the optimizer's
   * own pass then no longer reads it) at half the time on two cores. W·x and E·y are the whole pass's bits;
   * aOut, eOut and Σ E² add the second half's to the first's, whatever the thread count. ax, aOut, ey and
   * eOut are modified.
   */
  static double differenceProducts(
      int m, int n, float[] w, float[] ref, float[] x, float[] ax, float[] aOut, float[] y, float[] ey,
      float[] eOut) {
    Split split = Split.halves(true, m, n, 0f, null, null, w, ref, x, ax, aOut, y, ey, eOut);
    return split.sums0[2] + split.sums1[2];
  }

  /**
   * Rows at or above which the pass with products runs as two fixed halves of the rows (a split that
   * depends on the shape only, so results are the same for any thread count), on two threads when there
   * are: the second half's aOut and eOut go to buffers of their own, added to the first half's after both.
   */
  static final int SPLIT_ROWS = 64;

  private static final ThreadLocal<Split> SPLIT = ThreadLocal.withInitial(Split::new);

  /**
   * The two halves of a pass with products ({@link #productRows}) or of the read-only pass
   * ({@link PanamaGram}'s, {@link #differenceProducts}), a job reused by its calling thread (nothing
   * allocated per step).
   */
  private static final class Split extends Parallel.Job {
    boolean readOnly;
    int m;
    int n;
    float alpha;
    float[] g;
    float[] d;
    float[] w;
    float[] ref;
    float[] x;
    float[] ax;
    float[] aOut;
    float[] y;
    float[] ey;
    float[] eOut;
    float[] aOut1 = new float[0];
    float[] eOut1 = new float[0];
    /** Each half's squares: ‖ΔW‖², ‖W‖², ‖E‖² (the read-only pass: ‖E‖² only). */
    final double[] sums0 = new double[3];
    final double[] sums1 = new double[3];
    int tasks = 1;

    /**
     * Runs both halves, on up to two threads with this thread's split, or one after the other on a fresh
     * split for a nested call (from a share of another forked job); then adds the second half's aOut and eOut
     * to the first's. Returns the split that ran, whose {@link #sums0} and {@link #sums1} hold the halves'
     * squares.
     */
    static Split halves(boolean readOnly, int m, int n, float alpha, float[] g, float[] d, float[] w, float[] ref,
        float[] x, float[] ax, float[] aOut, float[] y, float[] ey, float[] eOut) {
      Split split = SPLIT.get();
      boolean claimed = split.claim();
      if (!claimed) {
        split = new Split();
      }
      split.readOnly = readOnly;
      split.m = m;
      split.n = n;
      split.alpha = alpha;
      split.g = g;
      split.d = d;
      split.w = w;
      split.ref = ref;
      split.x = x;
      split.ax = ax;
      split.aOut = aOut;
      split.y = y;
      split.ey = ey;
      split.eOut = eOut;
      if (split.aOut1.length < n) {
        split.aOut1 = new float[n];
        split.eOut1 = new float[n];
      }
      if (claimed) {
        split.tasks = Math.min(2, Parallel.parallelism());
        split.run(split.tasks);
      } else {
        split.tasks = 1;
        split.accept(0);
      }
      PanamaLevel1.axpy(n, 1f, split.aOut1, 0, aOut, 0);
      PanamaLevel1.axpy(n, 1f, split.eOut1, 0, eOut, 0);
      return split;
    }

    @Override
    public void accept(int t) {
      int half = m / 2;
      for (int s = t; s < 2; s += tasks) {
        if (readOnly) {
          if (s == 0) {
            sums0[2] = PanamaGram.differenceGramTimes(0, half, n, w, ref, n, x, ax, aOut, y, ey, eOut);
          } else {
            sums1[2] = PanamaGram.differenceGramTimes(half, m, n, w, ref, n, x, ax, aOut1, y, ey, eOut1);
          }
        } else if (s == 0) {
          productRows(0, half, n, alpha, g, d, w, ref, x, ax, aOut, y, ey, eOut, sums0);
        } else {
          productRows(half, m, n, alpha, g, d, w, ref, x, ax, aOut1, y, ey, eOut1, sums1);
        }
      }
    }

    @Override
    void clear() {
      g = null;
      d = null;
      w = null;
      ref = null;
      x = null;
      ax = null;
      aOut = null;
      y = null;
      ey = null;
      eOut = null;
    }
  }

  /**
   * Rows [from, to) of the pass with products: aOut and eOut receive those rows' share (overwritten), ax
   * and ey their entries, sums[0 … 2] their squares (overwritten).
   */
  private static void productRows(
      int from, int to, int n, float alpha, float[] g, float[] d, float[] w, float[] ref, float[] x, float[] ax,
      float[] aOut, float[] y, float[] ey, float[] eOut, double[] sums) {
    int bound = FLOAT.loopBound(n);
    float[] t = PanamaGemm.workspace().tile;
    Arrays.fill(aOut, 0, n, 0f);
    Arrays.fill(eOut, 0, n, 0f);
    double sd = 0;
    double sw = 0;
    double se = 0;
    for (int i = from, r = from * n; i < to; i++, r += n) {
      if (g != null) {
        scaledRowWithProducts(bound, alpha, g, d, w, ref, x, y, r, t);
      } else {
        givenRowWithProducts(bound, d, w, ref, x, y, r, t);
      }
      float fd = t[D];
      float fw = t[W];
      float fe = t[E];
      float fx = t[X];
      float fy = t[Y];
      for (int k = bound; k < n; k++) {
        float dj = step(alpha, g, d, r + k);
        float wj = w[r + k] + dj;
        w[r + k] = wj;
        float e = wj - ref[r + k];
        fd = Math.fma(dj, dj, fd);
        fw = Math.fma(wj, wj, fw);
        fe = Math.fma(e, e, fe);
        fx = Math.fma(wj, x[k], fx);
        fy = Math.fma(e, y[k], fy);
      }
      sd += OptimizerPass.rowSquares(fd, d, null, r, n);
      sw += OptimizerPass.rowSquares(fw, w, null, r, n);
      se += OptimizerPass.rowSquares(fe, w, ref, r, n);
      ax[i] = fx;
      ey[i] = fy;
      if (((i - from) & 3) == 3) {
        int i0 = i - 3;
        // The read-only pass's four-row sweep (last column first), with aOut and eOut loaded once per four rows:
        // each element by the fused multiply-adds of four axpys calls in row order.
        PanamaGram.differenceAxpys4(n, bound, w, ref, r - 3 * n, n, ax[i0], ax[i0 + 1], ax[i0 + 2], ax[i], ey[i0],
            ey[i0 + 1], ey[i0 + 2], ey[i], aOut, eOut);
      }
    }
    // The rows after the last whole group of four (counted from `from`, a fixed split point), one by one.
    for (int i = to - (to - from) % 4; i < to; i++) {
      axpys(n, bound, ax[i], ey[i], w, ref, i * n, aOut, eOut);
    }
    sums[0] = sd;
    sums[1] = sw;
    sums[2] = se;
  }

  /**
   * {@link PanamaLevel1#addWithSquares} of x = α·g (stored into d) into w over [from, to), in its order of
   * operations: the same sums, bit for bit, as forming d first and then adding it.
   */
  static void addScaledWithSquares(int from, int to, float alpha, float[] g, float[] d, float[] w, double[] sums) {
    int half = FLOAT_HALF.length();
    DoubleVector sx0 = DOUBLE_VECTOR.cast(DoubleVector.zero(DOUBLE));
    DoubleVector sx1 = DOUBLE_VECTOR.cast(DoubleVector.zero(DOUBLE));
    DoubleVector sy0 = DOUBLE_VECTOR.cast(DoubleVector.zero(DOUBLE));
    DoubleVector sy1 = DOUBLE_VECTOR.cast(DoubleVector.zero(DOUBLE));
    int i = from;
    int bound = to - (to - from) % (2 * half);
    for (; i < bound; i += 2 * half) {
      FloatVector x0 = HALF_VECTOR.cast(FloatVector.fromArray(FLOAT_HALF, g, i)).mul(alpha);
      FloatVector x1 = HALF_VECTOR.cast(FloatVector.fromArray(FLOAT_HALF, g, i + half)).mul(alpha);
      x0.intoArray(d, i);
      x1.intoArray(d, i + half);
      FloatVector y0 = HALF_VECTOR.cast(FloatVector.fromArray(FLOAT_HALF, w, i)).add(x0);
      FloatVector y1 = HALF_VECTOR.cast(FloatVector.fromArray(FLOAT_HALF, w, i + half)).add(x1);
      y0.intoArray(w, i);
      y1.intoArray(w, i + half);
      DoubleVector dx0 = DOUBLE_VECTOR.cast(x0.convertShape(VectorOperators.F2D, DOUBLE, 0));
      DoubleVector dx1 = DOUBLE_VECTOR.cast(x1.convertShape(VectorOperators.F2D, DOUBLE, 0));
      DoubleVector dy0 = DOUBLE_VECTOR.cast(y0.convertShape(VectorOperators.F2D, DOUBLE, 0));
      DoubleVector dy1 = DOUBLE_VECTOR.cast(y1.convertShape(VectorOperators.F2D, DOUBLE, 0));
      sx0 = dx0.fma(dx0, sx0);
      sx1 = dx1.fma(dx1, sx1);
      sy0 = dy0.fma(dy0, sy0);
      sy1 = dy1.fma(dy1, sy1);
    }
    sums[0] = PanamaLevel1.sumLanes(DOUBLE_VECTOR.cast(sx0).add(sx1));
    sums[1] = PanamaLevel1.sumLanes(DOUBLE_VECTOR.cast(sy0).add(sy1));
    for (; i < to; i++) {
      d[i] = alpha * g[i];
    }
    ScalarKernels.addWithSquares(bound, to, d, w, sums);
  }

  /** {@link #scaledRow} with E = w − ref: lane sums of E², w·x and E·y into t as well. */
  private static void scaledRowWithProducts(
      int bound, float alpha, float[] g, float[] d, float[] w, float[] ref, float[] x, float[] y, int r, float[] t) {
    FloatVector qd = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector qw = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector qe = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector sx = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector sy = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    for (int j = 0; j < bound; j += LANES) {
      FloatVector dv = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, g, r + j)).mul(alpha);
      dv.intoArray(d, r + j);
      FloatVector wv = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, w, r + j)).add(dv);
      wv.intoArray(w, r + j);
      FloatVector ev = wv.sub(FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, ref, r + j)));
      qd = dv.fma(dv, qd);
      qw = wv.fma(wv, qw);
      qe = ev.fma(ev, qe);
      sx = wv.fma(FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, x, j)), sx);
      sy = ev.fma(FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, y, j)), sy);
    }
    if (F_FOLDS > 4) {
      t[D] = PanamaLevel1.sumLanes(qd);
      t[W] = PanamaLevel1.sumLanes(qw);
      t[E] = PanamaLevel1.sumLanes(qe);
      t[X] = PanamaLevel1.sumLanes(sx);
      t[Y] = PanamaLevel1.sumLanes(sy);
      return;
    }
    // PanamaLevel1.sumLanes's folds, written out: once sumLanes was compiled on its own for other callers
    // (a full test run), C2 declined to inline the call here and boxed a vector per row.
    if (F_FOLDS > 0) {
      qd = FLOAT_VECTOR.cast(qd).add(FLOAT_VECTOR.cast(qd).rearrange(F0));
      qw = FLOAT_VECTOR.cast(qw).add(FLOAT_VECTOR.cast(qw).rearrange(F0));
      qe = FLOAT_VECTOR.cast(qe).add(FLOAT_VECTOR.cast(qe).rearrange(F0));
      sx = FLOAT_VECTOR.cast(sx).add(FLOAT_VECTOR.cast(sx).rearrange(F0));
      sy = FLOAT_VECTOR.cast(sy).add(FLOAT_VECTOR.cast(sy).rearrange(F0));
    }
    if (F_FOLDS > 1) {
      qd = FLOAT_VECTOR.cast(qd).add(FLOAT_VECTOR.cast(qd).rearrange(F1));
      qw = FLOAT_VECTOR.cast(qw).add(FLOAT_VECTOR.cast(qw).rearrange(F1));
      qe = FLOAT_VECTOR.cast(qe).add(FLOAT_VECTOR.cast(qe).rearrange(F1));
      sx = FLOAT_VECTOR.cast(sx).add(FLOAT_VECTOR.cast(sx).rearrange(F1));
      sy = FLOAT_VECTOR.cast(sy).add(FLOAT_VECTOR.cast(sy).rearrange(F1));
    }
    if (F_FOLDS > 2) {
      qd = FLOAT_VECTOR.cast(qd).add(FLOAT_VECTOR.cast(qd).rearrange(F2));
      qw = FLOAT_VECTOR.cast(qw).add(FLOAT_VECTOR.cast(qw).rearrange(F2));
      qe = FLOAT_VECTOR.cast(qe).add(FLOAT_VECTOR.cast(qe).rearrange(F2));
      sx = FLOAT_VECTOR.cast(sx).add(FLOAT_VECTOR.cast(sx).rearrange(F2));
      sy = FLOAT_VECTOR.cast(sy).add(FLOAT_VECTOR.cast(sy).rearrange(F2));
    }
    if (F_FOLDS > 3) {
      qd = FLOAT_VECTOR.cast(qd).add(FLOAT_VECTOR.cast(qd).rearrange(F3));
      qw = FLOAT_VECTOR.cast(qw).add(FLOAT_VECTOR.cast(qw).rearrange(F3));
      qe = FLOAT_VECTOR.cast(qe).add(FLOAT_VECTOR.cast(qe).rearrange(F3));
      sx = FLOAT_VECTOR.cast(sx).add(FLOAT_VECTOR.cast(sx).rearrange(F3));
      sy = FLOAT_VECTOR.cast(sy).add(FLOAT_VECTOR.cast(sy).rearrange(F3));
    }
    t[D] = FLOAT_VECTOR.cast(qd).lane(0);
    t[W] = FLOAT_VECTOR.cast(qw).lane(0);
    t[E] = FLOAT_VECTOR.cast(qe).lane(0);
    t[X] = FLOAT_VECTOR.cast(sx).lane(0);
    t[Y] = FLOAT_VECTOR.cast(sy).lane(0);
  }

  /** As {@link #scaledRowWithProducts} with d as given. */
  private static void givenRowWithProducts(
      int bound, float[] d, float[] w, float[] ref, float[] x, float[] y, int r, float[] t) {
    FloatVector qd = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector qw = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector qe = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector sx = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector sy = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    for (int j = 0; j < bound; j += LANES) {
      FloatVector dv = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, d, r + j));
      FloatVector wv = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, w, r + j)).add(dv);
      wv.intoArray(w, r + j);
      FloatVector ev = wv.sub(FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, ref, r + j)));
      qd = dv.fma(dv, qd);
      qw = wv.fma(wv, qw);
      qe = ev.fma(ev, qe);
      sx = wv.fma(FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, x, j)), sx);
      sy = ev.fma(FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, y, j)), sy);
    }
    t[D] = PanamaLevel1.sumLanes(qd);
    t[W] = PanamaLevel1.sumLanes(qw);
    t[E] = PanamaLevel1.sumLanes(qe);
    t[X] = PanamaLevel1.sumLanes(sx);
    t[Y] = PanamaLevel1.sumLanes(sy);
  }

  /** The row's second sweep, w and ref still in L1: aOut += fx·w, eOut += fy·(w − ref). */
  private static void axpys(
      int n, int bound, float fx, float fy, float[] w, float[] ref, int r, float[] aOut, float[] eOut) {
    FloatVector fxv = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, fx));
    FloatVector fyv = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, fy));
    int j = 0;
    for (; j < bound; j += LANES) {
      FloatVector wv = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, w, r + j));
      FloatVector ev = wv.sub(FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, ref, r + j)));
      FLOAT_VECTOR.cast(fxv).fma(wv, FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, aOut, j))).intoArray(aOut, j);
      FLOAT_VECTOR.cast(fyv).fma(ev, FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, eOut, j))).intoArray(eOut, j);
    }
    for (; j < n; j++) {
      aOut[j] = Math.fma(fx, w[r + j], aOut[j]);
      eOut[j] = Math.fma(fy, w[r + j] - ref[r + j], eOut[j]);
    }
  }

  /** The update element at k: α·g[k] stored into d, or d[k] as given when g is null. */
  private static float step(float alpha, float[] g, float[] d, int k) {
    if (g == null) {
      return d[k];
    }
    float dk = alpha * g[k];
    d[k] = dk;
    return dk;
  }
}
