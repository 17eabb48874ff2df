package io.github.spectral4j.simd.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The products a training step or a solver's pass repeats allocate nothing on the calling thread once
 * warm, on one thread and forked over two: each kernel (scalar and Panama) for the small-m, thin and few-column A·Bᵀ,
 * a GEMM large enough to fork, the blocked Gram product of the spectral solvers, the optimizer's pass and plain
 * SGD in the weight gradient's write-back. Forked calls used to
 * allocate their capturing lambda (56–72 B per call); the 4-row small-m kernel boxed its 16 accumulators
 * (about 1.2 KB per four columns of C).
 */
class SteadyStateAllocationTest {
  private static final MethodHandle ALLOCATED = allocatedBytes();

  private int parallelism;

  @BeforeEach
  void saveParallelism() {
    parallelism = Parallel.parallelism();
  }

  @AfterEach
  void restoreParallelism() {
    Parallel.setParallelism(parallelism);
  }

  static Stream<Arguments> cases() {
    Stream.Builder<Arguments> cases = Stream.builder();
    for (String impl : KernelsTest.IMPLS) {
      // One thread: small shapes, many runs (the Panama kernels' boxing shows only once C2 compiled them).
      cases.add(Arguments.of(impl, 1, "smallNT", 4, 64, 67));
      cases.add(Arguments.of(impl, 1, "thinNT", 16, 48, 40));
      cases.add(Arguments.of(impl, 1, "gemmNN", 24, 40, 36));
      cases.add(Arguments.of(impl, 1, "gram", GramProducts.BLOCK_ROWS + 7, 40, 0));
      // Two threads: shapes at or above each parallel threshold (2^21 multiply-adds, 2^18 entries).
      cases.add(Arguments.of(impl, 2, "smallNT", 4, 512, 1024));
      cases.add(Arguments.of(impl, 2, "thinNT", 16, 384, 384));
      cases.add(Arguments.of(impl, 2, "gemmNN", 128, 160, 112));
      // The logits layer's forward (few-column A·Bᵀ, rows split) and backward (forked from 2^20) products.
      cases.add(Arguments.of(impl, 2, "fewColumnsNT", 128, 10, 1024));
      cases.add(Arguments.of(impl, 2, "gemmNN", 128, 1024, 10));
      // The forward with probe rows riding along (A·Bᵀ past 128 rows): three narrow panels of Aᵀ, and a
      // wide one with two narrow ones, on one thread and forked.
      cases.add(Arguments.of(impl, 1, "transposedNT", 144, 600, 40));
      cases.add(Arguments.of(impl, 2, "transposedNT", 144, 1024, 64));
      cases.add(Arguments.of(impl, 2, "transposedNT", 160, 700, 48));
      cases.add(Arguments.of(impl, 2, "gram", 3 * GramProducts.BLOCK_ROWS + 5, 350, 0));
      cases.add(Arguments.of(impl, 1, "gramSquares", GramProducts.BLOCK_ROWS + 7, 40, 0));
      cases.add(Arguments.of(impl, 2, "gramSquares", 3 * GramProducts.BLOCK_ROWS + 5, 350, 0));
      // The optimizer's pass without products, its blocks split over the threads.
      cases.add(Arguments.of(impl, 1, "update", 3, SquaresPass.BLOCK, 0));
      cases.add(Arguments.of(impl, 2, "update", 3, SquaresPass.BLOCK, 0));
      // Plain SGD in the weight gradient's write-back (TN): few rows (tile write-back), row tiles along an
      // L2-sized block of B (the row buffer), forked over two threads, and the default's per-thread buffer
      // (a single row, and more than one k slice).
      cases.add(Arguments.of(impl, 1, "gemmUpdate", 22, 70, 33));
      cases.add(Arguments.of(impl, 1, "gemmUpdate", 200, 100, 40));
      cases.add(Arguments.of(impl, 2, "gemmUpdate", 300, 384, 64));
      cases.add(Arguments.of(impl, 1, "gemmUpdate", 1, 70, 13));
      cases.add(Arguments.of(impl, 1, "gemmUpdate", 9, 40, 1100));
      // The step with its products: buckets formed in the write-back on one and two threads (300 rows: the
      // second thread's 144 are few rows, formed after the product), and after the default's pass.
      cases.add(Arguments.of(impl, 1, "gemmUpdateProducts", 200, 100, 40));
      cases.add(Arguments.of(impl, 2, "gemmUpdateProducts", 300, 384, 64));
      cases.add(Arguments.of(impl, 1, "gemmUpdateProducts", 9, 40, 1100));
      // With products: rows in groups of four and a remainder, not split (13 rows) and split in halves
      // of 33 and 34 rows; a fan-in that is no multiple of the vector length.
      cases.add(Arguments.of(impl, 1, "updateWithProducts", 13, 131, 0));
      cases.add(Arguments.of(impl, 1, "updateWithProducts", PanamaOptimizerPass.SPLIT_ROWS + 3, 131, 0));
      cases.add(Arguments.of(impl, 2, "updateWithProducts", PanamaOptimizerPass.SPLIT_ROWS + 3, 131, 0));
      // The read-only pass with both products (after a step written by its GEMM): not split, and in halves.
      cases.add(Arguments.of(impl, 1, "differenceGram", 13, 131, 0));
      cases.add(Arguments.of(impl, 1, "differenceGram", PanamaOptimizerPass.SPLIT_ROWS + 3, 131, 0));
      cases.add(Arguments.of(impl, 2, "differenceGram", PanamaOptimizerPass.SPLIT_ROWS + 3, 131, 0));
    }
    return cases.build();
  }

