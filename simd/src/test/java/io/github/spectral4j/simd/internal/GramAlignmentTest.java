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
 * whatever the guess, av and out must be bit for bit those of the four-row building blocks dot4 then axpy4
 * (the loop it replaced), and nothing outside the matrix may reach them: here the matrix lies inside a larger
 * array at an offset, with a row stride above its width, and NaN everywhere else in the array.
 */
class GramAlignmentTest {
  static LongStream seeds() {
    return LongStream.rangeClosed(1, 240);
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void everyAlignmentGuessGivesTheBitsOfDot4ThenAxpy4(long seed) {
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
    int i = 0;
    for (; i + 4 <= m; i += 4) {
      int r = aOff + i * lda;
      int o = avOff + i;
      PanamaGemv.dot4(n, a, r, lda, v, 0, expectedAv, o, 1f, 0f);
      PanamaGemv.axpy4(n, expectedAv[o], expectedAv[o + 1], expectedAv[o + 2], expectedAv[o + 3], a, r, lda,
          expectedOut);
    }
    for (; i < m; i++) {
      float s = PanamaLevel1.dot(n, a, aOff + i * lda, v, 0);
      expectedAv[avOff + i] = s;
      PanamaLevel1.axpy(n, s, a, aOff + i * lda, expectedOut, 0);
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
