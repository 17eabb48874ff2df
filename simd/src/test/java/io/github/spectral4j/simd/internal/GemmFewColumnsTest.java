package io.github.spectral4j.simd.internal;

import static io.github.spectral4j.simd.internal.Reference.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The logits layer's products (n = 10 outputs, batch 128, fan-in 1024: forward X·Wᵀ, backward δ·W, weight
 * gradient δᵀ·X) and awkward shapes around them: within the float bound of a double reference, and
 * bit-identical on 1, 2 and 3 threads (the few-column A·Bᵀ splits its rows, the others are forked from
 * 2²⁰ multiply-adds).
 */
class GemmFewColumnsTest {

  static Stream<Arguments> cases() {
    String[] shapes = {
      "NT-128x10x1024", "NN-128x1024x10", "TN-10x1024x128",
      "NT-131x7x1001", "NT-127x16x515", "NT-129x17x1024", "NT-1000x3x300", "NT-33x10x1024", "NT-128x1x1024",
      "NN-133x1000x11", "NN-127x1023x9", "NN-128x1024x16",
      "TN-11x1003x129", "TN-9x1024x127", "TN-16x1000x131",
    };
    List<Arguments> cases = new ArrayList<>();
    long seed = 1011;
    for (String impl : new String[] {"scalar", "panama"}) {
      for (String shape : shapes) {
        cases.add(Arguments.of(impl, shape, seed++));
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} {1} seed={2}")
  @MethodSource("cases")
  void closeToDoubleReferenceAndIdenticalForAnyThreadCount(String impl, String shape, long seed) {
    Kernels kernels = Reference.kernels(impl);
    boolean ta = shape.charAt(0) == 'T';
    boolean tb = shape.charAt(1) == 'T';
    String[] dims = shape.substring(3).split("x");
    int m = Integer.parseInt(dims[0]);
    int n = Integer.parseInt(dims[1]);
    int k = Integer.parseInt(dims[2]);
    SplittableRandom random = new SplittableRandom(seed);
    float[] opA = random(random, m * k);
    float[] opB = random(random, k * n);
    float[] c0 = random(random, m * n);
    float[] a = Reference.store(opA, m, k, ta);
    float[] b = Reference.store(opB, k, n, tb);
    for (float beta : new float[] {0f, -0.5f}) {
      float[] one = run(kernels, ta, tb, m, n, k, a, b, beta, c0, 1);
      assertFalse(java.util.Arrays.equals(one, c0), "gemm left C unchanged");
      double[][] ref = Reference.gemm(m, n, k, 1.25f, opA, opB, beta, c0);
      for (int e = 0; e < m * n; e++) {
        Reference.assertClose(ref[0][e], one[e], ref[1][e], k, shape + " beta=" + beta + " C[" + e / n + "][" + e % n + "]");
      }
      for (int threads : new int[] {2, 3}) {
        assertArrayEquals(one, run(kernels, ta, tb, m, n, k, a, b, beta, c0, threads),
            impl + " " + shape + " beta=" + beta + " on " + threads + " threads");
      }
    }
  }

  private static float[] run(
      Kernels kernels, boolean ta, boolean tb, int m, int n, int k, float[] a, float[] b, float beta, float[] c0,
      int threads) {
    float[] c = c0.clone();
    kernels.gemm(ta, tb, m, n, k, 1.25f, a, ta ? m : k, b, tb ? k : n, beta, c, n, threads);
    return c;
  }
}
