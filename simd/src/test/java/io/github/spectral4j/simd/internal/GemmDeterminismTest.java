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

/** GEMM gives bit-identical results on 1, 2 and 3 threads, for both implementations and every transpose. */
class GemmDeterminismTest {

  static Stream<Arguments> cases() {
    // Large enough to be split between threads; shapes that split by columns, by rows, unevenly, and
    // wider than one packed column block; the MLP's first weight gradient (rows: its 13 column tiles
    // would split unevenly).
    int[][] shapes = {{207, 1000, 131}, {1000, 40, 300}, {127, 257, 513}, {61, 95, 1000}, {20, 3300, 64}, {50, 200, 2100},
        {1024, 784, 128}};
    List<Arguments> cases = new ArrayList<>();
    long seed = 77;
    for (String impl : new String[] {"scalar", "panama"}) {
      for (int[] s : shapes) {
        for (String ops : new String[] {"NN", "NT", "TN", "TT"}) {
          cases.add(Arguments.of(impl, ops, s[0], s[1], s[2], seed++));
        }
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} {1} m={2} n={3} k={4} seed={5}")
  @MethodSource("cases")
  void resultIsIdenticalForAnyThreadCount(String impl, String ops, int m, int n, int k, long seed) {
    Kernels kernels = Reference.kernels(impl);
    boolean ta = ops.charAt(0) == 'T';
    boolean tb = ops.charAt(1) == 'T';
    SplittableRandom random = new SplittableRandom(seed);
    float[] a = random(random, m * k);
    float[] b = random(random, k * n);
    float[] c0 = random(random, m * n);
    float[] one = run(kernels, ta, tb, m, n, k, a, b, c0, 1);
    assertFalse(java.util.Arrays.equals(one, c0), "gemm left C unchanged");
    for (int threads : new int[] {2, 3}) {
      assertArrayEquals(one, run(kernels, ta, tb, m, n, k, a, b, c0, threads), impl + " " + ops + " on " + threads + " threads");
    }
  }

  private static float[] run(
      Kernels kernels, boolean ta, boolean tb, int m, int n, int k, float[] a, float[] b, float[] c0, int threads) {
    float[] c = c0.clone();
    kernels.gemm(ta, tb, m, n, k, 1.25f, a, ta ? m : k, b, tb ? k : n, -0.5f, c, n, threads);
    return c;
  }
}
