package io.github.spectral4j.simd.internal;

import static io.github.spectral4j.simd.internal.PanamaConstants.D0;
import static io.github.spectral4j.simd.internal.PanamaConstants.D1;
import static io.github.spectral4j.simd.internal.PanamaConstants.D2;
import static io.github.spectral4j.simd.internal.PanamaConstants.DOUBLE;
import static io.github.spectral4j.simd.internal.PanamaConstants.D_FOLDS;
import static io.github.spectral4j.simd.internal.PanamaConstants.FLOAT;
import static io.github.spectral4j.simd.internal.PanamaConstants.FLOAT_HALF;
import static io.github.spectral4j.simd.internal.PanamaConstants.LANES;
import static io.github.spectral4j.simd.internal.PanamaLevel1.DOUBLE_VECTOR;
import static io.github.spectral4j.simd.internal.PanamaLevel1.FLOAT_VECTOR;
import static io.github.spectral4j.simd.internal.PanamaLevel1.HALF_VECTOR;
import static io.github.spectral4j.simd.internal.ScalarElementwise.A;
import static io.github.spectral4j.simd.internal.ScalarElementwise.EXP_BIAS;
import static io.github.spectral4j.simd.internal.ScalarElementwise.EXP_MIN;
import static io.github.spectral4j.simd.internal.ScalarElementwise.LN2_HI;
import static io.github.spectral4j.simd.internal.ScalarElementwise.LN2_LO;
import static io.github.spectral4j.simd.internal.ScalarElementwise.LOG2E;
import static io.github.spectral4j.simd.internal.ScalarElementwise.NEG_2C;
import static io.github.spectral4j.simd.internal.ScalarElementwise.P2;
import static io.github.spectral4j.simd.internal.ScalarElementwise.P3;
import static io.github.spectral4j.simd.internal.ScalarElementwise.P4;
import static io.github.spectral4j.simd.internal.ScalarElementwise.P5;
import static io.github.spectral4j.simd.internal.ScalarElementwise.P6;
import static io.github.spectral4j.simd.internal.ScalarElementwise.P7;
import static io.github.spectral4j.simd.internal.ScalarElementwise.ROUNDER;
import static io.github.spectral4j.simd.internal.ScalarElementwise.THREE_A;
import static io.github.spectral4j.simd.internal.ScalarElementwise.TWO_C;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * The element-wise kernels of {@link ScalarElementwise} on the Vector API: every lane runs the scalar
 * code's operations in the same order (same fmas, IEEE division, the same selects as lane blends), so the
 * results are bit-identical to the scalar kernels; the scalar code also does each loop's tail. No
 * transcendental intrinsic is used: the exponential is the scalar code's polynomial, so the result does
 * not depend on the JDK's math library or the CPU.
 */
final class PanamaElementwise {
  private PanamaElementwise() {}

  /**
   * The class of the int vectors that {@link PanamaConstants#FLOAT}'s vectors reinterpret to. As every vector
   * taken from a load, a zero or a broadcast here (cast to {@link PanamaLevel1#FLOAT_VECTOR} at the call), the
   * exponent bits are cast to it so that C2 binds their shift and add statically, not through the JDK's
   * receiver-type profile shared by every species in the JVM (which with two species seen made C2 box).
   */
  private static final Class<? extends IntVector> INT_VECTOR = FloatVector.zero(FLOAT).reinterpretAsInts().getClass();

