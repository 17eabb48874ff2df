package io.github.spectral4j.simd;

import static io.github.spectral4j.simd.SolverFixtures.SIGMA_TOL;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.spectral4j.simd.internal.GramProducts;
import io.github.spectral4j.simd.internal.KernelProvider;
import io.github.spectral4j.simd.internal.Parallel;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The σ₁ front door against EJML's SVD in double, on dense, low-rank and difference operators. */
class SpectralNormTest {
  private static final double TOL = 1e-6;
  /** A·v = σ·u holds to about this many ulps of σ₁, scaled by √size. */
  private static final double FLOAT_RESIDUAL = 1e-6;

  private static void assertTriplet(FloatMatrix a, SpectralNorm s, SpectralNorm.Result r) {
    double size = Math.sqrt(Math.max(a.rows(), a.cols()));
    float[] u = s.leftVector();
    float[] v = s.rightVector();
    assertEquals(1, SolverFixtures.norm(u), 1e-6 * size, "‖u‖");
    assertEquals(1, SolverFixtures.norm(v), 1e-6 * size, "‖v‖");
    double left = SolverFixtures.leftResidual(a, u, v, r.sigma());
    double right = SolverFixtures.rightResidual(a, u, v, r.sigma());
    assertTrue(left <= (TOL + FLOAT_RESIDUAL * size) * r.sigma() * 4, "‖Av − σu‖ = " + left + ", " + r);
    assertTrue(right <= (TOL + FLOAT_RESIDUAL * size) * r.sigma() * 4, "‖Aᵀu − σv‖ = " + right + ", " + r);
  }

  @Test
  void handComputedTwoByTwo() {
    // [[3, 0], [4, 5]]: AᵀA = [[25, 20], [20, 25]], eigenvalues 45 and 5, so σ₁ = √45.
    FloatMatrix a = FloatMatrix.of(2, 2, 3, 0, 4, 5);
    SpectralNorm s = new SpectralNorm(2, 2);
    SpectralNorm.Result r = s.of(a);
    assertTrue(r.converged());
    assertEquals(Math.sqrt(45), r.sigma(), 1e-6);
    assertEquals(SpectralNorm.Method.LANCZOS, r.method());
    assertTrue(r.passes() <= 2, r.toString());
    assertTriplet(a, s, r);
  }

  @ParameterizedTest(name = "random shape seed={0}")
  @MethodSource("seeds")
  void coldRunMatchesEjmlOnRandomShapes(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int m = 1 + random.nextInt(60);
    int n = 1 + random.nextInt(60);
    FloatMatrix a = FloatMatrix.gaussian(m, n, random.nextDouble(0.1, 10), seed);
    SpectralNorm s = new SpectralNorm(m, n);
    SpectralNorm.Result r = s.of(a);
    double expected = SolverFixtures.singularValues(a)[0];
    assertTrue(r.converged(), r.toString());
    assertEquals(expected, r.sigma(), SIGMA_TOL * expected, r.toString());
    // Exact arithmetic would finish in min(m, n) + 1 passes; float rounding costs a few more.
    assertTrue(r.passes() <= Math.min(m, n) + 6, r.toString());
    assertTriplet(a, s, r);
  }

  static LongStream seeds() {
    return LongStream.range(0, 200);
  }

  @ParameterizedTest(name = "sigma2/sigma1=0.99 {0}x{1} seed={2}")
  @MethodSource("largeCases")
  void nearlyDegenerateTopAndLargeShapes(int m, int n, long seed) {
    FloatMatrix a = SolverFixtures.withSpectrum(m, n, SolverFixtures.nearDegenerateSpectrum(m, n), seed);
    SpectralNorm s = new SpectralNorm(m, n);
    SpectralNorm.Result r = s.of(a);
    double expected = SolverFixtures.singularValues(a)[0];
    assertTrue(r.converged(), r.toString());
    assertEquals(expected, r.sigma(), SIGMA_TOL * expected, r.toString());
    assertTriplet(a, s, r);
    // Lanczos needs far fewer passes than power iteration here (hundreds).
    assertTrue(r.passes() < 120, r.toString());
  }

  static Stream<Arguments> largeCases() {
    return Stream.of(Arguments.of(600, 500, 5L), Arguments.of(257, 64, 6L), Arguments.of(31, 1027, 7L));
  }

