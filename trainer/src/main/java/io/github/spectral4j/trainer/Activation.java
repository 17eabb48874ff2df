package io.github.spectral4j.trainer;

import java.util.Locale;
import java.util.Map;

/**
 * Element-wise nonlinearity φ of a hidden layer, {@code h_l = φ(W_l h_{l-1})}, with its derivative
 * for backpropagation. GELU uses the tanh approximation
 * {@code 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))}.
 */
public enum Activation {
  RELU {
    @Override
    public float apply(float x) {
      return x > 0 ? x : 0f;
    }

    @Override
    public float derivative(float x) {
      return x > 0 ? 1f : 0f;
    }
  },
  GELU {
    private static final double C = Math.sqrt(2 / Math.PI);

    @Override
    public float apply(float x) {
      double t = Math.tanh(C * (x + 0.044715 * x * x * x));
      return (float) (0.5 * x * (1 + t));
    }

    @Override
    public float derivative(float x) {
      double u = C * (x + 0.044715 * x * x * x);
      double t = Math.tanh(u);
      double du = C * (1 + 3 * 0.044715 * x * x);
      return (float) (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * du);
    }
  },
  TANH {
    @Override
    public float apply(float x) {
      return (float) Math.tanh(x);
    }

    @Override
    public float derivative(float x) {
      double t = Math.tanh(x);
      return (float) (1 - t * t);
    }
  },
  IDENTITY {
    @Override
    public float apply(float x) {
      return x;
    }

    @Override
    public float derivative(float x) {
      return 1f;
    }
  };

  /** φ(x). */
  public abstract float apply(float x);

  /** φ'(x), evaluated at the pre-activation x. */
  public abstract float derivative(float x);

  /** The lower-case name used on the command line, e.g. {@code relu}. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses {@code relu}, {@code gelu}, {@code tanh} or {@code identity}, case-insensitively. */
  public static Activation parse(String name) {
    return EnumNames.parse(Activation.class, name, "activation", Map.of());
  }
}
