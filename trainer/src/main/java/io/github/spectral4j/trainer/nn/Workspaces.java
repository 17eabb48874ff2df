package io.github.spectral4j.trainer.nn;

import java.util.function.IntFunction;

/**
 * A module's work buffers, one set per batch shape (number of rows), for the few most recently used
 * shapes: a training batch and a probe batch of another size alternate without reallocating, and a
 * lookup allocates nothing (no boxed keys, no capturing lambdas). Not thread-safe.
 */
final class Workspaces<W> {
  private static final int CAPACITY = 4;

  private final IntFunction<W> factory;
  private final int[] rows = new int[CAPACITY];
  private final Object[] works = new Object[CAPACITY];
  private final long[] used = new long[CAPACITY];
  private long clock;

  /** @param factory makes the buffers for a number of rows; called once per new shape */
  Workspaces(IntFunction<W> factory) {
    this.factory = factory;
  }

  /** The buffers for {@code n} rows, made on first use; the least recently used set is dropped. */
  @SuppressWarnings("unchecked")
  W get(int n) {
    int victim = 0;
    for (int i = 0; i < CAPACITY; i++) {
      if (works[i] != null && rows[i] == n) {
        used[i] = ++clock;
        return (W) works[i];
      }
      if (used[i] < used[victim]) {
        victim = i;
      }
    }
    W w = factory.apply(n);
    works[victim] = w;
    rows[victim] = n;
    used[victim] = ++clock;
    return w;
  }
}
