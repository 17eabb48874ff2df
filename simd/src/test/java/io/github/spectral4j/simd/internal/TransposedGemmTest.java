package io.github.spectral4j.simd.internal;

import static io.github.spectral4j.simd.internal.Reference.assertClose;
import static io.github.spectral4j.simd.internal.Reference.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link PanamaTransposedGemm}, C = α·A·Bᵀ + β·C computed as Cᵀ = B·Aᵀ with B unpacked: against the
 * double oracle on awkward shapes (m from 1 to 160 rows in every layout of wide and narrow panels, n and k
 * off every block size, k = 1, two and three k slices, ldc past n), and bit for bit against the packed
 * route on 1, 2 and 3 threads, with and without the epilogue (bias, rectifier, mask) and β; and the shapes
 * the dispatcher sends to it.
 */
class TransposedGemmTest {
  /**
   * The m that exercise the panels: 1, the edges of a vector and of a panel, a full second panel, and past
   * 128 rows the narrow panels' layouts (three narrow; one wide and two narrow), full and padded, e.g.
   * 144 = a batch of 128 with 16 probe rows.
   */
  private static final int[] ROWS = {1, 2, 5, 6, 7, 15, 16, 17, 31, 33, 47, 48, 61, 63, 64, 65, 95, 97, 100, 111, 121,
      127, 128, 129, 130, 137, 143, 144, 145, 150, 159, 160};

  static Stream<Long> seeds() {
    return LongStream.rangeClosed(1, 240).boxed();
  }

