package io.github.spectral4j.simd.internal;

import static io.github.spectral4j.simd.internal.Reference.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The packed GEMM with a transposed A, which one thread packs into padded panels in blocks of at least
 * 2 × MC rows (the weight gradient's δᵀ): bit for bit the same product with A transposed beforehand (the
 * untransposed route, unpadded panels in blocks of MC rows, the same micro-kernels on the same values), on
 * several blocks and a last partial block and panel (m not a multiple of 6 nor of the block), one or two k
 * slices (deep ones, whose panels are a multiple of 4 KB apart), lda past m, ldc past n, with and without
 * β; nothing past n or below C's rows written.
 */
class TransposedPackGemmTest {
  /** Rows of C past the few-row route (192): one to several blocks of 96 rows, every residue modulo 6. */
  private static final int[] ROWS = {193, 194, 195, 196, 197, 198, 250, 288, 385, 481, 581};

  static Stream<Long> seeds() {
    return LongStream.rangeClosed(1, 200).boxed();
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void isBitForBitTheProductOfTheTransposedCopy(long seed) {
    Reference.kernels("panama");
    SplittableRandom r = new SplittableRandom(seed * 7919 + 3);
    int m = ROWS[(int) (seed % ROWS.length)];
    int k = switch (r.nextInt(4)) {
      case 0 -> 1024;
      case 1 -> 512;
      case 2 -> 1025 + r.nextInt(200);
      default -> 100 + r.nextInt(900);
    };
    int n = 1 + r.nextInt(200);
    int ldc = n + r.nextInt(3);
    int lda = m + r.nextInt(3);
    float alpha = r.nextBoolean() ? 1f : (float) r.nextDouble(-2, 2);
    float beta = r.nextInt(3) == 0 ? 0f : (float) r.nextDouble(-2, 2);
    float[] a = random(r, k * lda); // A is k × m at stride lda: op(A) = Aᵀ
    float[] at = new float[m * k];
    for (int i = 0; i < m; i++) {
      for (int p = 0; p < k; p++) {
        at[i * k + p] = a[p * lda + i];
      }
    }
    float[] b = random(r, k * n);
    float[] c0 = random(r, (m + 1) * ldc); // one row past C: never written
    float[] expected = c0.clone();
    PanamaGemm.packed(false, false, m, n, k, alpha, at, k, b, n, beta, expected, ldc, 1, null);
    assertFalse(Arrays.equals(expected, c0), "the product left C unchanged");
    float[] c = c0.clone();
    PanamaGemm.packed(true, false, m, n, k, alpha, a, lda, b, n, beta, c, ldc, 1, null);
    for (int o = 0; o < c.length; o++) {
      int row = o / ldc;
      int col = o % ldc;
      assertEquals(Float.floatToIntBits(expected[o]), Float.floatToIntBits(c[o]),
          () -> "TN " + m + "x" + n + "x" + k + " lda " + lda + ": C(" + row + "," + col + ")");
    }
  }

  /**
   * The column split's op(A) packed once for all threads (unpadded panels, at most 8 per L1 set per packA
   * call: 8 at k = 512 and 1024) is bit for bit the one-thread product (padded panels) on 2 to 4 threads.
   */
  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void sharedPackIsBitForBitTheOneThreadProduct(long seed) {
    Reference.kernels("panama");
    SplittableRandom r = new SplittableRandom(seed * 4099 + 11);
    int m = ROWS[(int) (seed % ROWS.length)];
    int k = switch (r.nextInt(3)) {
      case 0 -> 1024;
      case 1 -> 512;
      default -> 2048; // two slices of 1024
    };
    int n = Math.max(m, 256) + r.nextInt(100);
    int ldc = n + r.nextInt(3);
    int lda = m + r.nextInt(3);
    float alpha = (float) r.nextDouble(-2, 2);
    float beta = r.nextBoolean() ? 0f : (float) r.nextDouble(-2, 2);
    float[] a = random(r, k * lda);
    float[] b = random(r, k * n);
    float[] c0 = random(r, (m + 1) * ldc);
    float[] expected = c0.clone();
    PanamaGemm.packed(true, false, m, n, k, alpha, a, lda, b, n, beta, expected, ldc, 1, null);
    assertFalse(Arrays.equals(expected, c0), "the product left C unchanged");
    for (int threads = 2; threads <= 4; threads++) {
      float[] c = c0.clone();
      PanamaGemm.packed(true, false, m, n, k, alpha, a, lda, b, n, beta, c, ldc, threads, null);
      for (int o = 0; o < c.length; o++) {
        int row = o / ldc;
        int col = o % ldc;
        int t = threads;
        assertEquals(Float.floatToIntBits(expected[o]), Float.floatToIntBits(c[o]),
            () -> "TN " + m + "x" + n + "x" + k + " on " + t + " threads: C(" + row + "," + col + ")");
      }
    }
  }
}
