package io.github.spectral4j.trainer.nn;

import io.github.spectral4j.simd.FloatMatrix;
import java.util.List;

/**
 * The GELU nonlinearity, element-wise, in its tanh form {@code φ(x) = ½x(1 + tanh u)},
 * {@code u = √(2/π)(x + 0.044715x³)}, with {@code φ'(x) = ½(1 + tanh u) + ½x(1 − tanh²u)·√(2/π)(1 +
 * 3·0.044715x²)}. tanh is evaluated as {@code 1 − 2/(e^{2u} + 1)} (one exponential; exact limits ±1).
 * No parameters.
 */
public final class Gelu implements Module {
  private static final double C = Math.sqrt(2 / Math.PI);
  private static final double A = 0.044715;

  private final int width;
  private final Workspaces<Work> works;
  private Work last;
  private FloatMatrix lastInput;

  private static final class Work {
    final FloatMatrix output;
    final FloatMatrix inputGradient;
    /** tanh u of every entry, kept from forward so that backward needs no second exponential. */
    final float[] tanh;

    Work(int rows, int width) {
      output = FloatMatrix.zeros(rows, width);
      inputGradient = FloatMatrix.zeros(rows, width);
      tanh = new float[rows * width];
    }
  }

  /** @param width columns of input and output */
  public Gelu(int width) {
    this.width = Checks.positive("GELU width", width);
    this.works = new Workspaces<>(rows -> new Work(rows, this.width));
  }

  @Override
  public List<Parameter> parameters() {
    return List.of();
  }

  @Override
  public int inputWidth() {
    return width;
  }

  @Override
  public int outputWidth() {
    return width;
  }

  static double tanh(double u) {
    return 1 - 2 / (Math.exp(2 * u) + 1);
  }

  @Override
  public FloatMatrix forward(FloatMatrix input) {
    Checks.columns("gelu", input, width);
    Work w = works.get(input.rows());
    float[] x = input.data();
    float[] y = w.output.data();
    float[] th = w.tanh;
    for (int i = 0; i < x.length; i++) {
      double v = x[i];
      double t = tanh(C * (v + A * v * v * v));
      th[i] = (float) t;
      y[i] = (float) (0.5 * v * (1 + t));
    }
    last = w;
    lastInput = input;
    return w.output;
  }

  @Override
  public FloatMatrix backward(FloatMatrix outputGradient) {
    Checks.forwardDone("gelu", last);
    Checks.sameShape("gelu", outputGradient, last.output);
    float[] x = lastInput.data();
    float[] dy = outputGradient.data();
    float[] dx = last.inputGradient.data();
    float[] th = last.tanh;
    for (int i = 0; i < x.length; i++) {
      double v = x[i];
      double t = th[i];
      double d = 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * C * (1 + 3 * A * v * v);
      dx[i] = (float) (dy[i] * d);
    }
    return last.inputGradient;
  }

  @Override
  public String toString() {
    return "Gelu[" + width + "]";
  }
}