  /** A random case: m from ROWS, n and k small and odd mostly, sometimes one or two k slices more. */
  private record Case(int m, int n, int k, int ldc, float alpha, float beta, int threads) {
    static Case of(long seed) {
      SplittableRandom r = new SplittableRandom(seed);
      int m = ROWS[(int) (seed % ROWS.length)];
      int n = switch (r.nextInt(4)) {
        case 0 -> 1 + r.nextInt(7);
        case 1 -> 236 + r.nextInt(8); // around one block of Cᵀ (240 rows of B)
        default -> 1 + r.nextInt(300);
      };
      int k = switch (r.nextInt(6)) {
        case 0 -> 1;
        case 1 -> 1024 + r.nextInt(3); // one or two slices
        case 2 -> 2049 + r.nextInt(40); // three slices
        default -> 1 + r.nextInt(200);
      };
      int ldc = n + r.nextInt(3);
      float alpha = r.nextInt(3) == 0 ? 1f : (float) r.nextDouble(-2, 2);
      float beta = switch (r.nextInt(3)) {
        case 0 -> 0f;
        case 1 -> 1f;
        default -> (float) r.nextDouble(-2, 2);
      };
      return new Case(m, n, k, ldc, alpha, beta, 1 + r.nextInt(3));
    }
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void matchesTheDoubleOracleOnAwkwardShapes(long seed) {
    Reference.kernels("panama");
    Case s = Case.of(seed);
    SplittableRandom r = new SplittableRandom(seed * 31 + 7);
    float[] a = random(r, s.m * s.k);
    float[] opB = random(r, s.k * s.n);
    float[] b = Reference.store(opB, s.k, s.n, true);
    float[] c0 = random(r, s.m * s.ldc);
    float[] c = c0.clone();
    if (s.beta == 0) {
      for (int i = 0; i < s.m; i++) {
        Arrays.fill(c, i * s.ldc, i * s.ldc + s.n, Float.NaN);
      }
    }
    PanamaTransposedGemm.gemm(s.m, s.n, s.k, s.alpha, a, s.k, b, s.k, s.beta, c, s.ldc, s.threads, null);
    float[] packedC0 = new float[s.m * s.n];
    for (int i = 0; i < s.m; i++) {
      System.arraycopy(c0, i * s.ldc, packedC0, i * s.n, s.n);
    }
    double[][] ref = Reference.gemm(s.m, s.n, s.k, s.alpha, a, opB, s.beta, packedC0);
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

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void isBitForBitThePackedRouteOnAnyThreadCount(long seed) {
    Reference.kernels("panama");
    Case s = Case.of(seed + 1000);
    SplittableRandom r = new SplittableRandom(seed * 17 + 3);
    float[] a = random(r, s.m * s.k);
    float[] b = random(r, s.n * s.k);
    float[] c0 = random(r, s.m * s.ldc);
    PanamaGemm.Epilogue e = null;
    if (r.nextBoolean()) {
      e = new PanamaGemm.Epilogue();
      e.biasScale = r.nextBoolean() ? 1f : (float) r.nextDouble(-2, 2);
      e.bias = r.nextBoolean() ? random(r, s.n) : null;
      e.rectify = r.nextBoolean();
      e.ldm = s.n + r.nextInt(2);
      e.mask = r.nextBoolean() ? random(r, s.m * e.ldm) : null;
    }
    float[] expected = c0.clone();
    PanamaGemm.packed(false, true, s.m, s.n, s.k, s.alpha, a, s.k, b, s.k, s.beta, expected, s.ldc, 1, e);
    assertFalse(Arrays.equals(expected, c0), "the packed route left C unchanged");
    for (int threads = 1; threads <= 3; threads++) {
      float[] c = c0.clone();
      PanamaTransposedGemm.gemm(s.m, s.n, s.k, s.alpha, a, s.k, b, s.k, s.beta, c, s.ldc, threads, e);
      for (int o = 0; o < c.length; o++) {
        int i = o / s.ldc;
        int j = o % s.ldc;
        int row = i;
        int col = j;
        int t = threads;
        assertEquals(Float.floatToIntBits(expected[o]), Float.floatToIntBits(c[o]),
            () -> s + " epilogue " + (seed % 2) + " on " + t + " threads: C(" + row + "," + col + ")");
      }
    }
  }

  /**
   * The panels for m rows, hand-counted: wide (64) panels first, then narrow (48) ones, the fewest padded
   * columns and then the fewest panels; nothing past 160.
   */
  @Test
  void choosesTheLayoutWithTheLeastPadding() {
    Reference.kernels("panama");
    int[][] expected = { // m, wide, narrow
      {1, 0, 1}, {48, 0, 1}, {49, 1, 0}, {64, 1, 0}, {65, 0, 2}, {96, 0, 2}, {97, 1, 1}, {112, 1, 1}, {113, 2, 0},
      {128, 2, 0}, {129, 0, 3}, {144, 0, 3}, {145, 1, 2}, {160, 1, 2}};
    for (int[] x : expected) {
      assertEquals(x[1] * 8 + x[2], PanamaTransposedGemm.layout(x[0]), "m = " + x[0]);
    }
    assertEquals(-1, PanamaTransposedGemm.layout(161));
  }

  /**
   * The threads' shares of (panel, group) units, hand-counted for the training shapes: 128 rows on two
   * threads a wide panel each; 144 rows on three a narrow panel each, on two one and a half (the split in
   * the middle of panel 1's 128 groups of 8 rows); 160 rows (64 + 48 + 48 columns, 26 groups of 40 rows)
   * on two split at 80 of its 160 columns, i.e. after panel 0 and a third of panel 1 (16 of 48 columns:
   * 8.67 groups, rounded to 9).
   */
  @Test
  void splitsTheUnitsIntoRunsOfEqualWork() {
    Reference.kernels("panama");
    int l128 = PanamaTransposedGemm.layout(128);
    int l144 = PanamaTransposedGemm.layout(144);
    int l160 = PanamaTransposedGemm.layout(160);
    assertEquals(5, PanamaTransposedGemm.unit(l128));
    assertEquals(8, PanamaTransposedGemm.unit(l144));
    assertEquals(40, PanamaTransposedGemm.unit(l160));
    int g128 = 1024 / 5 + 1;
    assertEquals(List.of(0, g128, 2 * g128), boundaries(l128, g128, 2));
    assertEquals(List.of(0, 128, 256, 384), boundaries(l144, 128, 3));
    assertEquals(List.of(0, 192, 384), boundaries(l144, 128, 2));
    assertEquals(List.of(0, 26 + 9, 3 * 26), boundaries(l160, 26, 2));
  }

  private static List<Integer> boundaries(int layout, int groups, int shares) {
    List<Integer> b = new ArrayList<>();
    for (int s = 0; s <= shares; s++) {
      b.add(PanamaTransposedGemm.boundary(layout, groups, shares, s));
    }
    return b;
  }

  /**
   * For every layout, group count and share count up to 8: the runs start at 0, end at the last unit, never
   * go back, and each run's work (its units weighted by their panels' columns) is an even share's within
   * 66: each of its two ends is rounded to the nearest group of its panel (at most 32 of a wide panel's
   * 64), after the even split point was rounded down (less than 1).
   */
  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void runsCoverEveryUnitOnceAndBalanceTheWork(long seed) {
    Reference.kernels("panama");
    SplittableRandom r = new SplittableRandom(seed * 104729 + 1);
    int m = 1 + r.nextInt(160);
    int layout = PanamaTransposedGemm.layout(m);
    int groups = 1 + r.nextInt(seed % 3 == 0 ? 4 : 300);
    int shares = 1 + r.nextInt(8);
    int panels = layout / 8 + layout % 8;
    long total = 0;
    int[] widths = new int[panels];
    for (int q = 0; q < panels; q++) {
      widths[q] = q < layout / 8 ? 64 : 48;
      total += (long) widths[q] * groups;
    }
    String what = "m " + m + " groups " + groups + " shares " + shares;
    assertEquals(0, PanamaTransposedGemm.boundary(layout, groups, shares, 0), what);
    assertEquals(panels * groups, PanamaTransposedGemm.boundary(layout, groups, shares, shares), what);
    for (int s = 0; s < shares; s++) {
      int u0 = PanamaTransposedGemm.boundary(layout, groups, shares, s);
      int u1 = PanamaTransposedGemm.boundary(layout, groups, shares, s + 1);
      assertTrue(u0 <= u1, what + ": share " + s + " runs back from " + u0 + " to " + u1);
      long work = 0;
      for (int u = u0; u < u1; u++) {
        work += widths[u / groups];
      }
      double even = (double) total / shares;
      assertTrue(Math.abs(work - even) <= 66, what + ": share " + s + " has " + work + " columns·groups, even " + even);
    }
  }

  static Stream<Arguments> probeRowShapes() {
    Stream.Builder<Arguments> cases = Stream.builder();
    for (int m : new int[] {130, 137, 144, 150, 159, 191}) {
      for (int epilogue = 0; epilogue < 3; epilogue++) {
        cases.add(Arguments.of(m, epilogue));
      }
    }
    return cases.build();
  }

  /**
   * A batch with probe rows riding along (m past 128: three narrow panels, or a wide and two narrow ones),
   * n = 203 (no multiple of 6, 8 or 16), k = 1100 (two k slices), α and β neither 0 nor 1, without an
   * epilogue, with the bias and the rectifier, and with the mask too: bit for bit the packed route on 1, 2
   * and 3 threads, and within the rounding bound of the double oracle. 191 rows, past this path's
   * panels, go through the kernels' entry point, which gives them to the packed route.
   */
  @ParameterizedTest(name = "m={0} epilogue={1}")
  @MethodSource("probeRowShapes")
  void probeRowShapesAreThePackedRouteAndTheOracle(int m, int epilogue) {
    Reference.kernels("panama");
    int n = 203;
    int k = 1100;
    int ldc = n + 1;
    float alpha = 0.75f;
    float beta = -1.25f;
    SplittableRandom r = new SplittableRandom(m * 3L + epilogue);
    float[] a = random(r, m * k);
    float[] opB = random(r, k * n);
    float[] b = Reference.store(opB, k, n, true);
    float[] c0 = random(r, m * ldc);
    PanamaGemm.Epilogue e = null;
    if (epilogue > 0) {
      e = new PanamaGemm.Epilogue();
      e.biasScale = 0.5f;
      e.bias = random(r, n);
      e.rectify = true;
      e.ldm = n + 3;
      e.mask = epilogue == 2 ? random(r, m * e.ldm) : null;
    }
    float[] expected = c0.clone();
    PanamaGemm.packed(false, true, m, n, k, alpha, a, k, b, k, beta, expected, ldc, 1, e);
    float[] packedC0 = new float[m * n];
    for (int i = 0; i < m; i++) {
      System.arraycopy(c0, i * ldc, packedC0, i * n, n);
    }
    double[][] ref = Reference.gemm(m, n, k, alpha, a, opB, beta, packedC0);
    int zeros = 0;
    for (int threads = 1; threads <= 3; threads++) {
      float[] c = c0.clone();
      if (PanamaTransposedGemm.layout(m) >= 0) {
        PanamaTransposedGemm.gemm(m, n, k, alpha, a, k, b, k, beta, c, ldc, threads, e);
      } else if (e == null) {
        Reference.kernels("panama").gemm(false, true, m, n, k, alpha, a, k, b, k, beta, c, ldc, threads);
      } else {
        Reference.kernels("panama").gemmEpilogue(false, true, m, n, k, alpha, a, k, b, k, beta, c, ldc, threads,
            e.biasScale, e.bias, e.rectify, e.mask, e.ldm);
      }
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < ldc; j++) {
          int o = i * ldc + j;
          String what = m + "x" + n + "x" + k + " epilogue " + epilogue + " on " + threads + " threads: C(" + i + ","
              + j + ")";
          assertEquals(Float.floatToIntBits(expected[o]), Float.floatToIntBits(c[o]), what + " against the packed route");
          if (j >= n) {
            assertEquals(Float.floatToIntBits(c0[o]), Float.floatToIntBits(c[o]), what + " past n was written");
            continue;
          }
          double exact = ref[0][i * n + j];
          double scale = ref[1][i * n + j];
          if (e != null) {
            exact += (double) e.biasScale * e.bias[j];
            scale += Math.abs((double) e.biasScale * e.bias[j]);
            exact = Math.max(exact, 0);
            if (e.mask != null && e.mask[i * e.ldm + j] <= 0) {
              exact = 0;
            }
          }
          assertClose(exact, c[o], scale, k, what);
          zeros += c[o] == 0 ? 1 : 0;
        }
      }
    }
    if (e != null) {
      assertTrue(zeros > 0 && zeros < 3 * m * n, "the rectifier cut some elements and kept others: " + zeros);
    }
  }

