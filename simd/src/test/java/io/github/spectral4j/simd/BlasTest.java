package io.github.spectral4j.simd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The facade: hand-computed results through the active kernels, and rejection of bad input with the values named. */
class BlasTest {

  private static final FloatMatrix A23 = FloatMatrix.of(2, 3, 1, 2, 3, 4, 5, 6);
  private static final FloatMatrix B32 = FloatMatrix.of(3, 2, 7, 8, 9, 10, 11, 12);

  @Test
  void gemmHandComputedForEveryTranspose() {
    FloatMatrix at = FloatMatrix.of(3, 2, 1, 4, 2, 5, 3, 6);
    FloatMatrix bt = FloatMatrix.of(2, 3, 7, 9, 11, 8, 10, 12);
    float[] expected = {58, 64, 139, 154};
    FloatMatrix c = FloatMatrix.zeros(2, 2);
    c.fill(Float.NaN); // β = 0: NaN in C is ignored
    Blas.gemm(false, false, 1f, A23, B32, 0f, c);
    assertArrayEquals(expected, c.data());
    Blas.gemm(true, false, 1f, at, B32, 0f, c);
    assertArrayEquals(expected, c.data());
    Blas.gemm(false, true, 1f, A23, bt, 0f, c);
    assertArrayEquals(expected, c.data());
    Blas.gemm(true, true, 1f, at, bt, 0f, c);
    assertArrayEquals(expected, c.data());
    // C = 2·A·B − C
    Blas.gemm(false, false, 2f, A23, B32, -1f, c);
    assertArrayEquals(new float[] {58, 64, 139, 154}, c.data());
  }

  @Test
  void alphaZeroOnlyScalesC() {
    FloatMatrix c = FloatMatrix.of(2, 2, 1, 2, 3, 4);
    Blas.gemm(false, false, 0f, A23, B32, 3f, c);
    assertArrayEquals(new float[] {3, 6, 9, 12}, c.data());
    float[] y = {Float.NaN, Float.NaN};
    Blas.gemv(false, 0f, A23, new float[] {1, 1, 1}, 0f, y);
    assertArrayEquals(new float[] {0, 0}, y);
  }

  @Test
  void levelOneAndTwoHandComputed() {
    float[] x = {1, 2, 3};
    float[] y = {4, -5, 6};
    assertEquals(12f, Blas.dot(x, y));
    assertEquals(-5f * 6f, Blas.dot(1, y, 1, x, 2) * 2); // y[1]·x[2] = −15
    assertEquals(Math.sqrt(14), Blas.nrm2(x), 1e-15);
    assertEquals(Math.sqrt(61), Blas.nrm2(2, y, 1), 1e-15);
    float[] sum = {1, 1, 1};
    double[] norms = new double[2];
    Fused.addWithNorms(x, sum, norms); // sum = (2, 3, 4)
    assertArrayEquals(new float[] {2, 3, 4}, sum);
    assertEquals(Math.sqrt(14), norms[0], 1e-15);
    assertEquals(Math.sqrt(29), norms[1], 1e-15);
    assertEquals(Math.sqrt(91), Blas.frobeniusNorm(A23), 1e-15);
    float[] z = y.clone();
    Blas.axpy(2f, x, z);
    assertArrayEquals(new float[] {6, -1, 12}, z);
    Blas.axpy(1, -1f, x, 0, z, 2);
    assertArrayEquals(new float[] {6, -1, 11}, z);
    Blas.axpy(3, 1f, z, 0, z, 0); // x and y the same range: z = 2z
    assertArrayEquals(new float[] {12, -2, 22}, z);
    Blas.scal(0.5f, z);
    assertArrayEquals(new float[] {6, -1, 11}, z);
    Blas.scal(1, 2f, z, 2);
    assertArrayEquals(new float[] {6, -1, 22}, z);
    float[] out = new float[2];
    Blas.gemv(false, 1f, A23, x, 0f, out);
    assertArrayEquals(new float[] {14, 32}, out);
    float[] outT = {1, 1, 1};
    Blas.gemv(true, 1f, A23, new float[] {1, -1}, 2f, outT);
    assertArrayEquals(new float[] {-1, -1, -1}, outT);
    FloatMatrix g = A23.copy();
    Blas.ger(1f, new float[] {1, 2}, new float[] {1, 0, -1}, g);
    assertArrayEquals(new float[] {2, 2, 2, 6, 5, 4}, g.data());
  }

