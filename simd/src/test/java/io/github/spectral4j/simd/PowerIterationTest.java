package io.github.spectral4j.simd;

import static io.github.spectral4j.simd.SolverFixtures.SIGMA_TOL;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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

class PowerIterationTest {
  /** Residual tolerance asked of the solver; the σ checks use the looser SIGMA_TOL. */
  private static final double TOL = 1e-6;
  /** Float products: A·v = σ·u holds to about this many ulps of σ₁, scaled by √size below. */
  private static final double FLOAT_RESIDUAL = 1e-6;

  private static PowerIteration solver(FloatMatrix a) {
    return new PowerIteration(a.rows(), a.cols()).setOptions(200_000, TOL);
  }

  private static void assertTriplet(FloatMatrix a, PowerIteration p, PowerIteration.Result r) {
    float[] u = p.leftVector();
    float[] v = p.rightVector();
    double size = Math.sqrt(Math.max(a.rows(), a.cols()));
    assertEquals(1, SolverFixtures.norm(u), 1e-6 * size, "‖u‖");
    assertEquals(1, SolverFixtures.norm(v), 1e-6 * size, "‖v‖");
    double left = SolverFixtures.leftResidual(a, u, v, r.sigma());
    double right = SolverFixtures.rightResidual(a, u, v, r.sigma());
    assertTrue(left <= FLOAT_RESIDUAL * size * r.sigma(), "‖Av − σu‖ = " + left + ", σ = " + r.sigma());
    assertTrue(right <= (TOL + FLOAT_RESIDUAL * size) * r.sigma(), "‖Aᵀu − σv‖ = " + right + ", σ = " + r.sigma());
  }

  // ---- hand-computed cases ------------------------------------------------------------------------

  @Test
  void diagonalMatrixGivesLargestEntryAndUnitVectors() {
    FloatMatrix a = FloatMatrix.of(3, 3, 2, 0, 0, 0, -3, 0, 0, 0, 1);
    PowerIteration p = solver(a);
    PowerIteration.Result r = p.run(a);
    assertTrue(r.converged());
    assertEquals(3, r.sigma(), 3 * TOL);
    assertEquals(2 * r.iterations(), r.matVecs());
    // σ₁ = 3 with v = ±e₂ and u = −v (the entry is −3).
    assertEquals(1, Math.abs(p.rightVector()[1]), 1e-6);
    assertEquals(-p.rightVector()[1], p.leftVector()[1], 1e-6);
    assertTriplet(a, p, r);
  }

  @Test
  void twoByTwoWithKnownSingularValues() {
    // AᵀA = [[25, 20], [20, 25]] has eigenvalues 45 and 5: σ = 3√5, √5; v₁ = (1, 1)/√2.
    FloatMatrix a = FloatMatrix.of(2, 2, 3, 0, 4, 5);
    PowerIteration p = solver(a);
    PowerIteration.Result r = p.run(a);
    assertTrue(r.converged());
    assertEquals(3 * Math.sqrt(5), r.sigma(), 1e-6 * r.sigma());
    assertEquals(Math.abs(p.rightVector()[0]), Math.abs(p.rightVector()[1]), 1e-6);
    assertTriplet(a, p, r);
  }

  @Test
  void rankOneOuterProduct() {
    // u = (1, 2, 2), ‖u‖ = 3; v = (3, 4), ‖v‖ = 5: σ₁ = 15, all other singular values 0.
    FloatMatrix a = FloatMatrix.of(3, 2, 3, 4, 6, 8, 6, 8);
    PowerIteration p = solver(a);
    PowerIteration.Result r = p.run(a);
    assertTrue(r.converged());
    assertEquals(15, r.sigma(), 15 * 1e-6);
    assertEquals(1 / 3.0, Math.abs(p.leftVector()[0]), 1e-6);
    assertEquals(4 / 5.0, Math.abs(p.rightVector()[1]), 1e-6);
    assertTrue(r.iterations() <= 2, "rank one converges at once, took " + r.iterations());
  }

  @Test
  void zeroMatrixHasSigmaZero() {
    PowerIteration.Result r = solver(FloatMatrix.zeros(4, 3)).run(FloatMatrix.zeros(4, 3));
    assertEquals(0, r.sigma());
    assertTrue(r.converged());
  }

  // ---- oracle: EJML's SVD ----------------------------------------------------------------------------

