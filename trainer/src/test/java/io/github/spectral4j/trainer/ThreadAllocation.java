package io.github.spectral4j.trainer;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Bytes allocated by the current thread, from {@code com.sun.management.ThreadMXBean}, for tests that
 * code allocates nothing per step. Reached by name because the trainer module does not read
 * {@code jdk.management} (tests run on the class path, where it is readable); the method handle is
 * invoked exactly, so reading the counter boxes nothing.
 */
public final class ThreadAllocation {
  private static final MethodHandle BYTES = handle();

  private ThreadAllocation() {}

  private static MethodHandle handle() {
    try {
      Class<?> factory = Class.forName("java.lang.management.ManagementFactory");
      Object bean = factory.getMethod("getThreadMXBean").invoke(null);
      Class<?> type = Class.forName("com.sun.management.ThreadMXBean");
      MethodHandle h =
          MethodHandles.publicLookup()
              .findVirtual(type, "getCurrentThreadAllocatedBytes", MethodType.methodType(long.class))
              .bindTo(bean);
      for (int i = 0; i < 10_000; i++) {
        long ignored = (long) h.invokeExact(); // leave the handle's set-up allocations behind
      }
      return h;
    } catch (Throwable e) {
      throw new IllegalStateException("cannot read per-thread allocation: " + e, e);
    }
  }

  /** The bytes the current thread has allocated so far. */
  public static long bytes() {
    try {
      return (long) BYTES.invokeExact();
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Bytes allocated by {@code repetitions} runs of {@code body} in steady state: the least over five
   * rounds, after as many warm-up runs. The JIT's transitions (on-stack replacement, deoptimisation)
   * occasionally allocate a few hundred bytes on the running thread; code that allocates per run shows
   * at least {@code 16·repetitions} bytes in every round.
   */
  public static long during(int repetitions, Runnable body) {
    for (int i = 0; i < repetitions; i++) {
      body.run();
    }
    long least = Long.MAX_VALUE;
    for (int round = 0; round < 5 && least > 0; round++) {
      long before = bytes();
      for (int i = 0; i < repetitions; i++) {
        body.run();
      }
      least = Math.min(least, bytes() - before);
    }
    return least;
  }
}
