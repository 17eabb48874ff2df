package io.github.spectral4j.simd.internal;

import static io.github.spectral4j.simd.internal.PanamaConstants.FLOAT;
import static io.github.spectral4j.simd.internal.PanamaConstants.LANES;
import static io.github.spectral4j.simd.internal.PanamaGemv.axpy4;
import static io.github.spectral4j.simd.internal.PanamaGemv.axpyTail4;
import static io.github.spectral4j.simd.internal.PanamaGemv.dot4;
import static io.github.spectral4j.simd.internal.PanamaLevel1.FLOAT_MASK;
import static io.github.spectral4j.simd.internal.PanamaLevel1.FLOAT_VECTOR;
import static io.github.spectral4j.simd.internal.PanamaLevel1.axpy;
import static io.github.spectral4j.simd.internal.PanamaLevel1.dot;
import static io.github.spectral4j.simd.internal.PanamaLevel1.foldLanes;
import static io.github.spectral4j.simd.internal.PanamaLevel1.sumLanes;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * The fused Gram kernels of the spectral solvers on the Vector API: av = A·v and out = Aᵀ·(A·v) in one
 * pass over A (four rows' dot products, then, with the rows still in L1, their axpys; the four rows a quarter
 * of the matrix apart), and the same for a matrix A and its difference D = A − B from a reference, formed row
 * by row and never stored, with ‖D‖_F². Every element sees the operations of the four-row building blocks
 * (dot4, axpy4) or of the one-row loops, in an order fixed by the shape alone, so that neither the guessed
 * alignment nor the caller's thread count changes a bit.
 */
final class PanamaGram {
  private PanamaGram() {}

  /**
   * The index of a float array whose address is taken to be a multiple of 64 bytes (a cache line): HotSpot's
   * default array header is 16 bytes (compressed class pointers), and a large array (G1's humongous objects, from
   * half a heap region) starts at a region boundary, so element 12 of a 2048² matrix begins a cache line and so
   * does every row of it whose length is a multiple of 16. Only a guess for speed: {@link #gramTimes} gives the
   * same bits whatever the true alignment (a wrong guess costs what unaligned loads always cost).
   */
  static final int ALIGNED_INDEX = 12;

  /** Per thread: a copy of v from index LANES, whose vectors the aligned kernels read up to LANES before and after v. */
  private static final ThreadLocal<float[][]> PADDED =
      ThreadLocal.withInitial(() -> new float[][] {new float[0], new float[0]});

  /**
   * Per thread: v copied from index LANES of the array of the given slot (0 or 1), zeros after it, for aligned
   * kernels that read v's vectors up to LANES elements before and after it. The array is reused (no allocation
   * once it is large enough).
   */
  static float[] paddedCopy(int slot, float[] v, int n) {
    float[][] holder = PADDED.get();
    float[] padded = holder[slot];
    if (padded.length < n + 2 * LANES) {
      padded = new float[n + 2 * LANES];
      holder[slot] = padded;
    }
    System.arraycopy(v, 0, padded, LANES, n);
    java.util.Arrays.fill(padded, LANES + n, n + 2 * LANES, 0f);
    return padded;
  }

  /**
   * The head h (0 &lt; h &lt; LANES) from which a four-row group at r0 loads its aligned vectors, given that
   * index alignedIndex modulo LANES begins a cache line, or 0 where the plain kernels must run: the row start is
   * already aligned, or the aligned dot products' reads, from LANES − h before the first row to h after the last
   * row's bound, would leave an array of the given length (the first and last group of an array; the same bits).
   */
  static int alignedHead(int alignedIndex, int r0, int ld, int bound, int length) {
    int h = Math.floorMod(alignedIndex - r0, LANES);
    return h == 0 || r0 < LANES - h || r0 + 3 * ld + bound + h > length ? 0 : h;
  }

  static void gramTimes(int m, int n, float[] a, int aOff, int lda, float[] v, float[] av, int avOff, float[] out) {
    gramTimes(m, n, a, aOff, lda, v, av, avOff, out, ALIGNED_INDEX, false);
  }

  /** gramTimes, returning Σ a_ij² as {@link Kernels#gramTimesSquares} defines it. */
  static double gramTimesSquares(
      int m, int n, float[] a, int aOff, int lda, float[] v, float[] av, int avOff, float[] out) {
    return gramTimes(m, n, a, aOff, lda, v, av, avOff, out, ALIGNED_INDEX, true);
  }

  static void gramTimes(
      int m, int n, float[] a, int aOff, int lda, float[] v, float[] av, int avOff, float[] out, int alignedIndex) {
    gramTimes(m, n, a, aOff, lda, v, av, avOff, out, alignedIndex, false);
  }