  static Stream<Arguments> awkwardShapes() {
    int[] sizes = {1, 2, 3, 7, 13, 31, 127, 207};
    Stream.Builder<Arguments> b = Stream.builder();
    long seed = 11;
    for (int m : sizes) {
      for (int n : sizes) {
        if ((m * 31 + n) % 3 == 0 || m == n || m == 1 || n == 1) {
          b.add(Arguments.of(m, n, seed++));
        }
      }
    }
    b.add(Arguments.of(300, 257, seed++));
    b.add(Arguments.of(241, 300, seed++));
    return b.build();
  }

  @ParameterizedTest(name = "gaussian {0}x{1} seed={2}")
  @MethodSource("awkwardShapes")
  void sigmaMatchesEjmlOnGaussianMatrices(int m, int n, long seed) {
    FloatMatrix a = FloatMatrix.gaussian(m, n, 1, seed);
    PowerIteration p = solver(a);
    PowerIteration.Result r = p.run(a);
    double expected = SolverFixtures.singularValues(a)[0];
    assertTrue(r.converged(), "not converged after " + r.iterations());
    assertEquals(expected, r.sigma(), SIGMA_TOL * expected);
    assertTriplet(a, p, r);
  }

  static LongStream seeds() {
    return LongStream.range(0, 200);
  }

  @ParameterizedTest(name = "small random seed={0}")
  @MethodSource("seeds")
  void sigmaMatchesEjmlOnSmallRandomMatrices(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int m = 1 + random.nextInt(6);
    int n = 1 + random.nextInt(6);
    FloatMatrix a = FloatMatrix.gaussian(m, n, 0.1 + 10 * random.nextDouble(), seed);
    PowerIteration p = solver(a);
    PowerIteration.Result r = p.run(a);
    double expected = SolverFixtures.singularValues(a)[0];
    assertTrue(r.converged(), m + "x" + n + " not converged after " + r.iterations());
    assertEquals(expected, r.sigma(), SIGMA_TOL * expected);
    assertTriplet(a, p, r);
  }

  @ParameterizedTest(name = "rank 3 {0}x{1} seed={2}")
  @MethodSource("lowRankCases")
  void sigmaMatchesEjmlOnLowRankMatrices(int m, int n, long seed) {
    FloatMatrix a = SolverFixtures.withSpectrum(m, n, new double[] {5, 2, 0.5}, seed);
    PowerIteration p = solver(a);
    PowerIteration.Result r = p.run(a);
    double expected = SolverFixtures.singularValues(a)[0];
    assertTrue(r.converged());
    assertEquals(expected, r.sigma(), SIGMA_TOL * expected);
    assertTriplet(a, p, r);
  }

  static Stream<Arguments> lowRankCases() {
    return Stream.of(Arguments.of(3, 3, 1L), Arguments.of(13, 7, 2L), Arguments.of(31, 207, 3L), Arguments.of(300, 128, 4L));
  }

  @ParameterizedTest(name = "sigma2/sigma1=0.99 {0}x{1} seed={2}")
  @MethodSource("nearDegenerateCases")
  void sigmaMatchesEjmlWhenTheTopIsNearlyDegenerate(int m, int n, long seed) {
    FloatMatrix a = SolverFixtures.withSpectrum(m, n, SolverFixtures.nearDegenerateSpectrum(m, n), seed);
    PowerIteration p = solver(a);
    PowerIteration.Result r = p.run(a);
    double expected = SolverFixtures.singularValues(a)[0];
    assertTrue(r.converged());
    assertEquals(expected, r.sigma(), SIGMA_TOL * expected);
    assertTriplet(a, p, r);
  }

  static Stream<Arguments> nearDegenerateCases() {
    return Stream.of(Arguments.of(200, 200, 5L), Arguments.of(257, 64, 6L), Arguments.of(31, 127, 7L));
  }

  // ---- warm start ------------------------------------------------------------------------------------

