package io.github.spectral4j.simd.internal;

import static io.github.spectral4j.simd.internal.Reference.random;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The packed route's tiles, full and at the edges of the tile grid (the last panel of at most one vector of
 * columns runs a kernel of its own), against a float oracle of the micro-kernels' arithmetic: with one k
 * slice (k ≤ KC) and β = 0, every element is {@code α·acc} where {@code acc} is the chain of fused
 * multiply-adds of its row of op(A) and column of op(B) in k order from 0, so the route must give those bits
 * exactly, on one thread and on two.
 */
class GemmEdgeTileTest {

  static Stream<Arguments> cases() {
    SplittableRandom random = new SplittableRandom(20261202);
    // AVX-512's tile (16 lanes, NR = 64, MR = 6), as literals: PanamaConstants needs the vector module, which
    // the scalar run lacks (there every case is skipped); on narrower vectors these are still valid shapes.
    int lanes = 16;
    int nr = 64;
    List<Arguments> cases = new ArrayList<>();
    for (int c = 0; c < 200; c++) {
      int m = 1 + random.nextInt(20);
      // Half the cases end on a panel of 1 to LANES columns (784 = 12·64 + 16 among them), the rest anywhere.
      int n = c % 2 == 0 ? nr * random.nextInt(4) + 1 + random.nextInt(lanes) : 1 + random.nextInt(3 * nr);
      if (c == 0) {
        m = 24;
        n = 784;
      }
      int k = 1 + random.nextInt(300);
      String op = new String[] {"NN", "NT", "TN", "TT"}[random.nextInt(4)];
      cases.add(Arguments.of(op, m, n, k, random.nextLong()));
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} {1}x{2}x{3} seed={4}")
  @MethodSource("cases")
  void tilesGiveTheBitsOfTheMultiplyAddChain(String op, int m, int n, int k, long seed) {
    Assumptions.assumeTrue(KernelProvider.panama().isPresent(), "jdk.incubator.vector is not in the boot layer");
    boolean ta = op.charAt(0) == 'T';
    boolean tb = op.charAt(1) == 'T';
    SplittableRandom random = new SplittableRandom(seed);
    float[] opA = random(random, m * k);
    float[] opB = random(random, k * n);
    float alpha = (float) (0.5 + random.nextDouble());
    float[] a = Reference.store(opA, m, k, ta);
    float[] b = Reference.store(opB, k, n, tb);
    for (int threads = 1; threads <= 2; threads++) {
      float[] c = new float[m * n];
      java.util.Arrays.fill(c, Float.NaN);
      PanamaGemm.packed(ta, tb, m, n, k, alpha, a, ta ? m : k, b, tb ? k : n, 0f, c, n, threads, null);
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          float acc = 0f;
          for (int p = 0; p < k; p++) {
            acc = Math.fma(opA[i * k + p], opB[p * n + j], acc);
          }
          int at = i * n + j;
          int t = threads;
          assertEquals(Float.floatToIntBits(alpha * acc), Float.floatToIntBits(c[at]),
              () -> "C(" + at / n + ", " + at % n + ") on " + t + " threads");
        }
      }
    }
  }
}
