package io.github.spectral4j.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.spectral4j.core.LayerRule;
import io.github.spectral4j.core.ModelShape;
import io.github.spectral4j.core.Optimizer;
import io.github.spectral4j.core.Parametrization;
import io.github.spectral4j.simd.FloatMatrix;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Forward pass against a hand computation, backward pass against central differences in double. */
class MlpGradientCheckTest {
  /** |analytic − numeric| ≤ ABS + REL·|numeric|: float32 backprop against a double reference. */
  private static final double ABS = 2e-5;
  private static final double REL = 2e-3;
  private static final double STEP = 1e-5;

  @Test
  void forwardMatchesHandComputation() {
    // One hidden ReLU layer, standard parametrization, weights set by hand.
    ModelShape shape = ModelShape.of(new int[] {2, 2, 1}, true);
    List<LayerRule> rules = shape.rules(Parametrization.STANDARD, Optimizer.SGD);
    Mlp mlp = Mlp.initialize(shape, Activation.RELU, rules, 1);
    mlp.weight(0).copyFrom(FloatMatrix.of(2, 2, 1, 2, -1, 1));
    System.arraycopy(new float[] {0.5f, -3f}, 0, mlp.bias(0), 0, 2);
    mlp.weight(1).copyFrom(FloatMatrix.of(1, 2, 2, 3));
    mlp.bias(1)[0] = 1f;
    FloatMatrix out = mlp.forward(FloatMatrix.of(1, 2, 1, 1));
    // z1 = [1+2+0.5, −1+1−3] = [3.5, −3] → h1 = [3.5, 0] → logit = 2·3.5 + 3·0 + 1 = 8.
    assertArrayEquals(new float[] {3.5f, 0f}, mlp.features(0).data());
    assertEquals(8f, out.get(0, 0));
  }

  @Test
  void ntkForwardMultiplierScalesThePreActivation() {
    ModelShape shape = ModelShape.of(new int[] {4, 1}, false);
    Mlp mlp = Mlp.initialize(shape, Activation.IDENTITY, shape.rules(Parametrization.NTK, Optimizer.SGD), 1);
    mlp.weight(0).fill(1f);
    // m = 1/√4: (1+1+1+1)/2 = 2.
    assertEquals(2f, mlp.forward(FloatMatrix.of(1, 4, 1, 1, 1, 1)).get(0, 0));
  }

  static Stream<Arguments> cases() {
    List<Arguments> list = new ArrayList<>();
    for (Activation a : Activation.values()) {
      for (boolean bias : new boolean[] {false, true}) {
        for (Parametrization p : new Parametrization[] {Parametrization.NTK, Parametrization.SPECTRAL}) {
          list.add(Arguments.of(a, bias, p, bias ? Loss.MSE : Loss.CROSS_ENTROPY));
        }
      }
    }
    return list.stream();
  }

  @ParameterizedTest(name = "{0} bias={1} {2} {3}")
  @MethodSource("cases")
  void backwardMatchesFiniteDifferences(Activation act, boolean bias, Parametrization p, Loss loss) {
    int[] dims = {5, 7, 6, 3};
    ModelShape shape = ModelShape.of(dims, bias);
    List<LayerRule> rules = shape.rules(p, Optimizer.SGD);
    Mlp mlp = Mlp.initialize(shape, act, rules, 42);
    int b = 4;
    SplittableRandom r = new SplittableRandom(7);
    FloatMatrix x = FloatMatrix.gaussian(b, dims[0], 1.0, 3);
    int[] labels = new int[b];
    for (int i = 0; i < b; i++) {
      labels[i] = r.nextInt(dims[3]);
    }
    Batch batch = new Batch(x, labels);
    FloatMatrix logits = mlp.forward(x);
    FloatMatrix g = FloatMatrix.zeros(b, dims[3]);
    double floatLoss = loss.lossAndGradient(logits, batch, g);
    mlp.backward(g);

    Reference ref = new Reference(mlp, act, loss);
    assertEquals(ref.loss(x, labels), floatLoss, 1e-5 * Math.max(1, Math.abs(floatLoss)));
    int checked = 0;
    for (int l = 0; l < mlp.depth(); l++) {
      checked += compare("W" + (l + 1), ref, ref.w[l], mlp.weightGradient(l).data(), x, labels);
      if (bias) {
        checked += compare("b" + (l + 1), ref, ref.b[l], mlp.biasGradient(l), x, labels);
      }
    }
    assertTrue(checked >= 95, "checked " + checked + " entries");
  }