  @ParameterizedTest(name = "warm start seed={0}")
  @MethodSource("warmSeeds")
  void warmStartNeedsFewerIterationsOnAPerturbedMatrix(long seed) {
    int m = 120;
    int n = 90;
    FloatMatrix a = SolverFixtures.withSpectrum(m, n, SolverFixtures.nearDegenerateSpectrum(m, n), seed);
    PowerIteration warm = solver(a);
    PowerIteration.Result first = warm.run(a);
    assertTrue(first.converged());

    // Unchanged matrix: the previous vectors already satisfy the criterion (up to float rounding, which
    // may differ between runs once the kernels are JIT-compiled).
    assertTrue(warm.run(a).iterations() <= 2);

    FloatMatrix perturbed = a.copy();
    FloatMatrix noise = FloatMatrix.gaussian(m, n, 1e-4, seed + 1000);
    for (int i = 0; i < perturbed.data().length; i++) {
      perturbed.data()[i] += noise.data()[i];
    }
    PowerIteration.Result again = warm.run(perturbed);
    PowerIteration.Result cold = solver(perturbed).run(perturbed);
    assertTrue(again.converged() && cold.converged());
    assertTrue(again.iterations() < cold.iterations(),
        "warm " + again.iterations() + " vs cold " + cold.iterations());
    assertEquals(cold.sigma(), again.sigma(), SIGMA_TOL * cold.sigma());

    warm.reset();
    int afterReset = warm.run(perturbed).iterations();
    assertTrue(Math.abs(afterReset - cold.iterations()) <= 1, "reset makes the next run cold: " + afterReset + " vs " + cold.iterations());
  }

  static LongStream warmSeeds() {
    return LongStream.of(21, 22, 23);
  }

  @Test
  void unconvergedRunSaysSo() {
    FloatMatrix a = SolverFixtures.withSpectrum(60, 40, SolverFixtures.nearDegenerateSpectrum(60, 40), 9);
    PowerIteration.Result r = new PowerIteration(60, 40).setOptions(3, 1e-9).run(a);
    assertFalse(r.converged());
    assertEquals(3, r.iterations());
    assertEquals(6, r.matVecs());
    assertTrue(r.sigma() > 0 && r.sigma() <= 1 + 1e-6);
  }

  @Test
  void coldStartIsAFixedSeedRandomVectorNotAllOnes() {
    // On multiples of the identity AᵀA·v is parallel to v, so even the step taken when a run stops at
    // its cap leaves v at the start vector (up to rounding).
    FloatMatrix i1 = scaledIdentity(70, 1);
    FloatMatrix i3 = scaledIdentity(70, 3);
    PowerIteration p1 = new PowerIteration(70, 70).setOptions(1, 1e-30);
    PowerIteration p2 = new PowerIteration(70, 70).setOptions(1, 1e-30);
    p1.run(i1);
    p2.run(i3);
    assertArrayEquals(p1.rightVector(), p2.rightVector(), 1e-6f);
    float[] v = p1.rightVector();
    assertEquals(1, SolverFixtures.norm(v), 1e-6);
    float min = Float.MAX_VALUE;
    float max = -Float.MAX_VALUE;
    for (float x : v) {
      min = Math.min(min, x);
      max = Math.max(max, x);
    }
    assertTrue(min < 0 && max > 0, "not a constant vector");
    // Reset brings back the same start.
    p1.setOptions(50, 1e-6).run(FloatMatrix.gaussian(70, 70, 1, 3));
    p1.reset();
    p1.setOptions(1, 1e-30).run(i1);
    assertArrayEquals(p2.rightVector(), p1.rightVector(), 1e-6f);
  }

  @Test
  void runsStoppedAtTheirCapContinueTheIteration() {
    // One-iteration warm runs (one per training step, in Diagnostics) must not restart from the same
    // vector: k capped runs of one iteration each take the k steps of one run of k iterations.
    FloatMatrix a = FloatMatrix.gaussian(40, 30, 1, 8);
    PowerIteration stepwise = new PowerIteration(40, 30).setOptions(1, 1e-12);
    PowerIteration whole = new PowerIteration(40, 30).setOptions(6, 1e-12);
    PowerIteration.Result last = null;
    for (int k = 0; k < 6; k++) {
      last = stepwise.run(a);
      assertFalse(last.converged());
    }
    PowerIteration.Result r = whole.run(a);
    assertEquals(r.sigma(), last.sigma(), 1e-6 * r.sigma());
    assertArrayEquals(whole.rightVector(), stepwise.rightVector(), 1e-5f);
  }

  private static FloatMatrix scaledIdentity(int n, float c) {
    FloatMatrix a = FloatMatrix.zeros(n, n);
    for (int i = 0; i < n; i++) {
      a.data()[i * n + i] = c;
    }
    return a;
  }

  @Test
  void warmVectorInTheNullSpaceRestartsCold() {
    FloatMatrix a = FloatMatrix.of(2, 2, 1, 0, 0, 0);
    PowerIteration p = solver(a);
    p.run(a);
    FloatMatrix b = FloatMatrix.of(2, 2, 0, 0, 0, 2); // v = e₁ is in the null space of b
    PowerIteration.Result r = p.run(b);
    assertTrue(r.converged());
    assertEquals(2, r.sigma(), 2e-6);
  }

