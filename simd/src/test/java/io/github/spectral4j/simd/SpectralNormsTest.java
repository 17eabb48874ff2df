package io.github.spectral4j.simd;

import static io.github.spectral4j.simd.SolverFixtures.SIGMA_TOL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class SpectralNormsTest {
  @Test
  void handComputedNorms() {
    assertEquals(3 * Math.sqrt(5), SpectralNorms.spectralNorm(FloatMatrix.of(2, 2, 3, 0, 4, 5)), 1e-6 * 7);
    // diag(3, 4): ‖A‖_F² = 25, ‖A‖*² = 16.
    FloatMatrix d = FloatMatrix.of(2, 2, 3, 0, 0, 4);
    assertEquals(4, SpectralNorms.spectralNorm(d), 4e-6);
    assertEquals(25 / 16.0, SpectralNorms.stableRank(d), 1e-5);
  }

  @Test
  void rankOneHasStableRankOne() {
    FloatMatrix a = FloatMatrix.of(3, 2, 3, 4, 6, 8, 6, 8);
    assertEquals(15, SpectralNorms.spectralNorm(a), 15e-6);
    assertEquals(1, SpectralNorms.stableRank(a), 1e-5);
  }

  @ParameterizedTest(name = "identity n={0}")
  @ValueSource(ints = {1, 2, 3, 7, 13, 31, 127})
  void identityHasStableRankN(int n) {
    FloatMatrix a = FloatMatrix.zeros(n, n);
    for (int i = 0; i < n; i++) {
      a.set(i, i, 1);
    }
    assertEquals(1, SpectralNorms.spectralNorm(a), 1e-6);
    assertEquals(n, SpectralNorms.stableRank(a), 1e-5 * n);
  }

  @Test
  void zeroMatrixHasNormAndStableRankZero() {
    assertEquals(0, SpectralNorms.spectralNorm(FloatMatrix.zeros(3, 4)));
    assertEquals(0, SpectralNorms.stableRank(FloatMatrix.zeros(3, 4)));
  }

  static LongStream seeds() {
    return LongStream.range(0, 200);
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void matchesEjmlAndStableRankIsBetweenOneAndTheRank(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int m = 1 + random.nextInt(random.nextBoolean() ? 8 : 80);
    int n = 1 + random.nextInt(random.nextBoolean() ? 8 : 80);
    FloatMatrix a = FloatMatrix.gaussian(m, n, 0.01 + random.nextDouble(), seed);
    double[] s = SolverFixtures.singularValues(a);
    double norm = SpectralNorms.spectralNorm(a);
    assertEquals(s[0], norm, SIGMA_TOL * s[0], m + "x" + n);
    double sumSquares = 0;
    for (double x : s) {
      sumSquares += x * x;
    }
    double stable = SpectralNorms.stableRank(a);
    assertEquals(sumSquares / (s[0] * s[0]), stable, 3 * SIGMA_TOL * stable);
    assertTrue(stable >= 1 && stable <= Math.min(m, n) * (1 + 1e-5), "stable rank " + stable);
  }

  @Test
  void rejectsNonFiniteAndNull() {
    FloatMatrix a = FloatMatrix.gaussian(3, 3, 1, 1);
    a.set(0, 0, Float.NaN);
    assertThrows(IllegalArgumentException.class, () -> SpectralNorms.spectralNorm(a));
    assertThrows(IllegalArgumentException.class, () -> SpectralNorms.stableRank(a));
    assertThrows(IllegalArgumentException.class, () -> SpectralNorms.spectralNorm(null));
  }
}
