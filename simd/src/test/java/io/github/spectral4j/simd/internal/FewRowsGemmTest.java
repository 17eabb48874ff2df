package io.github.spectral4j.simd.internal;

import static io.github.spectral4j.simd.internal.Reference.assertClose;
import static io.github.spectral4j.simd.internal.Reference.random;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The packed GEMM's few-row route (m ≤ 192 rows per thread: all of op(A) packed once, the first row tile
 * packing an untransposed B panel on the way (and copying the next panel's columns of the same rows), the rows past the last six in 4-row tiles) and its
 * shallow-k blocking: against the double oracle on every transpose and awkward shapes (each residue of m
 * modulo 6, m = 1, n off the 64-column panels, k = 1 and two k slices, ldc past n), and bit for bit the
 * rows of a taller product that takes the many-row route, with and without the epilogue, on 1, 2 and 3
 * threads.
 */
class FewRowsGemmTest {
  /** Every residue modulo 6 among small m, the batch sizes and the edge of the route. */
  private static final int[] ROWS = {
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 16, 20, 21, 22, 33, 62, 64, 65, 100, 126, 127, 128, 130, 190, 191, 192
  };

  /**
   * Columns: whole 64-column panels and not; an untransposed B's panels go in pairs where two whole ones
   * remain (128: one pair; 192: a pair and one alone; 320: two pairs and one; 130, 200: a partial panel after).
   */
  private static final int[] COLS = {1, 7, 63, 64, 65, 128, 130, 192, 200, 320};

  static Stream<Long> seeds() {
    return LongStream.rangeClosed(1, 240).boxed();
  }

  private record Case(boolean ta, boolean tb, int m, int n, int k, int ldc, float alpha, float beta, int threads) {
    static Case of(long seed) {
      SplittableRandom r = new SplittableRandom(seed);
      int m = ROWS[(int) (seed % ROWS.length)];
      int n = COLS[r.nextInt(COLS.length)];
      int k = switch (r.nextInt(5)) {
        case 0 -> 1;
        case 1 -> 1025 + r.nextInt(30); // two slices
        case 2 -> 128;
        default -> 1 + r.nextInt(150);
      };
      float alpha = r.nextInt(3) == 0 ? 1f : (float) r.nextDouble(-2, 2);
      float beta = switch (r.nextInt(3)) {
        case 0 -> 0f;
        case 1 -> 1f;
        default -> (float) r.nextDouble(-2, 2);
      };
      return new Case(r.nextBoolean(), r.nextBoolean(), m, n, k, n + r.nextInt(3), alpha, beta, 1 + r.nextInt(3));
    }
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void matchesTheDoubleOracleOnAwkwardShapes(long seed) {
    Reference.kernels("panama");
    Case s = Case.of(seed);
    SplittableRandom r = new SplittableRandom(seed * 13 + 5);
    float[] opA = random(r, s.m * s.k);
    float[] opB = random(r, s.k * s.n);
    float[] c0 = random(r, s.m * s.ldc);
    float[] c = c0.clone();
    if (s.beta == 0) {
      for (int i = 0; i < s.m; i++) {
        Arrays.fill(c, i * s.ldc, i * s.ldc + s.n, Float.NaN);
      }
    }
    PanamaGemm.packed(s.ta, s.tb, s.m, s.n, s.k, s.alpha, Reference.store(opA, s.m, s.k, s.ta), s.ta ? s.m : s.k,
        Reference.store(opB, s.k, s.n, s.tb), s.tb ? s.k : s.n, s.beta, c, s.ldc, s.threads, null);
    float[] packedC0 = new float[s.m * s.n];
    for (int i = 0; i < s.m; i++) {
      System.arraycopy(c0, i * s.ldc, packedC0, i * s.n, s.n);
    }
    double[][] ref = Reference.gemm(s.m, s.n, s.k, s.alpha, opA, opB, s.beta, packedC0);
    for (int i = 0; i < s.m; i++) {
      for (int j = 0; j < s.ldc; j++) {
        int o = i * s.ldc + j;
        String what = s + " C(" + i + "," + j + ")";
        if (j >= s.n) {
          assertEquals(Float.floatToIntBits(c0[o]), Float.floatToIntBits(c[o]), what + " past n was written");
        } else {
          assertClose(ref[0][i * s.n + j], c[o], ref[1][i * s.n + j], s.k, what);
        }
      }
    }
  }

  /**
   * op(A) is the first m rows of a taller op(A′) with m′ = m + 1 … m + 250 rows (so often past the
   * few-row route): C is bit for bit the first m rows of C′, whatever the thread counts.
   */
  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void rowsAreThoseOfATallerProduct(long seed) {
    Reference.kernels("panama");
    Case s = Case.of(seed + 5000);
    SplittableRandom r = new SplittableRandom(seed * 7 + 1);
    int tall = s.m + 1 + r.nextInt(250);
    float[] opA = random(r, tall * s.k);
    float[] b = random(r, s.k * s.n);
    int ldb = s.tb ? s.k : s.n;
    // Stored as itself (rows of k) or transposed (k rows of tall): the first m rows of op(A′) are the
    // first m rows, or the first m columns with lda = tall.
    float[] a = Reference.store(opA, tall, s.k, s.ta);
    int lda = s.ta ? tall : s.k;
    float[] c0 = random(r, tall * s.ldc);
    PanamaGemm.Epilogue e = null;
    if (r.nextInt(3) == 0) {
      e = new PanamaGemm.Epilogue();
      e.biasScale = (float) r.nextDouble(-2, 2);
      e.bias = r.nextBoolean() ? random(r, s.n) : null;
      e.rectify = r.nextBoolean();
      e.ldm = s.n;
      e.mask = r.nextBoolean() ? random(r, tall * s.n) : null;
    }
    float[] whole = c0.clone();
    PanamaGemm.packed(s.ta, s.tb, tall, s.n, s.k, s.alpha, a, lda, b, ldb, s.beta, whole, s.ldc, 1 + r.nextInt(3), e);
    float[] part = c0.clone();
    PanamaGemm.packed(s.ta, s.tb, s.m, s.n, s.k, s.alpha, a, lda, b, ldb, s.beta, part, s.ldc, s.threads, e);
    for (int o = 0; o < tall * s.ldc; o++) {
      int i = o / s.ldc;
      int j = o % s.ldc;
      float expected = i < s.m ? whole[o] : c0[o];
      assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(part[o]),
          s + " tall=" + tall + " epilogue=" + (e != null) + " C(" + i + "," + j + ")");
    }
  }
}
