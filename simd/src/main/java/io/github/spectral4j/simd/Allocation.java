package io.github.spectral4j.simd;

import java.util.Locale;

/**
 * Size checks made before an allocation, so that a size that cannot work is refused with an
 * IllegalArgumentException naming it and the limit, instead of an ArithmeticException (int overflow),
 * a NegativeArraySizeException or an OutOfMemoryError after the JVM has tried.
 */
final class Allocation {
  /** The longest array HotSpot allocates (a few header words below Integer.MAX_VALUE). */
  static final long MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;

  private Allocation() {}

  /**
   * {@code count} as an array length, or IllegalArgumentException naming {@code what} (e.g.
   * "a 100000x100000 matrix") when it exceeds {@link #MAX_ARRAY_LENGTH}.
   */
  static int arrayLength(String who, String what, long count, String unit, int bytesEach) {
    if (count > MAX_ARRAY_LENGTH) {
      throw new IllegalArgumentException(who + ": " + what + " needs " + count + " " + unit + " in one array ("
          + gib(bytesEach * count) + "), more than the " + MAX_ARRAY_LENGTH + " a Java array can hold");
    }
    return (int) count;
  }

  /**
   * Refuses an allocation of {@code bytes} that can never succeed because it exceeds the heap the JVM
   * may grow to ({@link Runtime#maxMemory()}); an allocation that merely needs a collection first is
   * left to the JVM.
   */
  static void requireHeap(String who, String what, long bytes) {
    long max = Runtime.getRuntime().maxMemory();
    if (max != Long.MAX_VALUE && bytes > max) {
      throw new IllegalArgumentException(who + ": " + what + " needs " + gib(bytes) + ", the JVM may use at most "
          + gib(max) + " (raise -Xmx)");
    }
  }

  /** Checks a matrix of {@code rows × cols} floats: one array, and room for it in the heap. */
  static int matrixLength(String who, int rows, int cols) {
    String what = "a " + rows + "x" + cols + " matrix";
    int length = arrayLength(who, what, (long) rows * cols, "floats", 4);
    requireHeap(who, what, 4L * length);
    return length;
  }

  static String gib(long bytes) {
    return String.format(Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30));
  }
}
