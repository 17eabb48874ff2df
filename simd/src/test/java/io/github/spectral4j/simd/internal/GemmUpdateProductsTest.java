package io.github.spectral4j.simd.internal;

import static io.github.spectral4j.simd.internal.Reference.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The gradient step with the power-iteration products on the new W and on E = W − ref
 * ({@link Kernels#gemmUpdate} given ref): W, D and the step's two sums bit for bit those of the step without
 * products; ax = W·x, aOut = Wᵀ·ax, ey = E·y, eOut = Eᵀ·ey and Σ E² against a double oracle, the same bits on
 * 1, 2 and 3 threads, and on the Vector API kernels bit for bit the read-only pass run bucket by bucket
 * ({@link PanamaGemmUpdate#BUCKET} rows) with the buckets' shares added in order — whether the write-back formed
 * them (rows along whole rows of W) or a pass after the product did (few rows per thread, a single row, more
 * than one k slice, the NT kernels).
 */
class GemmUpdateProductsTest {
  private static final String[] IMPLS = {"scalar", "panama"};

  @Test
  void handComputedProducts() {
    for (String impl : IMPLS) {
      Kernels kernels = Reference.kernels(impl);
      // handComputedStep's step: W = [0 -2 2; -1 -3 1] after it. ref = [0 -2 1; -1 -2 1]: E = [0 0 1; 0 -1 0].
      float[] a = {1, 2, 3, 4};
      float[] b = {1, 0, 2, 0, 1, -1};
      float[] w = {1, 1, 1, 1, 1, 1};
      float[] ref = {0, -2, 1, -1, -2, 1};
      float[] x = {1, 0, 1};
      float[] y = {1, 2, 3};
      float[] ax = new float[2];
      float[] aOut = new float[3];
      float[] ey = new float[2];
      float[] eOut = new float[3];
      double[] sums = new double[3];
      kernels.gemmUpdate(true, false, 2, 3, 2, 2f, a, 2, b, 3, -0.5f, w, 3, null, 1, ref, x, ax, aOut, y, ey, eOut,
          sums);
      assertArrayEquals(new float[] {0, -2, 2, -1, -3, 1}, w, 0f, impl);
      // W·x = [2, 0]; Wᵀ·[2, 0] = [0, -4, 4]; E·y = [3, -2]; Eᵀ·[3, -2] = [0, 2, 3]; Σ E² = 2.
      assertArrayEquals(new float[] {2, 0}, ax, 0f, impl);
      assertArrayEquals(new float[] {0, -4, 4}, aOut, 0f, impl);
      assertArrayEquals(new float[] {3, -2}, ey, 0f, impl);
      assertArrayEquals(new float[] {0, 2, 3}, eOut, 0f, impl);
      assertEquals(1 + 9 + 1 + 4 + 16, sums[0], 0, impl);
      assertEquals(0 + 4 + 4 + 1 + 9 + 1, sums[1], 0, impl);
      assertEquals(2, sums[2], 0, impl);
    }
  }

  static Stream<Arguments> cases() {
    // {m, n, k, transposes (0 = all four, 1 = TN only)}: 1 × 1, a single row and column; few rows (tile
    // write-back: read-only pass after it), one bucket and one more row, buckets along whole rows with a split
    // that gives some threads few rows (193, 300), the MLP's weight gradients (1024 × 784, 1024 × 1024),
    // more than one k slice, columns not a multiple of the vector; rows not a multiple of four with a last
    // column panel of whole vectors and a scalar tail (the step's dot sweep and the row's tails); then
    // random shapes.
    int[][] fixed = {
      {1, 1, 1, 0}, {7, 13, 5, 0}, {1, 70, 13, 0}, {9, 1, 40, 0}, {49, 50, 3, 1}, {193, 1000, 64, 1},
      {300, 131, 100, 1}, {1024, 784, 128, 1}, {1024, 1024, 128, 1}, {200, 77, 1100, 1}, {250, 200, 64, 0},
      {10, 1024, 128, 1}, {251, 100, 60, 1}, {390, 165, 128, 1}
    };
    List<Arguments> list = new ArrayList<>();
    long seed = 7700;
    for (String impl : IMPLS) {
      for (int[] s : fixed) {
        for (int t = 0; t < 4; t++) {
          if (s[3] == 1 && t != 2) {
            continue;
          }
          list.add(Arguments.of(impl, s[0], s[1], s[2], t >= 2, t % 2 == 1, seed++));
        }
      }
      SplittableRandom r = new SplittableRandom(seed);
      for (int i = 0; i < 30; i++) {
        list.add(Arguments.of(impl, 1 + r.nextInt(400), 1 + r.nextInt(300), 1 + r.nextInt(150), r.nextBoolean(),
            r.nextBoolean(), seed++));
      }
    }
    return list.stream();
  }

  @ParameterizedTest(name = "{0} m={1} n={2} k={3} transA={4} transB={5} seed={6}")
  @MethodSource("cases")
  void productsOfTheNewWeights(String impl, int m, int n, int k, boolean ta, boolean tb, long seed) {
    Kernels kernels = Reference.kernels(impl);
    SplittableRandom r = new SplittableRandom(seed);
    int ldw = n + (r.nextInt(4) == 0 ? 1 + r.nextInt(3) : 0);
    float gamma = r.nextBoolean() ? 1f : (float) (0.25 + r.nextDouble());
    float scale = (float) -(0.01 + r.nextDouble());
    float[] a = random(r, m * k);
    float[] b = random(r, k * n);
    float[] w0 = random(r, m * ldw);
    float[] ref = w0.clone();
    for (int i = 0; i < ref.length; i++) {
      ref[i] += (float) (0.1 * (r.nextDouble() - 0.5));
    }
    float[] x = random(r, n);
    float[] y = random(r, n);
    int lda = ta ? m : k;
    int ldb = tb ? k : n;
    String what = impl + " " + (ta ? "T" : "N") + (tb ? "T" : "N") + " " + m + "x" + n + "x" + k + " ldw " + ldw;

    // The step without products, on one thread.
    float[] expectedW = w0.clone();
    float[] expectedD = new float[m * ldw];
    double[] expectedSums = new double[2];
    kernels.gemmUpdate(ta, tb, m, n, k, gamma, a, lda, b, ldb, scale, expectedW, ldw, expectedD, 1, expectedSums);

    float[][] first = null;
    double firstSquares = 0;
    for (int threads = 1; threads <= 3; threads++) {
      float[] w = w0.clone();
      float[] d = threads == 2 ? new float[m * ldw] : null;
      float[] ax = new float[m];
      float[] aOut = new float[n];
      float[] ey = new float[m];
      float[] eOut = new float[n];
      java.util.Arrays.fill(aOut, Float.NaN); // overwritten
      java.util.Arrays.fill(eOut, Float.NaN);
      double[] sums = new double[3];
      kernels.gemmUpdate(ta, tb, m, n, k, gamma, a, lda, b, ldb, scale, w, ldw, d, threads, ref, x, ax, aOut, y, ey,
          eOut, sums);
      String how = what + " on " + threads + " threads";
      assertArrayEquals(expectedW, w, 0f, how + ": W");
      if (d != null) {
        assertArrayEquals(expectedD, d, 0f, how + ": D");
      }
      assertEquals(Double.doubleToLongBits(expectedSums[0]), Double.doubleToLongBits(sums[0]), how + ": Σ u²");
      assertEquals(Double.doubleToLongBits(expectedSums[1]), Double.doubleToLongBits(sums[1]), how + ": Σ w²");
      float[][] got = {ax, aOut, ey, eOut};
      if (first == null) {
        first = got;
        firstSquares = sums[2];
        checkAgainstDouble(m, n, w, ref, ldw, x, y, got, sums[2], how);
        if (impl.equals("panama")) {
          float[][] bucketed = new float[4][];
          double squares = bucketedPass(kernels, m, n, w, ref, ldw, x, y, bucketed);
          for (int q = 0; q < 4; q++) {
            assertArrayEquals(bucketed[q], got[q], 0f, how + ": product " + q + " against the bucketed pass");
          }
          assertEquals(Double.doubleToLongBits(squares), Double.doubleToLongBits(sums[2]), how + ": Σ E² bucketed");
        }
      } else {
        for (int q = 0; q < 4; q++) {
          assertArrayEquals(first[q], got[q], 0f, how + ": product " + q + " against one thread");
        }
        assertEquals(Double.doubleToLongBits(firstSquares), Double.doubleToLongBits(sums[2]), how + ": Σ E²");
      }
    }
  }

  /**
   * The products by the implementation's read-only pass on each bucket of rows (copied out), the buckets'
   * aOut and eOut added in bucket order in float and their Σ E² in double; into out as {ax, aOut, ey, eOut}.
   */
  private static double bucketedPass(
      Kernels kernels, int m, int n, float[] w, float[] ref, int ld, float[] x, float[] y, float[][] out) {
    float[] ax = new float[m];
    float[] ey = new float[m];
    float[] aOut = new float[n];
    float[] eOut = new float[n];
    double squares = 0;
    int bucket = PanamaGemmUpdate.BUCKET;
    assertTrue(bucket < PanamaOptimizerPass.SPLIT_ROWS, "a bucket takes PanamaGram's pass, not the halves");
    for (int i0 = 0; i0 < m; i0 += bucket) {
      int rows = Math.min(bucket, m - i0);
      float[] wq = new float[rows * n];
      float[] rq = new float[rows * n];
      for (int i = 0; i < rows; i++) {
        System.arraycopy(w, (i0 + i) * ld, wq, i * n, n);
        System.arraycopy(ref, (i0 + i) * ld, rq, i * n, n);
      }
      float[] axq = new float[rows];
      float[] eyq = new float[rows];
      float[] aOutq = new float[n];
      float[] eOutq = new float[n];
      double sq = kernels.differenceGramTimes(rows, n, wq, rq, n, x, axq, aOutq, y, eyq, eOutq);
      System.arraycopy(axq, 0, ax, i0, rows);
      System.arraycopy(eyq, 0, ey, i0, rows);
      for (int j = 0; j < n; j++) {
        aOut[j] = i0 == 0 ? aOutq[j] : aOut[j] + aOutq[j];
        eOut[j] = i0 == 0 ? eOutq[j] : eOut[j] + eOutq[j];
      }
      squares = i0 == 0 ? sq : squares + sq;
    }
    out[0] = ax;
    out[1] = aOut;
    out[2] = ey;
    out[3] = eOut;
    return squares;
  }

  /** The products against double sums of the float W and ref. */
  private static void checkAgainstDouble(
      int m, int n, float[] w, float[] ref, int ld, float[] x, float[] y, float[][] got, double squares, String how) {
    double[] ax = new double[m];
    double[] ey = new double[m];
    double[] axAbs = new double[m];
    double[] eyAbs = new double[m];
    double sq = 0;
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double wv = w[i * ld + j];
        double e = (double) (w[i * ld + j] - ref[i * ld + j]); // E formed in float, as the kernels do
        ax[i] += wv * x[j];
        axAbs[i] += Math.abs(wv * x[j]);
        ey[i] += e * y[j];
        eyAbs[i] += Math.abs(e * y[j]);
        sq += e * e;
      }
      // a row's dot has at most n float roundings on top of the inputs
      Reference.assertClose(ax[i], got[0][i], axAbs[i], n, how + ": ax[" + i + "]");
      Reference.assertClose(ey[i], got[2][i], eyAbs[i], n, how + ": ey[" + i + "]");
    }
    for (int j = 0; j < n; j++) {
      double ao = 0;
      double aoAbs = 0;
      double eo = 0;
      double eoAbs = 0;
      for (int i = 0; i < m; i++) {
        // against the float row sums the kernel used: the column sums' own rounding is what is checked here
        ao += (double) got[0][i] * w[i * ld + j];
        aoAbs += Math.abs((double) got[0][i] * w[i * ld + j]);
        double e = (double) (w[i * ld + j] - ref[i * ld + j]);
        eo += (double) got[2][i] * e;
        eoAbs += Math.abs((double) got[2][i] * e);
      }
      Reference.assertClose(ao, got[1][j], aoAbs, m, how + ": aOut[" + j + "]");
      Reference.assertClose(eo, got[3][j], eoAbs, m, how + ": eOut[" + j + "]");
    }
    assertEquals(sq, squares, Reference.tolerance(n) * sq + Float.MIN_NORMAL, how + ": Σ E²");
  }
}
