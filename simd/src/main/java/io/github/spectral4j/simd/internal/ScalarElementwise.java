package io.github.spectral4j.simd.internal;

/**
 * The element-wise kernels of a training step in plain float arithmetic: the scalar implementation, and the
 * tail of every Vector API loop in {@code PanamaElementwise}. Each lane there runs exactly the operations
 * written here (same order, the same {@link Math#fma}s, IEEE division), so the two implementations agree
 * bit for bit and a result does not depend on where a split between threads or a vector tail falls.
 *
 * <p>GELU in its tanh form, {@code φ(x) = ½x(1 + tanh u)}, {@code u = √(2/π)(x + 0.044715x³)}, is evaluated
 * as {@code x·σ(2u)}, σ the logistic function ({@code ½(1 + tanh u) = σ(2u)}). With {@code e = exp(−2|u|)}
 * ∈ (0, 1] and the kept value {@code k = e/(1 + e) = σ(−2|u|)} ∈ [0, ½], {@code σ(2u) = 1 − k} for x ≥ 0 and
 * {@code k} for x &lt; 0: no cancellation on either tail (the form {@code 1 − 2/(e^{2u} + 1)} loses the
 * relative accuracy of {@code 1 + tanh u} for x ≪ 0). The derivative reuses k:
 * {@code φ'(x) = σ(2u) + 2x·σ(2u)(1 − σ(2u))·u'(x)} and {@code σ(2u)(1 − σ(2u)) = k(1 − k)} on both sides,
 * {@code u'(x) = √(2/π)(1 + 3·0.044715x²)}. exp is {@code 2^j·p(r)}, j = round(z·log₂e), {@code r = z − j·ln 2}
 * (two-constant reduction, exact with fma), p the degree-7 Taylor polynomial (truncation below 6e-9 on
 * |r| ≤ ½ln 2); arguments below {@link #EXP_MIN} give e = 0: then x &lt; −9.99 and {@code |φ(x)| < 2·10⁻³⁷},
 * returned as −0, and {@code |φ'(x)| < 4·10⁻³⁶} as 0 (and x = ±∞ gives φ = −0 or +∞, φ' = 0 or 1; NaN gives NaN).
 */
final class ScalarElementwise {
  /** √(2/π) in float. */
  static final float C = 0.7978845608028654f;
  /** The cubic coefficient of u. */
  static final float A = 0.044715f;
  /** −2·√(2/π): z = −2|u| = NEG_2C·|x|·(1 + A·x²). */
  static final float NEG_2C = -2 * C;
  /** 2√(2/π) and 3A: 2u'(x) = TWO_C·(1 + THREE_A·x²). */
  static final float TWO_C = 2 * C;
  static final float THREE_A = 3 * A;
  /** Below this the exponential is flushed to 0 (2^j would leave the normal range). */
  static final float EXP_MIN = -87f;
  static final float LOG2E = 1.4426950408889634f;
  /** ln 2 split so that j·LN2_HI is exact in an fma and LN2_LO carries the rest. */
  static final float LN2_HI = 0.693145751953125f;
  static final float LN2_LO = 1.4286068202862268e-6f;
  /** 1.5·2²³: adding it rounds a float of magnitude below 2²² to an integer (round to nearest even). */
  static final float ROUNDER = 12582912f;
  /** Taylor coefficients 1/7! … 1/2! of exp. */
  static final float P7 = 1f / 5040;
  static final float P6 = 1f / 720;
  static final float P5 = 1f / 120;
  static final float P4 = 1f / 24;
  static final float P3 = 1f / 6;
  static final float P2 = 0.5f;
  /** Float bits of 2^j are (j + 127) &lt;&lt; 23 = (bits(j + ROUNDER) &lt;&lt; 23) + EXP_BIAS (wrapping int arithmetic). */
  static final int EXP_BIAS = (127 << 23) - (Float.floatToRawIntBits(ROUNDER) << 23);

  private ScalarElementwise() {}

  /** exp(z) for z ≤ 0 or NaN, 0 below {@link #EXP_MIN}. */
  static float expNonPositive(float z) {
    float shifted = z * LOG2E + ROUNDER;
    float j = shifted - ROUNDER;
    float r = Math.fma(j, -LN2_HI, z);
    r = Math.fma(j, -LN2_LO, r);
    float p = Math.fma(P7, r, P6);
    p = Math.fma(p, r, P5);
    p = Math.fma(p, r, P4);
    p = Math.fma(p, r, P3);
    p = Math.fma(p, r, P2);
    p = Math.fma(p, r, 1f);
    p = Math.fma(p, r, 1f);
    float scale = Float.intBitsToFloat((Float.floatToRawIntBits(shifted) << 23) + EXP_BIAS);
    return z < EXP_MIN ? 0f : p * scale;
  }

  /** The kept value k = σ(−2|u|) of x. */
  static float geluKeep(float x) {
    float x2 = x * x;
    float z = (Math.abs(x) * NEG_2C) * Math.fma(x2, A, 1f);
    float e = expNonPositive(z);
    return e / (1f + e);
  }

