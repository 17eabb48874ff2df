package io.github.spectral4j.simd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Fused#gemmUpdate}: W and D bit for bit {@link Blas#gemm} into G followed by {@link Fused#update}, on
 * whole matrices and on leading blocks (a batch's first rows), on 1, 2 and 3 threads, with norms against a
 * double oracle and equal on every thread count; every bad argument named.
 */
class FusedGemmUpdateTest {

  static LongStream seeds() {
    return LongStream.range(0, 60);
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void isTheGemmThenTheUpdate(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    // the weight gradient's shape, ∂W = γ·δᵀ·X: δ is rows × m, X rows × n, and k ≤ rows leading rows
    int m = 1 + r.nextInt(seed % 5 == 0 ? 300 : 80);
    int n = 1 + r.nextInt(seed % 5 == 0 ? 400 : 90);
    int rows = 1 + r.nextInt(seed % 7 == 0 ? 1100 : 60);
    int k = r.nextBoolean() ? rows : 1 + r.nextInt(rows);
    float gamma = r.nextBoolean() ? 1f : (float) (0.5 + r.nextDouble());
    float alpha = (float) -(1e-3 + r.nextDouble());
    FloatMatrix delta = FloatMatrix.gaussian(rows, m, 1.0, r.nextLong());
    FloatMatrix x = FloatMatrix.gaussian(rows, n, 1.0, r.nextLong());
    FloatMatrix w0 = FloatMatrix.gaussian(m, n, 0.1, r.nextLong());
    FloatMatrix g = FloatMatrix.zeros(m, n);
    FloatMatrix expectedD = FloatMatrix.zeros(m, n);
    FloatMatrix expectedW = w0.copy();
    if (k == rows) {
      Blas.gemm(true, false, gamma, delta, x, 0f, g);
    } else {
      Blas.gemm(true, false, m, n, k, gamma, delta, x, 0f, g);
    }
    double[] passNorms = new double[2];
    Fused.update(alpha, g, expectedD, expectedW, passNorms);
    double od = 0;
    double ow = 0;
    for (int i = 0; i < m * n; i++) {
      od += (double) expectedD.data()[i] * expectedD.data()[i];
      ow += (double) expectedW.data()[i] * expectedW.data()[i];
    }
    String what = m + "x" + n + " from " + k + " of " + rows + " rows";
    int threads = Blas.parallelism();
    double[] first = null;
    try {
      for (int t = 1; t <= 3; t++) {
        Blas.setParallelism(t);
        for (boolean keep : new boolean[] {true, false}) {
          FloatMatrix w = w0.copy();
          FloatMatrix d = keep ? FloatMatrix.zeros(m, n) : null;
          double[] norms = new double[2];
          if (k == rows) {
            Fused.gemmUpdate(true, false, gamma, delta, x, alpha, w, d, norms);
          } else {
            Fused.gemmUpdate(true, false, m, n, k, gamma, delta, x, alpha, w, d, norms);
          }
          String how = what + " on " + t + " threads" + (keep ? "" : " without D");
          assertArrayEquals(expectedW.data(), w.data(), how);
          if (keep) {
            assertArrayEquals(expectedD.data(), d.data(), how);
          }
          assertEquals(Math.sqrt(od), norms[0], 2e-6 * Math.sqrt(od), how + ": ‖ΔW‖");
          assertEquals(Math.sqrt(ow), norms[1], 2e-6 * Math.sqrt(ow), how + ": ‖W‖");
          assertEquals(passNorms[1], norms[1], 2e-6 * passNorms[1], how + ": ‖W‖ against the pass's");
          if (first == null) {
            first = norms;
          } else {
            assertArrayEquals(first, norms, 0, how + ": norms on another thread count");
          }
        }
      }
    } finally {
      Blas.setParallelism(threads);
    }
  }

  @Test
  void handComputedStepAndZeroGamma() {
    // Aᵀ·B with A = [1 2; 3 4], B = [1 0 2; 0 1 -1]: [1 3 -1; 2 4 0]; γ = 2, α = -0.5: ΔW = [-1 -3 1; -2 -4 -0]
    FloatMatrix a = FloatMatrix.of(2, 2, 1, 2, 3, 4);
    FloatMatrix b = FloatMatrix.of(2, 3, 1, 0, 2, 0, 1, -1);
    FloatMatrix w = FloatMatrix.of(2, 3, 1, 1, 1, 1, 1, 1);
    FloatMatrix d = FloatMatrix.zeros(2, 3);
    double[] norms = new double[2];
    Fused.gemmUpdate(true, false, 2f, a, b, -0.5f, w, d, norms);
    assertArrayEquals(new float[] {0, -2, 2, -1, -3, 1}, w.data());
    assertArrayEquals(new float[] {-1, -3, 1, -2, -4, 0}, d.data(), 0f);
    assertEquals(Math.sqrt(31), norms[0], 1e-12);
    assertEquals(Math.sqrt(19), norms[1], 1e-12);
    // γ = 0: as Blas.gemm, A and B are not read (NaN in them changes nothing), G = 0
    FloatMatrix nan = FloatMatrix.of(2, 2, Float.NaN, 1, 1, 1);
    Fused.gemmUpdate(true, false, 0f, nan, b, -0.5f, w, null, norms);
    assertArrayEquals(new float[] {0, -2, 2, -1, -3, 1}, w.data());
    assertEquals(0, norms[0]);
  }

  @Test
  void aNonFiniteGradientGivesANonFiniteNorm() {
    FloatMatrix delta = FloatMatrix.gaussian(128, 70, 1.0, 1);
    FloatMatrix x = FloatMatrix.gaussian(128, 300, 1.0, 2);
    delta.data()[77] = Float.NaN;
    FloatMatrix w = FloatMatrix.gaussian(70, 300, 0.1, 3);
    double[] norms = new double[2];
    Fused.gemmUpdate(true, false, 1f, delta, x, -0.1f, w, null, norms);
    assertTrue(Double.isNaN(norms[1]), "‖W‖ = " + norms[1]);
  }

  @Test
  void badArgumentsAreNamed() {
    FloatMatrix a = FloatMatrix.zeros(4, 2);
    FloatMatrix b = FloatMatrix.zeros(4, 3);
    FloatMatrix w = FloatMatrix.zeros(2, 3);
    double[] norms = new double[2];
    assertMessage(() -> Fused.gemmUpdate(true, false, 1f, a, b, -1f, FloatMatrix.zeros(3, 3), null, norms), "3x3");
    assertMessage(() -> Fused.gemmUpdate(true, false, 1f, a, b, -1f, w, FloatMatrix.zeros(2, 2), norms), "D is 2x2");
    assertMessage(() -> Fused.gemmUpdate(true, false, 1f, a, b, -1f, w, w, norms), "separate array from W");
    assertMessage(() -> Fused.gemmUpdate(true, false, 1f, a, b, -1f, w, null, new double[1]), "got 1");
    assertMessage(() -> Fused.gemmUpdate(true, false, Float.NaN, a, b, -1f, w, null, norms), "gamma NaN");
    assertMessage(() -> Fused.gemmUpdate(true, false, 1f, a, b, Float.POSITIVE_INFINITY, w, null, norms),
        "alpha Infinity");
    FloatMatrix square = FloatMatrix.zeros(4, 4);
    assertMessage(() -> Fused.gemmUpdate(true, false, 1f, square, square, -1f, square, null, norms), "alias");
    assertMessage(() -> Fused.gemmUpdate(true, false, 2, 3, 5, 1f, a, b, -1f, w, null, norms), "k=5");
    assertMessage(() -> Fused.gemmUpdate(true, false, 2, 2, 4, 1f, a, b, -1f, w, null, norms), "whole 2x2");
    assertThrows(NullPointerException.class, () -> Fused.gemmUpdate(true, false, 1f, a, b, -1f, w, null, null));
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void withProductsIsTheStepAndThePassOnTheNewWeights(long seed) {
    SplittableRandom r = new SplittableRandom(seed + 500);
    int m = 1 + r.nextInt(seed % 4 == 0 ? 400 : 70);
    int n = 1 + r.nextInt(seed % 4 == 0 ? 300 : 90);
    int rows = 1 + r.nextInt(seed % 7 == 0 ? 1100 : 130);
    int k = r.nextBoolean() ? rows : 1 + r.nextInt(rows);
    float gamma = r.nextBoolean() ? 1f : (float) (0.5 + r.nextDouble());
    float alpha = (float) -(1e-3 + r.nextDouble());
    FloatMatrix delta = FloatMatrix.gaussian(rows, m, 1.0, r.nextLong());
    FloatMatrix in = FloatMatrix.gaussian(rows, n, 1.0, r.nextLong());
    FloatMatrix w0 = FloatMatrix.gaussian(m, n, 0.1, r.nextLong());
    FloatMatrix ref = FloatMatrix.gaussian(m, n, 0.1, r.nextLong());
    float[] x = FloatMatrix.gaussian(1, n, 1.0, r.nextLong()).data();
    float[] y = FloatMatrix.gaussian(1, n, 1.0, r.nextLong()).data();
    String what = m + "x" + n + " from " + k + " of " + rows + " rows";
    int threads = Blas.parallelism();
    try {
      float[][] first = null;
      double firstDrift = 0;
      for (int t = 1; t <= 3; t++) {
        Blas.setParallelism(t);
        String how = what + " on " + t + " threads";
        FloatMatrix expectedW = w0.copy();
        double[] expectedNorms = new double[2];
        Fused.gemmUpdate(true, false, m, n, k, gamma, delta, in, alpha, expectedW, null, expectedNorms);
        FloatMatrix w = w0.copy();
        FloatMatrix d = t == 2 ? FloatMatrix.zeros(m, n) : null;
        float[] ax = new float[m];
        float[] aOut = new float[n];
        float[] ey = new float[m];
        float[] eOut = new float[n];
        double[] norms = new double[3];
        Fused.gemmUpdateWithDifferenceGram(true, false, m, n, k, gamma, delta, in, alpha, w, d, ref, x, ax, aOut, y,
            ey, eOut, norms);
        assertArrayEquals(expectedW.data(), w.data(), how + ": W");
        assertEquals(expectedNorms[0], norms[0], 0, how + ": ‖ΔW‖");
        assertEquals(expectedNorms[1], norms[1], 0, how + ": ‖W‖");
        // The read-only pass on the new W: the same per-row dots; the column sums and ‖E‖ within roundings.
        float[] px = new float[m];
        float[] pOut = new float[n];
        float[] py = new float[m];
        float[] pyOut = new float[n];
        double drift = Math.sqrt(Fused.differenceGramTimes(w, ref, x, px, pOut, y, py, pyOut));
        assertArrayEquals(px, ax, 0f, how + ": W·x");
        assertArrayEquals(py, ey, 0f, how + ": E·y");
        assertEquals(drift, norms[2], 1e-5 * drift, how + ": ‖E‖");
        for (int j = 0; j < n; j++) {
          double scaleA = 0;
          double scaleE = 0;
          for (int i = 0; i < m; i++) {
            scaleA += Math.abs((double) ax[i] * w.data()[i * n + j]);
            scaleE += Math.abs((double) ey[i] * (w.data()[i * n + j] - ref.data()[i * n + j]));
          }
          assertEquals(pOut[j], aOut[j], 2 * m * 0x1p-24 * scaleA + Float.MIN_NORMAL, how + ": aOut[" + j + "]");
          assertEquals(pyOut[j], eOut[j], 2 * m * 0x1p-24 * scaleE + Float.MIN_NORMAL, how + ": eOut[" + j + "]");
        }
        if (first == null) {
          first = new float[][] {ax, aOut, ey, eOut};
          firstDrift = norms[2];
        } else {
          assertArrayEquals(first[1], aOut, 0f, how + ": aOut on another thread count");
          assertArrayEquals(first[3], eOut, 0f, how + ": eOut on another thread count");
          assertEquals(firstDrift, norms[2], 0, how + ": ‖E‖ on another thread count");
        }
      }
    } finally {
      Blas.setParallelism(threads);
    }
  }

  @Test
  void withProductsHandComputedAndZeroGamma() {
    // handComputedStepAndZeroGamma's step; ref = [0 -2 1; -1 -2 1] gives E = [0 0 1; 0 -1 0] after it
    FloatMatrix a = FloatMatrix.of(2, 2, 1, 2, 3, 4);
    FloatMatrix b = FloatMatrix.of(2, 3, 1, 0, 2, 0, 1, -1);
    FloatMatrix w = FloatMatrix.of(2, 3, 1, 1, 1, 1, 1, 1);
    FloatMatrix ref = FloatMatrix.of(2, 3, 0, -2, 1, -1, -2, 1);
    float[] x = {1, 0, 1};
    float[] y = {1, 2, 3};
    float[] ax = new float[2];
    float[] aOut = new float[3];
    float[] ey = new float[2];
    float[] eOut = new float[3];
    double[] norms = new double[3];
    Fused.gemmUpdateWithDifferenceGram(true, false, 2, 3, 2, 2f, a, b, -0.5f, w, null, ref, x, ax, aOut, y, ey, eOut,
        norms);
    assertArrayEquals(new float[] {0, -2, 2, -1, -3, 1}, w.data());
    assertArrayEquals(new float[] {2, 0}, ax);
    assertArrayEquals(new float[] {0, -4, 4}, aOut);
    assertArrayEquals(new float[] {3, -2}, ey);
    assertArrayEquals(new float[] {0, 2, 3}, eOut);
    assertEquals(Math.sqrt(31), norms[0], 1e-12);
    assertEquals(Math.sqrt(19), norms[1], 1e-12);
    assertEquals(Math.sqrt(2), norms[2], 1e-12);
    // γ = 0: A and B not read; W unchanged, the products of the same W
    FloatMatrix nan = FloatMatrix.of(2, 2, Float.NaN, 1, 1, 1);
    Fused.gemmUpdateWithDifferenceGram(true, false, 2, 3, 2, 0f, nan, b, -0.5f, w, null, ref, x, ax, aOut, y, ey,
        eOut, norms);
    assertArrayEquals(new float[] {0, -2, 2, -1, -3, 1}, w.data());
    assertArrayEquals(new float[] {0, -4, 4}, aOut);
    assertEquals(0, norms[0]);
    assertEquals(Math.sqrt(2), norms[2], 1e-12);
  }

  @Test
  void withProductsBadArgumentsAreNamed() {
    FloatMatrix a = FloatMatrix.zeros(4, 2);
    FloatMatrix b = FloatMatrix.zeros(4, 3);
    FloatMatrix w = FloatMatrix.zeros(2, 3);
    FloatMatrix ref = FloatMatrix.zeros(2, 3);
    float[] x = new float[3];
    float[] y = new float[3];
    float[] ax = new float[2];
    float[] ey = new float[2];
    float[] aOut = new float[3];
    float[] eOut = new float[3];
    double[] norms = new double[3];
    assertMessage(() -> Fused.gemmUpdateWithDifferenceGram(true, false, 2, 3, 4, 1f, a, b, -1f, w, null,
        FloatMatrix.zeros(3, 2), x, ax, aOut, y, ey, eOut, norms), "the reference is 3x2");
    assertMessage(() -> Fused.gemmUpdateWithDifferenceGram(true, false, 2, 3, 4, 1f, a, b, -1f, w, null, ref,
        new float[2], ax, aOut, y, ey, eOut, norms), "x 2");
    assertMessage(() -> Fused.gemmUpdateWithDifferenceGram(true, false, 2, 3, 4, 1f, a, b, -1f, w, null, ref, x,
        new float[3], aOut, y, ey, eOut, norms), "ax 3");
    assertMessage(() -> Fused.gemmUpdateWithDifferenceGram(true, false, 2, 3, 4, 1f, a, b, -1f, w, null, ref, x, ax,
        aOut, y, ey, aOut, norms), "aOut and eOut are the same array");
    assertMessage(() -> Fused.gemmUpdateWithDifferenceGram(true, false, 2, 3, 4, 1f, a, b, -1f, w, null, ref, x, ax,
        x, y, ey, eOut, norms), "aOut and x");
    assertMessage(() -> Fused.gemmUpdateWithDifferenceGram(true, false, 2, 3, 4, 1f, a, b, -1f, w, null, w, x, ax,
        aOut, y, ey, eOut, norms), "separate array from W");
    assertMessage(() -> Fused.gemmUpdateWithDifferenceGram(true, false, 2, 3, 4, 1f, a, b, -1f, w, null, ref, x, ax,
        aOut, y, ey, eOut, new double[2]), "norms needs 3 entries, got 2");
    assertMessage(() -> Fused.gemmUpdateWithDifferenceGram(true, false, 2, 3, 4, Float.NaN, a, b, -1f, w, null, ref,
        x, ax, aOut, y, ey, eOut, norms), "gamma NaN");
    assertMessage(() -> Fused.gemmUpdateWithDifferenceGram(true, false, 2, 3, 5, 1f, a, b, -1f, w, null, ref, x, ax,
        aOut, y, ey, eOut, norms), "k=5");
    assertThrows(NullPointerException.class, () -> Fused.gemmUpdateWithDifferenceGram(true, false, 2, 3, 4, 1f, a, b,
        -1f, w, null, null, x, ax, aOut, y, ey, eOut, norms));
  }

  private static void assertMessage(Runnable call, String part) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
    assertTrue(e.getMessage().contains(part), e.getMessage() + " should contain " + part);
  }
}
