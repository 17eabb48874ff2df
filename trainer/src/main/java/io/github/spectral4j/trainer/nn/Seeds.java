package io.github.spectral4j.trainer.nn;

/** Independent seeds for the parameters of a model from one model seed. */
final class Seeds {
  private Seeds() {}

  /** SplitMix64 finaliser of {@code seed} and {@code index}: a different stream per index. */
  static long derive(long seed, long index) {
    long z = seed + 0x9E3779B97F4A7C15L * (index + 1L);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