  @ParameterizedTest(name = "scale={0}")
  @MethodSource("scales")
  void hugeAndTinyMatricesNeitherOverflowNorUnderflow(double scale) {
    FloatMatrix a = FloatMatrix.gaussian(40, 30, 1, 8);
    double expected = SolverFixtures.singularValues(a)[0];
    FloatMatrix scaled = a.copy();
    for (int i = 0; i < scaled.data().length; i++) {
      scaled.data()[i] *= (float) scale;
    }
    PowerIteration p = solver(scaled);
    PowerIteration.Result r = p.run(scaled);
    assertTrue(r.converged(), r.toString());
    assertEquals(expected * scale, r.sigma(), SIGMA_TOL * expected * scale);
    assertEquals(1, SolverFixtures.norm(p.leftVector()), 1e-5);
  }

  static Stream<Double> scales() {
    return Stream.of(1e-30, 1e-20, 1e-10, 1e10, 1e20, 1e30);
  }

  /**
   * Scales from where σ₁ exceeds the float range (3.4e38) down to matrices of subnormal entries: the
   * solver rescales instead of overflowing, against the oracle on the float matrix as stored.
   */
  @ParameterizedTest(name = "scale={0}")
  @MethodSource("extremeScales")
  void sigmaBeyondTheFloatRangeOrAmongSubnormalsConverges(double scale) {
    FloatMatrix a = FloatMatrix.gaussian(300, 200, 1, 17);
    for (int i = 0; i < a.data().length; i++) {
      a.data()[i] = (float) (a.data()[i] * scale);
    }
    assertTrue(a.isFinite());
    double expected = SolverFixtures.singularValues(a)[0];
    PowerIteration p = solver(a);
    PowerIteration.Result r = p.run(a);
    assertTrue(r.converged(), r.toString());
    assertTrue(r.iterations() < 2000, r.toString());
    assertEquals(expected, r.sigma(), SIGMA_TOL * expected, r.toString());
    assertEquals(1, SolverFixtures.norm(p.leftVector()), 1e-5);
    assertEquals(1, SolverFixtures.norm(p.rightVector()), 1e-5);
  }

  static Stream<Double> extremeScales() {
    // 1e37: σ₁ ≈ (√300 + √200)·1e37 ≈ 3.1e38·… above Float.MAX_VALUE; 1e-43: entries are subnormal.
    return Stream.of(3e37, 1e37, 1e25, 1e-25, 1e-36, 1e-40, 1e-43);
  }

  @Test
  void rankOneMatrixWithSigmaFarBeyondTheFloatRange() {
    // Every entry 1e37·(1 + small): σ₁ ≈ 100·1e37 = 1e39, about three times Float.MAX_VALUE.
    FloatMatrix a = FloatMatrix.gaussian(100, 100, 0.01, 3);
    for (int i = 0; i < a.data().length; i++) {
      a.data()[i] = (float) (1e37 * (1 + a.data()[i]));
    }
    double expected = SolverFixtures.singularValues(a)[0];
    assertTrue(expected > Float.MAX_VALUE);
    PowerIteration.Result r = solver(a).run(a);
    assertTrue(r.converged() && r.iterations() < 10, r.toString());
    assertEquals(expected, r.sigma(), SIGMA_TOL * expected);
  }