  private static int compare(String name, Reference ref, double[] param, float[] analytic, FloatMatrix x, int[] labels) {
    assertEquals(param.length, analytic.length);
    for (int k = 0; k < param.length; k++) {
      double saved = param[k];
      param[k] = saved + STEP;
      double up = ref.loss(x, labels);
      param[k] = saved - STEP;
      double down = ref.loss(x, labels);
      param[k] = saved;
      double numeric = (up - down) / (2 * STEP);
      double tol = ABS + REL * Math.abs(numeric);
      assertEquals(numeric, analytic[k], tol, name + "[" + k + "]");
    }
    return param.length;
  }

  /** The same network in double precision, written out independently of {@link Mlp}. */
  private static final class Reference {
    final int[] dims;
    final double[][] w;
    final double[][] b;
    final double[] mw;
    final double[] mb;
    final Activation act;
    final Loss loss;

    Reference(Mlp mlp, Activation act, Loss loss) {
      this.dims = mlp.shape().dims();
      this.act = act;
      this.loss = loss;
      int depth = mlp.depth();
      w = new double[depth][];
      b = new double[depth][];
      mw = new double[depth];
      mb = new double[depth];
      for (int l = 0; l < depth; l++) {
        w[l] = toDouble(mlp.weight(l).data());
        mw[l] = mlp.weightRule(l).forwardMultiplier();
        if (mlp.bias(l) != null) {
          b[l] = toDouble(mlp.bias(l));
          mb[l] = mlp.biasRule(l).forwardMultiplier();
        }
      }
    }

    double phi(double z) {
      return switch (act) {
        case RELU -> Math.max(0, z);
        case TANH -> Math.tanh(z);
        case IDENTITY -> z;
        case GELU -> 0.5 * z * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (z + 0.044715 * z * z * z)));
      };
    }

    double loss(FloatMatrix x, int[] labels) {
      double total = 0;
      for (int i = 0; i < x.rows(); i++) {
        double[] h = new double[dims[0]];
        for (int j = 0; j < dims[0]; j++) {
          h[j] = x.get(i, j);
        }
        for (int l = 0; l < w.length; l++) {
          int fi = dims[l];
          int fo = dims[l + 1];
          double[] z = new double[fo];
          for (int o = 0; o < fo; o++) {
            double s = 0;
            for (int k = 0; k < fi; k++) {
              s += w[l][o * fi + k] * h[k];
            }
            z[o] = mw[l] * s + (b[l] == null ? 0 : mb[l] * b[l][o]);
            if (l < w.length - 1) {
              z[o] = phi(z[o]);
            }
          }
          h = z;
        }
        if (loss == Loss.CROSS_ENTROPY) {
          double max = Double.NEGATIVE_INFINITY;
          for (double v : h) {
            max = Math.max(max, v);
          }
          double sum = 0;
          for (double v : h) {
            sum += Math.exp(v - max);
          }
          total += max + Math.log(sum) - h[labels[i]];
        } else {
          for (int j = 0; j < h.length; j++) {
            double d = h[j] - (j == labels[i] ? 1 : 0);
            total += 0.5 * d * d;
          }
        }
      }
      return total / x.rows();
    }

    private static double[] toDouble(float[] a) {
      double[] d = new double[a.length];
      for (int i = 0; i < a.length; i++) {
        d[i] = a[i];
      }
      return d;
    }
  }
}