  @ParameterizedTest(name = "{0} threads={1} {2} {3}x{4}x{5}")
  @MethodSource("cases")
  void repeatedProductsAllocateNothing(String impl, int threads, String what, int m, int n, int k) {
    Kernels kernels = Reference.kernels(impl);
    Parallel.setParallelism(threads);
    SplittableRandom random = new SplittableRandom(m * 31L + n);
    Runnable body =
        switch (what) {
          case "gram" -> {
            float[] a = Reference.random(random, m * n);
            float[] v = Reference.random(random, n);
            float[] av = new float[m];
            float[] out = new float[n];
            float[][] shares = new float[GramProducts.blocks(m) - 1][n];
            yield () -> GramProducts.gramTimes(kernels, m, n, a, v, av, out, shares, threads);
          }
          case "gramSquares" -> {
            float[] a = Reference.random(random, m * n);
            float[] v = Reference.random(random, n);
            float[] av = new float[m];
            float[] out = new float[n];
            float[][] shares = new float[GramProducts.blocks(m) - 1][n];
            yield () -> GramProducts.gramTimesSquares(kernels, m, n, a, v, av, out, shares, threads);
          }
          case "differenceGram" -> {
            float[] w = Reference.random(random, m * n);
            float[] ref = Reference.random(random, m * n);
            float[] x = Reference.random(random, n);
            float[] y = Reference.random(random, n);
            float[] ax = new float[m];
            float[] aOut = new float[n];
            float[] ey = new float[m];
            float[] eOut = new float[n];
            yield () -> kernels.differenceGramTimes(m, n, w, ref, n, x, ax, aOut, y, ey, eOut);
          }
          case "update" -> {
            float[] g = Reference.random(random, m * n);
            float[] d = new float[m * n];
            float[] w = Reference.random(random, m * n);
            double[] sums = new double[2];
            yield () -> kernels.update(m, n, -1e-3f, g, d, w, null, null, null, null, null, null, null, sums);
          }
          case "updateWithProducts" -> {
            float[] g = Reference.random(random, m * n);
            float[] d = new float[m * n];
            float[] w = Reference.random(random, m * n);
            float[] ref = Reference.random(random, m * n);
            float[] x = Reference.random(random, n);
            float[] y = Reference.random(random, n);
            float[] ax = new float[m];
            float[] aOut = new float[n];
            float[] ey = new float[m];
            float[] eOut = new float[n];
            double[] sums = new double[3];
            yield () -> kernels.update(m, n, 0f, g, d, w, ref, x, ax, aOut, y, ey, eOut, sums);
          }
          case "gemmUpdate" -> {
            float[] a = Reference.random(random, k * m);
            float[] b = Reference.random(random, k * n);
            float[] w = Reference.random(random, m * n);
            double[] sums = new double[2];
            yield () -> kernels.gemmUpdate(true, false, m, n, k, 1f, a, m, b, n, -1e-9f, w, n, null, threads, sums);
          }
          case "gemmUpdateProducts" -> {
            float[] a = Reference.random(random, k * m);
            float[] b = Reference.random(random, k * n);
            float[] w = Reference.random(random, m * n);
            float[] ref = Reference.random(random, m * n);
            float[] x = Reference.random(random, n);
            float[] y = Reference.random(random, n);
            float[] ax = new float[m];
            float[] aOut = new float[n];
            float[] ey = new float[m];
            float[] eOut = new float[n];
            double[] sums = new double[3];
            yield () -> kernels.gemmUpdate(true, false, m, n, k, 1f, a, m, b, n, -1e-9f, w, n, null, threads, ref, x, ax,
                aOut, y, ey, eOut, sums);
          }
          case "gemmNN" -> {
            float[] a = Reference.random(random, m * k);
            float[] b = Reference.random(random, k * n);
            float[] c = new float[m * n];
            yield () -> kernels.gemm(false, false, m, n, k, 1f, a, k, b, n, 0f, c, n, threads);
          }
          default -> {
            float[] a = Reference.random(random, m * k);
            float[] b = Reference.random(random, n * k);
            float[] c = new float[m * n];
            yield () -> kernels.gemm(false, true, m, n, k, 1f, a, k, b, k, 0.5f, c, n, threads);
          }
        };
    // Enough runs for C2 to compile the Panama kernels (interpreted Vector API code boxes every vector);
    // the scalar kernels allocate nothing even interpreted.
    int runs = impl.equals("scalar") ? 30 : threads == 1 ? 2000 : 300;
    assertEquals(0, during(runs, body), impl + " " + what + " on " + threads + " threads, bytes per " + runs + " calls");
  }

