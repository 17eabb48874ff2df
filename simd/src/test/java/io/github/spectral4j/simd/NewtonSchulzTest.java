package io.github.spectral4j.simd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.spectral4j.simd.NewtonSchulz.Mode;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class NewtonSchulzTest {
  /** Float GEMMs: entries of the result are accurate to about this, scaled with √size. */
  private static final double FLOAT_TOL = 1e-5;

  /** The scalar map each step applies to every singular value. */
  private static double step(Mode mode, double x) {
    return mode == Mode.QUINTIC
        ? NewtonSchulz.QUINTIC_A * x + NewtonSchulz.QUINTIC_B * x * x * x + NewtonSchulz.QUINTIC_C * x * x * x * x * x
        : 1.5 * x - 0.5 * x * x * x;
  }

  private static double iterate(Mode mode, double x, int steps) {
    for (int s = 0; s < steps; s++) {
      x = step(mode, x);
    }
    return x;
  }

  private static double[] singularValues(FloatMatrix m) {
    return SolverFixtures.singularValues(m);
  }

  // ---- hand-computed cases ------------------------------------------------------------------------

  @Test
  void oneByOneFollowsTheScalarMap() {
    FloatMatrix g = FloatMatrix.of(1, 1, -3);
    FloatMatrix out = FloatMatrix.zeros(1, 1);
    // Quintic from x₀ = 1: 1 → a + b + c = 0.701 → ...; the sign of g is kept.
    NewtonSchulz.Result q = new NewtonSchulz(1, 1).orthogonalize(g, out);
    assertEquals(5, q.steps());
    assertEquals(0.701, step(Mode.QUINTIC, 1), 1e-6);
    double x5 = iterate(Mode.QUINTIC, 1, 5);
    assertEquals(-x5, out.get(0, 0), 1e-5);
    assertEquals(Math.abs(x5 * x5 - 1), q.orthogonalityError(), 1e-5);
    // Cubic: 1 is a fixed point.
    NewtonSchulz.Result c = new NewtonSchulz(1, 1).setOptions(Mode.CUBIC, 7).orthogonalize(g, out);
    assertEquals(-1, out.get(0, 0), 1e-6);
    assertEquals(0, c.orthogonalityError(), 1e-6);
  }

  @Test
  void diagonalEntriesFollowTheScalarMapFromGOverItsFrobeniusNorm() {
    // G = [[4, 0, 0], [0, 3, 0]] (wide), ‖G‖_F = 5: singular values start at 0.8 and 0.6.
    FloatMatrix g = FloatMatrix.of(2, 3, 4, 0, 0, 0, 3, 0);
    for (Mode mode : Mode.values()) {
      for (int steps : new int[] {0, 1, 2, 5}) {
        FloatMatrix out = FloatMatrix.zeros(2, 3);
        NewtonSchulz.Result r = new NewtonSchulz(2, 3).setOptions(mode, steps).orthogonalize(g, out);
        double x = iterate(mode, 0.8, steps);
        double y = iterate(mode, 0.6, steps);
        assertArrayEquals(new float[] {(float) x, 0, 0, 0, (float) y, 0}, out.data(), 1e-5f, mode + " " + steps);
        double expected = Math.hypot(x * x - 1, y * y - 1);
        assertEquals(expected, r.orthogonalityError(), 1e-5, mode + " " + steps);
      }
    }
    // The same matrix transposed (tall) gives the transposed result.
    FloatMatrix tall = FloatMatrix.of(3, 2, 4, 0, 0, 3, 0, 0);
    FloatMatrix out = FloatMatrix.zeros(3, 2);
    new NewtonSchulz(3, 2).orthogonalize(tall, out);
    assertEquals(iterate(Mode.QUINTIC, 0.8, 5), out.get(0, 0), 1e-5);
    assertEquals(iterate(Mode.QUINTIC, 0.6, 5), out.get(1, 1), 1e-5);
  }

  @Test
  void quinticDoesNotConvergeButCubicDoes() {
    // The scalar maps: quintic oscillates in about [0.7, 1.2]; cubic goes to 1.
    double x = 0.9;
    double lo = Double.MAX_VALUE;
    double hi = 0;
    for (int s = 0; s < 50; s++) {
      x = step(Mode.QUINTIC, x);
      if (s > 5) {
        lo = Math.min(lo, x);
        hi = Math.max(hi, x);
      }
    }
    assertTrue(lo >= 0.6 && hi <= 1.3 && hi - lo > 0.1, "quintic range [" + lo + ", " + hi + "]");
    assertEquals(1, iterate(Mode.CUBIC, 0.01, 30), 1e-12);
  }

  @Test
  void zeroGradientGivesZero() {
    FloatMatrix out = FloatMatrix.gaussian(3, 5, 1, 1);
    NewtonSchulz.Result r = new NewtonSchulz(3, 5).orthogonalize(FloatMatrix.zeros(3, 5), out);
    assertArrayEquals(new float[15], out.data());
    assertEquals(Math.sqrt(3), r.orthogonalityError(), 1e-12);
  }

  // ---- oracle: the polar factor and singular values from EJML ----------------------------------------

  static Stream<Arguments> shapes() {
    return Stream.of(
        Arguments.of(1, 7, 1L), Arguments.of(7, 1, 2L), Arguments.of(2, 3, 3L), Arguments.of(13, 7, 4L),
        Arguments.of(7, 13, 5L), Arguments.of(31, 31, 6L), Arguments.of(127, 31, 7L), Arguments.of(31, 127, 8L),
        Arguments.of(64, 207, 9L), Arguments.of(207, 64, 10L), Arguments.of(100, 100, 11L));
  }

  /** Random U·diag(σ)·Vᵀ with σ log-uniform in [lo, hi]. */
  private static FloatMatrix conditioned(int m, int n, double lo, double hi, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    double[] sigma = new double[Math.min(m, n)];
    for (int i = 0; i < sigma.length; i++) {
      sigma[i] = lo * Math.pow(hi / lo, random.nextDouble());
    }
    return SolverFixtures.withSpectrum(m, n, sigma, seed);
  }

  @ParameterizedTest(name = "cubic {0}x{1} seed={2}")
  @MethodSource("shapes")
  void cubicConvergesToThePolarFactor(int m, int n, long seed) {
    FloatMatrix g = conditioned(m, n, 1, 2, seed);
    FloatMatrix before = g.copy();
    FloatMatrix out = FloatMatrix.zeros(m, n);
    NewtonSchulz.Result r = new NewtonSchulz(m, n).setOptions(Mode.CUBIC, 30).orthogonalize(g, out);
    assertArrayEquals(before.data(), g.data(), "g is not modified");
    assertEquals(30, r.steps());
    assertTrue(r.orthogonalityError() < 1e-3, "error " + r.orthogonalityError());
    assertEquals(independentError(out), r.orthogonalityError(), FLOAT_TOL * Math.sqrt(Math.max(m, n)));
    DMatrixRMaj polar = SolverFixtures.polarFactor(g);
    double diff = 0;
    for (int i = 0; i < out.data().length; i++) {
      double d = out.data()[i] - polar.data[i];
      diff += d * d;
    }
    assertTrue(Math.sqrt(diff) <= FLOAT_TOL * Math.sqrt(Math.max(m, n)) * 10, "‖X − UVᵀ‖_F = " + Math.sqrt(diff));
  }

  @ParameterizedTest(name = "quintic {0}x{1} seed={2}")
  @MethodSource("shapes")
  void quinticPutsSingularValuesInABand(int m, int n, long seed) {
    FloatMatrix g = conditioned(m, n, 0.1, 1, seed);
    FloatMatrix out = FloatMatrix.zeros(m, n);
    NewtonSchulz.Result r = new NewtonSchulz(m, n).orthogonalize(g, out);
    assertEquals(5, r.steps());
    double[] s = singularValues(out);
    assertTrue(s[0] <= 1.3 && s[s.length - 1] >= 0.6, "singular values in [" + s[s.length - 1] + ", " + s[0] + "]");
    assertEquals(independentError(out), r.orthogonalityError(), FLOAT_TOL * Math.sqrt(Math.max(m, n)));
    // Singular vectors are those of g: out is the polar factor up to the band, so ‖out − UVᵀ‖₂ ≤ 0.4.
    DMatrixRMaj polar = SolverFixtures.polarFactor(g);
    FloatMatrix diff = out.copy();
    for (int i = 0; i < diff.data().length; i++) {
      diff.data()[i] -= (float) polar.data[i];
    }
    assertTrue(singularValues(diff)[0] <= 0.4 + 1e-4, "‖X − UVᵀ‖* = " + singularValues(diff)[0]);
  }

  @ParameterizedTest(name = "quintic gaussian {0}x{1} seed={2}")
  @MethodSource("gaussianShapes")
  void quinticOnAWideGaussianGradient(int m, int n, long seed) {
    FloatMatrix g = FloatMatrix.gaussian(m, n, 1, seed);
    FloatMatrix out = FloatMatrix.zeros(m, n);
    new NewtonSchulz(m, n).orthogonalize(g, out);
    double[] s = singularValues(out);
    assertTrue(s[0] <= 1.3 && s[s.length - 1] >= 0.6, "singular values in [" + s[s.length - 1] + ", " + s[0] + "]");
  }

  static Stream<Arguments> gaussianShapes() {
    return Stream.of(Arguments.of(16, 64, 1L), Arguments.of(64, 16, 2L), Arguments.of(32, 256, 3L), Arguments.of(256, 32, 4L));
  }

  @Test
  void outputMayBeTheInput() {
    FloatMatrix g = conditioned(9, 5, 1, 2, 3);
    FloatMatrix expected = FloatMatrix.zeros(9, 5);
    NewtonSchulz ns = new NewtonSchulz(9, 5).setOptions(Mode.CUBIC, 3);
    NewtonSchulz.Result r1 = ns.orthogonalize(g, expected);
    NewtonSchulz.Result r2 = ns.orthogonalize(g, g);
    assertArrayEquals(expected.data(), g.data(), 1e-6f);
    assertEquals(r1.orthogonalityError(), r2.orthogonalityError(), 1e-6);
  }

  @Test
  void scaleInvariant() {
    FloatMatrix g = conditioned(20, 12, 0.2, 1, 4);
    FloatMatrix reference = FloatMatrix.zeros(20, 12);
    NewtonSchulz ns = new NewtonSchulz(20, 12);
    ns.orthogonalize(g, reference);
    for (double scale : new double[] {1e-30, 1e30}) {
      FloatMatrix scaled = g.copy();
      for (int i = 0; i < scaled.data().length; i++) {
        scaled.data()[i] *= (float) scale;
      }
      FloatMatrix out = FloatMatrix.zeros(20, 12);
      ns.orthogonalize(scaled, out);
      assertArrayEquals(reference.data(), out.data(), 1e-5f, "scale " + scale);
    }
  }

  /** ‖XXᵀ − I‖_F (wide) or ‖XᵀX − I‖_F (tall), in double. */
  private static double independentError(FloatMatrix x) {
    boolean tall = x.rows() > x.cols();
    int p = Math.min(x.rows(), x.cols());
    int q = Math.max(x.rows(), x.cols());
    double e = 0;
    for (int i = 0; i < p; i++) {
      for (int j = 0; j < p; j++) {
        double s = 0;
        for (int t = 0; t < q; t++) {
          s += tall ? (double) x.get(t, i) * x.get(t, j) : (double) x.get(i, t) * x.get(j, t);
        }
        s -= i == j ? 1 : 0;
        e += s * s;
      }
    }
    return Math.sqrt(e);
  }

  // ---- bad input -------------------------------------------------------------------------------------

  @Test
  void rejectsBadInput() {
    assertThrows(IllegalArgumentException.class, () -> new NewtonSchulz(0, 3));
    NewtonSchulz ns = new NewtonSchulz(3, 4);
    IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
        () -> ns.orthogonalize(FloatMatrix.zeros(4, 3), FloatMatrix.zeros(3, 4)));
    assertTrue(shape.getMessage().contains("4x3"), shape.getMessage());
    assertThrows(IllegalArgumentException.class, () -> ns.orthogonalize(FloatMatrix.zeros(3, 4), FloatMatrix.zeros(3, 3)));
    assertThrows(IllegalArgumentException.class, () -> ns.setOptions(null, 5));
    assertThrows(IllegalArgumentException.class, () -> ns.setOptions(Mode.CUBIC, -1));
    for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY}) {
      FloatMatrix g = FloatMatrix.gaussian(3, 4, 1, 1);
      g.set(1, 2, bad);
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> ns.orthogonalize(g, FloatMatrix.zeros(3, 4)));
      assertTrue(e.getMessage().contains("(1, 2)") && e.getMessage().contains(Float.toString(bad)), e.getMessage());
    }
  }
}