  /**
   * Shapes large enough to fork (m·n·k ≥ 2²⁰) on 1 to 4 threads: the runs of (panel, group) units start
   * and end inside panels (three panels on two threads: one and a half each), so each thread computes
   * up to three runs of columns against different panels; every split gives the packed route's bits, the
   * epilogue's mask read at the split's rows, and nothing past n or outside C's rows written.
   */
  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void splitsPanelsAndColumnsBitForBit(long seed) {
    Reference.kernels("panama");
    SplittableRandom r = new SplittableRandom(seed * 7919 + 11);
    int m = switch (r.nextInt(5)) {
      case 0 -> 1 + r.nextInt(64); // one panel: columns only
      case 1, 2 -> 65 + r.nextInt(64); // two panels, the second partly padded
      default -> 129 + r.nextInt(32); // three panels, narrow ones among them
    };
    int n = 6 + r.nextInt(400);
    int k = Math.max((int) ((1L << 20) / ((long) m * n)) + 1 + r.nextInt(40), 1 + r.nextInt(300));
    int ldc = n + r.nextInt(3);
    float alpha = r.nextBoolean() ? 1f : (float) r.nextDouble(-2, 2);
    float beta = r.nextInt(3) == 0 ? 0f : (float) r.nextDouble(-2, 2);
    float[] a = random(r, m * k);
    float[] b = random(r, n * k);
    float[] c0 = random(r, (m + 1) * ldc); // one row past C: never written
    PanamaGemm.Epilogue e = null;
    if (r.nextBoolean()) {
      e = new PanamaGemm.Epilogue();
      e.biasScale = (float) r.nextDouble(-2, 2);
      e.bias = r.nextBoolean() ? random(r, n) : null;
      e.rectify = r.nextBoolean();
      e.ldm = n + r.nextInt(2);
      e.mask = random(r, m * e.ldm);
    }
    float[] expected = c0.clone();
    PanamaGemm.packed(false, true, m, n, k, alpha, a, k, b, k, beta, expected, ldc, 1, e);
    for (int threads = 1; threads <= 4; threads++) {
      float[] c = c0.clone();
      PanamaTransposedGemm.gemm(m, n, k, alpha, a, k, b, k, beta, c, ldc, threads, e);
      for (int o = 0; o < c.length; o++) {
        int row = o / ldc;
        int col = o % ldc;
        int t = threads;
        assertEquals(Float.floatToIntBits(expected[o]), Float.floatToIntBits(c[o]),
            () -> m + "x" + n + "x" + k + " ldc " + ldc + " on " + t + " threads: C(" + row + "," + col + ")");
      }
    }
  }