  /**
   * Bytes the current thread allocated in {@code repetitions} runs of {@code body}: the least over rounds,
   * stopping at the first that allocates nothing and otherwise after twenty rounds and thirty seconds,
   * after at least as many warm-up runs and half a second. Until C2 has compiled them the Vector API's
   * operations run as Java code that boxes every vector, and on a loaded machine C2's queue can hold a
   * kernel back for seconds (as the trainer's ThreadAllocation waits for); the JIT's transitions
   * occasionally allocate a few hundred bytes. Code that allocates per run shows at least
   * 16·repetitions bytes in every round, so waiting longer cannot hide it.
   */
  private static long during(int repetitions, Runnable body) {
    long warm = System.nanoTime() + 500_000_000L;
    for (int i = 0; i < repetitions || System.nanoTime() < warm; i++) {
      body.run();
    }
    long least = Long.MAX_VALUE;
    long patience = System.nanoTime() + 30_000_000_000L;
    for (int round = 0; least > 0 && (round < 20 || System.nanoTime() < patience); round++) {
      long before = allocated();
      for (int i = 0; i < repetitions; i++) {
        body.run();
      }
      least = Math.min(least, allocated() - before);
    }
    return least;
  }

  /** Bytes allocated so far by the current thread (also used by {@link ParallelTest}). */
  static long allocated() {
    try {
      return (long) ALLOCATED.invokeExact();
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  /** com.sun.management.ThreadMXBean's counter, reached by name, invoked exactly (reading it boxes nothing). */
  private static MethodHandle allocatedBytes() {
    try {
      Class<?> factory = Class.forName("java.lang.management.ManagementFactory");
      Object bean = factory.getMethod("getThreadMXBean").invoke(null);
      Class<?> type = Class.forName("com.sun.management.ThreadMXBean");
      MethodHandle h = MethodHandles.publicLookup()
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
}