  @Test
  void convergenceChecksAreSkippedForHalfThePredictedDistance() {
    // Bound ratio 1e-2 at step 10, 1e-3 at step 20: ln(0.1)/10 a step, so 1e-6 is 30 steps on; half of them is
    // 15, capped at a quarter of 20.
    assertEquals(5, GramLanczos.predictedSkip(20, 1e-3, 10, 1e-2, 1e-6));
    // 1e-4 at 36, 1e-5 at 40: 1e-6 four steps on, skip two (the cap is 10).
    assertEquals(2, GramLanczos.predictedSkip(40, 1e-5, 36, 1e-4, 1e-6));
    // 1e-4 at 38, 1e-5 at 40: a target 10^-0.75 below is 1.5 steps on, none skipped.
    assertEquals(0, GramLanczos.predictedSkip(40, 1e-5, 38, 1e-4, 1e-5 * Math.pow(10, -0.75)));
    // No earlier check, a bound that did not fall, a bound already at the target: check the next step.
    assertEquals(0, GramLanczos.predictedSkip(20, 1e-3, 0, Double.NaN, 1e-6));
    assertEquals(0, GramLanczos.predictedSkip(20, 1e-3, 10, 1e-3, 1e-6));
    assertEquals(0, GramLanczos.predictedSkip(20, 1e-3, 10, 2e-3, 1e-2));
    assertEquals(0, GramLanczos.predictedSkip(20, Double.NaN, 10, 2e-3, 1e-6));
  }

  @Test
  void restartsWhenTheBasisIsFullAndStillConverges() {
    // 1100 × 600 with a geometric spectrum (ratio 0.999 at the top): more than MAX_BASIS steps needed?
    // Either way the answer must converge to the oracle within the pass limit.
    double[] sigma = new double[600];
    for (int i = 0; i < sigma.length; i++) {
      sigma[i] = Math.pow(0.999, i);
    }
    FloatMatrix a = SolverFixtures.withSpectrum(700, 600, sigma, 11);
    SpectralNorm s = new SpectralNorm(700, 600).setOptions(5000, 1e-6);
    SpectralNorm.Result r = s.of(a);
    assertTrue(r.converged(), r.toString());
    assertEquals(SolverFixtures.singularValues(a)[0], r.sigma(), SIGMA_TOL);
    assertTriplet(a, s, r);
  }

  @Test
  void resultsAreIdenticalForEveryThreadCount() {
    FloatMatrix a = FloatMatrix.gaussian(900, 400, 1, 21); // above the parallel threshold
    int before = Blas.parallelism();
    try {
      Blas.setParallelism(1);
      SpectralNorm one = new SpectralNorm(900, 400);
      SpectralNorm.Result r1 = one.of(a);
      for (int threads : new int[] {2, 3}) {
        Blas.setParallelism(threads);
        SpectralNorm many = new SpectralNorm(900, 400);
        SpectralNorm.Result r = many.of(a);
        assertEquals(r1, r, threads + " threads");
        assertArrayEquals(one.rightVector(), many.rightVector());
        assertArrayEquals(one.leftVector(), many.leftVector());
      }
    } finally {
      Blas.setParallelism(before);
    }
  }