  /** φ(x) from x and its kept value k. */
  static float gelu(float x, float k) {
    float s = x >= 0 ? 1f - k : k;
    return k == 0f && x < 0 ? -0f : x * s;
  }

  /** φ'(x) from x and its kept value k. */
  static float geluDerivative(float x, float k) {
    float s = x >= 0 ? 1f - k : k;
    float slope = (x * TWO_C) * Math.fma(x * x, THREE_A, 1f);
    float d = Math.fma(slope, k * (1f - k), s);
    return k == 0f ? s : d;
  }

  static void gelu(int from, int to, float[] x, float[] y, float[] keep) {
    for (int i = from; i < to; i++) {
      float v = x[i];
      float k = geluKeep(v);
      keep[i] = k;
      y[i] = gelu(v, k);
    }
  }

  static void geluBackward(int from, int to, float[] x, float[] keep, float[] dy, float[] dx) {
    for (int i = from; i < to; i++) {
      dx[i] = dy[i] * geluDerivative(x[i], keep[i]);
    }
  }

  static void adamW(int from, int to, float[] g, float[] m, float[] v, float[] w, float[] d, float b1, float b2,
      float c1, float c2, float lr, float wd, float eps) {
    float a1 = 1 - b1;
    float a2 = 1 - b2;
    for (int k = from; k < to; k++) {
      float gk = g[k];
      float mk = b1 * m[k] + a1 * gk;
      float vk = b2 * v[k] + a2 * gk * gk;
      m[k] = mk;
      v[k] = vk;
      d[k] = -lr * ((mk * c1) / ((float) Math.sqrt(vk * c2) + eps) + wd * w[k]);
    }
  }

  static void rmsNorm(int rowFrom, int rowTo, int width, float[] x, float[] gain, float multiplier, float eps,
      float[] y, float[] inverseRms) {
    for (int i = rowFrom; i < rowTo; i++) {
      int off = i * width;
      double sum = 0;
      for (int j = 0; j < width; j++) {
        double v = x[off + j];
        sum += v * v;
      }
      float r = (float) (1 / Math.sqrt(sum / width + eps));
      inverseRms[i] = r;
      scaledProduct(0, width, multiplier * r, gain, x, off, y);
    }
  }

  /** y[off + j] = (s·g[j])·x[off + j] for j in [from, to). */
  static void scaledProduct(int from, int to, float s, float[] g, float[] x, int off, float[] y) {
    for (int j = from; j < to; j++) {
      y[off + j] = s * g[j] * x[off + j];
    }
  }

  static void rmsNormBackward(int rowFrom, int rowTo, int width, float[] x, float[] gain, float multiplier,
      float[] inverseRms, float[] dy, float[] dx) {
    for (int i = rowFrom; i < rowTo; i++) {
      int off = i * width;
      float dot = 0;
      for (int j = 0; j < width; j++) {
        dot += multiplier * gain[j] * dy[off + j] * x[off + j];
      }
      float r = inverseRms[i];
      rmsNormBackwardRow(0, width, off, r, r * dot / width, x, gain, multiplier, dy, dx);
    }
  }

  /** dx = r·(m·g⊙dy − (x·r)·c) on columns [from, to) of the row at {@code off}. */
  static void rmsNormBackwardRow(int from, int to, int off, float r, float c, float[] x, float[] gain,
      float multiplier, float[] dy, float[] dx) {
    for (int j = from; j < to; j++) {
      dx[off + j] = r * (multiplier * gain[j] * dy[off + j] - x[off + j] * r * c);
    }
  }

  static void rmsNormGainGradient(int colFrom, int colTo, int rows, int width, float[] x, float[] inverseRms,
      float[] dy, float multiplier, float[] dg) {
    java.util.Arrays.fill(dg, colFrom, colTo, 0f);
    for (int i = 0; i < rows; i++) {
      gainRow(colFrom, colTo, i * width, inverseRms[i], x, dy, dg);
    }
    if (multiplier != 1f) {
      for (int j = colFrom; j < colTo; j++) {
        dg[j] *= multiplier;
      }
    }
  }

  /** dg[j] += dy[off + j]·(x[off + j]·r) for j in [from, to). */
  static void gainRow(int from, int to, int off, float r, float[] x, float[] dy, float[] dg) {
    for (int j = from; j < to; j++) {
      dg[j] += dy[off + j] * (x[off + j] * r);
    }
  }

  static void softmax(float[] a, int off, int n) {
    float max = Float.NEGATIVE_INFINITY;
    for (int j = 0; j < n; j++) {
      max = Math.max(max, a[off + j]);
    }
    float sum = 0;
    for (int j = 0; j < n; j++) {
      float e = expNonPositive(a[off + j] - max);
      a[off + j] = e;
      sum += e;
    }
    scale(a, off, 0, n, 1 / sum);
  }

  /** a[off + j] *= s for j in [from, to). */
  static void scale(float[] a, int off, int from, int to, float s) {
    for (int j = from; j < to; j++) {
      a[off + j] *= s;
    }
  }
}