  @Test
  void gramTimesIsAtransposeTimesAv() {
    float[] av = new float[2];
    float[] out = {Float.NaN, Float.NaN, Float.NaN}; // overwritten
    Fused.gramTimes(A23, new float[] {1, 2, 3}, av, out);
    assertArrayEquals(new float[] {14, 32}, av);
    assertArrayEquals(new float[] {142, 188, 234}, out);
  }

  @Test
  @SuppressWarnings("deprecation")
  void deprecatedFusedEntryPointsOfBlasGiveFusedsResults() {
    float[] av = new float[2];
    float[] out = new float[3];
    Blas.gramTimes(A23, new float[] {1, 2, 3}, av, out);
    assertArrayEquals(new float[] {142, 188, 234}, out);
    float[] y = {1, 2};
    double[] norms = new double[2];
    Blas.addWithNorms(new float[] {3, 4}, y, norms);
    assertArrayEquals(new float[] {4, 6}, y);
    assertArrayEquals(new double[] {5, Math.sqrt(52)}, norms, 1e-12);
    FloatMatrix b = FloatMatrix.zeros(2, 3);
    float[] dy = new float[2];
    float[] dOut = new float[3];
    double squares = Blas.differenceGramTimes(A23, b, null, null, null, new float[] {1, 2, 3}, dy, dOut);
    assertEquals(1 + 4 + 9 + 16 + 25 + 36, squares, 1e-9);
    assertArrayEquals(new float[] {142, 188, 234}, dOut);
  }

  @Test
  void implementationIsNamed() {
    String name = Blas.implementation();
    assertTrue(name.equals("scalar") || name.matches("panama \\(\\d+-bit\\)"), name);
  }

  @Test
  void parallelismIsSettableAndValidated() {
    int before = Blas.parallelism();
    assertTrue(before >= 1);
    try {
      Blas.setParallelism(3);
      assertEquals(3, Blas.parallelism());
    } finally {
      Blas.setParallelism(before);
    }
    assertMessage(() -> Blas.setParallelism(0), "0");
    assertMessage(() -> Blas.setParallelism(-2), "-2");
  }

