package io.github.spectral4j.simd;

import static io.github.spectral4j.simd.SolverFixtures.SIGMA_TOL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class LanczosTest {
  private static final double TOL = 1e-6;
  /** Float products and float bases: residuals and orthogonality hold to this, times √size. */
  private static final double FLOAT_RESIDUAL = 1e-6;

  private static Lanczos.Result compute(FloatMatrix a, int k) {
    return new Lanczos(a.rows(), a.cols(), k).setOptions(1000, TOL).compute(a);
  }

  /** Every returned triplet: orthonormal vectors, A·v = σ·u, ‖Aᵀu − σv‖ within its bound. */
  private static void assertTriplets(FloatMatrix a, Lanczos.Result r) {
    int k = r.singularValues().length;
    double size = Math.sqrt(Math.max(a.rows(), a.cols()));
    double top = r.singularValues()[0];
    assertEquals(a.rows(), r.leftVectors().rows());
    assertEquals(k, r.leftVectors().cols());
    assertEquals(a.cols(), r.rightVectors().rows());
    assertEquals(k, r.rightVectors().cols());
    assertTrue(SolverFixtures.columnOrthonormalityError(r.leftVectors()) <= FLOAT_RESIDUAL * size, "UᵀU ≠ I");
    assertTrue(SolverFixtures.columnOrthonormalityError(r.rightVectors()) <= FLOAT_RESIDUAL * size, "VᵀV ≠ I");
    for (int i = 0; i < k; i++) {
      double s = r.singularValues()[i];
      if (i > 0) {
        assertTrue(s <= r.singularValues()[i - 1], "descending");
      }
      float[] u = SolverFixtures.column(r.leftVectors(), i);
      float[] v = SolverFixtures.column(r.rightVectors(), i);
      double left = SolverFixtures.leftResidual(a, u, v, s);
      double right = SolverFixtures.rightResidual(a, u, v, s);
      double slack = FLOAT_RESIDUAL * size * top;
      assertTrue(left <= slack, "‖Av − σu‖ = " + left + " for σ_" + i + " = " + s);
      assertTrue(right <= r.residualBounds()[i] + slack,
          "‖Aᵀu − σv‖ = " + right + " > bound " + r.residualBounds()[i] + " for σ_" + i + " = " + s);
    }
  }

  private static void assertMatchesOracle(FloatMatrix a, Lanczos.Result r) {
    double[] expected = SolverFixtures.singularValues(a);
    for (int i = 0; i < r.singularValues().length; i++) {
      assertEquals(expected[i], r.singularValues()[i], SIGMA_TOL * expected[i], "σ_" + i);
    }
  }

  // ---- hand-computed cases ------------------------------------------------------------------------

  @Test
  void diagonalMatrixGivesItsLargestEntries() {
    FloatMatrix a = FloatMatrix.zeros(5, 5);
    float[] d = {2, 5, -1, 4, 3};
    for (int i = 0; i < 5; i++) {
      a.set(i, i, d[i]);
    }
    Lanczos.Result r = compute(a, 3);
    assertTrue(r.converged());
    assertEquals(5, r.singularValues()[0], 5e-6);
    assertEquals(4, r.singularValues()[1], 5e-6);
    assertEquals(3, r.singularValues()[2], 5e-6);
    assertEquals(1, Math.abs(r.rightVectors().get(1, 0)), 1e-5); // σ = 5 belongs to e₂
    assertEquals(1, Math.abs(r.rightVectors().get(3, 1)), 1e-5);
    assertEquals(1, Math.abs(r.leftVectors().get(4, 2)), 1e-5);
    assertTriplets(a, r);
  }

  @Test
  void twoByTwoWithKnownSingularValues() {
    FloatMatrix a = FloatMatrix.of(2, 2, 3, 0, 4, 5); // σ = 3√5, √5
    Lanczos.Result r = compute(a, 2);
    assertTrue(r.converged());
    assertEquals(3 * Math.sqrt(5), r.singularValues()[0], 1e-6 * 3 * Math.sqrt(5));
    assertEquals(Math.sqrt(5), r.singularValues()[1], 1e-6 * 3 * Math.sqrt(5));
    assertEquals(4, r.matVecs(), "two steps exhaust a 2×2 matrix");
    assertTriplets(a, r);
  }

  @Test
  void identityHasRepeatedSingularValuesAllFound() {
    int n = 6;
    FloatMatrix a = FloatMatrix.zeros(n, n);
    for (int i = 0; i < n; i++) {
      a.set(i, i, 1);
    }
    Lanczos.Result r = compute(a, 4);
    assertTrue(r.converged());
    for (double s : r.singularValues()) {
      assertEquals(1, s, 1e-6);
    }
    assertTriplets(a, r);
  }

  @Test
  void rankOneOuterProductAndItsNullSpace() {
    FloatMatrix a = FloatMatrix.of(3, 2, 3, 4, 6, 8, 6, 8); // (1, 2, 2)·(3, 4)ᵀ: σ = 15, 0
    Lanczos.Result r = compute(a, 2);
    assertTrue(r.converged());
    assertEquals(15, r.singularValues()[0], 15e-6);
    assertEquals(0, r.singularValues()[1], 15e-6);
    assertEquals(4 / 5.0, Math.abs(r.rightVectors().get(1, 0)), 1e-6);
    assertTriplets(a, r);
  }

  @Test
  void zeroMatrixGivesZerosWithOrthonormalVectors() {
    FloatMatrix a = FloatMatrix.zeros(5, 4);
    Lanczos.Result r = compute(a, 3);
    assertTrue(r.converged());
    for (double s : r.singularValues()) {
      assertEquals(0, s);
    }
    assertTriplets(a, r);
  }

  // ---- oracle: EJML's SVD ----------------------------------------------------------------------------

  static Stream<Arguments> awkwardShapes() {
    int[] sizes = {1, 2, 3, 7, 13, 31, 127, 207};
    Stream.Builder<Arguments> b = Stream.builder();
    long seed = 101;
    for (int m : sizes) {
      for (int n : sizes) {
        if ((m * 17 + n) % 3 == 0 || m == n || m == 1 || n == 1) {
          b.add(Arguments.of(m, n, Math.min(5, Math.min(m, n)), seed++));
        }
      }
    }
    b.add(Arguments.of(300, 257, 6, seed++));
    b.add(Arguments.of(199, 300, 3, seed++));
    b.add(Arguments.of(512, 512, 1, seed++));
    return b.build();
  }

  @ParameterizedTest(name = "gaussian {0}x{1} k={2} seed={3}")
  @MethodSource("awkwardShapes")
  void topKMatchEjmlOnGaussianMatrices(int m, int n, int k, long seed) {
    FloatMatrix a = FloatMatrix.gaussian(m, n, 1, seed);
    Lanczos.Result r = compute(a, k);
    assertTrue(r.converged(), "not converged after " + r.matVecs() + " products");
    assertMatchesOracle(a, r);
    assertTriplets(a, r);
  }

  static LongStream seeds() {
    return LongStream.range(0, 200);
  }

  @ParameterizedTest(name = "small random, whole spectrum, seed={0}")
  @MethodSource("seeds")
  void wholeSpectrumOfSmallMatricesMatchesEjml(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int m = 1 + random.nextInt(8);
    int n = 1 + random.nextInt(8);
    int k = Math.min(m, n);
    FloatMatrix a = FloatMatrix.gaussian(m, n, 0.1 + 10 * random.nextDouble(), seed);
    if (random.nextInt(4) == 0) {
      // Make it rank deficient: copy a row or a column.
      if (m > 1) {
        System.arraycopy(a.data(), 0, a.data(), n, n);
      } else if (n > 1) {
        a.set(0, 1, a.get(0, 0));
      }
    }
    Lanczos.Result r = compute(a, k);
    assertTrue(r.converged());
    double[] expected = SolverFixtures.singularValues(a);
    for (int i = 0; i < k; i++) {
      // Small values are accurate relative to σ₁ (float products), not to themselves.
      assertEquals(expected[i], r.singularValues()[i], SIGMA_TOL * expected[0], "σ_" + i);
    }
    assertTriplets(a, r);
  }

  @ParameterizedTest(name = "rank {2} {0}x{1} seed={3}")
  @MethodSource("lowRankCases")
  void lowRankMatricesMatchEjml(int m, int n, int rank, long seed) {
    double[] sigma = new double[rank];
    for (int i = 0; i < rank; i++) {
      sigma[i] = 10 * Math.pow(0.5, i);
    }
    FloatMatrix a = SolverFixtures.withSpectrum(m, n, sigma, seed);
    Lanczos.Result r = compute(a, rank);
    assertTrue(r.converged());
    assertMatchesOracle(a, r);
    assertTriplets(a, r);
    // Asking beyond the rank: the extra values are zero and the vectors still orthonormal.
    Lanczos.Result beyond = compute(a, Math.min(rank + 2, Math.min(m, n)));
    assertTrue(beyond.converged());
    for (int i = rank; i < beyond.singularValues().length; i++) {
      assertEquals(0, beyond.singularValues()[i], SIGMA_TOL * sigma[0]);
    }
    assertTriplets(a, beyond);
  }

  static Stream<Arguments> lowRankCases() {
    return Stream.of(
        Arguments.of(7, 3, 2, 1L), Arguments.of(31, 13, 3, 2L), Arguments.of(127, 207, 4, 3L), Arguments.of(300, 200, 5, 4L));
  }

  @ParameterizedTest(name = "sigma2/sigma1=0.99 {0}x{1} seed={2}")
  @MethodSource("nearDegenerateCases")
  void nearDegenerateTopMatchesEjmlWithFewerProductsThanPowerIteration(int m, int n, long seed) {
    FloatMatrix a = SolverFixtures.withSpectrum(m, n, SolverFixtures.nearDegenerateSpectrum(m, n), seed);
    Lanczos.Result r = compute(a, 3);
    assertTrue(r.converged());
    assertMatchesOracle(a, r);
    assertTriplets(a, r);

    Lanczos.Result one = compute(a, 1);
    PowerIteration.Result power = new PowerIteration(m, n).setOptions(100_000, TOL).run(a);
    assertTrue(one.converged() && power.converged());
    assertEquals(power.sigma(), one.singularValues()[0], SIGMA_TOL * power.sigma());
    assertTrue(one.matVecs() < power.matVecs(),
        "Lanczos " + one.matVecs() + " products vs power iteration " + power.matVecs());
  }

  static Stream<Arguments> nearDegenerateCases() {
    return Stream.of(Arguments.of(300, 300, 5L), Arguments.of(257, 64, 6L), Arguments.of(31, 127, 7L));
  }

  // ---- options and results ---------------------------------------------------------------------------

  @Test
  void unconvergedRunSaysSo() {
    FloatMatrix a = SolverFixtures.withSpectrum(80, 60, SolverFixtures.nearDegenerateSpectrum(80, 60), 9);
    Lanczos.Result r = new Lanczos(80, 60, 2).setOptions(3, 1e-9).compute(a);
    assertFalse(r.converged());
    assertEquals(6, r.matVecs());
    assertTrue(r.residualBounds()[0] > 1e-9 * r.singularValues()[0]);
    assertTriplets(a, r);
  }

  @Test
  void reusableAcrossMatricesAndShapesOfTheSameSolver() {
    FloatMatrix a = FloatMatrix.gaussian(40, 30, 1, 5);
    FloatMatrix b = SolverFixtures.withSpectrum(40, 30, SolverFixtures.nearDegenerateSpectrum(40, 30), 6);
    Lanczos l = new Lanczos(40, 30, 2);
    Lanczos.Result r1 = l.compute(a);
    Lanczos.Result rb = l.compute(b); // grows the stored bases further than a needed
    Lanczos.Result r2 = l.compute(a);
    // Equal up to float rounding (Vector API reductions may round differently once JIT-compiled).
    assertEquals(r1.singularValues()[0], r2.singularValues()[0], 1e-6 * r1.singularValues()[0]);
    assertEquals(r1.singularValues()[1], r2.singularValues()[1], 1e-6 * r1.singularValues()[0]);
    assertMatchesOracle(b, rb);
    assertTriplets(a, r2);
  }

  @ParameterizedTest(name = "scale={0}")
  @MethodSource("scales")
  void hugeAndTinyMatricesNeitherOverflowNorUnderflow(double scale) {
    FloatMatrix a = FloatMatrix.gaussian(40, 30, 1, 8);
    double[] expected = SolverFixtures.singularValues(a);
    FloatMatrix scaled = a.copy();
    for (int i = 0; i < scaled.data().length; i++) {
      scaled.data()[i] *= (float) scale;
    }
    Lanczos.Result r = compute(scaled, 3);
    assertTrue(r.converged());
    for (int i = 0; i < 3; i++) {
      assertEquals(expected[i] * scale, r.singularValues()[i], SIGMA_TOL * expected[i] * scale);
    }
    assertTrue(SolverFixtures.columnOrthonormalityError(r.rightVectors()) <= 1e-5);
  }

  /** σ₁ above Float.MAX_VALUE and matrices of subnormal entries, against the oracle on the stored floats. */
  @ParameterizedTest(name = "scale={0}")
  @ValueSource(doubles = {3e37, 1e-36, 1e-40, 1e-43})
  void sigmaBeyondTheFloatRangeOrAmongSubnormals(double scale) {
    FloatMatrix a = FloatMatrix.gaussian(300, 200, 1, 17);
    for (int i = 0; i < a.data().length; i++) {
      a.data()[i] = (float) (a.data()[i] * scale);
    }
    double[] expected = SolverFixtures.singularValues(a);
    Lanczos.Result r = compute(a, 2);
    assertTrue(r.converged(), "matVecs " + r.matVecs());
    for (int i = 0; i < 2; i++) {
      assertEquals(expected[i], r.singularValues()[i], SIGMA_TOL * expected[i]);
    }
  }

  static Stream<Double> scales() {
    return Stream.of(1e-30, 1e-20, 1e20, 1e30);
  }

  // ---- bad input -------------------------------------------------------------------------------------

  @Test
  void rejectsBadInput() {
    IllegalArgumentException big = assertThrows(IllegalArgumentException.class, () -> new Lanczos(3, 5, 4));
    assertTrue(big.getMessage().contains("k = 4") && big.getMessage().contains("3x5"), big.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new Lanczos(3, 5, 0));
    assertThrows(IllegalArgumentException.class, () -> new Lanczos(0, 5, 1));
    assertThrows(IllegalArgumentException.class, () -> new Lanczos(3, -5, 1));
    Lanczos l = new Lanczos(3, 5, 2);
    assertThrows(IllegalArgumentException.class, () -> l.compute(FloatMatrix.zeros(5, 3)));
    assertThrows(IllegalArgumentException.class, () -> l.compute(null));
    assertThrows(IllegalArgumentException.class, () -> l.setOptions(1, 1e-6));
    assertThrows(IllegalArgumentException.class, () -> l.setOptions(10, -1));
  }

  @Test
  void rejectsNonFiniteEntries() {
    for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
      FloatMatrix a = FloatMatrix.gaussian(6, 4, 1, 1);
      a.set(5, 0, bad);
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> new Lanczos(6, 4, 2).compute(a));
      assertTrue(e.getMessage().contains("(5, 0)") && e.getMessage().contains(Float.toString(bad)), e.getMessage());
    }
  }
}