  /**
   * As the public kernel, with the loads of each four-row group's first row taken from index
   * {@code alignedIndex} modulo LANES of a (the rows then start their vectors at an aligned address when the
   * guess is right). With q = ⌊m/4⌋, group i (i &lt; q) is the rows i, i + q, i + 2q and i + 3q: their dot4 with v,
   * then their axpy4 into out; then the last m − 4q rows one at a time (dot, then axpy). Every element of av and
   * out gets exactly those operations, in that order, for every alignedIndex: the dot products' lanes are shifted
   * by the head h and their sums taken in the lanes' original order (see alignedDot4). {@code withSquares}: the
   * group's rows are read once more after their axpys, from L1/L2, for their squares (squares4), which the
   * method returns summed (else 0); av and out are the same either way.
   */
  static double gramTimes(
      int m, int n, float[] a, int aOff, int lda, float[] v, float[] av, int avOff, float[] out, int alignedIndex,
      boolean withSquares) {
    java.util.Arrays.fill(out, 0, n, 0f);
    // Four rows at a time: their dots with v, then (rows still in L1) their axpy into out. The four rows are a
    // quarter of the matrix apart (i, i + q, i + 2q, i + 3q), not adjacent: each of the dots' four streams then
    // runs on into its quarter's next row, the next group's, so the hardware prefetcher keeps memory streaming
    // while the axpys run (with adjacent rows three of the four ran into rows already read). On GramProducts'
    // 256-row blocks of a 2048² matrix the pass took 0.88-1.01x (median 0.94) adjacent rows' time, 18 paired
    // medians of 300-800 interleaved rounds of thread CPU time in one JVM, loaded 2-core Zen 5; one 2048-row
    // block 0.95x; two groups from eighths 0.97-0.98x; three rows from thirds 1.07-1.21x and two from halves
    // 1.24-1.35x plain quarters (unaligned). The stream is the floor: the dots alone took 0.61-0.78x the old pass,
    // and the aligned dots alone 0.65x this one (0.184 against 0.283 ms): the axpys still cost ~0.1 ms a pass.
    // Tried and lost with adjacent rows: a software pipeline (one sweep for the next four rows' dots and these
    // four's axpys, so that memory streams during every sweep) 1.19x this loop's time, 1.5x with every row in
    // cache, as eight 8 KB rows with v and out exceed the 48 KB L1 and the axpys' rows then come from L2;
    // pipelining only the first eighth of the columns 1.25x, 8-row blocks 1.1-1.2x, 3-row 0.97x (quartiles
    // 0.84-1.17). Axpys last column first (rows' last lines most recent in L1): 1.19x - the forward sweep runs
    // the hardware prefetcher on into the next rows. A one-row pipeline (one sweep: row i's dot with two
    // accumulators, row i − 1's axpy; 32 KB live, fits L1) 1.58x aligned, 1.3-1.9x bare, and two rows' dots
    // with two rows' axpys (out once per two rows) 1.1-1.5x: a single row's dot stream alone took 0.91-1.08x
    // the whole pass (fewer streams in flight), and a store in the dots' sweep cost them ~10 %.
    // Alignment: a 64-byte load from a row that starts 16 bytes into a cache line (a 2048² matrix in a
    // humongous array) spans two lines; loading from the first aligned element of the row took 0.78-0.85x
    // the pass (paired medians, loaded 2-core Zen 5), for the dots alone 0.86x. With aligned rows the
    // pipeline above still lost (1.12x), and so did loading 1-8 lines of each of the next four rows before
    // the axpys, to start their stream early (1.05-1.07x). Where the time goes (standalone copies of these loops,
    // aligned 2048² rows, medians of 300 back-to-back passes in one JVM, 2-core Zen 5): the dots alone read the
    // 16 MB in 0.19-0.25 ms (67-87 GB/s; OpenBLAS's sgemv 0.243 ms in the same JMH run), dots and axpys take
    // 0.40-0.50 ms, and the same axpys with their rows in L1 0.06: the axpys wait on L2 while no read of A is in
    // flight, and Java has no prefetch instruction to start one. Also lost: the axpys of 2-16 groups at once from
    // L2 with 64-128 columns of out in registers (1.0-1.2x: L2 feeds them no faster), touching every 1st to 8th
    // line of the next group's rows during the axpys (1.07-1.5x).
    int bound = FLOAT.loopBound(n);
    float[] padded = bound >= 2 * LANES ? paddedCopy(0, v, n) : null;
    float[] tile = PanamaGemm.workspace().tile;
    int q = m / 4;
    int stride = q * lda;
    double squares = 0;
    for (int i = 0; i < q; i++) {
      int r = aOff + i * lda;
      int o = avOff + i;
      int h = alignedHead(alignedIndex, r, stride, bound, a.length);
      if (padded == null || h == 0) {
        plain4(n, a, r, stride, v, av, o, q, out, tile);
        if (withSquares) {
          squares = squares4(n, bound, a, r, stride, tile, squares);
        }
      } else {
        alignedDot4(bound, h, a, r, stride, padded, tile);
        laneSums4(n, bound, a, r, stride, padded, tile, av, o, q);
        if (withSquares) {
          squares = alignedAxpySquares4(
              n, bound, h, av[o], av[o + q], av[o + 2 * q], av[o + 3 * q], a, r, stride, out, tile, squares);
        } else {
          alignedAxpy4(n, bound, h, av[o], av[o + q], av[o + 2 * q], av[o + 3 * q], a, r, stride, out);
        }
      }
    }
    for (int i = 4 * q; i < m; i++) {
      float s = dot(n, a, aOff + i * lda, v, 0);
      av[avOff + i] = s;
      axpy(n, s, a, aOff + i * lda, out, 0);
      if (withSquares) {
        squares += rowSquares(n, a, aOff + i * lda, tile);
      }
    }
    return squares;
  }

