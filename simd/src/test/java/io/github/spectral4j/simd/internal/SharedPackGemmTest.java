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
 * The packed GEMM's column split with op(A) packed once for all threads (a fork that packs its panels,
 * split among the threads, then the fork that computes): bit for bit the one-thread product on 2, 3 and
 * 4 threads, on every transpose, for few-row rectangles (each residue of m modulo 6, so the 4-row tiles
 * too) and taller ones, one to three k slices, ldc past n, with and without β and the epilogue; nothing
 * past n or below C's rows written.
 */
class SharedPackGemmTest {
  /** Few-row rectangles (every residue modulo 6, the route's edge at 192) and taller ones. */
  private static final int[] ROWS = {5, 8, 9, 10, 33, 64, 100, 127, 128, 130, 190, 191, 192, 193, 200, 250, 385};

  static Stream<Long> seeds() {
    return LongStream.rangeClosed(1, 240).boxed();
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void isBitForBitTheOneThreadProduct(long seed) {
    Reference.kernels("panama");
    SplittableRandom r = new SplittableRandom(seed * 6151 + 5);
    boolean ta = r.nextBoolean();
    boolean tb = r.nextBoolean();
    int m = ROWS[(int) (seed % ROWS.length)];
    // op(A) between 2^15 and 2^20 floats, the range packed once; sometimes two or three k slices.
    int kMin = (int) ((1L << 15) / m) + 1;
    int k = switch (r.nextInt(4)) {
      case 0 -> 1025 + r.nextInt(40);
      case 1 -> m <= 400 ? 2049 + r.nextInt(40) : kMin + r.nextInt(100);
      default -> kMin + r.nextInt(200);
    };
    int n = Math.max(m, 256) + r.nextInt(200);
    int ldc = n + r.nextInt(3);
    float alpha = r.nextBoolean() ? 1f : (float) r.nextDouble(-2, 2);
    float beta = r.nextInt(3) == 0 ? 0f : (float) r.nextDouble(-2, 2);
    int lda = (ta ? m : k) + r.nextInt(2);
    int ldb = (tb ? k : n) + r.nextInt(2);
    float[] a = random(r, (ta ? k : m) * lda);
    float[] b = random(r, (tb ? n : k) * ldb);
    float[] c0 = random(r, (m + 1) * ldc); // one row past C: never written
    PanamaGemm.Epilogue e = null;
    if (r.nextInt(3) == 0) {
      e = new PanamaGemm.Epilogue();
      e.biasScale = (float) r.nextDouble(-2, 2);
      e.bias = random(r, n);
      e.rectify = r.nextBoolean();
      e.ldm = n;
      e.mask = r.nextBoolean() ? random(r, m * n) : null;
    }
    float[] expected = c0.clone();
    PanamaGemm.packed(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, expected, ldc, 1, e);
    assertFalse(Arrays.equals(expected, c0), "the product left C unchanged");
    for (int threads = 2; threads <= 4; threads++) {
      float[] c = c0.clone();
      PanamaGemm.packed(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads, e);
      for (int o = 0; o < c.length; o++) {
        int row = o / ldc;
        int col = o % ldc;
        int t = threads;
        assertEquals(Float.floatToIntBits(expected[o]), Float.floatToIntBits(c[o]),
            () -> (ta ? "T" : "N") + (tb ? "T" : "N") + " " + m + "x" + n + "x" + k + " on " + t + " threads: C("
                + row + "," + col + ")");
      }
    }
  }
}
