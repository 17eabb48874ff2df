package io.github.spectral4j.trainer;

import io.github.spectral4j.core.Optimizer;
import java.util.Locale;

/**
 * Refuses work that cannot fit before anything is allocated: a command estimates the bytes it will
 * allocate (model, optimizer state, diagnostics, data) and asks {@link #require}, which compares them
 * with what the JVM may still use, {@code maxMemory − (totalMemory − freeMemory)} (after one
 * garbage collection, before refusing). The estimates are
 * deliberately rough (within a factor of about two): the point is one line naming the size and the
 * limit within a second, instead of an {@link OutOfMemoryError} after minutes or an integer overflow
 * with a stack trace.
 */
public final class MemoryBudget {
  private static final double GIB = 1024.0 * 1024 * 1024;
  /** The largest Java array, a little below {@link Integer#MAX_VALUE} on common JVMs. */
  public static final int MAX_ARRAY = Integer.MAX_VALUE - 8;
  private static final long HEADROOM_BYTES = 32L << 20;

  private MemoryBudget() {}

  /** Bytes the JVM may still allocate: its maximum heap less what is in use. */
  public static long available() {
    Runtime r = Runtime.getRuntime();
    return r.maxMemory() - (r.totalMemory() - r.freeMemory());
  }

  /**
   * Refuses work whose estimate, with headroom, exceeds what the JVM may still use.
   *
   * @param what what needs them, e.g. "an MLP [784, 30000, 30000, 10]"
   * @param estimate the bytes it will allocate; {@link Long#MAX_VALUE} for "more than can be counted".
   *     Required is the estimate plus 20 % and 32 MiB of headroom for the garbage collector
   * @throws IllegalArgumentException "WHAT needs ≈ X GiB, the JVM may use Y GiB (raise -Xmx via
   *     JAVA_OPTS)"
   */
  public static void require(String what, long estimate) {
    // Headroom: a collector cannot fill the whole heap with live arrays (regions, humongous objects,
    // the transient copies of evaluation). Measured: train --dims 784,2048,2048,10 --optimizer adam
    // --diagnostics-every 2 passes the bare estimate at -Xmx260m and then runs out of memory while
    // evaluating; with this headroom it is refused up front.
    long bytes = estimate >= (Long.MAX_VALUE - HEADROOM_BYTES) / 6 * 5 ? Long.MAX_VALUE : estimate / 5 * 6 + HEADROOM_BYTES;
    long available = available();
    if (bytes > available) {
      // What is in use includes garbage; collect once before refusing (only on this rare path).
      System.gc();
      available = available();
    }
    if (bytes > available) {
      throw new IllegalArgumentException(String.format(
          Locale.ROOT, "%s needs ≈ %s GiB, the JVM may use %s GiB (raise -Xmx via JAVA_OPTS)",
          what, gib(bytes), gib(available)));
    }
  }

  /**
   * Refuses a {@code rows × cols} matrix that a single Java array cannot hold.
   *
   * @param what names the matrix, e.g. "layer W2"
   * @param rows its rows
   * @param cols its columns
   * @throws IllegalArgumentException naming the sizes and the limit
   */
  public static void requireArray(String what, long rows, long cols) {
    if (rows < 0 || cols < 0 || (double) rows * cols > MAX_ARRAY) {
      throw new IllegalArgumentException(String.format(
          Locale.ROOT, "%s has %d × %d = %.3g elements, more than a Java array holds (%d)",
          what, rows, cols, (double) rows * cols, MAX_ARRAY));
    }
  }

  /**
   * Refuses MLP runs that cannot fit: {@code concurrent} runs of an MLP with these dimensions, each
   * estimated by {@link Training#footprint}, and each weight matrix within one Java array.
   *
   * @param what names the work, e.g. "coord-check at width 40000"
   * @param dims the MLP's dimensions, not modified
   * @param optimizer its optimizer (Adam keeps two state arrays per parameter)
   * @param batch its batch size
   * @param concurrent how many such runs are held in memory at once, at least 1
   * @throws IllegalArgumentException naming the size and the limit
   */
  public static void requireMlp(String what, int[] dims, Optimizer optimizer, int batch, int concurrent) {
    long one = Training.footprint(TrainingConfig.defaults(dims).withOptimizer(optimizer).withBatchSize(batch));
    long all = one > Long.MAX_VALUE / Math.max(1, concurrent) ? Long.MAX_VALUE : one * Math.max(1, concurrent);
    require(concurrent > 1 ? what + " (" + concurrent + " runs at once)" : what, all);
    for (int l = 0; l + 1 < dims.length; l++) {
      requireArray(what + ": layer W" + (l + 1), dims[l + 1], dims[l]);
    }
  }

  private static String gib(long bytes) {
    double g = bytes / GIB;
    // Long.MAX_VALUE is what a saturated estimate says: more than can be counted.
    return bytes == Long.MAX_VALUE ? "∞" : String.format(Locale.ROOT, g >= 10 ? "%.0f" : "%.2g", g);
  }
}