  @ParameterizedTest(name = "warm start seed={0}")
  @ValueSource(longs = {1, 2, 3, 4, 5})
  void warmRunOnAPerturbedMatrixIsPowerIterationAndCheap(long seed) {
    double[] spectrum = {10, 5, 3, 2, 1};
    FloatMatrix a = SolverFixtures.withSpectrum(120, 80, spectrum, seed);
    SpectralNorm s = new SpectralNorm(120, 80);
    SpectralNorm.Result cold = s.of(a);
    FloatMatrix b = a.copy();
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < b.data().length; i++) {
      b.data()[i] += (float) (1e-4 * random.nextGaussian());
    }
    SpectralNorm.Result warm = s.of(b);
    assertEquals(SpectralNorm.Method.POWER_ITERATION, warm.method(), warm.toString());
    assertTrue(warm.converged() && warm.passes() <= SpectralNorm.WARM_POWER_PASSES, warm + " after " + cold);
    assertEquals(SolverFixtures.singularValues(b)[0], warm.sigma(), SIGMA_TOL * 10);
    s.reset();
    assertEquals(SpectralNorm.Method.LANCZOS, s.of(b).method());
  }

  @Test
  void oneWarmPassPerRunTracksAMatrixAcrossRuns() {
    FloatMatrix a = SolverFixtures.withSpectrum(60, 40, new double[] {3, 2.7, 1}, 9);
    SpectralNorm s = new SpectralNorm(60, 40).setOptions(1, 1e-6);
    SpectralNorm.Result r = null;
    for (int run = 0; run < 200; run++) {
      r = s.of(a);
      assertEquals(1, r.passes());
    }
    assertTrue(r.converged(), r.toString());
    assertEquals(3, r.sigma(), 3e-5);
  }

  @ParameterizedTest(name = "low rank seed={0}")
  @MethodSource("seeds")
  void lowRankFactorsGiveTheSigmaOfTheirProduct(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int m = 1 + random.nextInt(40);
    int n = 1 + random.nextInt(40);
    int r = 1 + random.nextInt(8);
    float scale = (float) random.nextDouble(-3, 3);
    FloatMatrix left = FloatMatrix.gaussian(r, m, 1, seed);
    FloatMatrix right = FloatMatrix.gaussian(r, n, 1, seed + 1000);
    FloatMatrix product = FloatMatrix.zeros(m, n);
    Blas.gemm(true, false, scale, left, right, 0f, product);
    double expected = SolverFixtures.singularValues(product)[0];
    SpectralNorm s = new SpectralNorm(m, n);
    SpectralNorm.Result result = s.ofLowRank(scale, left, right);
    assertTrue(result.converged(), result.toString());
    assertEquals(expected, result.sigma(), SIGMA_TOL * expected + 1e-6, result.toString());
    assertTrue(result.passes() <= Math.min(r, Math.min(m, n)) + 6, result.toString());
  }

  @ParameterizedTest(name = "difference seed={0}")
  @MethodSource("seeds")
  void differenceGivesTheSigmaOfAMinusB(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int m = 1 + random.nextInt(40);
    int n = 1 + random.nextInt(40);
    FloatMatrix a = FloatMatrix.gaussian(m, n, 1, seed);
    FloatMatrix b = a.copy();
    double drift = Math.pow(10, -random.nextInt(5));
    for (int i = 0; i < b.data().length; i++) {
      b.data()[i] += (float) (drift * random.nextGaussian());
    }
    FloatMatrix d = FloatMatrix.zeros(m, n);
    for (int i = 0; i < d.data().length; i++) {
      d.data()[i] = a.data()[i] - b.data()[i];
    }
    double expected = SolverFixtures.singularValues(d)[0];
    SpectralNorm.Result r = new SpectralNorm(m, n).ofDifference(a, b);
    assertTrue(r.converged(), r.toString());
    assertEquals(expected, r.sigma(), SIGMA_TOL * expected, r.toString());
  }

  @Test
  void zeroOperatorsHaveSigmaZero() {
    FloatMatrix a = FloatMatrix.gaussian(7, 5, 1, 1);
    SpectralNorm s = new SpectralNorm(7, 5);
    SpectralNorm.Result same = s.ofDifference(a, a.copy());
    assertEquals(0, same.sigma());
    assertTrue(same.converged());
    SpectralNorm.Result zero = s.of(FloatMatrix.zeros(7, 5));
    assertEquals(new SpectralNorm.Result(0, true, 0, SpectralNorm.Method.POWER_ITERATION), zero);
    assertEquals(0, s.ofLowRank(0f, FloatMatrix.gaussian(2, 7, 1, 2), FloatMatrix.gaussian(2, 5, 1, 3)).sigma());
  }

  @ParameterizedTest(name = "scale={0}")
  @ValueSource(doubles = {3e37, 1e30, 1e-30, 1e-43})
  void extremeScalesAreRescaledNotOverflowed(double scale) {
    FloatMatrix a = FloatMatrix.gaussian(90, 70, 1, 17);
    for (int i = 0; i < a.data().length; i++) {
      a.data()[i] = (float) (a.data()[i] * scale);
    }
    double expected = SolverFixtures.singularValues(a)[0];
    SpectralNorm.Result r = new SpectralNorm(90, 70).of(a);
    assertTrue(r.converged(), r.toString());
    assertEquals(expected, r.sigma(), SIGMA_TOL * expected, r.toString());
  }

  @Test
  void rejectsBadInputNamingIt() {
    assertThrows(IllegalArgumentException.class, () -> new SpectralNorm(0, 3));
    SpectralNorm s = new SpectralNorm(4, 3);
    IllegalArgumentException shape = assertThrows(IllegalArgumentException.class, () -> s.of(FloatMatrix.zeros(3, 4)));
    assertTrue(shape.getMessage().contains("4x3") && shape.getMessage().contains("3x4"), shape.getMessage());
    assertThrows(IllegalArgumentException.class, () -> s.of(null));
    assertThrows(IllegalArgumentException.class, () -> s.ofDifference(FloatMatrix.zeros(4, 3), FloatMatrix.zeros(3, 4)));
    IllegalArgumentException factors = assertThrows(IllegalArgumentException.class,
        () -> s.ofLowRank(1f, FloatMatrix.zeros(2, 4), FloatMatrix.zeros(3, 3)));
    assertTrue(factors.getMessage().contains("2x4") && factors.getMessage().contains("3x3"), factors.getMessage());
    assertThrows(IllegalArgumentException.class, () -> s.ofLowRank(Float.NaN, FloatMatrix.zeros(2, 4), FloatMatrix.zeros(2, 3)));
    assertThrows(IllegalArgumentException.class, () -> s.setOptions(0, 1e-6));
    assertThrows(IllegalArgumentException.class, () -> s.setOptions(10, Double.NaN));
    FloatMatrix bad = FloatMatrix.gaussian(4, 3, 1, 1);
    bad.set(1, 2, Float.NaN);
    IllegalArgumentException nan = assertThrows(IllegalArgumentException.class, () -> s.of(bad));
    assertTrue(nan.getMessage().contains("(1, 2)"), nan.getMessage());
    assertThrows(IllegalArgumentException.class, () -> s.ofDifference(FloatMatrix.zeros(4, 3), bad));
    IllegalArgumentException huge = assertThrows(IllegalArgumentException.class,
        () -> s.ofLowRank(1e30f, FloatMatrix.gaussian(2, 4, 1e10, 1), FloatMatrix.gaussian(2, 3, 1e10, 2)));
    assertTrue(huge.getMessage().contains("down"), huge.getMessage());
    assertFalse(huge.getMessage().isEmpty());
  }

  /**
   * The Gram entry ({@link SpectralNorm#of(PowerIteration.Gram, double)}) on a sequence of low-rank
   * updates s·Lᵀ·R whose factors drift from step to step (a training step's ΔW): each run, warm from the
   * last with no power steps (Lanczos at once) or the default four, against EJML's SVD of the formed
   * product in double, to the residual tolerance's accuracy.
   */
  @ParameterizedTest(name = "gram sequence seed={0}")
  @MethodSource("seeds")
  void gramEntryTracksDriftingLowRankUpdates(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int m = 1 + random.nextInt(50);
    int n = 1 + random.nextInt(50);
    int r = 1 + random.nextInt(8);
    double tolerance = random.nextBoolean() ? 1e-2 : 1e-6;
    FloatMatrix left = FloatMatrix.gaussian(r, m, 1, seed);
    FloatMatrix right = FloatMatrix.gaussian(r, n, 1, seed + 1000);
    float[] rx = new float[r];
    float[] lax = new float[r];
    float[] scale = {1f};
    PowerIteration.Gram gram = (x, ax, out) -> {
      Blas.gemv(false, 1f, right, x, 0f, rx);
      Blas.gemv(true, scale[0], left, rx, 0f, ax);
      Blas.gemv(false, 1f, left, ax, 0f, lax);
      Blas.gemv(true, scale[0], right, lax, 0f, out);
    };
    SpectralNorm lanczos = new SpectralNorm(m, n).setWarmPowerPasses(0).setOptions(300, tolerance);
    SpectralNorm mixed = new SpectralNorm(m, n).setOptions(300, tolerance);
    FloatMatrix product = FloatMatrix.zeros(m, n);
    for (int step = 0; step < 4; step++) {
      scale[0] = (float) random.nextDouble(0.1, 3);
      Blas.gemm(true, false, scale[0], left, right, 0f, product);
      double expected = SolverFixtures.singularValues(product)[0];
      double frobenius = Blas.frobeniusNorm(product);
      // σ from a residual ≤ tol·σ lies within tol·σ of a singular value; from a warm start, σ₁'s.
      double allowed = (tolerance + SIGMA_TOL) * expected + 1e-6;
      SpectralNorm.Result a = lanczos.of(gram, frobenius);
      assertTrue(a.converged(), a.toString());
      assertEquals(expected, a.sigma(), allowed, "Lanczos at step " + step + ": " + a);
      if (step > 0) {
        assertEquals(SpectralNorm.Method.LANCZOS, a.method());
      }
      SpectralNorm.Result b = mixed.of(gram, frobenius);
      assertTrue(b.converged(), b.toString());
      assertEquals(expected, b.sigma(), allowed, "power, then Lanczos, at step " + step + ": " + b);
      for (int i = 0; i < left.data().length; i++) {
        left.data()[i] += (float) (0.1 * random.nextGaussian());
      }
      for (int i = 0; i < right.data().length; i++) {
        right.data()[i] += (float) (0.1 * random.nextGaussian());
      }
    }
  }

  /**
   * The dense entry reads ‖A‖_F in its first Lanczos pass (on v, not v·c, rescaled by c afterwards); that must
   * not change a bit against the same solve through the Gram entry with the exactly computed ‖A‖_F, which runs
   * every pass on v·c: σ, the passes and both vectors, cold and then warm without power steps (a drifted
   * matrix), for scales inside the folding window and outside it (where the dense entry reads A again), on 1 and
   * on the default number of threads (the blocked product's bits are the same for both).
   */
  @ParameterizedTest(name = "{0}x{1} scale=2^{2} seed={3}")
  @MethodSource("foldedCases")
  void firstPassWithTheNormGivesTheBitsOfTheGramEntry(int m, int n, int exponent, long seed) {
    FloatMatrix a = FloatMatrix.gaussian(m, n, 1, seed);
    for (int i = 0; i < a.data().length; i++) {
      a.data()[i] = Math.scalb(a.data()[i], exponent);
    }
    float[][] shares = new float[GramProducts.blocks(m) - 1][n];
    io.github.spectral4j.simd.internal.Kernels kernels = KernelProvider.kernels();
    PowerIteration.Gram gram =
        (x, ax, out) -> GramProducts.gramTimes(kernels, m, n, a.data(), x, ax, out, shares, Parallel.parallelism());
    SpectralNorm dense = new SpectralNorm(m, n).setWarmPowerPasses(0);
    SpectralNorm entry = new SpectralNorm(m, n).setWarmPowerPasses(0);
    SplittableRandom random = new SplittableRandom(seed);
    for (int run = 0; run < 2; run++) {
      SpectralNorm.Result r = dense.of(a);
      SpectralNorm.Result expected = entry.of(gram, Blas.frobeniusNorm(a));
      assertEquals(expected, r, "run " + run);
      assertArrayEquals(entry.rightVector(), dense.rightVector(), "v, run " + run);
      assertArrayEquals(entry.leftVector(), dense.leftVector(), "u, run " + run);
      assertEquals(SolverFixtures.singularValues(a)[0], r.sigma(), SIGMA_TOL * r.sigma(), r.toString());
      for (int i = 0; i < a.data().length; i++) {
        a.data()[i] += Math.scalb((float) (0.05 * random.nextGaussian()), exponent);
      }
    }
  }

  static Stream<Arguments> foldedCases() {
    List<Arguments> cases = new ArrayList<>();
    long seed = 40;
    for (int[] shape : new int[][] {{2, 2}, {37, 23}, {23, 37}, {300, 41}, {64, 129}}) {
      // ‖A‖_F ≈ 2^(exponent + log₂ √(m·n)): in the window up to ±32, read again beyond it.
      for (int exponent : new int[] {-40, -36, -33, -20, 0, 3, 20, 28, 31, 40}) {
        cases.add(Arguments.of(shape[0], shape[1], exponent, seed++));
      }
    }
    return cases.stream();
  }

  @Test
  void nonFiniteAndHugeEntriesAfterTheFoldedPass() {
    // The folded pass's squares are not finite: the entries are searched and the first bad one named, or (a
    // finite entry whose float square overflows) the matrix is scaled as before.
    SpectralNorm s = new SpectralNorm(5, 6);
    for (float bad : new float[] {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN}) {
      FloatMatrix a = FloatMatrix.gaussian(5, 6, 1, 3);
      a.set(3, 4, bad);
      a.set(4, 5, bad);
      s.reset();
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.of(a));
      assertTrue(e.getMessage().contains("(3, 4) = " + bad + " is not finite"), e.getMessage());
    }
    FloatMatrix huge = FloatMatrix.gaussian(5, 6, 1, 4);
    huge.set(2, 2, 1e30f);
    s.reset();
    SpectralNorm.Result r = s.of(huge);
    assertTrue(r.converged(), r.toString());
    assertEquals(SolverFixtures.singularValues(huge)[0], r.sigma(), SIGMA_TOL * 1e30, r.toString());
    // Tiny entries whose float squares vanish: not the zero matrix.
    FloatMatrix tiny = FloatMatrix.gaussian(5, 6, 1e-40, 5);
    s.reset();
    r = s.of(tiny);
    assertTrue(r.sigma() > 0 && r.converged(), r.toString());
    assertEquals(SolverFixtures.singularValues(tiny)[0], r.sigma(), SIGMA_TOL * r.sigma() + 1e-44, r.toString());
  }

  /**
   * A Gram operator whose product turns non-finite at a given pass (NaN, or infinite in one entry, the rest
   * finite): the Lanczos step's check on α = vᵀ·w names that pass.
   */
  @ParameterizedTest(name = "bad={0} at pass {1}")
  @MethodSource("badProducts")
  void nonFiniteProductNamesItsPass(float bad, int atPass) {
    FloatMatrix a = FloatMatrix.gaussian(40, 30, 1, 9);
    int[] calls = {0};
    PowerIteration.Gram gram = (x, ax, out) -> {
      Fused.gramTimes(a, x, ax, out);
      if (++calls[0] == atPass) {
        out[7] = bad;
      }
    };
    SpectralNorm s = new SpectralNorm(40, 30);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> s.of(gram, Blas.frobeniusNorm(a)));
    assertTrue(e.getMessage().contains("at pass " + atPass + " is not finite"), e.getMessage());
  }

  static Stream<Arguments> badProducts() {
    return Stream.of(Arguments.of(Float.NaN, 1), Arguments.of(Float.POSITIVE_INFINITY, 3),
        Arguments.of(Float.NEGATIVE_INFINITY, 5), Arguments.of(Float.NaN, 8));
  }

  @Test
  void gramEntryByHandAndItsArguments() {
    // [[3, 0], [4, 5]] by its Gram product: σ₁ = √45 (see handComputedTwoByTwo).
    FloatMatrix a = FloatMatrix.of(2, 2, 3, 0, 4, 5);
    PowerIteration.Gram gram = (x, ax, out) -> Fused.gramTimes(a, x, ax, out);
    SpectralNorm s = new SpectralNorm(2, 2).setWarmPowerPasses(0);
    SpectralNorm.Result r = s.of(gram, Math.sqrt(50));
    assertTrue(r.converged());
    assertEquals(Math.sqrt(45), r.sigma(), 1e-6);
    assertEquals(Math.sqrt(45), s.of(gram, Math.sqrt(50)).sigma(), 1e-6, "warm");
    assertEquals(0, s.of(gram, 0).sigma(), "‖A‖_F = 0 is the zero matrix");
    assertThrows(IllegalArgumentException.class, () -> s.of((PowerIteration.Gram) null, 1));
    assertThrows(IllegalArgumentException.class, () -> s.of(gram, Double.NaN));
    assertThrows(IllegalArgumentException.class, () -> s.of(gram, -1));
    assertThrows(IllegalArgumentException.class, () -> s.of(gram, Double.POSITIVE_INFINITY));
    IllegalArgumentException huge = assertThrows(IllegalArgumentException.class, () -> s.of(gram, 1e30));
    assertTrue(huge.getMessage().contains("1.0E30"), huge.getMessage());
    IllegalArgumentException negative = assertThrows(IllegalArgumentException.class, () -> s.setWarmPowerPasses(-1));
    assertTrue(negative.getMessage().contains("-1"), negative.getMessage());
  }
}
