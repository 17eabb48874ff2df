package io.github.spectral4j.simd.internal;

import static io.github.spectral4j.simd.internal.PanamaConstants.D0;
import static io.github.spectral4j.simd.internal.PanamaConstants.D1;
import static io.github.spectral4j.simd.internal.PanamaConstants.D2;
import static io.github.spectral4j.simd.internal.PanamaConstants.DOUBLE;
import static io.github.spectral4j.simd.internal.PanamaConstants.DOUBLE_FOLDS;
import static io.github.spectral4j.simd.internal.PanamaConstants.D_FOLDS;
import static io.github.spectral4j.simd.internal.PanamaConstants.F0;
import static io.github.spectral4j.simd.internal.PanamaConstants.F1;
import static io.github.spectral4j.simd.internal.PanamaConstants.F2;
import static io.github.spectral4j.simd.internal.PanamaConstants.F3;
import static io.github.spectral4j.simd.internal.PanamaConstants.FLOAT;
import static io.github.spectral4j.simd.internal.PanamaConstants.FLOAT_FOLDS;
import static io.github.spectral4j.simd.internal.PanamaConstants.FLOAT_HALF;
import static io.github.spectral4j.simd.internal.PanamaConstants.F_FOLDS;
import static io.github.spectral4j.simd.internal.PanamaConstants.LANES;
import static io.github.spectral4j.simd.internal.PanamaConstants.UNROLL;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.Vector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Level-1 Vector API kernels (dot, axpy, scal, sum of squares, the fused add-with-norms, the rectifier and
 * its mask) and the fixed-order lane sums every Panama kernel reduces with. Each loop is: vector body up
 * to the species' loop bound (with several accumulators where there is a reduction), then a scalar tail.
 */
final class PanamaLevel1 {
  private PanamaLevel1() {}

