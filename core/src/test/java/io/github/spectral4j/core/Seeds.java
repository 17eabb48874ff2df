package io.github.spectral4j.core;

import java.util.stream.LongStream;

/** Seeds for property tests: each parameterized case draws its inputs from {@code new SplittableRandom(seed)}. */
final class Seeds {
  private Seeds() {}

  /** The seeds of {@code count} cases; shown in each test's display name so a failure reproduces. */
  static LongStream of(int count) {
    return LongStream.range(0, count).map(i -> 0x5EEDL * 1_000_003L + i);
  }

  static LongStream cases() {
    return of(250);
  }
}
