package io.github.spectral4j.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link BatchOrder#shuffle} against the order the MLP drew before it: a Fisher–Yates shuffle driven by
 * {@code new SplittableRandom(…).nextInt(i + 1)} (the oracle), on awkward sizes, every epoch number and seeds
 * from seeded generators; and it allocates nothing.
 */
class BatchOrderTest {
  /** The previous implementation, kept as the reference: one SplittableRandom and one array per epoch. */
  private static int[] reference(int n, long seed, long epoch) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    SplittableRandom random = new SplittableRandom(Mlp.layerSeed(seed ^ 0x6A09E667F3BCC909L, (int) epoch));
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int tmp = p[i];
      p[i] = p[j];
      p[j] = tmp;
    }
    return p;
  }

  static Stream<Arguments> cases() {
    int[] sizes = {1, 2, 3, 4, 7, 13, 64, 127, 128, 129, 1000, 1024, 4097, 10_000};
    return IntStream.range(0, 280).mapToObj(c -> {
      SplittableRandom r = new SplittableRandom(0xB0D3L + c);
      int n = c < sizes.length * 10 ? sizes[c % sizes.length] : 1 + r.nextInt(70_000);
      return Arguments.of(0xB0D3L + c, n, r.nextLong(), (long) r.nextInt(1_000_000));
    });
  }

  @ParameterizedTest(name = "seed {0}: n {1}, run seed {2}, epoch {3}")
  @MethodSource("cases")
  void drawsTheOrderOfSplittableRandom(long caseSeed, int n, long seed, long epoch) {
    int[] p = new int[n];
    java.util.Arrays.fill(p, -1);
    BatchOrder.shuffle(p, seed, epoch);
    assertArrayEquals(reference(n, seed, epoch), p);
  }

  @Test
  void refillsThePermutationWithoutAllocating() {
    int[] p = new int[10_000];
    for (int e = 0; e < 200; e++) {
      BatchOrder.shuffle(p, 7, e);
    }
    long before = ThreadAllocation.bytes();
    for (int e = 200; e < 400; e++) {
      BatchOrder.shuffle(p, 7, e);
    }
    assertEquals(0, ThreadAllocation.bytes() - before, "bytes allocated by 200 epochs' orders");
  }
}
