package io.github.spectral4j.simd.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * PanamaGram's Gram kernel loads each four-row group from the element it guesses to be cache-line aligned;
 * whatever the guess, av and out must be bit for bit those of a scalar one-row oracle that spells out the
 * kernel's operations (dot4's lane chains and lane folds for the rows of each group i, i + q, i + 2q, i + 3q with
 * q = ⌊m/4⌋, then dot's for the last m − 4q rows; each row's axpy added in that order), and nothing outside the
 * matrix may reach them: here the matrix lies inside a larger array at an offset, with a row stride above its
 * width, and NaN everywhere else in the array.
 */
class GramAlignmentTest {
  static LongStream seeds() {
    return LongStream.rangeClosed(1, 240);
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void everyAlignmentGuessGivesTheBitsOfTheScalarOneRowOracle(long seed) {
    Reference.kernels("panama"); // skips without jdk.incubator.vector
    SplittableRandom random = new SplittableRandom(seed);
    int m = 1 + random.nextInt(40);
    // Mostly widths around whole vectors and the aligned kernels' minimum of two; some wide ones.
    int n = random.nextInt(8) == 0 ? 1000 + random.nextInt(100) : 1 + random.nextInt(300);
    int lda = n + (random.nextBoolean() ? 0 : random.nextInt(20));
    int aOff = random.nextBoolean() ? 0 : random.nextInt(40);
    float[] a = new float[aOff + m * lda + random.nextInt(40)];
    Arrays.fill(a, Float.NaN);
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        a[aOff + i * lda + j] = (float) (2 * random.nextDouble() - 1);
      }
    }
    float[] v = Reference.random(random, n);
    int avOff = random.nextInt(3);
    float[] expectedAv = new float[avOff + m];
    float[] expectedOut = new float[n];
    int q = m / 4;
    for (int i = 0; i < q; i++) {
      for (int k = 0; k < 4; k++) {
        int row = i + k * q;
        float s = rowDot4(n, a, aOff + row * lda, v);
        expectedAv[avOff + row] = s;
        rowAxpy(n, s, a, aOff + row * lda, expectedOut);
      }
    }
    for (int row = 4 * q; row < m; row++) {
      float s = rowDot(n, a, aOff + row * lda, v);
      expectedAv[avOff + row] = s;
      rowAxpy(n, s, a, aOff + row * lda, expectedOut);
    }
    for (float x : expectedOut) {
      assertTrue(Float.isFinite(x), "the reference read outside the matrix");
    }
    for (int guess = 0; guess < PanamaConstants.LANES; guess++) {
      float[] av = new float[avOff + m];
      float[] out = new float[n];
      Arrays.fill(out, 7f); // overwritten
      PanamaGram.gramTimes(m, n, a, aOff, lda, v, av, avOff, out, guess);
      String what = m + "x" + n + " (lda " + lda + ", offset " + aOff + "), aligned index guessed " + guess;
      assertArrayEquals(expectedAv, av, what + ": av");
      assertArrayEquals(expectedOut, out, what + ": out");
    }
  }

  /**
   * dot4's sum for the row at r, in scalar code: lane k chains the products a·v of the elements ≡ k (mod LANES)
   * below the last whole vector, in order (each an FMA); the lanes are folded pairwise, lane i + s onto lane i for
   * s = LANES/2, …, 1; then the remaining elements' FMAs in order.
   */
  private static float rowDot4(int n, float[] a, int r, float[] v) {
    int lanes = PanamaConstants.LANES;
    int bound = n - n % lanes;
    float[] acc = new float[lanes];
    for (int j = 0; j < bound; j++) {
      acc[j % lanes] = Math.fma(a[r + j], v[j], acc[j % lanes]);
    }
    return tail(fold(acc), bound, n, a, r, v);
  }

  /**
   * PanamaLevel1.dot's sum for the row at r, in scalar code: up to the last whole group of UNROLL vectors, vector
   * u of each group chains into accumulator u (lane-wise FMAs), the accumulators are added as (0 + 1) + (2 + 3)
   * for UNROLL = 4; the remaining whole vectors chain into accumulator 0; then the lane fold and the tail.
   */
  private static float rowDot(int n, float[] a, int r, float[] v) {
    int lanes = PanamaConstants.LANES;
    int unroll = PanamaConstants.UNROLL;
    assertEquals(4, unroll, "the oracle spells out four accumulators");
    float[][] acc = new float[unroll][lanes];
    int bound4 = n - n % (unroll * lanes);
    int j = 0;
    for (; j < bound4; j++) {
      int u = (j / lanes) % unroll;
      acc[u][j % lanes] = Math.fma(a[r + j], v[j], acc[u][j % lanes]);
    }
    if (bound4 > 0) {
      for (int k = 0; k < lanes; k++) {
        acc[0][k] = (acc[0][k] + acc[1][k]) + (acc[2][k] + acc[3][k]);
      }
    }
    int bound = n - n % lanes;
    for (; j < bound; j++) {
      acc[0][j % lanes] = Math.fma(a[r + j], v[j], acc[0][j % lanes]);
    }
    return tail(fold(acc[0]), bound, n, a, r, v);
  }

  private static float fold(float[] lanes) {
    for (int s = lanes.length / 2; s >= 1; s /= 2) {
      for (int i = 0; i < s; i++) {
        lanes[i] += lanes[i + s];
      }
    }
    return lanes[0];
  }

  private static float tail(float s, int from, int n, float[] a, int r, float[] v) {
    for (int j = from; j < n; j++) {
      s = Math.fma(a[r + j], v[j], s);
    }
    return s;
  }

  /** out[j] += s·a[r + j], one rounding (an FMA) per element, as axpy4 and axpy do. */
  private static void rowAxpy(int n, float s, float[] a, int r, float[] out) {
    for (int j = 0; j < n; j++) {
      out[j] = Math.fma(a[r + j], s, out[j]);
    }
  }

  /**
   * The difference pass (W and its reference W0 in the per-step diagnostics) loads its four-row groups from the
   * guessed aligned element as well: for every guess, ax, aOut, dy, dOut and Σ D² must be the bits of the
   * one-row loop (rows one call each, the squares summed per group of four in double as the groups do), with
   * the rows from a random first row of NaN-filled arrays, a row stride above the width and NaN after the end.
   */
  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void differencePassGivesTheBitsOfTheOneRowLoopForEveryGuess(long seed) {
    Reference.kernels("panama"); // skips without jdk.incubator.vector
    SplittableRandom random = new SplittableRandom(seed);
    int from = random.nextInt(6);
    int to = from + 1 + random.nextInt(30);
    int n = random.nextInt(8) == 0 ? 1000 + random.nextInt(100) : 1 + random.nextInt(300);
    int ld = n + (random.nextBoolean() ? 0 : random.nextInt(20));
    int length = to * ld + random.nextInt(40);
    float[] a = new float[length];
    float[] b = new float[length];
    Arrays.fill(a, Float.NaN);
    Arrays.fill(b, Float.NaN);
    for (int i = from; i < to; i++) {
      for (int j = 0; j < n; j++) {
        a[i * ld + j] = (float) (2 * random.nextDouble() - 1);
        b[i * ld + j] = a[i * ld + j] + (float) (0.1 * (2 * random.nextDouble() - 1));
      }
    }
    float[] x = Reference.random(random, n);
    float[] y = Reference.random(random, n);
    float[] aStart = Reference.random(random, n); // the outputs are added to, not cleared
    float[] dStart = Reference.random(random, n);
    float[] expectedAx = new float[to];
    float[] expectedDy = new float[to];
    float[] expectedAOut = aStart.clone();
    float[] expectedDOut = dStart.clone();
    double expectedSquares = 0.5;
    double group = 0;
    for (int i = from; i < to; i++) {
      double rowSquares = PanamaGram.differenceGramRows(
          i, i + 1, n, a, b, ld, x, expectedAx, expectedAOut, y, expectedDy, expectedDOut, 0);
      boolean whole = to - (i - (i - from) % 4) >= 4;
      if (!whole) {
        expectedSquares += rowSquares;
        continue;
      }
      group = (i - from) % 4 == 0 ? rowSquares : group + rowSquares;
      if ((i - from) % 4 == 3) {
        expectedSquares += group;
      }
    }
    for (float v : expectedAOut) {
      assertTrue(Float.isFinite(v), "the reference read outside the rows");
    }
    for (int guess = 0; guess < PanamaConstants.LANES; guess++) {
      float[] ax = new float[to];
      float[] dy = new float[to];
      float[] aOut = aStart.clone();
      float[] dOut = dStart.clone();
      double squares =
          PanamaGram.differenceGramRows(from, to, n, a, b, ld, x, ax, aOut, y, dy, dOut, 0.5, guess);
      String what = "rows " + from + ".." + to + " x " + n + " (ld " + ld + "), aligned index guessed " + guess;
      assertArrayEquals(expectedAx, ax, what + ": ax");
      assertArrayEquals(expectedDy, dy, what + ": dy");
      assertArrayEquals(expectedAOut, aOut, what + ": aOut");
      assertArrayEquals(expectedDOut, dOut, what + ": dOut");
      assertEquals(expectedSquares, squares, 0.0, what + ": squares");
    }
  }
}
