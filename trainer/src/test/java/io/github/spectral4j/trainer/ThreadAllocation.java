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
   * Bytes allocated by {@code repetitions} runs of {@code body} in steady state: the least over rounds of
   * {@code repetitions} runs, after as many warm-up runs, stopping at the first round that allocates
   * nothing and otherwise after five rounds and {@value #PATIENCE_SECONDS} s. Until C2 has compiled them the
   * Vector API kernels allocate their vectors, and on a loaded machine (a full {@code mvn verify} keeps
   * the compiler queue long) that can take far longer than a fixed number of runs; the JIT's transitions
   * (on-stack replacement, deoptimisation) occasionally allocate a few hundred bytes. Code that allocates
   * per run shows at least {@code 16·repetitions} bytes in every round, so waiting longer cannot hide it.
   */
  public static long during(int repetitions, Runnable body) {
    return during(repetitions, body, PATIENCE_SECONDS);
  }

  /** As {@link #during(int, Runnable)}, measuring rounds that allocate for {@code patienceSeconds}. */
  public static long during(int repetitions, Runnable body, long patienceSeconds) {
    for (int i = 0; i < repetitions; i++) {
      body.run();
    }
    long deadline = System.nanoTime() + patienceSeconds * 1_000_000_000L;
    long least = Long.MAX_VALUE;
    for (int round = 0; least > 0 && (round < 5 || System.nanoTime() < deadline); round++) {
      long before = bytes();
      for (int i = 0; i < repetitions; i++) {
        body.run();
      }
      least = Math.min(least, bytes() - before);
    }
    return least;
  }

  /** How long {@link #during} keeps measuring rounds that allocate, waiting for the JIT. */
  static final long PATIENCE_SECONDS = 60;
}