  @Test
  void forEachTaskRunsEveryShareOnceAndRethrowsAFailure() {
    for (int tasks = 1; tasks <= 4; tasks++) {
      int[] runs = new int[tasks];
      Blas.forEachTask(tasks, t -> runs[t]++);
      int[] once = new int[tasks];
      Arrays.fill(once, 1);
      assertArrayEquals(once, runs, tasks + " tasks");
    }
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> Blas.forEachTask(3, t -> {
      if (t == 2) {
        throw new IllegalStateException("share 2");
      }
    }));
    // fork-join may rethrow a copy that wraps the worker's exception: its message names the original
    assertTrue(e.getMessage().contains("share 2"), e.getMessage());
    assertMessage(() -> Blas.forEachTask(0, t -> {}), "0");
  }

  @Test
  void gemmThroughTheFacadeIsIdenticalOnOneAndThreeThreads() {
    FloatMatrix a = FloatMatrix.gaussian(301, 257, 1, 11);
    FloatMatrix b = FloatMatrix.gaussian(257, 299, 1, 12);
    FloatMatrix c1 = FloatMatrix.zeros(301, 299);
    FloatMatrix c3 = FloatMatrix.zeros(301, 299);
    int before = Blas.parallelism();
    try {
      Blas.setParallelism(1);
      Blas.gemm(false, false, 1f, a, b, 0f, c1);
      Blas.setParallelism(3);
      Blas.gemm(false, false, 1f, a, b, 0f, c3);
    } finally {
      Blas.setParallelism(before);
    }
    assertArrayEquals(c1.data(), c3.data());
    assertTrue(c1.isFinite() && Blas.frobeniusNorm(c1) > 0);
  }

  // ---- bad input ----

  @Test
  void gemmRejectsMismatchedShapesNamingThem() {
    FloatMatrix c = FloatMatrix.zeros(2, 2);
    assertMessage(() -> Blas.gemm(false, false, 1f, A23, A23, 0f, c), "2x3", "inner sizes 3 and 2");
    assertMessage(() -> Blas.gemm(true, false, 1f, A23, B32, 0f, c), "op(A) is 3x2", "inner sizes 2 and 3");
    assertMessage(() -> Blas.gemm(false, false, 1f, A23, B32, 0f, FloatMatrix.zeros(3, 2)), "C 3x2", "must be 2x2");
    assertMessage(() -> Blas.gemm(false, true, 1f, A23, B32, 0f, c), "op(B) is 2x3");
  }

  @Test
  void gemmRejectsCAliasingAOrB() {
    FloatMatrix square = FloatMatrix.of(2, 2, 1, 2, 3, 4);
    assertMessage(() -> Blas.gemm(false, false, 1f, square, FloatMatrix.of(2, 2, 1, 0, 0, 1), 0f, square), "alias A");
    assertMessage(() -> Blas.gemm(false, false, 1f, FloatMatrix.of(2, 2, 1, 0, 0, 1), square, 0f, square), "alias B");
    FloatMatrix sharing = FloatMatrix.wrap(2, 2, square.data());
    assertMessage(() -> Blas.gemm(false, false, 1f, FloatMatrix.of(2, 2, 1, 0, 0, 1), square, 1f, sharing), "alias B");
    // A and B may be the same matrix: C = AᵀA.
    FloatMatrix gram = FloatMatrix.zeros(3, 3);
    Blas.gemm(true, false, 1f, A23, A23, 0f, gram);
    assertEquals(1 + 16, gram.get(0, 0));
  }

  @Test
  void gemvAndGerRejectBadLengthsAndAliasing() {
    assertMessage(() -> Blas.gemv(false, 1f, A23, new float[2], 0f, new float[2]), "length 3", "got 2 and 2");
    assertMessage(() -> Blas.gemv(true, 1f, A23, new float[2], 0f, new float[2]), "y of length 3");
    float[] v = new float[3];
    FloatMatrix sq = FloatMatrix.zeros(3, 3);
    assertMessage(() -> Blas.gemv(false, 1f, sq, v, 0f, v), "alias x");
    FloatMatrix row = FloatMatrix.zeros(1, 3);
    assertMessage(() -> Blas.gemv(true, 1f, row, new float[1], 0f, row.data()), "alias A");
    assertMessage(() -> Blas.ger(1f, new float[3], new float[3], A23), "x of length 2", "got 3 and 3");
    assertMessage(() -> Blas.ger(1f, row.data(), new float[1], FloatMatrix.wrap(3, 1, row.data())), "alias x");
  }

  @Test
  void gramTimesRejectsBadLengthsAndAliasing() {
    assertMessage(() -> Fused.gramTimes(A23, new float[2], new float[2], new float[3]), "v of length 3", "got 2, 2 and 3");
    float[] v = new float[3];
    assertMessage(() -> Fused.gramTimes(A23, v, new float[2], v), "out==v: true");
  }

  @Test
  void differenceGramTimesMultipliesByTheMatrixAndItsDrift() {
    // A = A23, B = A23 − 1, so D = A − B is all ones.
    FloatMatrix b = FloatMatrix.of(2, 3, 0, 1, 2, 3, 4, 5);
    float[] ax = new float[2];
    float[] aOut = {Float.NaN, Float.NaN, Float.NaN};
    float[] dy = new float[2];
    float[] dOut = {Float.NaN, Float.NaN, Float.NaN};
    double squares = Fused.differenceGramTimes(A23, b, new float[] {1, 2, 3}, ax, aOut, new float[] {1, 2, 3}, dy, dOut);
    assertEquals(6.0, squares);
    assertArrayEquals(new float[] {14, 32}, ax);
    assertArrayEquals(new float[] {142, 188, 234}, aOut);
    assertArrayEquals(new float[] {6, 6}, dy);
    assertArrayEquals(new float[] {12, 12, 12}, dOut);
    assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, b.data(), "B unchanged");
    float[] dOnly = new float[3];
    assertEquals(6.0, Fused.differenceGramTimes(A23, b, null, null, null, new float[] {1, 2, 3}, new float[2], dOnly));
    assertArrayEquals(new float[] {12, 12, 12}, dOnly);
  }

  @Test
  void differenceGramTimesRejectsBadShapesAndAliasing() {
    FloatMatrix b = FloatMatrix.zeros(2, 3);
    float[] y = new float[3];
    assertMessage(() -> Fused.differenceGramTimes(A23, FloatMatrix.zeros(3, 2), null, null, null, y, new float[2], new float[3]),
        "needs B 2x3", "got B 3x2");
    assertMessage(() -> Fused.differenceGramTimes(A23, b, new float[3], null, new float[3], y, new float[2], new float[3]),
        "all null or all given", "ax null");
    assertMessage(() -> Fused.differenceGramTimes(A23, b, null, null, null, y, new float[2], y), "dOut and y are the same array");
    float[] out = new float[3];
    assertMessage(() -> Fused.differenceGramTimes(A23, b, new float[3], new float[2], out, y, new float[2], out),
        "aOut and dOut are the same array");
  }

  @Test
  void vectorOpsRejectBadSizesAndOffsets() {
    float[] x = new float[5];
    float[] y = new float[5];
    assertMessage(() -> Blas.dot(-1, x, 0, y, 0), "n must be >= 0, got -1");
    assertMessage(() -> Blas.dot(3, x, -1, y, 0), "xOff=-1");
    assertMessage(() -> Blas.dot(3, x, 0, y, 3), "yOff=3", "n=3", "length 5");
    assertMessage(() -> Blas.axpy(4, 1f, x, 2, y, 0), "xOff=2", "n=4");
    assertMessage(() -> Blas.scal(6, 1f, x, 0), "n=6", "length 5");
    assertMessage(() -> Blas.nrm2(2, x, 4), "xOff=4");
    assertMessage(() -> Blas.dot(new float[3], new float[4]), "x has 3, y has 4");
    assertMessage(() -> Blas.axpy(1f, new float[3], new float[2]), "x has 3, y has 2");
    assertMessage(() -> Blas.axpy(3, 1f, x, 0, x, 1), "overlap", "xOff=0, yOff=1");
    assertMessage(() -> Fused.addWithNorms(new float[3], new float[2], new double[2]), "x has 3, y has 2");
    assertMessage(() -> Fused.addWithNorms(x, x, new double[2]), "same array");
    assertMessage(() -> Fused.addWithNorms(x, y, new double[1]), "norms needs 2 entries, got 1");
    // n = 0 is an empty vector, as in BLAS.
    assertEquals(0f, Blas.dot(0, x, 5, y, 5));
  }

  @Test
  void matricesRejectZeroAndNegativeSizes() {
    assertMessage(() -> FloatMatrix.zeros(0, 3), "0x3");
    assertMessage(() -> FloatMatrix.zeros(2, -1), "2x-1");
    assertMessage(() -> FloatMatrix.of(2, 2, 1, 2, 3), "needs 4 values, got 3");
  }

  @Test
  void betaZeroIgnoresNanAndInfinityInOutputs() {
    FloatMatrix c = FloatMatrix.zeros(2, 2);
    c.fill(Float.POSITIVE_INFINITY);
    Blas.gemm(false, false, 1f, A23, B32, 0f, c);
    assertTrue(c.isFinite(), Arrays.toString(c.data()));
    float[] y = {Float.NaN, Float.NaN, Float.NaN};
    Blas.gemv(true, 1f, A23, new float[] {1, 1}, 0f, y);
    assertArrayEquals(new float[] {5, 7, 9}, y);
  }

  private static void assertMessage(Executable call, String... fragments) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    for (String fragment : fragments) {
      assertTrue(e.getMessage().contains(fragment), () -> "'" + e.getMessage() + "' should contain '" + fragment + "'");
    }
  }
}
