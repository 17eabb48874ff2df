package io.github.spectral4j.trainer.nn;

import io.github.spectral4j.simd.FloatMatrix;

/**
 * The modules' forward passes in double precision, written from their equations with plain loops and
 * independently of the float implementations: the oracle of the finite-difference gradient checks.
 * Matrices are row-major {@code double[]}; {@code rows} counts tokens.
 */
final class Reference {
  private Reference() {}

  static double[] toDouble(FloatMatrix m) {
    float[] a = m.data();
    double[] d = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      d[i] = a[i];
    }
    return d;
  }

  /** y = m·x·Wᵀ + mb·b (b may be null); W is out × in. */
  static double[] linear(double[] x, int rows, int in, int out, double[] w, double m, double[] b, double mb) {
    double[] y = new double[rows * out];
    for (int i = 0; i < rows; i++) {
      for (int o = 0; o < out; o++) {
        double s = 0;
        for (int k = 0; k < in; k++) {
          s += x[i * in + k] * w[o * in + k];
        }
        y[i * out + o] = m * s + (b == null ? 0 : mb * b[o]);
      }
    }
    return y;
  }

  static double[] rmsNorm(double[] x, int rows, int n, double[] g, double m, double eps) {
    double[] y = new double[rows * n];
    for (int i = 0; i < rows; i++) {
      double ms = 0;
      for (int j = 0; j < n; j++) {
        ms += x[i * n + j] * x[i * n + j];
      }
      double rms = Math.sqrt(ms / n + eps);
      for (int j = 0; j < n; j++) {
        y[i * n + j] = m * g[j] * x[i * n + j] / rms;
      }
    }
    return y;
  }

  static double[] gelu(double[] x) {
    double[] y = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      double v = x[i];
      y[i] = 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));
    }
    return y;
  }

  /** Causal multi-head attention on sequences of t rows; projections width × width with multiplier mq… */
  static double[] attention(double[] x, int rows, int width, int heads, int t, double alpha, double[] wq, double mq,
      double[] wk, double mk, double[] wv, double mv, double[] wo, double mo) {
    double[] q = linear(x, rows, width, width, wq, mq, null, 0);
    double[] k = linear(x, rows, width, width, wk, mk, null, 0);
    double[] v = linear(x, rows, width, width, wv, mv, null, 0);
    double[] a = new double[rows * width];
    int dh = width / heads;
    for (int s = 0; s < rows / t; s++) {
      for (int h = 0; h < heads; h++) {
        for (int i = 0; i < t; i++) {
          int qi = (s * t + i) * width + h * dh;
          double[] logits = new double[i + 1];
          double max = Double.NEGATIVE_INFINITY;
          for (int j = 0; j <= i; j++) {
            int kj = (s * t + j) * width + h * dh;
            double dot = 0;
            for (int c = 0; c < dh; c++) {
              dot += q[qi + c] * k[kj + c];
            }
            logits[j] = alpha * dot;
            max = Math.max(max, logits[j]);
          }
          double sum = 0;
          for (int j = 0; j <= i; j++) {
            logits[j] = Math.exp(logits[j] - max);
            sum += logits[j];
          }
          for (int j = 0; j <= i; j++) {
            int vj = (s * t + j) * width + h * dh;
            for (int c = 0; c < dh; c++) {
              a[qi + c] += logits[j] / sum * v[vj + c];
            }
          }
        }
      }
    }
    return linear(a, rows, width, width, wo, mo, null, 0);
  }

  static double[] add(double[] x, double alpha, double[] y) {
    double[] z = x.clone();
    for (int i = 0; i < z.length; i++) {
      z[i] += alpha * y[i];
    }
    return z;
  }

  /** Mean over rows of logsumexp(z_i) − z_{i, y_i}. */
  static double crossEntropy(double[] z, int rows, int v, int[] targets) {
    double total = 0;
    for (int i = 0; i < rows; i++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < v; j++) {
        max = Math.max(max, z[i * v + j]);
      }
      double sum = 0;
      for (int j = 0; j < v; j++) {
        sum += Math.exp(z[i * v + j] - max);
      }
      total += max + Math.log(sum) - z[i * v + targets[i]];
    }
    return total / rows;
  }

  static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }
}