  private static FloatVector expNonPositive(FloatVector z) {
    z = FLOAT_VECTOR.cast(z); // exact type inside even where C2 does not see the caller's (see FLOAT_VECTOR)
    FloatVector shifted = z.mul(LOG2E).add(ROUNDER);
    FloatVector j = shifted.sub(ROUNDER);
    FloatVector r = j.fma(FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, -LN2_HI)), z);
    r = j.fma(FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, -LN2_LO)), r);
    FloatVector p = r.fma(P7, P6);
    p = p.fma(r, FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, P5)));
    p = p.fma(r, FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, P4)));
    p = p.fma(r, FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, P3)));
    p = p.fma(r, FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, P2)));
    p = p.fma(r, FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, 1f)));
    p = p.fma(r, FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, 1f)));
    FloatVector scale = FLOAT_VECTOR.cast(
        INT_VECTOR.cast(shifted.reinterpretAsInts()).lanewise(VectorOperators.LSHL, 23).add(EXP_BIAS)
            .reinterpretAsFloats());
    return p.mul(scale).blend(0f, z.compare(VectorOperators.LT, EXP_MIN));
  }

  /** 1 − k, bit for bit as the scalar {@code 1f - k}. */
  private static FloatVector oneMinus(FloatVector k) {
    return FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, 1f)).sub(k);
  }

  static void gelu(int from, int to, float[] x, float[] y, float[] keep) {
    int i = from;
    for (int bound = from + FLOAT.loopBound(to - from); i < bound; i += LANES) {
      FloatVector v = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, x, i));
      FloatVector z = v.abs().mul(NEG_2C).mul(v.mul(v).fma(A, 1f));
      FloatVector e = expNonPositive(z);
      FloatVector k = FLOAT_VECTOR.cast(e.div(e.add(1f)));
      k.intoArray(keep, i);
      VectorMask<Float> negative = v.compare(VectorOperators.LT, 0f);
      FloatVector s = k.blend(oneMinus(k), v.compare(VectorOperators.GE, 0f));
      FLOAT_VECTOR.cast(v.mul(s).blend(-0f, k.compare(VectorOperators.EQ, 0f).and(negative))).intoArray(y, i);
    }
    ScalarElementwise.gelu(i, to, x, y, keep);
  }

  static void geluBackward(int from, int to, float[] x, float[] keep, float[] dy, float[] dx) {
    int i = from;
    for (int bound = from + FLOAT.loopBound(to - from); i < bound; i += LANES) {
      FloatVector v = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, x, i));
      FloatVector k = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, keep, i));
      FloatVector s = k.blend(oneMinus(k), v.compare(VectorOperators.GE, 0f));
      FloatVector slope = v.mul(TWO_C).mul(v.mul(v).fma(THREE_A, 1f));
      FloatVector d = slope.fma(k.mul(oneMinus(k)), s).blend(s, k.compare(VectorOperators.EQ, 0f));
      FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, dy, i)).mul(d).intoArray(dx, i);
    }
    ScalarElementwise.geluBackward(i, to, x, keep, dy, dx);
  }

  static void adamW(int from, int to, float[] g, float[] m, float[] v, float[] w, float[] d, float b1, float b2,
      float c1, float c2, float lr, float wd, float eps) {
    float a1 = 1 - b1;
    float a2 = 1 - b2;
    int k = from;
    for (int bound = from + FLOAT.loopBound(to - from); k < bound; k += LANES) {
      FloatVector gk = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, g, k));
      FloatVector mk = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, m, k)).mul(b1).add(gk.mul(a1));
      FloatVector vk = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, v, k)).mul(b2).add(gk.mul(a2).mul(gk));
      mk.intoArray(m, k);
      vk.intoArray(v, k);
      FloatVector step = mk.mul(c1).div(vk.mul(c2).sqrt().add(eps));
      step.add(FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, w, k)).mul(wd)).mul(-lr).intoArray(d, k);
    }
    ScalarElementwise.adamW(k, to, g, m, v, w, d, b1, b2, c1, c2, lr, wd, eps);
  }

  /**
   * out = x + α·f in one pass, each element {@code fma(f, α, x)} as {@link PanamaLevel1#axpy} rounds it after a
   * copy of x into out (which read and wrote out a second time).
   */
  static void addScaled(int from, int to, float[] x, float alpha, float[] f, float[] out) {
    FloatVector a = FLOAT_VECTOR.cast(FloatVector.broadcast(FLOAT, alpha));
    int i = from;
    for (int bound = from + FLOAT.loopBound(to - from); i < bound; i += LANES) {
      FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, f, i))
          .fma(a, FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, x, i)))
          .intoArray(out, i);
    }
    for (; i < to; i++) {
      out[i] = Math.fma(f[i], alpha, x[i]);
    }
  }

  /**
   * {@link #adamW} and then {@link PanamaLevel1#addWithSquares}{@code (from, to, d, w, sums)} in one pass: the
   * same half-width steps, accumulators and tail as that kernel, so the same bits of d, w and the sums, with
   * the update added while it is still in a register (AdamW's pass then reads g, m, v, w and writes m, v, d,
   * w once, where the two passes read d and w again).
   */
  static void adamWApply(int from, int to, float[] g, float[] m, float[] v, float[] w, float[] d, float b1,
      float b2, float c1, float c2, float lr, float wd, float eps, double[] sums) {
    float a1 = 1 - b1;
    float a2 = 1 - b2;
    int half = FLOAT_HALF.length();
    DoubleVector sd0 = DOUBLE_VECTOR.cast(DoubleVector.zero(DOUBLE));
    DoubleVector sd1 = DOUBLE_VECTOR.cast(DoubleVector.zero(DOUBLE));
    DoubleVector sw0 = DOUBLE_VECTOR.cast(DoubleVector.zero(DOUBLE));
    DoubleVector sw1 = DOUBLE_VECTOR.cast(DoubleVector.zero(DOUBLE));
    int k = from;
    int bound = to - (to - from) % (2 * half);
    for (; k < bound; k += 2 * half) {
      // Written out for both halves, not in a helper: a helper C2 did not inline (small arrays, cold
      // profile) would box the vectors it takes and returns.
      FloatVector g0 = HALF_VECTOR.cast(FloatVector.fromArray(FLOAT_HALF, g, k));
      FloatVector g1 = HALF_VECTOR.cast(FloatVector.fromArray(FLOAT_HALF, g, k + half));
      FloatVector m0 = HALF_VECTOR.cast(FloatVector.fromArray(FLOAT_HALF, m, k)).mul(b1).add(g0.mul(a1));
      FloatVector m1 = HALF_VECTOR.cast(FloatVector.fromArray(FLOAT_HALF, m, k + half)).mul(b1).add(g1.mul(a1));
      FloatVector v0 = HALF_VECTOR.cast(FloatVector.fromArray(FLOAT_HALF, v, k)).mul(b2).add(g0.mul(a2).mul(g0));
      FloatVector v1 =
          HALF_VECTOR.cast(FloatVector.fromArray(FLOAT_HALF, v, k + half)).mul(b2).add(g1.mul(a2).mul(g1));
      m0.intoArray(m, k);
      m1.intoArray(m, k + half);
      v0.intoArray(v, k);
      v1.intoArray(v, k + half);
      FloatVector w0 = HALF_VECTOR.cast(FloatVector.fromArray(FLOAT_HALF, w, k));
      FloatVector w1 = HALF_VECTOR.cast(FloatVector.fromArray(FLOAT_HALF, w, k + half));
      FloatVector d0 = HALF_VECTOR.cast(
          m0.mul(c1).div(v0.mul(c2).sqrt().add(eps)).add(w0.mul(wd)).mul(-lr));
      FloatVector d1 = HALF_VECTOR.cast(
          m1.mul(c1).div(v1.mul(c2).sqrt().add(eps)).add(w1.mul(wd)).mul(-lr));
      d0.intoArray(d, k);
      d1.intoArray(d, k + half);
      w0 = HALF_VECTOR.cast(w0.add(d0));
      w1 = HALF_VECTOR.cast(w1.add(d1));
      w0.intoArray(w, k);
      w1.intoArray(w, k + half);
      DoubleVector dd0 = DOUBLE_VECTOR.cast(d0.convertShape(VectorOperators.F2D, DOUBLE, 0));
      DoubleVector dd1 = DOUBLE_VECTOR.cast(d1.convertShape(VectorOperators.F2D, DOUBLE, 0));
      DoubleVector dw0 = DOUBLE_VECTOR.cast(w0.convertShape(VectorOperators.F2D, DOUBLE, 0));
      DoubleVector dw1 = DOUBLE_VECTOR.cast(w1.convertShape(VectorOperators.F2D, DOUBLE, 0));
      sd0 = dd0.fma(dd0, sd0);
      sd1 = dd1.fma(dd1, sd1);
      sw0 = dw0.fma(dw0, sw0);
      sw1 = dw1.fma(dw1, sw1);
    }
    // PanamaLevel1.sumLanes's folds written out: a call of it that C2 did not inline (this method is large)
    // boxed its argument on every call.
    DoubleVector sd = DOUBLE_VECTOR.cast(sd0).add(sd1);
    DoubleVector sw = DOUBLE_VECTOR.cast(sw0).add(sw1);
    if (D_FOLDS > 0) {
      sd = sd.add(sd.rearrange(D0));
      sw = sw.add(sw.rearrange(D0));
    }
    if (D_FOLDS > 1) {
      sd = sd.add(sd.rearrange(D1));
      sw = sw.add(sw.rearrange(D1));
    }
    if (D_FOLDS > 2) {
      sd = sd.add(sd.rearrange(D2));
      sw = sw.add(sw.rearrange(D2));
    }
    for (int i = 3; i < D_FOLDS; i++) {
      sd = sd.add(sd.rearrange(PanamaConstants.DOUBLE_FOLDS.get(i)));
      sw = sw.add(sw.rearrange(PanamaConstants.DOUBLE_FOLDS.get(i)));
    }
    sums[0] = sd.lane(0);
    sums[1] = sw.lane(0);
    ScalarElementwise.adamW(k, to, g, m, v, w, d, b1, b2, c1, c2, lr, wd, eps);
    ScalarKernels.addWithSquares(k, to, d, w, sums);
  }

  static void rmsNorm(int rowFrom, int rowTo, int width, float[] x, float[] gain, float multiplier, float eps,
      float[] y, float[] inverseRms) {
    for (int i = rowFrom; i < rowTo; i++) {
      int off = i * width;
      double sum = PanamaLevel1.sumOfSquares(width, x, off);
      float r = (float) (1 / Math.sqrt(sum / width + eps));
      inverseRms[i] = r;
      float s = multiplier * r;
      int j = 0;
      for (int bound = FLOAT.loopBound(width); j < bound; j += LANES) {
        FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, gain, j)).mul(s)
            .mul(FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, x, off + j)))
            .intoArray(y, off + j);
      }
      ScalarElementwise.scaledProduct(j, width, s, gain, x, off, y);
    }
  }

  static void rmsNormBackward(int rowFrom, int rowTo, int width, float[] x, float[] gain, float multiplier,
      float[] inverseRms, float[] dy, float[] dx) {
    int bound = FLOAT.loopBound(width);
    for (int i = rowFrom; i < rowTo; i++) {
      int off = i * width;
      // Two accumulators: the row is short (one or two hundred vectors at most), latency matters little.
      FloatVector acc0 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
      FloatVector acc1 = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
      int j = 0;
      for (; j + LANES < bound; j += 2 * LANES) {
        acc0 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, gain, j)).mul(multiplier)
            .mul(FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, dy, off + j)))
            .fma(FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, x, off + j)), acc0);
        acc1 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, gain, j + LANES)).mul(multiplier)
            .mul(FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, dy, off + j + LANES)))
            .fma(FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, x, off + j + LANES)), acc1);
      }
      for (; j < bound; j += LANES) {
        acc0 = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, gain, j)).mul(multiplier)
            .mul(FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, dy, off + j)))
            .fma(FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, x, off + j)), acc0);
      }
      // sumLanes, not reduceLanes(ADD): its order differs between the interpreter and C2 (see sumLanes).
      float dot = PanamaLevel1.sumLanes(FLOAT_VECTOR.cast(acc0).add(acc1));
      for (; j < width; j++) {
        dot += multiplier * gain[j] * dy[off + j] * x[off + j];
      }
      float r = inverseRms[i];
      float c = r * dot / width;
      j = 0;
      for (; j < bound; j += LANES) {
        FloatVector u = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, gain, j)).mul(multiplier)
            .mul(FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, dy, off + j)));
        FloatVector xr = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, x, off + j)).mul(r).mul(c);
        u.sub(xr).mul(r).intoArray(dx, off + j);
      }
      ScalarElementwise.rmsNormBackwardRow(j, width, off, r, c, x, gain, multiplier, dy, dx);
    }
  }

  static void rmsNormGainGradient(int colFrom, int colTo, int rows, int width, float[] x, float[] inverseRms,
      float[] dy, float multiplier, float[] dg) {
    java.util.Arrays.fill(dg, colFrom, colTo, 0f);
    int bound = colFrom + FLOAT.loopBound(colTo - colFrom);
    for (int i = 0; i < rows; i++) {
      int off = i * width;
      float r = inverseRms[i];
      int j = colFrom;
      for (; j < bound; j += LANES) {
        FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, dy, off + j))
            .mul(FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, x, off + j)).mul(r))
            .add(FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, dg, j))).intoArray(dg, j);
      }
      ScalarElementwise.gainRow(j, colTo, off, r, x, dy, dg);
    }
    if (multiplier != 1f) {
      int j = colFrom;
      for (; j < bound; j += LANES) {
        FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, dg, j)).mul(multiplier).intoArray(dg, j);
      }
      for (; j < colTo; j++) {
        dg[j] *= multiplier;
      }
    }
  }

  static void softmax(float[] a, int off, int n) {
    int bound = FLOAT.loopBound(n);
    int j = 0;
    float max = Float.NEGATIVE_INFINITY;
    if (bound > 0) {
      FloatVector m = FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, a, off));
      for (j = LANES; j < bound; j += LANES) {
        m = FLOAT_VECTOR.cast(m).max(FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, a, off + j)));
      }
      max = FLOAT_VECTOR.cast(m).reduceLanes(VectorOperators.MAX);
    }
    for (; j < n; j++) {
      max = Math.max(max, a[off + j]);
    }
    FloatVector acc = FLOAT_VECTOR.cast(FloatVector.zero(FLOAT));
    for (j = 0; j < bound; j += LANES) {
      FloatVector e = expNonPositive(FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, a, off + j)).sub(max));
      e.intoArray(a, off + j);
      acc = FLOAT_VECTOR.cast(acc).add(e); // a loop's phi is typed FloatVector again: cast it
    }
    // sumLanes, not reduceLanes(ADD): its order differs between the interpreter and C2 (see sumLanes).
    float sum = PanamaLevel1.sumLanes(acc);
    for (; j < n; j++) {
      float e = ScalarElementwise.expNonPositive(a[off + j] - max);
      a[off + j] = e;
      sum += e;
    }
    float inv = 1 / sum;
    for (j = 0; j < bound; j += LANES) {
      FLOAT_VECTOR.cast(FloatVector.fromArray(FLOAT, a, off + j)).mul(inv).intoArray(a, off + j);
    }
    ScalarElementwise.scale(a, off, j, n, inv);
  }
}