  @Test
  void aGramProductWithNaNIsReportedAsNonFiniteInput() {
    FloatMatrix a = FloatMatrix.gaussian(30, 20, 1, 3);
    PowerIteration p = new PowerIteration(30, 20);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> p.run((x, ax, out) -> {
          Fused.gramTimes(a, x, ax, out);
          out[3] = Float.NaN;
        }, Blas.frobeniusNorm(a), 100));
    assertTrue(e.getMessage().contains("not finite") && e.getMessage().contains("iteration 1")
        && !e.getMessage().contains("too close"), e.getMessage());
  }

  @Test
  void aGramOperatorOutsideTheProductRangeIsToldWhichWayToScale() {
    FloatMatrix a = FloatMatrix.gaussian(6, 5, 1, 3);
    PowerIteration p = new PowerIteration(6, 5);
    IllegalArgumentException tiny =
        assertThrows(IllegalArgumentException.class, () -> p.run(dense(a), 1e-44, 10));
    assertTrue(tiny.getMessage().contains("too small") && tiny.getMessage().contains("scale the operator up"),
        tiny.getMessage());
    IllegalArgumentException huge =
        assertThrows(IllegalArgumentException.class, () -> p.run(dense(a), 1e39, 10));
    assertTrue(huge.getMessage().contains("too large") && huge.getMessage().contains("scale the operator down"),
        huge.getMessage());
  }

  // ---- a matrix given by its Gram product --------------------------------------------------------

  private static PowerIteration.Gram dense(FloatMatrix a) {
    return (x, ax, out) -> Fused.gramTimes(a, x, ax, out);
  }

  @ParameterizedTest(name = "gaussian {0}x{1} seed={2}")
  @MethodSource("awkwardShapes")
  void gramRunIsTheSameIterationAsTheMatrixRun(int m, int n, long seed) {
    FloatMatrix a = FloatMatrix.gaussian(m, n, 1, seed);
    PowerIteration byMatrix = solver(a);
    PowerIteration byGram = solver(a);
    PowerIteration.Result r = byMatrix.run(a);
    PowerIteration.Result g = byGram.run(dense(a), Blas.frobeniusNorm(a), 200_000);
    // Same start, scale and loop: the same numbers, bit for bit.
    assertEquals(r, g);
    assertArrayEquals(byMatrix.rightVector(), byGram.rightVector());
    assertArrayEquals(byMatrix.leftVector(), byGram.leftVector());
    double expected = SolverFixtures.singularValues(a)[0];
    assertEquals(expected, g.sigma(), SIGMA_TOL * expected);
    assertTriplet(a, byGram, g);
    // The cap is the argument's, not setOptions's.
    PowerIteration.Result capped = solver(a).run(dense(a), Blas.frobeniusNorm(a), 1);
    assertEquals(1, capped.iterations());
  }

  @Test
  void gramRunOnTheZeroMatrixNeedsNoProduct() {
    PowerIteration p = new PowerIteration(4, 3);
    PowerIteration.Result r = p.run((x, ax, out) -> {
      throw new AssertionError("no product expected");
    }, 0, 10);
    assertEquals(new PowerIteration.Result(0, true, 0, 0), r);
    assertEquals(1, SolverFixtures.norm(p.leftVector()), 1e-6);
    assertEquals(1, SolverFixtures.norm(p.rightVector()), 1e-6);
  }

  @ParameterizedTest(name = "recent norm x{0}")
  @MethodSource("normMisestimates")
  void prepareAndResumeWithTheCallersFirstProductEqualARun(double misestimate) {
    FloatMatrix a = SolverFixtures.withSpectrum(70, 50, SolverFixtures.nearDegenerateSpectrum(70, 50), 5);
    FloatMatrix b = FloatMatrix.gaussian(70, 50, 1, 6); // a matrix run first, for a warm start
    double fa = Blas.frobeniusNorm(a);
    double fb = Blas.frobeniusNorm(b);
    PowerIteration split = solver(a);
    PowerIteration whole = solver(a);
    split.run(dense(b), fb, 200_000);
    whole.run(dense(b), fb, 200_000);

    double c = split.prepare(fa * misestimate);
    assertEquals(Math.scalb(1.0, -Math.getExponent(fa * misestimate)), c);
    dense(a).apply(split.scaledVector(), split.leftVector(), split.gramVector());
    PowerIteration.Result resumed = split.resume(dense(a), fa, 200_000);
    PowerIteration.Result run = whole.run(dense(a), fa, 200_000);
    if (Math.abs(Math.getExponent(fa * misestimate) - Math.getExponent(fa)) <= 8) {
      // Products at another power-of-two scale are exact rescalings (nothing overflows here).
      assertEquals(run, resumed);
      assertArrayEquals(whole.rightVector(), split.rightVector());
    } else {
      // Too far off: the first products are redone at the right scale, so the run is the same.
      assertEquals(run, resumed);
    }
    assertTrue(resumed.converged());
    double expected = SolverFixtures.singularValues(a)[0];
    assertEquals(expected, resumed.sigma(), SIGMA_TOL * expected);
    assertTriplet(a, split, resumed);
  }

  static Stream<Double> normMisestimates() {
    return Stream.of(1.0, 3.0, 0.01, 1e6, 1e-6);
  }

  @Test
  void prepareFusedWithDifferenceGramTimesTracksAMatrixAndItsDrift() {
    int m = 60;
    int n = 45;
    FloatMatrix w0 = FloatMatrix.gaussian(m, n, 1, 31);
    FloatMatrix w = w0.copy();
    PowerIteration pw = new PowerIteration(m, n).setOptions(1000, 1e-6);
    PowerIteration pd = new PowerIteration(m, n).setOptions(1000, 1e-6);
    double driftNorm = Blas.frobeniusNorm(w0); // no drift yet: a loose first estimate
    for (int step = 0; step < 5; step++) {
      Blas.axpy(1f, FloatMatrix.gaussian(m, n, 0.05, 100 + step).data(), w.data());
      FloatMatrix drift = w.copy();
      Blas.axpy(-1f, w0.data(), drift.data());
      double weightNorm = Blas.frobeniusNorm(w);
      pw.prepare(weightNorm);
      pd.prepare(driftNorm);
      double sq = Fused.differenceGramTimes(
          w, w0, pw.scaledVector(), pw.leftVector(), pw.gramVector(), pd.scaledVector(), pd.leftVector(), pd.gramVector());
      driftNorm = Math.sqrt(sq);
      assertEquals(Blas.frobeniusNorm(drift), driftNorm, 1e-5 * driftNorm);
      assertTracked(w, pw, pw.resume(dense(w), weightNorm, 1000), step);
      assertTracked(drift, pd, pd.resume(dense(drift), driftNorm, 1000), step);
    }
  }

  private static void assertTracked(FloatMatrix a, PowerIteration p, PowerIteration.Result r, int step) {
    assertTrue(r.converged(), r.toString());
    double expected = SolverFixtures.singularValues(a)[0];
    assertEquals(expected, r.sigma(), SIGMA_TOL * expected, "step " + step);
    assertTriplet(a, p, r);
  }

  @Test
  void resumeNeedsPrepareAndGramArgumentsAreChecked() {
    FloatMatrix a = FloatMatrix.gaussian(5, 4, 1, 2);
    PowerIteration p = new PowerIteration(5, 4);
    assertThrows(IllegalStateException.class, () -> p.resume(dense(a), 1, 10));
    p.prepare(Blas.frobeniusNorm(a));
    p.run(a);
    assertThrows(IllegalStateException.class, () -> p.resume(dense(a), 1, 10));
    p.prepare(Blas.frobeniusNorm(a));
    p.reset();
    assertThrows(IllegalStateException.class, () -> p.resume(dense(a), 1, 10));
    assertThrows(IllegalArgumentException.class, () -> p.prepare(0));
    assertThrows(IllegalArgumentException.class, () -> p.prepare(Double.NaN));
    assertThrows(IllegalArgumentException.class, () -> p.run(null, 1, 10));
    assertThrows(IllegalArgumentException.class, () -> p.run(dense(a), -1, 10));
    assertThrows(IllegalArgumentException.class, () -> p.run(dense(a), Double.POSITIVE_INFINITY, 10));
    assertThrows(IllegalArgumentException.class, () -> p.run(dense(a), 1, 0));
  }

  // ---- bad input -------------------------------------------------------------------------------------

  @Test
  void rejectsBadInput() {
    assertThrows(IllegalArgumentException.class, () -> new PowerIteration(0, 3));
    assertThrows(IllegalArgumentException.class, () -> new PowerIteration(3, -1));
    PowerIteration p = new PowerIteration(3, 2);
    IllegalArgumentException shape =
        assertThrows(IllegalArgumentException.class, () -> p.run(FloatMatrix.zeros(2, 3)));
    assertTrue(shape.getMessage().contains("3x2") && shape.getMessage().contains("2x3"), shape.getMessage());
    assertThrows(IllegalArgumentException.class, () -> p.setOptions(0, 1e-6));
    assertThrows(IllegalArgumentException.class, () -> p.setOptions(10, 0));
    assertThrows(IllegalArgumentException.class, () -> p.setOptions(10, Double.NaN));
    assertThrows(IllegalArgumentException.class, () -> p.run(null));
  }

  @Test
  void rejectsNonFiniteEntries() {
    for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
      FloatMatrix a = FloatMatrix.gaussian(4, 5, 1, 1);
      a.set(2, 3, bad);
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> new PowerIteration(4, 5).run(a));
      assertTrue(e.getMessage().contains("(2, 3)") && e.getMessage().contains(Float.toString(bad)), e.getMessage());
    }
  }
}