  static float dot(int n, float[] x, int xOff, float[] y, int yOff) {
    // A dot product needs two loads per FMA, so the load ports cap it near one vector FMA per cycle;
    // four independent accumulators cover the 4-cycle FMA latency at that rate (more would only add
    // register pressure and a longer tail).
    int i = 0;
    FloatVector acc = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    int bound4 = n - n % (UNROLL * LANES);
    if (bound4 > 0) {
      FloatVector s1 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
      FloatVector s2 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
      FloatVector s3 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
      for (; i < bound4; i += UNROLL * LANES) {
        acc = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, x, xOff + i))
            .fma(FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, y, yOff + i)), acc);
        s1 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, x, xOff + i + LANES))
            .fma(FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, y, yOff + i + LANES)), s1);
        s2 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, x, xOff + i + 2 * LANES))
            .fma(FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, y, yOff + i + 2 * LANES)), s2);
        s3 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, x, xOff + i + 3 * LANES))
            .fma(FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, y, yOff + i + 3 * LANES)), s3);
      }
      acc = FLOAT_VECTOR.cast(acc).add(s1).add(FLOAT_VECTOR.cast(s2).add(s3));
    }
    int bound = FLOAT.loopBound(n);
    for (; i < bound; i += LANES) {
      acc = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, x, xOff + i))
          .fma(FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, y, yOff + i)), acc);
    }
    float s = sumLanes(acc);
    for (; i < n; i++) {
      s = Math.fma(x[xOff + i], y[yOff + i], s);
    }
    return s;
  }

  static void axpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
    // Every element is independent (no reduction chain), so one vector per step suffices; C2 unrolls.
    FloatVector a = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, alpha));
    int i = 0;
    int bound = FLOAT.loopBound(n);
    for (; i < bound; i += LANES) {
      FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, x, xOff + i))
          .fma(a, FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, y, yOff + i)))
          .intoArray(y, yOff + i);
    }
    for (; i < n; i++) {
      y[yOff + i] = Math.fma(x[xOff + i], alpha, y[yOff + i]);
    }
  }

  static void scal(int n, float alpha, float[] x, int xOff) {
    // Independent elements, as in axpy: no unrolling by hand.
    int i = 0;
    int bound = FLOAT.loopBound(n);
    for (; i < bound; i += LANES) {
      FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, x, xOff + i)).mul(alpha).intoArray(x, xOff + i);
    }
    for (; i < n; i++) {
      x[xOff + i] *= alpha;
    }
  }

  static double dot(int n, float[] x, double[] y) {
    // Each half-width float load widens into one double vector, as in sumOfSquares; four accumulators
    // cover the FMA latency.
    int half = FLOAT_HALF.length();
    int i = 0;
    DoubleVector acc = DOUBLE_VECTOR.cast(DoubleVector.zero(DOUBLE));
    int bound4 = n - n % (UNROLL * half);
    if (bound4 > 0) {
      DoubleVector s1 = DOUBLE_VECTOR.cast(DoubleVector.zero(DOUBLE));
      DoubleVector s2 = DOUBLE_VECTOR.cast(DoubleVector.zero(DOUBLE));
      DoubleVector s3 = DOUBLE_VECTOR.cast(DoubleVector.zero(DOUBLE));
      for (; i < bound4; i += UNROLL * half) {
        acc = DOUBLE_VECTOR.cast(widen(x, i)).fma(DOUBLE_VECTOR.cast(DoubleVector.fromArray(DOUBLE, y, i)), acc);
        s1 = DOUBLE_VECTOR.cast(widen(x, i + half))
            .fma(DOUBLE_VECTOR.cast(DoubleVector.fromArray(DOUBLE, y, i + half)), s1);
        s2 = DOUBLE_VECTOR.cast(widen(x, i + 2 * half))
            .fma(DOUBLE_VECTOR.cast(DoubleVector.fromArray(DOUBLE, y, i + 2 * half)), s2);
        s3 = DOUBLE_VECTOR.cast(widen(x, i + 3 * half))
            .fma(DOUBLE_VECTOR.cast(DoubleVector.fromArray(DOUBLE, y, i + 3 * half)), s3);
      }
      acc = DOUBLE_VECTOR.cast(acc).add(s1).add(DOUBLE_VECTOR.cast(s2).add(s3));
    }
    int bound = n - n % half;
    for (; i < bound; i += half) {
      acc = DOUBLE_VECTOR.cast(widen(x, i)).fma(DOUBLE_VECTOR.cast(DoubleVector.fromArray(DOUBLE, y, i)), acc);
    }
    double s = sumLanes(acc);
    for (; i < n; i++) {
      s += x[i] * y[i];
    }
    return s;
  }

  static double sumOfSquares(int n, double[] x) {
    int lanes = DOUBLE.length();
    DoubleVector s0 = DOUBLE_VECTOR.cast(DoubleVector.zero(DOUBLE));
    DoubleVector s1 = DOUBLE_VECTOR.cast(DoubleVector.zero(DOUBLE));
    DoubleVector s2 = DOUBLE_VECTOR.cast(DoubleVector.zero(DOUBLE));
    DoubleVector s3 = DOUBLE_VECTOR.cast(DoubleVector.zero(DOUBLE));
    int i = 0;
    for (int bound4 = n - n % (4 * lanes); i < bound4; i += 4 * lanes) {
      DoubleVector v0 = DOUBLE_VECTOR.cast(DoubleVector.fromArray(DOUBLE, x, i));
      DoubleVector v1 = DOUBLE_VECTOR.cast(DoubleVector.fromArray(DOUBLE, x, i + lanes));
      DoubleVector v2 = DOUBLE_VECTOR.cast(DoubleVector.fromArray(DOUBLE, x, i + 2 * lanes));
      DoubleVector v3 = DOUBLE_VECTOR.cast(DoubleVector.fromArray(DOUBLE, x, i + 3 * lanes));
      s0 = v0.fma(v0, s0);
      s1 = v1.fma(v1, s1);
      s2 = v2.fma(v2, s2);
      s3 = v3.fma(v3, s3);
    }
    for (int bound = n - n % lanes; i < bound; i += lanes) {
      DoubleVector v = DOUBLE_VECTOR.cast(DoubleVector.fromArray(DOUBLE, x, i));
      s0 = v.fma(v, s0);
    }
    double s = sumLanes(DOUBLE_VECTOR.cast(s0).add(s1).add(DOUBLE_VECTOR.cast(s2).add(s3)));
    for (; i < n; i++) {
      s = Math.fma(x[i], x[i], s);
    }
    return s;
  }

  static void subtract(int n, double c, float[] x, double[] y) {
    // Independent elements: one vector per step, C2 unrolls.
    int half = FLOAT_HALF.length();
    DoubleVector minusC = DOUBLE_VECTOR.cast(DoubleVector.broadcast(DOUBLE, -c));
    int i = 0;
    int bound = n - n % half;
    for (; i < bound; i += half) {
      DOUBLE_VECTOR.cast(widen(x, i)).fma(minusC, DOUBLE_VECTOR.cast(DoubleVector.fromArray(DOUBLE, y, i)))
          .intoArray(y, i);
    }
    for (; i < n; i++) {
      y[i] -= c * x[i];
    }
  }

  static double sumOfSquares(int n, float[] x, int xOff) {
    // Each half-width float load widens into one double vector; four double accumulators cover the FMA
    // latency, as in dot (one load per FMA here, but the conversion also takes a pipe).
    int half = FLOAT_HALF.length();
    int i = 0;
    DoubleVector acc = DOUBLE_VECTOR.cast(DoubleVector.zero(DOUBLE));
    int bound4 = n - n % (UNROLL * half);
    if (bound4 > 0) {
      DoubleVector s1 = DOUBLE_VECTOR.cast(DoubleVector.zero(DOUBLE));
      DoubleVector s2 = DOUBLE_VECTOR.cast(DoubleVector.zero(DOUBLE));
      DoubleVector s3 = DOUBLE_VECTOR.cast(DoubleVector.zero(DOUBLE));
      for (; i < bound4; i += UNROLL * half) {
        DoubleVector v0 = DOUBLE_VECTOR.cast(widen(x, xOff + i));
        DoubleVector v1 = DOUBLE_VECTOR.cast(widen(x, xOff + i + half));
        DoubleVector v2 = DOUBLE_VECTOR.cast(widen(x, xOff + i + 2 * half));
        DoubleVector v3 = DOUBLE_VECTOR.cast(widen(x, xOff + i + 3 * half));
        acc = v0.fma(v0, acc);
        s1 = v1.fma(v1, s1);
        s2 = v2.fma(v2, s2);
        s3 = v3.fma(v3, s3);
      }
      acc = DOUBLE_VECTOR.cast(acc).add(s1).add(DOUBLE_VECTOR.cast(s2).add(s3));
    }
    int bound = n - n % half;
    for (; i < bound; i += half) {
      DoubleVector v = DOUBLE_VECTOR.cast(widen(x, xOff + i));
      acc = v.fma(v, acc);
    }
    double s = sumLanes(acc);
    for (; i < n; i++) {
      double v = x[xOff + i];
      s += v * v;
    }
    return s;
  }

  /** y[i] += x[i] for from ≤ i &lt; to, sums[0] = Σ x[i]² and sums[1] = Σ y[i]² of that range (one block of {@link SquaresPass}). */
  static void addWithSquares(int from, int to, float[] x, float[] y, double[] sums) {
    // Memory-bound (x and y read, y written once): one half-width step at a time, each half widened to
    // double for the squares; two accumulators per sum cover the FMA latency at the rate memory feeds them.
    // Every vector that leaves a load, a zero or a conversion is cast to its class (see FLOAT_VECTOR).
    int half = FLOAT_HALF.length();
    DoubleVector sx0 = DOUBLE_VECTOR.cast(DoubleVector.zero(DOUBLE));
    DoubleVector sx1 = DOUBLE_VECTOR.cast(DoubleVector.zero(DOUBLE));
    DoubleVector sy0 = DOUBLE_VECTOR.cast(DoubleVector.zero(DOUBLE));
    DoubleVector sy1 = DOUBLE_VECTOR.cast(DoubleVector.zero(DOUBLE));
    int i = from;
    int bound = to - (to - from) % (2 * half);
    for (; i < bound; i += 2 * half) {
      FloatVector x0 = HALF_VECTOR.cast(FloatVector.fromArray(FLOAT_HALF, x, i));
      FloatVector x1 = HALF_VECTOR.cast(FloatVector.fromArray(FLOAT_HALF, x, i + half));
      FloatVector y0 = HALF_VECTOR.cast(FloatVector.fromArray(FLOAT_HALF, y, i)).add(x0);
      FloatVector y1 = HALF_VECTOR.cast(FloatVector.fromArray(FLOAT_HALF, y, i + half)).add(x1);
      y0.intoArray(y, i);
      y1.intoArray(y, i + half);
      DoubleVector dx0 = DOUBLE_VECTOR.cast(x0.convertShape(VectorOperators.F2D, DOUBLE, 0));
      DoubleVector dx1 = DOUBLE_VECTOR.cast(x1.convertShape(VectorOperators.F2D, DOUBLE, 0));
      DoubleVector dy0 = DOUBLE_VECTOR.cast(y0.convertShape(VectorOperators.F2D, DOUBLE, 0));
      DoubleVector dy1 = DOUBLE_VECTOR.cast(y1.convertShape(VectorOperators.F2D, DOUBLE, 0));
      sx0 = dx0.fma(dx0, sx0);
      sx1 = dx1.fma(dx1, sx1);
      sy0 = dy0.fma(dy0, sy0);
      sy1 = dy1.fma(dy1, sy1);
    }
    sums[0] = sumLanes(DOUBLE_VECTOR.cast(sx0).add(sx1));
    sums[1] = sumLanes(DOUBLE_VECTOR.cast(sy0).add(sy1));
    ScalarKernels.addWithSquares(i, to, x, y, sums);
  }

  static void rectify(int n, float[] x, int xOff, float[] y, int yOff) {
    // Compare and blend rather than lanewise MAX: x > 0 ? x : 0 maps NaN to 0 as the scalar kernel does,
    // where max would keep it. Independent elements: one vector per step, C2 unrolls.
    FloatVector zero = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    int i = 0;
    int bound = FLOAT.loopBound(n);
    for (; i < bound; i += LANES) {
      FloatVector v = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, x, xOff + i));
      FLOAT_VECTOR.cast(zero).blend(v, v.compare(VectorOperators.GT, 0f)).intoArray(y, yOff + i);
    }
    for (; i < n; i++) {
      float v = x[xOff + i];
      y[yOff + i] = v > 0 ? v : 0f;
    }
  }

  static void keepWherePositive(int n, float[] mask, int mOff, float[] x, int xOff, float[] y, int yOff) {
    FloatVector zero = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    int i = 0;
    int bound = FLOAT.loopBound(n);
    for (; i < bound; i += LANES) {
      VectorMask<Float> keep =
          FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, mask, mOff + i)).compare(VectorOperators.GT, 0f);
      FLOAT_VECTOR.cast(zero).blend(FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, x, xOff + i)), keep).intoArray(y, yOff + i);
    }
    for (; i < n; i++) {
      y[yOff + i] = mask[mOff + i] > 0 ? x[xOff + i] : 0f;
    }
  }

  /**
   * The sum of a vector's lanes in one fixed order — a pairwise tree, lane i + h folded into lane i for
   * h = LANES/2, …, 1. {@code reduceLanes(ADD)} leaves the order unspecified, and the interpreter and C2
   * do use different orders, so the same call could round differently before and after compilation;
   * lane-wise adds are exact IEEE operations in every tier, so this sum is bit-reproducible.
   */
  static float sumLanes(FloatVector v) {
    v = FLOAT_VECTOR.cast(v); // a zero merged with a loop's sums: see FLOAT_VECTOR
    // Unrolled over static final shuffles (constants to C2; a loop over the list kept the vector boxed
    // and cost ~25 ns per call). The folds beyond FLOAT_FOLDS.size() are dead code for this species.
    if (F_FOLDS > 0) {
      v = v.add(v.rearrange(F0));
    }
    if (F_FOLDS > 1) {
      v = v.add(v.rearrange(F1));
    }
    if (F_FOLDS > 2) {
      v = v.add(v.rearrange(F2));
    }
    if (F_FOLDS > 3) {
      v = v.add(v.rearrange(F3));
    }
    for (int i = 4; i < F_FOLDS; i++) {
      v = v.add(v.rearrange(FLOAT_FOLDS.get(i)));
    }
    return v.lane(0);
  }

  /**
   * The lane sum of {@link #sumLanes(FloatVector)} on a vector stored at {@code t[off …]}, bit for bit: the
   * same pairwise folds (lane i + h onto lane i), in scalar adds. Overwrites the stored lanes. For kernels
   * with many accumulators, where calls of sumLanes made the method too large for C2 to inline them all and
   * the vectors of the calls left out were boxed on the heap.
   */
  static float foldLanes(float[] t, int off) {
    for (int h = LANES / 2; h >= 1; h /= 2) {
      for (int i = 0; i < h; i++) {
        t[off + i] += t[off + i + h];
      }
    }
    return t[off];
  }

  /** As {@link #sumLanes(FloatVector)}, for the double accumulators. */
  static double sumLanes(DoubleVector v) {
    v = DOUBLE_VECTOR.cast(v);
    if (D_FOLDS > 0) {
      v = v.add(v.rearrange(D0));
    }
    if (D_FOLDS > 1) {
      v = v.add(v.rearrange(D1));
    }
    if (D_FOLDS > 2) {
      v = v.add(v.rearrange(D2));
    }
    for (int i = 3; i < D_FOLDS; i++) {
      v = v.add(v.rearrange(DOUBLE_FOLDS.get(i)));
    }
    return v.lane(0);
  }

  /**
   * The class of {@link PanamaConstants#FLOAT}'s vectors (a final class of the incubator module). Every vector
   * a kernel here takes from a load, a zero, a broadcast or a conversion is cast to its class with
   * {@code FLOAT_VECTOR.cast(…)} and the like, written out at the call, not in a helper. Such a vector reaches
   * C2's parser typed only as FloatVector (the Vector API expands those intrinsics late), so the first
   * operation on it dispatches on the receiver-type profile of the JDK's own bytecode (FloatVector.add calls
   * the abstract lanewise), a profile shared by every species used anywhere in the JVM. With two species seen
   * there (ours at half width, or another library's), C2 inlined both implementations behind a type check
   * and the merged result was boxed: a 64-byte payload per vector operation, 1.6 KB per momentum-SGD step of
   * a small model in the JVM of a full test run (PanamaLevel1.addWithSquares, lines y0 = … .add(x0)). A cast
   * to a constant class is a C2 intrinsic (used at any call-site frequency, unlike a helper method, which C2
   * declined to inline at a cold site and so boxed its argument) that makes the type exact at parse time;
   * the call then binds statically whatever the profile says, and the check folds once the load is expanded.
   */
  static final Class<? extends FloatVector> FLOAT_VECTOR = FloatVector.zero(FLOAT).getClass();

  /** The class of {@link PanamaConstants#FLOAT_HALF}'s vectors (see {@link #FLOAT_VECTOR}). */
  static final Class<? extends FloatVector> HALF_VECTOR = FloatVector.zero(FLOAT_HALF).getClass();

  /** The class of {@link PanamaConstants#DOUBLE}'s vectors (see {@link #FLOAT_VECTOR}). */
  static final Class<? extends DoubleVector> DOUBLE_VECTOR = DoubleVector.zero(DOUBLE).getClass();

  /** The class of {@link PanamaConstants#FLOAT}'s masks (see {@link #FLOAT_VECTOR}). */
  @SuppressWarnings("unchecked") // getClass() of a VectorMask<Float> is typed by the erased VectorMask
  static final Class<? extends VectorMask<Float>> FLOAT_MASK =
      (Class<? extends VectorMask<Float>>) FLOAT.maskAll(true).getClass();

  /**
   * The half-width floats at {@code x[offset …]} widened to one {@link PanamaConstants#DOUBLE} vector; the caller
   * casts the result, {@code DOUBLE_VECTOR.cast(widen(x, i))}. Keep it under 35 bytes of bytecode (C2's
   * MaxInlineSize; 28 now): at a cold call site (a short row's unrolled loop) C2 inlines only methods that
   * small, and a widened vector returned from a call is boxed. Both casts inside came to 37 bytes, so the
   * load's cast stays here (it binds convertShape to the half-width class whatever the shared profile saw)
   * and the result's moves to the caller, where it costs no inlining budget.
   */
  static Vector<Double> widen(float[] x, int offset) {
    return HALF_VECTOR.cast(FloatVector.fromArray(FLOAT_HALF, x, offset))
        .convertShape(VectorOperators.F2D, DOUBLE, 0);
  }
}