  /**
   * {@code squares} plus the float sums of squares of the rows r, r + ld, r + 2·ld, r + 3·ld, added in that order
   * (lanes folded by way of t, as the dot products'; then the scalar tail in order).
   */
  private static double squares4(int n, int bound, float[] a, int r0, int ld, float[] t, double squares) {
    int r1 = r0 + ld;
    int r2 = r1 + ld;
    int r3 = r2 + ld;
    FloatVector q0 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector q1 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector q2 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector q3 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    for (int j = 0; j < bound; j += LANES) {
      FloatVector a0 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, a, r0 + j));
      FloatVector a1 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, a, r1 + j));
      FloatVector a2 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, a, r2 + j));
      FloatVector a3 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, a, r3 + j));
      q0 = a0.fma(a0, q0);
      q1 = a1.fma(a1, q1);
      q2 = a2.fma(a2, q2);
      q3 = a3.fma(a3, q3);
    }
    FLOAT_VECTOR.cast(q0).intoArray(t, 0);
    FLOAT_VECTOR.cast(q1).intoArray(t, LANES);
    FLOAT_VECTOR.cast(q2).intoArray(t, 2 * LANES);
    FLOAT_VECTOR.cast(q3).intoArray(t, 3 * LANES);
    squares += squaresTail(foldLanes(t, 0), n, bound, a, r0);
    squares += squaresTail(foldLanes(t, LANES), n, bound, a, r1);
    squares += squaresTail(foldLanes(t, 2 * LANES), n, bound, a, r2);
    squares += squaresTail(foldLanes(t, 3 * LANES), n, bound, a, r3);
    return squares;
  }

  /** The float sum of squares of the row at r (the rows after the last four-row group), lanes folded through t. */
  private static float rowSquares(int n, float[] a, int r, float[] t) {
    int bound = FLOAT.loopBound(n);
    FloatVector q = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    for (int j = 0; j < bound; j += LANES) {
      FloatVector x = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, a, r + j));
      q = x.fma(x, q);
    }
    FLOAT_VECTOR.cast(q).intoArray(t, 0);
    return squaresTail(foldLanes(t, 0), n, bound, a, r);
  }

  /** s + Σ a[r + j]² over the scalar tail j ∈ [from, n), in order. */
  private static float squaresTail(float s, int n, int from, float[] a, int r) {
    for (int j = from; j < n; j++) {
      s = Math.fma(a[r + j], a[r + j], s);
    }
    return s;
  }

  /**
   * dot4 then axpy4 of the rows r, r + ld, r + 2·ld, r + 3·ld, their dot products to av[o + k·step] (by way of t):
   * a method of its own, so that a pass with two such groups compiles them with their own profile (inlined at a
   * call site as cold as the first and last groups', their vector calls were left to the Java fallback).
   */
  private static void plain4(
      int n, float[] a, int r, int ld, float[] v, float[] av, int o, int step, float[] out, float[] t) {
    dot4(n, a, r, ld, v, 0, t, 0, 1f, 0f);
    av[o] = t[0];
    av[o + step] = t[1];
    av[o + 2 * step] = t[2];
    av[o + 3 * step] = t[3];
    axpy4(n, t[0], t[1], t[2], t[3], a, r, ld, out);
  }

  /**
   * dot4 (α = 1, β = 0) of the four rows at r0 with v (from index LANES of {@code padded}), loading
   * the rows from element h (0 &lt; h &lt; LANES, 2·LANES ≤ bound). Lane k then sums the elements ≡ k + h
   * (mod LANES) - dot4's lane (k + h) mod LANES - in the same order: the first h elements enter first, in the
   * lanes LANES − h and up (blended), and the elements from bound − (LANES − h) to bound last, in the lanes below
   * LANES − h (blended). The lanes are dot4's rotated by h, and sumLanes' tree (lane i + s onto lane i for
   * s = LANES/2, …, 1) pairs the same lanes under any rotation, so with commutative float addition their sum has
   * dot4's bits. The sums go to t by four lots of LANES for laneSums4 (in this method C2's node budget ran out
   * before the four sumLanes, which it then left out of line, boxing their vectors).
   */
  private static void alignedDot4(int bound, int h, float[] a, int r0, int lda, float[] padded, float[] t) {
    int r1 = r0 + lda;
    int r2 = r1 + lda;
    int r3 = r2 + lda;
    VectorMask<Float> low = FLOAT_MASK.cast(FLOAT.indexInRange(0, LANES - h));
    VectorMask<Float> high = FLOAT_MASK.cast(low.not());
    FloatVector s0 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector s1 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector s2 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector s3 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    // Elements 0 … h − 1 in lanes LANES − h and up; the blend drops the other lanes (the previous row's end).
    int j = h - LANES;
    FloatVector xv = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, padded, LANES + j));
    s0 = FLOAT_VECTOR.cast(s0).blend(FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, a, r0 + j)).fma(xv, s0), high);
    s1 = FLOAT_VECTOR.cast(s1).blend(FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, a, r1 + j)).fma(xv, s1), high);
    s2 = FLOAT_VECTOR.cast(s2).blend(FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, a, r2 + j)).fma(xv, s2), high);
    s3 = FLOAT_VECTOR.cast(s3).blend(FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, a, r3 + j)).fma(xv, s3), high);
    // A counted loop (j + LANES <= bound is not one to C2): the full vectors end LANES − h before bound.
    int end = bound - LANES + h;
    for (j = h; j < end; j += LANES) {
      xv = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, padded, LANES + j));
      s0 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, a, r0 + j)).fma(xv, s0);
      s1 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, a, r1 + j)).fma(xv, s1);
      s2 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, a, r2 + j)).fma(xv, s2);
      s3 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, a, r3 + j)).fma(xv, s3);
    }
    // Elements j … bound − 1 in lanes 0 … LANES − h − 1; the blend drops the others.
    xv = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, padded, LANES + j));
    s0 = FLOAT_VECTOR.cast(s0).blend(FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, a, r0 + j)).fma(xv, s0), low);
    s1 = FLOAT_VECTOR.cast(s1).blend(FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, a, r1 + j)).fma(xv, s1), low);
    s2 = FLOAT_VECTOR.cast(s2).blend(FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, a, r2 + j)).fma(xv, s2), low);
    s3 = FLOAT_VECTOR.cast(s3).blend(FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, a, r3 + j)).fma(xv, s3), low);
    FLOAT_VECTOR.cast(s0).intoArray(t, 0);
    FLOAT_VECTOR.cast(s1).intoArray(t, LANES);
    FLOAT_VECTOR.cast(s2).intoArray(t, 2 * LANES);
    FLOAT_VECTOR.cast(s3).intoArray(t, 3 * LANES);
  }

  /** out[o + k·step] = the lane sum of t's k-th vector plus row k's scalar tail, as dot4 ends. */
  private static void laneSums4(
      int n, int bound, float[] a, int r0, int lda, float[] padded, float[] t, float[] out, int o, int step) {
    int r1 = r0 + lda;
    int r2 = r1 + lda;
    int r3 = r2 + lda;
    float d0 = sumLanes(FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, t, 0)));
    float d1 = sumLanes(FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, t, LANES)));
    float d2 = sumLanes(FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, t, 2 * LANES)));
    float d3 = sumLanes(FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, t, 3 * LANES)));
    for (int j = bound; j < n; j++) {
      float xj = padded[LANES + j];
      d0 = Math.fma(a[r0 + j], xj, d0);
      d1 = Math.fma(a[r1 + j], xj, d1);
      d2 = Math.fma(a[r2 + j], xj, d2);
      d3 = Math.fma(a[r3 + j], xj, d3);
    }
    out[o] = d0;
    out[o + step] = d1;
    out[o + 2 * step] = d2;
    out[o + 3 * step] = d3;
  }

  /**
   * axpy4 of the four rows at r0 into y, loading the rows from element h (0 &lt; h &lt; LANES,
   * 2·LANES ≤ bound): the same operations on every element, which run in whichever lane.
   */
  private static void alignedAxpy4(
      int n, int bound, int h, float s0, float s1, float s2, float s3, float[] a, int r0, int lda, float[] y) {
    int r1 = r0 + lda;
    int r2 = r1 + lda;
    int r3 = r2 + lda;
    FloatVector v0 = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, s0));
    FloatVector v1 = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, s1));
    FloatVector v2 = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, s2));
    FloatVector v3 = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, s3));
    // Elements bound − (LANES − h) … bound − 1 first, in the lanes from h of the vector that ends at bound (the
    // blend keeps its other lanes, which the loop then updates), then the loop, then elements 0 … h − 1 in the
    // lanes below h of the first vector: so no vector of y is loaded right after a store that overlaps it, which
    // would stall on the store (plain loads: masked ones past an array's end ran as the Java fallback).
    axpyEdge4(bound - LANES, h, true, s0, s1, s2, s3, a, r0, lda, y);
    for (int j = h, end = bound - LANES + h; j < end; j += LANES) {
      FloatVector yv = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, y, j));
      yv = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, a, r0 + j)).fma(v0, yv);
      yv = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, a, r1 + j)).fma(v1, yv);
      yv = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, a, r2 + j)).fma(v2, yv);
      yv = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, a, r3 + j)).fma(v3, yv);
      yv.intoArray(y, j);
    }
    axpyEdge4(0, h, false, s0, s1, s2, s3, a, r0, lda, y);
    axpyTail4(bound, n, s0, s1, s2, s3, a, r0, lda, y);
  }

  /**
   * alignedAxpy4 (the same operations on out) that also squares the four rows' vectors its loop loads anyway: a
   * sweep of the rows from L1 after the axpys took 0.3-0.4x a pass more, the FMAs in this loop's idle slots far
   * less. The elements outside the loop's whole vectors, [0, h) and [bound − LANES + h, n), are squared after the
   * lane sums, in order. Returns {@code squares} plus the four rows' float sums, added in row order.
   */
  private static double alignedAxpySquares4(
      int n, int bound, int h, float s0, float s1, float s2, float s3, float[] a, int r0, int lda, float[] y,
      float[] t, double squares) {
    int r1 = r0 + lda;
    int r2 = r1 + lda;
    int r3 = r2 + lda;
    FloatVector v0 = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, s0));
    FloatVector v1 = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, s1));
    FloatVector v2 = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, s2));
    FloatVector v3 = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, s3));
    FloatVector q0 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector q1 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector q2 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    FloatVector q3 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    axpyEdge4(bound - LANES, h, true, s0, s1, s2, s3, a, r0, lda, y);
    int end = bound - LANES + h;
    for (int j = h; j < end; j += LANES) {
      FloatVector a0 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, a, r0 + j));
      FloatVector a1 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, a, r1 + j));
      FloatVector a2 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, a, r2 + j));
      FloatVector a3 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, a, r3 + j));
      FloatVector yv = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, y, j));
      yv = a0.fma(v0, yv);
      yv = a1.fma(v1, yv);
      yv = a2.fma(v2, yv);
      yv = a3.fma(v3, yv);
      yv.intoArray(y, j);
      q0 = a0.fma(a0, q0);
      q1 = a1.fma(a1, q1);
      q2 = a2.fma(a2, q2);
      q3 = a3.fma(a3, q3);
    }
    axpyEdge4(0, h, false, s0, s1, s2, s3, a, r0, lda, y);
    axpyTail4(bound, n, s0, s1, s2, s3, a, r0, lda, y);
    FLOAT_VECTOR.cast(q0).intoArray(t, 0);
    FLOAT_VECTOR.cast(q1).intoArray(t, LANES);
    FLOAT_VECTOR.cast(q2).intoArray(t, 2 * LANES);
    FLOAT_VECTOR.cast(q3).intoArray(t, 3 * LANES);
    squares += edgeSquares(foldLanes(t, 0), h, end, n, a, r0);
    squares += edgeSquares(foldLanes(t, LANES), h, end, n, a, r1);
    squares += edgeSquares(foldLanes(t, 2 * LANES), h, end, n, a, r2);
    squares += edgeSquares(foldLanes(t, 3 * LANES), h, end, n, a, r3);
    return squares;
  }

  /** s plus the squares of the row at r over [0, h) and then [end, n), in order. */
  private static float edgeSquares(float s, int h, int end, int n, float[] a, int r) {
    for (int j = 0; j < h; j++) {
      s = Math.fma(a[r + j], a[r + j], s);
    }
    return squaresTail(s, n, end, a, r);
  }

  /**
   * axpy4's vector at column j of the four rows at r0, stored in the lanes below h only, or ({@code upper}) from
   * h only; the other lanes of y keep their values (as {@link #differenceAxpyEdge4} for the difference pass).
   */
  private static void axpyEdge4(
      int j, int h, boolean upper, float s0, float s1, float s2, float s3, float[] a, int r0, int lda, float[] y) {
    VectorMask<Float> below = FLOAT_MASK.cast(FLOAT.indexInRange(0, h));
    VectorMask<Float> keep = FLOAT_MASK.cast(upper ? below.not() : below);
    int r = r0 + j;
    FloatVector old = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, y, j));
    FloatVector yv = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, a, r)).fma(
        FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, s0)), old);
    yv = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, a, r + lda)).fma(
        FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, s1)), yv);
    yv = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, a, r + 2 * lda)).fma(
        FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, s2)), yv);
    yv = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, a, r + 3 * lda)).fma(
        FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, s3)), yv);
    FLOAT_VECTOR.cast(old).blend(yv, keep).intoArray(y, j);
  }

  static double differenceGramTimes(
      int m, int n, float[] a, float[] b, int ld, float[] x, float[] ax, float[] aOut, float[] y, float[] dy,
      float[] dOut) {
    return differenceGramTimes(0, m, n, a, b, ld, x, ax, aOut, y, dy, dOut);
  }

  /**
   * {@link #differenceGramTimes(int, int, float[], float[], int, float[], float[], float[], float[], float[], float[])}
   * on rows [from, m) only (A's products given): ax and dy receive those rows' entries, aOut and dOut those
   * rows' share (overwritten); returns their Σ D². Every element gets the operations of the whole pass.
   */
  static double differenceGramTimes(
      int from, int m, int n, float[] a, float[] b, int ld, float[] x, float[] ax, float[] aOut, float[] y,
      float[] dy, float[] dOut) {
    // Per row: one sweep for the dot products and squares, then, with both rows still in L1, one sweep
    // for the axpys; the matrices are read from memory once, D is recomputed in the second sweep. With
    // and without A's products are separate loops, so that no loop branches on x.
    java.util.Arrays.fill(dOut, 0, n, 0f);
    if (x == null) {
      return driftGram(m, n, a, b, ld, y, dy, dOut);
    }
    java.util.Arrays.fill(aOut, 0, n, 0f);
    return differenceGramRows(from, m, n, a, b, ld, x, ax, aOut, y, dy, dOut, 0);
  }

  /**
   * Rows [from, to) of the pass with both products, added to aOut and dOut as they are (not cleared): ax and
   * dy receive those rows' entries; returns {@code squares} plus their Σ D², the four-row groups (counted from
   * {@code from}) each summed in double and added in order, then the rows after the last whole group one by
   * one. So rows [s, e) in consecutive calls from s, each ending at a multiple of four rows after s or at e,
   * chaining {@code squares}, give the bits of one call on [s, e) ({@link PanamaGemmUpdate} forms its fixed
   * buckets of rows that way, right after their update).
   */
  static double differenceGramRows(
      int from, int to, int n, float[] a, float[] b, int ld, float[] x, float[] ax, float[] aOut, float[] y,
      float[] dy, float[] dOut, double squares) {
    return differenceGramRows(from, to, n, a, b, ld, x, ax, aOut, y, dy, dOut, squares, ALIGNED_INDEX);
  }

  /**
   * As {@link #differenceGramRows(int, int, int, float[], float[], int, float[], float[], float[], float[],
   * float[], float[], double)}, the four-row groups loading A and B from index {@code alignedIndex} modulo LANES
   * (A and B share their layout), as {@link #gramTimes}: the same bits for every alignedIndex.
   */
  static double differenceGramRows(
      int from, int to, int n, float[] a, float[] b, int ld, float[] x, float[] ax, float[] aOut, float[] y,
      float[] dy, float[] dOut, double squares, int alignedIndex) {
    int bound = FLOAT.loopBound(n);
    int i = from;
    // Aligned loads as gramTimes': the rows of a 1024-wide humongous W (and W0) start 16 bytes into a cache line.
    // The pass at 1024 x 1024 took 0.90-0.92x (0.98x at 1024 x 784; a wrong guess 1.02-1.04x), paired medians of
    // 200-300 rounds of thread CPU time, guess 12 against 0 (the plain kernels) in one JVM, loaded 2-core Zen 5.
    float[] px = null;
    float[] py = null;
    int length = Math.min(a.length, b.length);
    if (bound >= 2 * LANES && to - from >= 4) {
      px = paddedCopy(0, x, n);
      py = paddedCopy(1, y, n);
    }
    // Four rows at a time (as gramTimes): each vector of x, y, aOut and dOut is loaded once for four
    // rows, which halves the time per row against one row at a time. Every element still gets the
    // operations of the one-row loop below, in the same order. As for gramTimes, one sweep for the next four
    // rows' dots and these four's axpys (the same bits) was slower at 1024 × 1024: 1.50× with both matrices
    // from memory, 1.52× with A in L2 and B from memory (paired medians of 500 rounds, loaded 2-core Zen 5).
    for (; i + 4 <= to; i += 4) {
      int h = px == null ? 0 : alignedHead(alignedIndex, i * ld, ld, bound, length);
      squares += differenceGram4(i, n, bound, h, a, b, ld, x, ax, aOut, y, dy, dOut, px, py);
    }
    for (int r = i * ld; i < to; i++, r += ld) {
      FloatVector accX = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
      FloatVector accY = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
      FloatVector accQ = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
      for (int j = 0; j < bound; j += LANES) {
        FloatVector av = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, a, r + j));
        FloatVector d = av.sub(FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, b, r + j)));
        accX = av.fma(FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, x, j)), accX);
        accY = d.fma(FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, y, j)), accY);
        accQ = d.fma(d, accQ);
      }
      // The lane sums through memory, as differenceGram4's: C2 compiles this loop with the profile of the four-row
      // groups before it (a caller whose rows are all in groups never runs it), and then left sumLanes out of
      // line and boxed its vectors (288 B per row).
      float[] t = PanamaGemm.workspace().tile;
      FLOAT_VECTOR.cast(accX).intoArray(t, 0);
      FLOAT_VECTOR.cast(accY).intoArray(t, LANES);
      FLOAT_VECTOR.cast(accQ).intoArray(t, 2 * LANES);
      float sx = rowTail(foldLanes(t, 0), n, bound, a, r, x);
      float sy = diffTail(foldLanes(t, LANES), n, bound, a, b, r, y);
      squares += squaresTail(foldLanes(t, 2 * LANES), n, bound, a, b, r);
      ax[i] = sx;
      dy[i] = sy;
      FloatVector sxv = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, sx));
      FloatVector syv = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, sy));
      int j = 0;
      for (; j < bound; j += LANES) {
        FloatVector av = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, a, r + j));
        FloatVector d = av.sub(FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, b, r + j)));
        FLOAT_VECTOR.cast(sxv).fma(av, FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, aOut, j))).intoArray(aOut, j);
        FLOAT_VECTOR.cast(syv).fma(d, FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, dOut, j))).intoArray(dOut, j);
      }
      for (; j < n; j++) {
        aOut[j] = Math.fma(sx, a[r + j], aOut[j]);
        dOut[j] = Math.fma(sy, a[r + j] - b[r + j], dOut[j]);
      }
    }
    return squares;
  }

  /**
   * Rows i … i + 3 of differenceGramTimes; returns their Σ D². The dot products' sweep and the axpys' sweep
   * are methods of their own: as one method of 2 KB of bytecode, C2's node budget
   * (NodeCountInliningCutoff) ran out on some profiles before the second sweep, whose vector operations
   * then ran as the Vector API's Java fallback, boxing every vector (3.8 KB per call of a 13×131 product).
   */
  private static double differenceGram4(
      int i, int n, int bound, int h, float[] a, float[] b, int ld, float[] x, float[] ax, float[] aOut, float[] y,
      float[] dy, float[] dOut, float[] px, float[] py) {
    int r0 = i * ld;
    int r1 = r0 + ld;
    int r2 = r1 + ld;
    int r3 = r2 + ld;
    // The twelve lane sums go through memory: as calls of sumLanes they made this method too large for
    // C2 to inline them all, and the vectors of the calls left out were boxed on the heap.
    float[] t = PanamaGemm.workspace().tile;
    if (h == 0) {
      clearSums(t, 12);
      differenceDots4(0, bound, a, b, r0, ld, x, 0, y, 0, t);
    } else {
      // Lanes rotated by h (see alignedDot4): elements 0 … h − 1 in the top lanes, then whole vectors from h,
      // then the elements up to bound in the bottom lanes; foldLanes' tree gives dot4's bits under any rotation.
      differenceDotsEdge4(true, h, h - LANES, a, b, r0, ld, px, py, t);
      differenceDots4(h, bound - LANES + h, a, b, r0, ld, px, LANES, py, LANES, t);
      differenceDotsEdge4(false, h, bound - LANES + h, a, b, r0, ld, px, py, t);
    }
    float sx0 = rowTail(foldLanes(t, 0), n, bound, a, r0, x);
    float sx1 = rowTail(foldLanes(t, LANES), n, bound, a, r1, x);
    float sx2 = rowTail(foldLanes(t, 2 * LANES), n, bound, a, r2, x);
    float sx3 = rowTail(foldLanes(t, 3 * LANES), n, bound, a, r3, x);
    float sy0 = diffTail(foldLanes(t, 4 * LANES), n, bound, a, b, r0, y);
    float sy1 = diffTail(foldLanes(t, 5 * LANES), n, bound, a, b, r1, y);
    float sy2 = diffTail(foldLanes(t, 6 * LANES), n, bound, a, b, r2, y);
    float sy3 = diffTail(foldLanes(t, 7 * LANES), n, bound, a, b, r3, y);
    double squares = squaresTail(foldLanes(t, 8 * LANES), n, bound, a, b, r0);
    squares += squaresTail(foldLanes(t, 9 * LANES), n, bound, a, b, r1);
    squares += squaresTail(foldLanes(t, 10 * LANES), n, bound, a, b, r2);
    squares += squaresTail(foldLanes(t, 11 * LANES), n, bound, a, b, r3);
    ax[i] = sx0;
    ax[i + 1] = sx1;
    ax[i + 2] = sx2;
    ax[i + 3] = sx3;
    dy[i] = sy0;
    dy[i + 1] = sy1;
    dy[i + 2] = sy2;
    dy[i + 3] = sy3;
    differenceAxpys4(n, bound, h, a, b, r0, ld, sx0, sx1, sx2, sx3, sy0, sy1, sy2, sy3, aOut, dOut);
    return squares;
  }

  /** Zero vectors into t's first {@code vectors} lots of LANES (vector stores, which later vector loads forward). */
  private static void clearSums(float[] t, int vectors) {
    for (int k = 0; k < vectors * LANES; k += LANES) {
      FLOAT_VECTOR.cast(FloatVector.zero(FLOAT)).intoArray(t, k);
    }
  }

  /**
   * The four rows' vector sums of A·x, D·y and D² from row offset r0 over columns [from, end) (a whole number of
   * vectors), added to t's twelve lots of LANES (the sums start there, not in registers: this method had no
   * bytecode to spare); x and y are read from index xOff and yOff (column 0).
   */
  private static void differenceDots4(
      int from, int end, float[] a, float[] b, int r0, int ld, float[] x, int xOff, float[] y,
      int yOff, float[] t) {
    int r1 = r0 + ld;
    int r2 = r1 + ld;
    int r3 = r2 + ld;
    FloatVector x0 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, t, 0));
    FloatVector x1 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, t, LANES));
    FloatVector x2 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, t, 2 * LANES));
    FloatVector x3 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, t, 3 * LANES));
    FloatVector y0 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, t, 4 * LANES));
    FloatVector y1 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, t, 5 * LANES));
    FloatVector y2 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, t, 6 * LANES));
    FloatVector y3 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, t, 7 * LANES));
    FloatVector q0 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, t, 8 * LANES));
    FloatVector q1 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, t, 9 * LANES));
    FloatVector q2 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, t, 10 * LANES));
    FloatVector q3 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, t, 11 * LANES));
    for (int j = from; j < end; j += LANES) {
      FloatVector xv = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, x, xOff + j));
      FloatVector yv = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, y, yOff + j));
      FloatVector a0 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, a, r0 + j));
      FloatVector d0 = a0.sub(FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, b, r0 + j)));
      x0 = a0.fma(xv, x0);
      y0 = d0.fma(yv, y0);
      q0 = d0.fma(d0, q0);
      FloatVector a1 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, a, r1 + j));
      FloatVector d1 = a1.sub(FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, b, r1 + j)));
      x1 = a1.fma(xv, x1);
      y1 = d1.fma(yv, y1);
      q1 = d1.fma(d1, q1);
      FloatVector a2 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, a, r2 + j));
      FloatVector d2 = a2.sub(FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, b, r2 + j)));
      x2 = a2.fma(xv, x2);
      y2 = d2.fma(yv, y2);
      q2 = d2.fma(d2, q2);
      FloatVector a3 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, a, r3 + j));
      FloatVector d3 = a3.sub(FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, b, r3 + j)));
      x3 = a3.fma(xv, x3);
      y3 = d3.fma(yv, y3);
      q3 = d3.fma(d3, q3);
    }
    FLOAT_VECTOR.cast(x0).intoArray(t, 0);
    FLOAT_VECTOR.cast(x1).intoArray(t, LANES);
    FLOAT_VECTOR.cast(x2).intoArray(t, 2 * LANES);
    FLOAT_VECTOR.cast(x3).intoArray(t, 3 * LANES);
    FLOAT_VECTOR.cast(y0).intoArray(t, 4 * LANES);
    FLOAT_VECTOR.cast(y1).intoArray(t, 5 * LANES);
    FLOAT_VECTOR.cast(y2).intoArray(t, 6 * LANES);
    FLOAT_VECTOR.cast(y3).intoArray(t, 7 * LANES);
    FLOAT_VECTOR.cast(q0).intoArray(t, 8 * LANES);
    FLOAT_VECTOR.cast(q1).intoArray(t, 9 * LANES);
    FLOAT_VECTOR.cast(q2).intoArray(t, 10 * LANES);
    FLOAT_VECTOR.cast(q3).intoArray(t, 11 * LANES);
  }

  /**
   * One vector of the aligned dot products at column j (h − LANES, from zero sums, into the lanes from
   * LANES − h; or the last, bound − LANES + h, added to t's sums in the lanes below LANES − h): the blend drops
   * the other lanes, which hold the neighbouring rows' elements (px, py: x and y from index LANES).
   */
  private static void differenceDotsEdge4(
      boolean head, int h, int j, float[] a, float[] b, int r0, int ld, float[] px, float[] py, float[] t) {
    VectorMask<Float> low = FLOAT_MASK.cast(FLOAT.indexInRange(0, LANES - h));
    VectorMask<Float> keep = FLOAT_MASK.cast(head ? low.not() : low);
    FloatVector xv = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, px, LANES + j));
    FloatVector yv = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, py, LANES + j));
    for (int q = 0, r = r0 + j; q < 4; q++, r += ld) {
      FloatVector sx = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
      FloatVector sy = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
      FloatVector sq = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
      if (!head) {
        sx = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, t, q * LANES));
        sy = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, t, (4 + q) * LANES));
        sq = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, t, (8 + q) * LANES));
      }
      FloatVector av = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, a, r));
      FloatVector d = av.sub(FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, b, r)));
      FLOAT_VECTOR.cast(sx).blend(av.fma(xv, sx), keep).intoArray(t, q * LANES);
      FLOAT_VECTOR.cast(sy).blend(d.fma(yv, sy), keep).intoArray(t, (4 + q) * LANES);
      FLOAT_VECTOR.cast(sq).blend(d.fma(d, sq), keep).intoArray(t, (8 + q) * LANES);
    }
  }

  /**
   * aOut += Σ sx_q·A_q and dOut += Σ sy_q·D_q over the four rows from row offset r0, in order of q, last
   * column first: the dot products' sweep has just read these rows front to back, so their last lines are
   * the most recently used, and the four rows of A and B with x, y, aOut and dOut exceed L1 from 768
   * columns. Every element gets the same operations in either direction, so this changes no bit. Paired
   * medians against the forward sweep (loaded 2-core Zen 5, 80 interleaved rounds): 0.93 × the pass's
   * time at 1024 × 1024, 0.89–0.93 × at 1024 × 784, 0.93 × at 2048 × 2048. The optimizer's pass with products
   * ({@link PanamaOptimizerPass}) runs it on the rows it has just updated: the whole pass on three 1024²
   * layers took 2.36–2.42 ms backward and 2.72–2.92 ms forward (loaded 2-core Zen 5, medians of 300).
   */
  static void differenceAxpys4(
      int n, int bound, float[] a, float[] b, int r0, int ld, float sx0, float sx1, float sx2, float sx3, float sy0,
      float sy1, float sy2, float sy3, float[] aOut, float[] dOut) {
    int h = bound >= 2 * LANES ? Math.floorMod(ALIGNED_INDEX - r0, LANES) : 0;
    differenceAxpys4(n, bound, h, a, b, r0, ld, sx0, sx1, sx2, sx3, sy0, sy1, sy2, sy3, aOut, dOut);
  }

  /**
   * The same, the vectors loaded from column h (0 ≤ h &lt; LANES; h &gt; 0 needs 2·LANES ≤ bound): first the
   * lanes below h of the vector at column 0, then whole vectors from bound − 2·LANES + h down to h, then the lanes
   * from h of the vector ending at bound, so that no vector of aOut or dOut is loaded right after a store
   * overlapping it. The same operations on every element, in whichever lane. Reads no element outside the rows.
   */
  static void differenceAxpys4(
      int n, int bound, int h, float[] a, float[] b, int r0, int ld, float sx0, float sx1, float sx2, float sx3,
      float sy0, float sy1, float sy2, float sy3, float[] aOut, float[] dOut) {
    int r1 = r0 + ld;
    int r2 = r1 + ld;
    int r3 = r2 + ld;
    for (int j = n - 1; j >= bound; j--) {
      float ao = aOut[j];
      float dO = dOut[j];
      ao = Math.fma(sx0, a[r0 + j], ao);
      dO = Math.fma(sy0, a[r0 + j] - b[r0 + j], dO);
      ao = Math.fma(sx1, a[r1 + j], ao);
      dO = Math.fma(sy1, a[r1 + j] - b[r1 + j], dO);
      ao = Math.fma(sx2, a[r2 + j], ao);
      dO = Math.fma(sy2, a[r2 + j] - b[r2 + j], dO);
      ao = Math.fma(sx3, a[r3 + j], ao);
      dO = Math.fma(sy3, a[r3 + j] - b[r3 + j], dO);
      aOut[j] = ao;
      dOut[j] = dO;
    }
    if (h == 0) {
      differenceAxpyColumns4(bound - LANES, 0, a, b, r0, ld, sx0, sx1, sx2, sx3, sy0, sy1, sy2, sy3, aOut, dOut);
      return;
    }
    differenceAxpyEdge4(0, h, false, a, b, r0, ld, sx0, sx1, sx2, sx3, sy0, sy1, sy2, sy3, aOut, dOut);
    differenceAxpyColumns4(bound - 2 * LANES + h, h, a, b, r0, ld, sx0, sx1, sx2, sx3, sy0, sy1, sy2, sy3, aOut,
        dOut);
    differenceAxpyEdge4(bound - LANES, h, true, a, b, r0, ld, sx0, sx1, sx2, sx3, sy0, sy1, sy2, sy3, aOut, dOut);
  }

  /** The vector of the axpys at column j, stored in the lanes below h only, or ({@code upper}) from h only. */
  private static void differenceAxpyEdge4(
      int j, int h, boolean upper, float[] a, float[] b, int r0, int ld, float sx0, float sx1, float sx2, float sx3,
      float sy0, float sy1, float sy2, float sy3, float[] aOut, float[] dOut) {
    VectorMask<Float> below = FLOAT_MASK.cast(FLOAT.indexInRange(0, h));
    VectorMask<Float> keep = FLOAT_MASK.cast(upper ? below.not() : below);
    int r = r0 + j;
    FloatVector oldA = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, aOut, j));
    FloatVector oldD = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, dOut, j));
    FloatVector ao = oldA;
    FloatVector dO = oldD;
    for (int q = 0; q < 4; q++, r += ld) {
      float sx = q == 0 ? sx0 : q == 1 ? sx1 : q == 2 ? sx2 : sx3;
      float sy = q == 0 ? sy0 : q == 1 ? sy1 : q == 2 ? sy2 : sy3;
      FloatVector av = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, a, r));
      ao = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, sx)).fma(av, ao);
      dO = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, sy))
          .fma(av.sub(FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, b, r))), dO);
    }
    FLOAT_VECTOR.cast(oldA).blend(ao, keep).intoArray(aOut, j);
    FLOAT_VECTOR.cast(oldD).blend(dO, keep).intoArray(dOut, j);
  }

  /** The axpys' whole vectors at columns high, high − LANES, …, down to low. */
  private static void differenceAxpyColumns4(
      int high, int low, float[] a, float[] b, int r0, int ld, float sx0, float sx1, float sx2, float sx3, float sy0,
      float sy1, float sy2, float sy3, float[] aOut, float[] dOut) {
    int r1 = r0 + ld;
    int r2 = r1 + ld;
    int r3 = r2 + ld;
    FloatVector sx0v = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, sx0));
    FloatVector sx1v = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, sx1));
    FloatVector sx2v = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, sx2));
    FloatVector sx3v = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, sx3));
    FloatVector sy0v = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, sy0));
    FloatVector sy1v = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, sy1));
    FloatVector sy2v = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, sy2));
    FloatVector sy3v = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, sy3));
    for (int j = high; j >= low; j -= LANES) {
      FloatVector ao = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, aOut, j));
      FloatVector dO = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, dOut, j));
      FloatVector a0 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, a, r0 + j));
      ao = FLOAT_VECTOR.cast(sx0v).fma(a0, ao);
      dO = FLOAT_VECTOR.cast(sy0v).fma(a0.sub(FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, b, r0 + j))), dO);
      FloatVector a1 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, a, r1 + j));
      ao = FLOAT_VECTOR.cast(sx1v).fma(a1, ao);
      dO = FLOAT_VECTOR.cast(sy1v).fma(a1.sub(FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, b, r1 + j))), dO);
      FloatVector a2 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, a, r2 + j));
      ao = FLOAT_VECTOR.cast(sx2v).fma(a2, ao);
      dO = FLOAT_VECTOR.cast(sy2v).fma(a2.sub(FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, b, r2 + j))), dO);
      FloatVector a3 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, a, r3 + j));
      ao = FLOAT_VECTOR.cast(sx3v).fma(a3, ao);
      dO = FLOAT_VECTOR.cast(sy3v).fma(a3.sub(FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, b, r3 + j))), dO);
      ao.intoArray(aOut, j);
      dO.intoArray(dOut, j);
    }
  }

  /** s + Σ a[r + j]·x[j] over the scalar tail j ∈ [from, n), in order. */
  private static float rowTail(float s, int n, int from, float[] a, int r, float[] x) {
    for (int j = from; j < n; j++) {
      s = Math.fma(a[r + j], x[j], s);
    }
    return s;
  }

  /** s + Σ (a[r + j] − b[r + j])·y[j] over the scalar tail, in order. */
  private static float diffTail(float s, int n, int from, float[] a, float[] b, int r, float[] y) {
    for (int j = from; j < n; j++) {
      s = Math.fma(a[r + j] - b[r + j], y[j], s);
    }
    return s;
  }

  /** s + Σ (a[r + j] − b[r + j])² over the scalar tail, in order. */
  private static float squaresTail(float s, int n, int from, float[] a, float[] b, int r) {
    for (int j = from; j < n; j++) {
      float d = a[r + j] - b[r + j];
      s = Math.fma(d, d, s);
    }
    return s;
  }

  /** differenceGramTimes without A's products: the same operations for D. */
  private static double driftGram(int m, int n, float[] a, float[] b, int ld, float[] y, float[] dy, float[] dOut) {
    int bound = FLOAT.loopBound(n);
    double squares = 0;
    for (int i = 0, r = 0; i < m; i++, r += ld) {
      FloatVector accY = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
      FloatVector accQ = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
      int j = 0;
      for (; j < bound; j += LANES) {
        FloatVector d = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, a, r + j))
            .sub(FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, b, r + j)));
        accY = d.fma(FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, y, j)), accY);
        accQ = d.fma(d, accQ);
      }
      float sy = diffTail(sumLanes(accY), n, j, a, b, r, y);
      squares += squaresTail(sumLanes(accQ), n, j, a, b, r);
      dy[i] = sy;
      FloatVector syv = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, sy));
      for (j = 0; j < bound; j += LANES) {
        FloatVector d = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, a, r + j))
            .sub(FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, b, r + j)));
        FLOAT_VECTOR.cast(syv).fma(d, FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, dOut, j))).intoArray(dOut, j);
      }
      for (; j < n; j++) {
        dOut[j] = Math.fma(sy, a[r + j] - b[r + j], dOut[j]);
      }
    }
    return squares;
  }
}
