package io.github.spectral4j.trainer.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.spectral4j.core.Layer;
import io.github.spectral4j.core.LayerRole;
import io.github.spectral4j.core.LayerRule;
import io.github.spectral4j.core.Optimizer;
import io.github.spectral4j.core.ParameterKind;
import io.github.spectral4j.core.Parametrization;
import io.github.spectral4j.simd.FloatMatrix;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.opentest4j.AssertionFailedError;

/**
 * Every module's backward pass against central differences of an independent double-precision forward
 * ({@link Reference}), on awkward sizes, for the loss {@code L = Σ C ⊙ Y} with a random seeded C (so
 * {@code ∂L/∂Y = C}); parameters and the input are both checked. Tolerances: {@link GradientCheck}.
 */
class ModuleGradientCheckTest {

  static LayerRule rule(Parametrization p, String name, int fanIn, int fanOut, LayerRole role) {
    return p.rule(new Layer(name, fanIn, fanOut, role), Optimizer.SGD);
  }

  static LayerRule gain(Parametrization p, String name, int width) {
    return p.rule(new Layer(name, 1, width, LayerRole.BIAS, ParameterKind.NORM_GAIN), Optimizer.SGD);
  }

  /** Randomises every vector-like parameter (gains would otherwise be exactly 1, biases exactly 0). */
  static void randomize(List<Parameter> parameters, SplittableRandom r) {
    for (Parameter p : parameters) {
      if (p.isVectorLike()) {
        float[] v = p.value().data();
        for (int i = 0; i < v.length; i++) {
          v[i] = (float) (0.5 + r.nextDouble());
        }
      }
    }
  }

  /**
   * Runs the module in float, then checks every parameter's gradient and the input gradient against the
   * reference {@code y = ref(params, x)}.
   */
  static int check(Module m, int rows, long seed, BiFunction<List<double[]>, double[], double[]> ref) {
    SplittableRandom r = new SplittableRandom(seed);
    randomize(m.parameters(), r);
    FloatMatrix x = FloatMatrix.gaussian(rows, m.inputWidth(), 1.0, r.nextLong());
    FloatMatrix c = FloatMatrix.gaussian(rows, m.outputWidth(), 1.0, r.nextLong());
    FloatMatrix y = m.forward(x);
    assertEquals(rows, y.rows());
    assertEquals(m.outputWidth(), y.cols());
    float[] yFloat = y.data().clone();
    FloatMatrix dx = m.backward(c);

    List<double[]> params = new ArrayList<>();
    for (Parameter p : m.parameters()) {
      params.add(Reference.toDouble(p.value()));
    }
    double[] xd = Reference.toDouble(x);
    double[] cd = Reference.toDouble(c);
    double[] yRef = ref.apply(params, xd);
    for (int i = 0; i < yRef.length; i++) {
      assertEquals(yRef[i], yFloat[i], 1e-4 * (1 + Math.abs(yRef[i])), "forward y[" + i + "]");
    }
    int checked = 0;
    for (int i = 0; i < params.size(); i++) {
      checked += GradientCheck.check(m.parameters().get(i).name(), params.get(i),
          m.parameters().get(i).gradient().data(), () -> Reference.dot(cd, ref.apply(params, xd)));
    }
    checked += GradientCheck.check("input", xd, dx.data(), () -> Reference.dot(cd, ref.apply(params, xd)));
    return checked;
  }

