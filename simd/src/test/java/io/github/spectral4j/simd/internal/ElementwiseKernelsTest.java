package io.github.spectral4j.simd.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.spectral4j.simd.Elementwise;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * GELU and its derivative ({@link Kernels#gelu}, {@link Kernels#geluBackward}) against a double-precision
 * oracle over the whole float range, the special values, and scalar against Vector API bit for bit on
 * awkward ranges. The oracle: {@code ½x(1 + Math.tanh(u))} where {@code 1 + tanh u} is well conditioned
 * (u ≥ −1) and the equal {@code x·e^{2u}/(1 + e^{2u})} below (where {@code 1 + tanh u} cancels in double
 * too); the two forms are checked to agree where they overlap.
 */
class ElementwiseKernelsTest {
  private static final double C = Math.sqrt(2 / Math.PI);
  private static final double A = 0.044715;
  /** Float unit roundoff. */
  private static final double U = 0x1p-24;
  /**
   * Accepted error in units of u relative to the result's size plus its sensitivity to a relative change
   * of x ({@code |φ| + |x·φ'|} for φ, the terms of φ' plus {@code |x·φ''|} for φ'): the float evaluation
   * has ~15 roundings (u's constants and polynomial, exp's reduction and polynomial, the division, the
   * product with x), each at most ½u of the value it rounds, plus the polynomial's truncation (&lt; 0.1 u).
   * An error in u (the argument of exp) is amplified by |2u| — as an error in x is; the bound says that
   * the result is φ of an x within a few ulps, the accuracy that a float input carries anyway. Where
   * x·φ' is small (|x| ≲ 1, x &gt; 0) this is a plain relative bound on φ.
   */
  private static final double ULPS = 8;
  /** Below this magnitude a result may be flushed to zero (x &lt; −9.99, documented). */
  private static final double FLUSH = 2e-37;
  /** Below this magnitude φ' may be flushed to zero (same x). */
  private static final double DERIVATIVE_FLUSH = 1e-35;

  static double tanhForm(double x) {
    double u = C * (x + A * x * x * x);
    return 0.5 * x * (1 + Math.tanh(u));
  }

  static double expForm(double x) {
    double u = C * (x + A * x * x * x);
    double e = Math.exp(2 * u);
    return Double.isInfinite(e) ? x : x * e / (1 + e);
  }

  /** φ(x) in double: Math.tanh where 1 + tanh u is well conditioned, the exp form where it cancels. */
  static double phi(double x) {
    double u = C * (x + A * x * x * x);
    return u >= -1 ? tanhForm(x) : expForm(x);
  }

  /**
   * φ'(x), the sizes of its two terms summed, and |x·φ''(x)|, in double from σ(2u) and 1 − σ(2u) each
   * from its own exponential (no cancellation on either tail).
   */
  static double[] derivative(double x) {
    double u = C * (x + A * x * x * x);
    double u1 = C * (1 + 3 * A * x * x);
    double u2 = 6 * C * A * x;
    double sig = 1 / (1 + Math.exp(-2 * u));
    double rest = 1 / (1 + Math.exp(2 * u));
    double q = sig * rest;
    double term = q == 0 ? 0 : 2 * x * u1 * q;
    double g = q == 0 ? 0 : 2 * u1 * q; // dσ(2u)/dx
    double second = q == 0 ? 0 : 2 * g + 2 * x * (u2 * q + u1 * g * (rest - sig));
    return new double[] {sig + term, Math.abs(sig) + Math.abs(term), Math.abs(x * second)};
  }

  static Stream<Arguments> impls() {
    return Stream.of("scalar", "panama").map(Arguments::of);
  }

  @Test
  void theTwoOracleFormsAgreeWhereTheyMeet() {
    for (double x = -3; x <= 0; x += 1.0 / 1024) {
      assertEquals(tanhForm(x), expForm(x), 1e-12 * Math.max(1e-300, Math.abs(expForm(x))) + 1e-300, "x = " + x);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"scalar", "panama"})
  void handComputed(String impl) {
    Kernels k = Reference.kernels(impl);
    float[] x = {0f, -0f};
    float[] y = new float[2];
    float[] keep = new float[2];
    k.gelu(0, 2, x, y, keep);
    // u = 0: e = 1 exactly, k = ½, φ = x·½ = ±0, φ'(0) = ½ + 0.
    assertArrayEquals(new float[] {0.5f, 0.5f}, keep);
    assertEquals(Float.floatToIntBits(0f), Float.floatToIntBits(y[0]));
    assertEquals(Float.floatToIntBits(-0f), Float.floatToIntBits(y[1]));
    float[] dx = new float[2];
    k.geluBackward(0, 2, x, keep, new float[] {2f, -4f}, dx);
    assertArrayEquals(new float[] {1f, -2f}, dx);
    // φ(1) = ½(1 + tanh(√(2/π)·1.044715)) = 0.8411919906082768 (tanh form, to double precision).
    float[] one = {1f};
    float[] y1 = new float[1];
    k.gelu(0, 1, one, y1, new float[1]);
    assertEquals(0.8411919906082768, y1[0], 2 * Math.ulp(0.84119199f));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"scalar", "panama"})
  void specialValues(String impl) {
    Kernels k = Reference.kernels(impl);
    float[] x = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MAX_VALUE, -Float.MAX_VALUE,
        Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, -50f, 50f, -10f, 10f};
    float[] y = new float[x.length];
    float[] keep = new float[x.length];
    k.gelu(0, x.length, x, y, keep);
    assertTrue(Float.isNaN(y[0]), "NaN propagates");
    assertEquals(Float.POSITIVE_INFINITY, y[1]);
    assertEquals(Float.floatToIntBits(-0f), Float.floatToIntBits(y[2]), "φ(−∞) = −0");
    assertEquals(Float.MAX_VALUE, y[3]);
    assertEquals(Float.floatToIntBits(-0f), Float.floatToIntBits(y[4]));
    assertEquals(Float.MIN_VALUE * 0.5f, y[5]); // x/2 rounds (to even) in the subnormals
    assertEquals(Float.MIN_NORMAL * 0.5f, y[7]);
    assertEquals(Float.floatToIntBits(-0f), Float.floatToIntBits(y[8]));
    assertEquals(50f, y[9]);
    assertEquals(10f, y[11]);
    float[] dy = new float[x.length];
    java.util.Arrays.fill(dy, 1f);
    float[] dx = new float[x.length];
    k.geluBackward(0, x.length, x, keep, dy, dx);
    assertTrue(Float.isNaN(dx[0]), "NaN propagates backward");
    assertEquals(1f, dx[1]);
    assertEquals(0f, dx[2]);
    assertEquals(1f, dx[3]);
    assertEquals(0f, dx[4]);
    assertEquals(0.5f, dx[5]);
    assertEquals(0f, dx[8]);
    assertEquals(1f, dx[9]);
    float[] nanGradient = {Float.NaN};
    float[] out = new float[1];
    k.geluBackward(0, 1, new float[] {0.3f}, new float[] {keep[9]}, nanGradient, out);
    assertTrue(Float.isNaN(out[0]), "a NaN gradient propagates");
  }

  /**
   * Every 1021st float bit pattern (4.2 million values: all magnitudes, both signs, subnormals, the tails) and
   * a grid of [−12, 12] in steps of 2⁻¹²: φ and φ' within {@link #ULPS} as defined there (φ below
   * {@link #FLUSH} may be flushed to zero; φ' crosses zero near x = −0.75, where only such a bound means
   * anything).
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("impls")
  void geluIsAccurateOverTheWholeFloatRange(String impl) {
    Kernels k = Reference.kernels(impl);
    int chunk = 1 << 16;
    float[] x = new float[chunk];
    float[] y = new float[chunk];
    float[] keep = new float[chunk];
    float[] dy = new float[chunk];
    java.util.Arrays.fill(dy, 1f);
    float[] dx = new float[chunk];
    double[] worst = new double[2];
    long bits = 0;
    long end = 1L << 32;
    while (bits < end) {
      int n = 0;
      for (; n < chunk && bits < end; bits += 1021) {
        float v = Float.intBitsToFloat((int) bits);
        if (!Float.isNaN(v)) {
          x[n++] = v;
        }
      }
      check(k, x, y, keep, dy, dx, n, worst);
    }
    int n = 0;
    for (int i = -12 << 12; i <= 12 << 12; i++) {
      x[n++] = i * 0x1p-12f;
      if (n == chunk) {
        check(k, x, y, keep, dy, dx, n, worst);
        n = 0;
      }
    }
    check(k, x, y, keep, dy, dx, n, worst);
    System.out.println(k.name() + ": worst GELU errors in u (see ULPS): φ " + worst[0] + ", φ' " + worst[1]);
  }

  private static void check(Kernels k, float[] x, float[] y, float[] keep, float[] dy, float[] dx, int n,
      double[] worst) {
    k.gelu(0, n, x, y, keep);
    k.geluBackward(0, n, x, keep, dy, dx);
    for (int i = 0; i < n; i++) {
      double v = x[i];
      if (Double.isInfinite(v)) {
        continue; // specialValues
      }
      double ref = phi(v);
      double[] d = derivative(v);
      double err = Math.abs(y[i] - ref);
      if (Math.abs(ref) > Float.MAX_VALUE) {
        assertEquals((float) ref, y[i], "φ(" + x[i] + ")");
        continue;
      }
      double size = Math.abs(ref) + Math.abs(v * d[0]);
      if (Math.abs(ref) >= FLUSH) {
        double ulps = err / (U * size);
        worst[0] = Math.max(worst[0], ulps);
        assertTrue(ulps <= ULPS, "φ(" + x[i] + ") = " + y[i] + " vs " + ref + ": " + ulps + " u");
      } else {
        assertTrue(err <= FLUSH, "φ(" + x[i] + ") = " + y[i] + " vs " + ref);
      }
      if (dx[i] == 0 && Math.abs(d[0]) < DERIVATIVE_FLUSH) {
        continue;
      }
      double dErr = Math.abs(dx[i] - d[0]) / (U * (d[1] + d[2]));
      worst[1] = Math.max(worst[1], dErr);
      assertTrue(dErr <= ULPS, "φ'(" + x[i] + ") = " + dx[i] + " vs " + d[0] + ": " + dErr + " u");
    }
  }

  static Stream<Arguments> ranges() {
    SplittableRandom seeds = new SplittableRandom(0x6E1);
    return IntStream.range(0, 200).mapToObj(c -> {
      long seed = seeds.nextLong();
      SplittableRandom r = new SplittableRandom(seed);
      int length = 1 + r.nextInt(300);
      int from = r.nextInt(length);
      int to = from + r.nextInt(length - from + 1);
      return Arguments.of(seed, length, from, to);
    });
  }

  /** The Vector API kernels equal the scalar ones bit for bit on any range (so any thread split agrees). */
  @ParameterizedTest(name = "seed {0}: length {1}, [{2}, {3})")
  @MethodSource("ranges")
  void panamaEqualsScalarBitForBit(long seed, int length, int from, int to) {
    Kernels scalar = Reference.kernels("scalar");
    Kernels panama = Reference.kernels("panama");
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[length];
    float[] dy = new float[length];
    for (int i = 0; i < length; i++) {
      // Mostly N(0, 3²), some tails and specials.
      double g = r.nextGaussian() * 3;
      x[i] = (float) (r.nextInt(20) == 0 ? g * 10 : g);
      dy[i] = (float) r.nextGaussian();
    }
    if (length > 3) {
      x[r.nextInt(length)] = Float.NaN;
      x[r.nextInt(length)] = Float.NEGATIVE_INFINITY;
    }
    float[][] out = new float[2][];
    float[][] grad = new float[2][];
    Kernels[] both = {scalar, panama};
    for (int j = 0; j < 2; j++) {
      float[] y = new float[length];
      float[] keep = new float[length];
      float[] dx = new float[length];
      both[j].gelu(from, to, x, y, keep);
      both[j].geluBackward(from, to, x, keep, dy, dx);
      out[j] = y;
      grad[j] = dx;
      for (int i = 0; i < length; i++) {
        if (i < from || i >= to) {
          assertEquals(0f, y[i], "outside the range");
          assertEquals(0f, dx[i], "outside the range");
        }
      }
    }
    for (int i = 0; i < length; i++) {
      assertEquals(Float.floatToRawIntBits(out[0][i]), Float.floatToRawIntBits(out[1][i]), "φ(" + x[i] + ")");
      assertEquals(Float.floatToRawIntBits(grad[0][i]), Float.floatToRawIntBits(grad[1][i]), "φ'(" + x[i] + ")");
    }
  }

  /** AdamW's pass: the Vector API equals the scalar loop bit for bit, and both the double formula to float accuracy. */
  @ParameterizedTest(name = "seed {0}: length {1}, [{2}, {3})")
  @MethodSource("ranges")
  void adamWPanamaEqualsScalarAndTheFormula(long seed, int length, int from, int to) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] g = new float[length];
    float[] m0 = new float[length];
    float[] v0 = new float[length];
    float[] w = new float[length];
    for (int i = 0; i < length; i++) {
      g[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(7) - 3));
      m0[i] = (float) (r.nextGaussian() * 0.1);
      v0[i] = (float) (r.nextDouble() * 0.01);
      w[i] = (float) r.nextGaussian();
    }
    float b1 = 0.9f;
    float b2 = 0.999f;
    float c1 = (float) (1 / (1 - Math.pow(0.9, 3)));
    float c2 = (float) (1 / (1 - Math.pow(0.999, 3)));
    float lr = 0.01f;
    float wd = 0.1f;
    float eps = 1e-8f;
    float[][] d = new float[2][];
    float[][] m = new float[2][];
    float[][] v = new float[2][];
    String[] impls = {"scalar", "panama"};
    for (int j = 0; j < 2; j++) {
      m[j] = m0.clone();
      v[j] = v0.clone();
      d[j] = new float[length];
      Reference.kernels(impls[j]).adamW(from, to, g, m[j], v[j], w, d[j], b1, b2, c1, c2, lr, wd, eps);
    }
    for (int i = 0; i < length; i++) {
      assertEquals(Float.floatToRawIntBits(d[0][i]), Float.floatToRawIntBits(d[1][i]), "d[" + i + "]");
      assertEquals(Float.floatToRawIntBits(m[0][i]), Float.floatToRawIntBits(m[1][i]), "m[" + i + "]");
      assertEquals(Float.floatToRawIntBits(v[0][i]), Float.floatToRawIntBits(v[1][i]), "v[" + i + "]");
      if (i < from || i >= to) {
        assertEquals(0f, d[0][i], "outside the range");
        assertEquals(m0[i], m[0][i], "outside the range");
        continue;
      }
      // The formula in double with the float parameters the kernel is given (1 − β is exact in float).
      double mi = (double) b1 * m0[i] + (1 - (double) b1) * g[i];
      double vi = (double) b2 * v0[i] + (1 - (double) b2) * g[i] * g[i];
      double di = -(double) lr * (mi * c1 / (Math.sqrt(vi * c2) + eps) + (double) wd * w[i]);
      assertEquals(mi, m[0][i], 1e-6 * (Math.abs(m0[i]) + Math.abs(g[i])), "m[" + i + "]");
      assertEquals(vi, v[0][i], 1e-6 * vi, "v[" + i + "]");
      double size = lr * (Math.abs(mi * c1) / (Math.sqrt(vi * c2) + eps) + Math.abs(wd * w[i]));
      assertEquals(di, d[0][i], 1e-5 * size, "d[" + i + "]");
    }
  }

  /**
   * The fused pass (moments, update, w + d and both sums of squares) equals, bit for bit in every array and
   * sum, {@code adamW} followed by {@code updateBlock} of the same implementation: the optimizer's norms are
   * those of {@code Fused.addWithNorms} as before. Values outside the range are untouched.
   */
  @ParameterizedTest(name = "seed {0}: length {1}, [{2}, {3})")
  @MethodSource("ranges")
  void adamWApplyIsAdamWThenTheSlotPass(long seed, int length, int from, int to) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] g = new float[length];
    float[] m0 = new float[length];
    float[] v0 = new float[length];
    float[] w0 = new float[length];
    for (int i = 0; i < length; i++) {
      g[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(7) - 3));
      m0[i] = (float) (r.nextGaussian() * 0.1);
      v0[i] = (float) (r.nextDouble() * 0.01);
      w0[i] = (float) r.nextGaussian();
    }
    float c1 = (float) (1 / (1 - Math.pow(0.9, 5)));
    float c2 = (float) (1 / (1 - Math.pow(0.999, 5)));
    for (String impl : new String[] {"scalar", "panama"}) {
      Kernels k = Reference.kernels(impl);
      float[] m = m0.clone();
      float[] v = v0.clone();
      float[] w = w0.clone();
      float[] d = new float[length];
      double[] sums = {Double.NaN, Double.NaN};
      k.adamW(from, to, g, m, v, w, d, 0.9f, 0.999f, c1, c2, 0.01f, 0.1f, 1e-8f);
      k.updateBlock(from, to, 0f, null, d, w, sums);
      float[] fm = m0.clone();
      float[] fv = v0.clone();
      float[] fw = w0.clone();
      float[] fd = new float[length];
      double[] fsums = {Double.NaN, Double.NaN};
      k.adamWApply(from, to, g, fm, fv, fw, fd, 0.9f, 0.999f, c1, c2, 0.01f, 0.1f, 1e-8f, fsums);
      for (int i = 0; i < length; i++) {
        assertEquals(Float.floatToRawIntBits(d[i]), Float.floatToRawIntBits(fd[i]), impl + " d[" + i + "]");
        assertEquals(Float.floatToRawIntBits(m[i]), Float.floatToRawIntBits(fm[i]), impl + " m[" + i + "]");
        assertEquals(Float.floatToRawIntBits(v[i]), Float.floatToRawIntBits(fv[i]), impl + " v[" + i + "]");
        assertEquals(Float.floatToRawIntBits(w[i]), Float.floatToRawIntBits(fw[i]), impl + " w[" + i + "]");
        if (i < from || i >= to) {
          assertEquals(w0[i], fw[i], "outside the range");
        }
      }
      assertEquals(Double.doubleToRawLongBits(sums[0]), Double.doubleToRawLongBits(fsums[0]), impl + " Σ d²");
      assertEquals(Double.doubleToRawLongBits(sums[1]), Double.doubleToRawLongBits(fsums[1]), impl + " Σ w²");
      double sd = 0;
      double sw = 0;
      for (int i = from; i < to; i++) {
        sd += (double) fd[i] * fd[i];
        sw += (double) fw[i] * fw[i];
      }
      assertEquals(sd, fsums[0], 1e-12 * sd, impl + " Σ d² against a plain sum");
      assertEquals(sw, fsums[1], 1e-12 * sw, impl + " Σ w² against a plain sum");
    }
  }

  /**
   * The one-pass residual sum equals, bit for bit, a copy of x into out and then axpy of the same
   * implementation, in place (out = x, and out = f) too; entries outside the range are untouched.
   */
  @ParameterizedTest(name = "seed {0}: length {1}, [{2}, {3})")
  @MethodSource("ranges")
  void addScaledIsACopyThenAxpy(long seed, int length, int from, int to) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[length];
    float[] f = new float[length];
    float[] out0 = new float[length];
    for (int i = 0; i < length; i++) {
      x[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(5) - 2));
      f[i] = (float) r.nextGaussian();
      out0[i] = (float) r.nextGaussian();
    }
    float alpha = (float) r.nextGaussian();
    for (String impl : new String[] {"scalar", "panama"}) {
      Kernels k = Reference.kernels(impl);
      float[] expected = out0.clone();
      System.arraycopy(x, from, expected, from, to - from);
      k.axpy(to - from, alpha, f, from, expected, from);
      float[] out = out0.clone();
      k.addScaled(from, to, x, alpha, f, out);
      float[] inPlace = x.clone();
      k.addScaled(from, to, inPlace, alpha, f, inPlace);
      float[] intoF = f.clone();
      k.addScaled(from, to, x, alpha, intoF, intoF);
      for (int i = 0; i < length; i++) {
        assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(out[i]), impl + " out[" + i + "]");
        float e = i < from || i >= to ? x[i] : expected[i];
        assertEquals(Float.floatToRawIntBits(e), Float.floatToRawIntBits(inPlace[i]), impl + " in place [" + i + "]");
        float ef = i < from || i >= to ? f[i] : expected[i];
        assertEquals(Float.floatToRawIntBits(ef), Float.floatToRawIntBits(intoF[i]), impl + " into f [" + i + "]");
      }
    }
  }

  @Test
  void adamWApplyRejectsAliasesAndShortSums() {
    float[] a = new float[4];
    float[] b = new float[4];
    float[] c = new float[4];
    float[] d = new float[4];
    assertThrows(IllegalArgumentException.class,
        () -> Elementwise.adamWApply(a, b, c, a, d, 0.9f, 0.9f, 1f, 1f, 1f, 0f, 1e-8f, new double[2]));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Elementwise.adamWApply(a, b, c, new float[4], d, 0.9f, 0.9f, 1f, 1f, 1f, 0f, 1e-8f, new double[1]));
    assertTrue(e.getMessage().contains("1"), e.getMessage());
  }

  /** The first step from zero moments is −η·(g/(|g| + ε) + λw), sign-like: hand-computed for g = ±4, w = 2. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"scalar", "panama"})
  void adamWFirstStepHandComputed(String impl) {
    float[] g = {4f, -4f, 0f};
    float[] m = new float[3];
    float[] v = new float[3];
    float[] w = {2f, 2f, 2f};
    float[] d = new float[3];
    // β1 = β2 = ½, t = 1: c = 2, m = ±2, v = 8, m·c = ±4, √(v·c) = 4; ε = 0: d = −½·(±1 + ½·2).
    Reference.kernels(impl).adamW(0, 3, g, m, v, w, d, 0.5f, 0.5f, 2f, 2f, 0.5f, 0.5f, 0f);
    assertArrayEquals(new float[] {-1f, -0f, Float.NaN}, d); // −½·(−1 + 1) = −0; g = 0 with ε = 0 is 0/0
    assertArrayEquals(new float[] {2f, -2f, 0f}, m);
    assertArrayEquals(new float[] {8f, 8f, 0f}, v);
  }

  static Stream<Arguments> normShapes() {
    return Stream.of("scalar", "panama").flatMap(impl -> IntStream.of(1, 7, 16, 37, 100, 515)
        .mapToObj(width -> Arguments.of(impl, width)));
  }

  /**
   * RMSNorm's three kernels against the formulas in double on 9 rows (3 of them computed, from row 4),
   * widths hitting vector bodies and tails: forward within 1e-6 relative, the input gradient within 1e-5 of
   * the size of its terms, the gain gradient within 1e-5 of the sum of its terms' sizes.
   */
  @ParameterizedTest(name = "{0}, width {1}")
  @MethodSource("normShapes")
  void rmsNormAgainstDouble(String impl, int width) {
    Kernels k = Reference.kernels(impl);
    SplittableRandom r = new SplittableRandom(width);
    int rows = 9;
    float[] x = new float[rows * width];
    float[] dy = new float[rows * width];
    float[] g = new float[width];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (r.nextGaussian() * 3);
      dy[i] = (float) r.nextGaussian();
    }
    for (int j = 0; j < width; j++) {
      g[j] = (float) (0.5 + r.nextDouble());
    }
    float m = 0.75f;
    float eps = 1e-5f;
    float[] y = new float[x.length];
    float[] inv = new float[rows];
    float[] dx = new float[x.length];
    k.rmsNorm(4, 7, width, x, g, m, eps, y, inv);
    k.rmsNormBackward(4, 7, width, x, g, m, inv, dy, dx);
    for (int i = 0; i < rows; i++) {
      int off = i * width;
      if (i < 4 || i >= 7) {
        for (int j = 0; j < width; j++) {
          assertEquals(0f, y[off + j], "row " + i + " is outside the range");
          assertEquals(0f, dx[off + j], "row " + i + " is outside the range");
        }
        continue;
      }
      double ms = 0;
      for (int j = 0; j < width; j++) {
        ms += (double) x[off + j] * x[off + j];
      }
      double rr = 1 / Math.sqrt(ms / width + eps);
      assertEquals(rr, inv[i], 1e-6 * rr, "r[" + i + "]");
      double dot = 0;
      double dotSize = 0;
      for (int j = 0; j < width; j++) {
        double yj = m * g[j] * x[off + j] * rr;
        assertEquals(yj, y[off + j], 1e-6 * Math.abs(yj) + 1e-30, "y[" + i + "," + j + "]");
        dot += m * g[j] * (double) dy[off + j] * x[off + j] * rr;
        dotSize += Math.abs(m * g[j] * (double) dy[off + j] * x[off + j] * rr);
      }
      double c = dot / width;
      for (int j = 0; j < width; j++) {
        double u = m * g[j] * (double) dy[off + j];
        double xh = x[off + j] * rr;
        double dxj = rr * (u - xh * c);
        double size = rr * (Math.abs(u) + Math.abs(xh) * dotSize / width);
        assertEquals(dxj, dx[off + j], 1e-5 * size, "dx[" + i + "," + j + "]");
      }
    }
    // The gain gradient over all rows needs every r: recompute them all.
    k.rmsNorm(0, rows, width, x, g, m, eps, y, inv);
    float[] dg = new float[width];
    java.util.Arrays.fill(dg, Float.NaN); // overwritten on the range
    k.rmsNormGainGradient(0, width, rows, width, x, inv, dy, m, dg);
    for (int j = 0; j < width; j++) {
      double sum = 0;
      double size = 0;
      for (int i = 0; i < rows; i++) {
        double t = (double) dy[i * width + j] * x[i * width + j] * inv[i];
        sum += t;
        size += Math.abs(t);
      }
      assertEquals(m * sum, dg[j], 1e-5 * m * size, "dg[" + j + "]");
    }
  }

  /** The gain gradient of any column range equals the scalar kernel's bit for bit (so any column split agrees). */
  @ParameterizedTest(name = "seed {0}: width {1}, columns [{2}, {3})")
  @MethodSource("ranges")
  void rmsNormGainGradientPanamaEqualsScalar(long seed, int width, int from, int to) {
    SplittableRandom r = new SplittableRandom(seed);
    int rows = 1 + r.nextInt(9);
    float[] x = new float[rows * width];
    float[] dy = new float[rows * width];
    float[] inv = new float[rows];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
      dy[i] = (float) r.nextGaussian();
    }
    for (int i = 0; i < rows; i++) {
      inv[i] = (float) (0.5 + r.nextDouble());
    }
    float[] a = new float[width];
    float[] b = new float[width];
    Reference.kernels("scalar").rmsNormGainGradient(from, to, rows, width, x, inv, dy, 0.625f, a);
    Reference.kernels("panama").rmsNormGainGradient(from, to, rows, width, x, inv, dy, 0.625f, b);
    for (int j = 0; j < width; j++) {
      assertEquals(Float.floatToRawIntBits(a[j]), Float.floatToRawIntBits(b[j]), "dg[" + j + "]");
    }
  }

  static Stream<Arguments> softmaxRows() {
    return Stream.of("scalar", "panama").flatMap(impl -> IntStream.of(1, 2, 15, 16, 17, 33, 64, 130)
        .mapToObj(n -> Arguments.of(impl, n)));
  }

  /**
   * Softmax of a row (inside a larger array, neighbours untouched) against double: within (16 + 2n + |a − max|) u
   * of each probability (the exponential's few ulps, the float sum's n roundings, the rounding of the float
   * difference a − max, amplified by exp), or below 2·10⁻³⁸ where a
   * difference under −87 is flushed; wide logits (σ = 30) hit the flush. Hand-computed: equal entries give 1/n.
   */
  @ParameterizedTest(name = "{0}, n = {1}")
  @MethodSource("softmaxRows")
  void softmaxAgainstDouble(String impl, int n) {
    Kernels k = Reference.kernels(impl);
    for (double spread : new double[] {3, 30}) {
      SplittableRandom r = new SplittableRandom(n * 31L + (long) spread);
      float[] a = new float[n + 4];
      for (int j = 0; j < a.length; j++) {
        a[j] = (float) (r.nextGaussian() * spread);
      }
      float[] before = a.clone();
      k.softmax(a, 2, n);
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < n; j++) {
        max = Math.max(max, before[2 + j]);
      }
      double sum = 0;
      for (int j = 0; j < n; j++) {
        sum += Math.exp(before[2 + j] - max);
      }
      for (int j = 0; j < n; j++) {
        double p = Math.exp(before[2 + j] - max) / sum;
        // The float difference a − max is rounded (by any float softmax): |a − max|·u more, relative.
        double d = Math.abs(before[2 + j] - max);
        assertEquals(p, a[2 + j], (16 + 2 * n + d) * U * p + 2e-38, "p[" + j + "], spread " + spread);
      }
      assertEquals(before[0], a[0]);
      assertEquals(before[1], a[1]);
      assertEquals(before[n + 2], a[n + 2]);
      assertEquals(before[n + 3], a[n + 3]);
    }
    float[] equal = new float[n];
    java.util.Arrays.fill(equal, 2.5f);
    k.softmax(equal, 0, n);
    for (float p : equal) {
      assertEquals(1.0 / n, p, 2 * n * U / n);
    }
    float[] withNaN = new float[n];
    withNaN[n - 1] = Float.NaN;
    k.softmax(withNaN, 0, n);
    assertTrue(Float.isNaN(withNaN[0]), "NaN spreads over the row");
  }

  @Test
  void facadeChecksRangesAndAliasing() {
    float[] a = new float[4];
    float[] b = new float[4];
    float[] c = new float[3];
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> Elementwise.gelu(0, 4, a, b, c));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> Elementwise.gelu(2, 1, a, b, new float[4]));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> Elementwise.gelu(0, 4, a, a, b));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> Elementwise.geluBackward(0, 4, a, b, b, a));
    float[] keep = new float[4];
    Elementwise.gelu(0, 4, new float[] {1, 2, 3, 4}, b, keep);
    float[] dy = {1, 1, 1, 1};
    Elementwise.geluBackward(0, 4, new float[] {1, 2, 3, 4}, keep, dy, dy); // dx may be dy
    assertTrue(dy[3] > 1f, "φ'(4) > 1");
  }
}
