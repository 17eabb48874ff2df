package io.github.spectral4j.trainer;

/**
 * The order in which an MLP {@link Training} visits its examples: per epoch a Fisher–Yates shuffle of
 * {@code 0 … n−1} driven by the SplitMix64 stream (Steele, Lea and Flood, "Fast splittable pseudorandom number
 * generators", OOPSLA 2014) seeded from {@code (seed, epoch)}, written into an array the caller keeps. The
 * draws are exactly those of {@code java.util.SplittableRandom(seed).nextInt(bound)}, which drew this order
 * before (a test checks it on thousands of seeds), so runs and checkpoints keep their batches; the generator
 * lives in local variables because a {@code SplittableRandom} cannot be re-seeded and one allocated per epoch
 * was the MLP step's only allocation (under {@code -prof gc}, 40 KB per epoch with the array it returned).
 */
final class BatchOrder {
  /** SplitMix64's increment (the odd integer nearest 2⁶⁴/φ). */
  private static final long GAMMA = 0x9E3779B97F4A7C15L;

  private BatchOrder() {}

  /**
   * Fills {@code p} with a permutation of {@code 0 … p.length−1} drawn from {@code (seed, epoch)}.
   *
   * @param p receives the permutation, modified
   * @param seed the run's seed
   * @param epoch the epoch (≥ 0)
   */
  static void shuffle(int[] p, long seed, long epoch) {
    int n = p.length;
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    long state = Mlp.layerSeed(seed ^ 0x6A09E667F3BCC909L, (int) epoch);
    for (int i = n - 1; i > 0; i--) {
      int bound = i + 1;
      // nextInt(bound): a mask for powers of two, else the unbiased rejection on 31-bit draws.
      state += GAMMA;
      int r = mix32(state);
      int m = bound - 1;
      if ((bound & m) == 0) {
        r &= m;
      } else {
        for (int u = r >>> 1; u + m - (r = u % bound) < 0; ) {
          state += GAMMA;
          u = mix32(state) >>> 1;
        }
      }
      int tmp = p[i];
      p[i] = p[r];
      p[r] = tmp;
    }
  }

  /** The high 32 bits of SplitMix64's output function applied to {@code z} (its 32-bit variant). */
  private static int mix32(long z) {
    z = (z ^ (z >>> 33)) * 0x62A9D9ED799705F5L;
    return (int) (((z ^ (z >>> 28)) * 0xCB24D0A5C88C35B3L) >>> 32);
  }
}