  /**
   * The training shapes take this route (H·Wᵀ at batch 64 and 128, widths 784 to 4096) and the shapes it
   * would not pay on do not; through the kernels' entry point the result is the packed route's, bit for
   * bit, with the forward layer's bias and rectifier.
   */
  @Test
  void dispatchesTheTrainingShapesAndKeepsTheirBits() {
    Kernels panama = Reference.kernels("panama");
    boolean wide = PanamaConstants.WIDE_TILE && PanamaConstants.LANES == 16;
    assertEquals(wide, PanamaTransposedGemm.applies(false, true, 128, 1024, 1024));
    assertEquals(wide, PanamaTransposedGemm.applies(false, true, 64, 784, 128));
    assertEquals(wide, PanamaTransposedGemm.applies(false, true, 144, 1024, 1024), "a batch of 128 with 16 probe rows");
    assertEquals(wide, PanamaTransposedGemm.applies(false, true, 144, 1024, 784));
    assertEquals(wide, PanamaTransposedGemm.applies(false, true, 136, 1024, 64), "three narrow panels padded by 8");
    assertEquals(wide, PanamaTransposedGemm.applies(false, true, 160, 1024, 64), "a wide panel and two narrow ones");
    assertFalse(PanamaTransposedGemm.applies(false, true, 135, 4096, 64), "padded by 9");
    assertFalse(PanamaTransposedGemm.applies(false, true, 161, 4096, 64), "wider than 160 columns");
    assertFalse(PanamaTransposedGemm.applies(false, true, 100, 4096, 64), "a panel padded by 12 rows");
    assertFalse(PanamaTransposedGemm.applies(false, true, 128, 511, 64), "B not four times as tall as A");
    assertFalse(PanamaTransposedGemm.applies(true, true, 128, 1024, 64));
    assertFalse(PanamaTransposedGemm.applies(false, false, 128, 1024, 64));
    SplittableRandom r = new SplittableRandom(2310);
    int m = 128;
    int n = 1030;
    int k = 1100;
    float[] a = random(r, m * k);
    float[] b = random(r, n * k);
    float[] bias = random(r, n);
    float[] viaKernels = new float[m * n];
    panama.gemmEpilogue(false, true, m, n, k, 1f, a, k, b, k, 0f, viaKernels, n, 2, 1f, bias, true, null, 0);
    float[] packed = new float[m * n];
    PanamaGemm.Epilogue e = new PanamaGemm.Epilogue();
    e.biasScale = 1f;
    e.bias = bias;
    e.rectify = true;
    PanamaGemm.packed(false, true, m, n, k, 1f, a, k, b, k, 0f, packed, n, 1, e);
    int zeros = 0;
    for (int o = 0; o < packed.length; o++) {
      assertEquals(Float.floatToIntBits(packed[o]), Float.floatToIntBits(viaKernels[o]), "C[" + o + "]");
      zeros += packed[o] == 0 ? 1 : 0;
    }
    assertTrue(zeros > 0 && zeros < packed.length, "the rectifier cut some elements and kept others: " + zeros);
  }
}