  static Stream<Arguments> parametrizations() {
    return Stream.of(Parametrization.SPECTRAL, Parametrization.NTK, Parametrization.MUP).map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("parametrizations")
  void linearWithBias(Parametrization p) {
    Linear m = new Linear("fc", rule(p, "fc.weight", 7, 5, LayerRole.HIDDEN), rule(p, "fc.bias", 1, 5, LayerRole.BIAS), 11);
    double mw = m.weight().rule().forwardMultiplier();
    double mb = m.bias().rule().forwardMultiplier();
    int n = check(m, 3, 1, (ps, x) -> Reference.linear(x, 3, 7, 5, ps.get(0), mw, ps.get(1), mb));
    assertEquals(35 + 5 + 21, n);
  }

  @Test
  void linearWithoutBiasOnOneRow() {
    Linear m = new Linear("fc", rule(Parametrization.STANDARD, "fc.weight", 13, 1, LayerRole.OUTPUT), null, 5);
    check(m, 1, 2, (ps, x) -> Reference.linear(x, 1, 13, 1, ps.get(0), 1, null, 0));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("parametrizations")
  void rmsNorm(Parametrization p) {
    // 7 columns: scalar code only; 37: two 16-lane vectors and a tail (8-lane: four and a tail).
    for (int width : new int[] {7, 37}) {
      RmsNorm m = new RmsNorm("norm", gain(p, "norm.gain", width));
      double mg = m.gain().rule().forwardMultiplier();
      check(m, 5, 3, (ps, x) -> Reference.rmsNorm(x, 5, width, ps.get(0), mg, RmsNorm.EPSILON));
    }
  }

  @Test
  void gelu() {
    // 3 x 13 inputs of N(0, 1): both tails and the curved middle of GELU.
    check(new Gelu(13), 3, 4, (ps, x) -> Reference.gelu(x));
  }

  static Stream<Arguments> attentionShapes() {
    // width, heads, context, sequences
    return Stream.of(Arguments.of(6, 2, 5, 2), Arguments.of(6, 3, 7, 1), Arguments.of(5, 1, 3, 3), Arguments.of(8, 4, 1, 2));
  }

  @ParameterizedTest(name = "width {0}, heads {1}, context {2}, sequences {3}")
  @MethodSource("attentionShapes")
  void causalSelfAttention(int width, int heads, int context, int sequences) {
    Parametrization p = Parametrization.NTK; // forward multipliers ≠ 1 on every projection
    SelfAttention m = new SelfAttention("att", heads, context, 0.7,
        rule(p, "q", width, width, LayerRole.HIDDEN), rule(p, "k", width, width, LayerRole.HIDDEN),
        rule(p, "v", width, width, LayerRole.HIDDEN), rule(p, "o", width, width, LayerRole.HIDDEN), 9);
    double mult = 1 / Math.sqrt(width);
    int rows = context * sequences;
    check(m, rows, 5 + width, (ps, x) -> Reference.attention(x, rows, width, heads, context, 0.7,
        ps.get(0), mult, ps.get(1), mult, ps.get(2), mult, ps.get(3), mult));
  }

  @Test
  void attentionIsCausal() {
    SelfAttention m = new SelfAttention("att", 2, 4, 1.0,
        rule(Parametrization.STANDARD, "q", 6, 6, LayerRole.HIDDEN), rule(Parametrization.STANDARD, "k", 6, 6, LayerRole.HIDDEN),
        rule(Parametrization.STANDARD, "v", 6, 6, LayerRole.HIDDEN), rule(Parametrization.STANDARD, "o", 6, 6, LayerRole.HIDDEN), 3);
    FloatMatrix x = FloatMatrix.gaussian(8, 6, 1.0, 1);
    float[] before = m.forward(x).data().clone();
    x.set(6, 2, x.get(6, 2) + 1f); // token 2 of sequence 1
    float[] after = m.forward(x).data();
    for (int i = 0; i < 8; i++) {
      boolean affected = i == 6 || i == 7;
      for (int j = 0; j < 6; j++) {
        if (affected) {
          assertTrue(before[i * 6 + j] != after[i * 6 + j] || j > 0 && before[i * 6] != after[i * 6], "row " + i);
        } else {
          assertEquals(before[i * 6 + j], after[i * 6 + j], "row " + i + " must not see a later or other-sequence token");
        }
      }
    }
    assertThrows(IllegalArgumentException.class, () -> m.forward(FloatMatrix.zeros(6, 6)));
  }

  @ParameterizedTest(name = "multiplier {0}")
  @MethodSource("multipliers")
  void residualAroundAnMlp(double alpha) {
    Parametrization p = Parametrization.SPECTRAL;
    Linear up = new Linear("up", rule(p, "up.weight", 5, 11, LayerRole.HIDDEN), null, 1);
    Linear down = new Linear("down", rule(p, "down.weight", 11, 5, LayerRole.HIDDEN), rule(p, "down.bias", 1, 5, LayerRole.BIAS), 2);
    RmsNorm norm = new RmsNorm("norm", gain(p, "norm.gain", 5));
    Residual m = new Residual(Sequential.of(norm, up, new Gelu(11), down), alpha);
    check(m, 4, 6, (ps, x) -> {
      double[] h = Reference.rmsNorm(x, 4, 5, ps.get(0), 1, RmsNorm.EPSILON);
      h = Reference.gelu(Reference.linear(h, 4, 5, 11, ps.get(1), 1, null, 0));
      h = Reference.linear(h, 4, 11, 5, ps.get(2), 1, ps.get(3), 1);
      return Reference.add(x, alpha, h);
    });
  }

  static Stream<Arguments> multipliers() {
    return Stream.of(Arguments.of(1.0), Arguments.of(0.35));
  }

  @Test
  void embeddingScattersRepeatedIds() {
    Embedding e = new Embedding("tok", rule(Parametrization.NTK, "tok", 7, 3, LayerRole.INPUT), 4);
    int[] ids = {2, 5, 2, 0, 6, 2};
    FloatMatrix y = e.forward(ids);
    float m = (float) e.table().rule().forwardMultiplier();
    for (int i = 0; i < ids.length; i++) {
      for (int j = 0; j < 3; j++) {
        assertEquals(m * e.table().value().get(ids[i], j), y.get(i, j));
      }
    }
    FloatMatrix c = FloatMatrix.gaussian(6, 3, 1.0, 8);
    e.backward(c);
    // Hand sum: row 2 collects rows 0, 2 and 5 of C; rows 1, 3, 4 nothing.
    for (int j = 0; j < 3; j++) {
      assertEquals(m * (c.get(0, j) + c.get(2, j) + c.get(5, j)), e.table().gradient().get(2, j), 1e-6);
      assertEquals(0f, e.table().gradient().get(1, j));
      assertEquals(m * c.get(1, j), e.table().gradient().get(5, j), 1e-6);
    }
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> e.forward(new int[] {1, 7}));
    assertTrue(bad.getMessage().contains("7") && bad.getMessage().contains("position 1"), bad.getMessage());
  }

  @Test
  void aWrongGradientFailsTheCheck() {
    // The check must be able to fail: a 2 % error in one entry of a correct gradient is caught.
    Linear m = new Linear("fc", rule(Parametrization.SPECTRAL, "fc.weight", 4, 3, LayerRole.HIDDEN), null, 1);
    SplittableRandom r = new SplittableRandom(3);
    FloatMatrix x = FloatMatrix.gaussian(2, 4, 1.0, r.nextLong());
    FloatMatrix c = FloatMatrix.gaussian(2, 3, 1.0, r.nextLong());
    m.forward(x);
    m.backward(c);
    double[] w = Reference.toDouble(m.weight().value());
    double[] xd = Reference.toDouble(x);
    double[] cd = Reference.toDouble(c);
    float[] g = m.weight().gradient().data().clone();
    GradientCheck.check("w", w, g, () -> Reference.dot(cd, Reference.linear(xd, 2, 4, 3, w, 1, null, 0)));
    g[5] *= 1.02f;
    assertThrows(AssertionFailedError.class,
        () -> GradientCheck.check("w", w, g, () -> Reference.dot(cd, Reference.linear(xd, 2, 4, 3, w, 1, null, 0))));
  }

  @Test
  void sequentialRejectsMismatchedWidthsAndDuplicateNames() {
    Parametrization p = Parametrization.STANDARD;
    Linear a = new Linear("a", rule(p, "a", 3, 4, LayerRole.HIDDEN), null, 1);
    Linear b = new Linear("b", rule(p, "b", 5, 2, LayerRole.HIDDEN), null, 1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Sequential.of(a, b));
    assertTrue(e.getMessage().contains("5") && e.getMessage().contains("4"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Sequential.of(a, new Gelu(4), a));
  }

  @Test
  void buffersAreReusedPerBatchShape() {
    Linear m = new Linear("fc", rule(Parametrization.STANDARD, "fc", 3, 2, LayerRole.HIDDEN), null, 1);
    FloatMatrix y8 = m.forward(FloatMatrix.zeros(8, 3));
    FloatMatrix y5 = m.forward(FloatMatrix.zeros(5, 3));
    assertTrue(y8 != y5);
    assertTrue(y8 == m.forward(FloatMatrix.zeros(8, 3)), "same rows, same buffer");
    assertArrayEquals(new float[10], y5.data());
  }
}
