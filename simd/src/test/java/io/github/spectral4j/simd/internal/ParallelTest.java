package io.github.spectral4j.simd.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Parallel#forEach} on the spinning team and on the pool: every task runs exactly once, task 0 on
 * the caller and the others on other threads, whatever sequence of task counts follows (a worker left out
 * of one job must not run the next job's task twice), failures reach the caller (the lowest task's), nested
 * and concurrent callers complete, the caller sees every task's writes, and a warm forked call allocates
 * nothing on the caller.
 */
class ParallelTest {
  private int parallelism;

  @BeforeEach
  void saveParallelism() {
    parallelism = Parallel.parallelism();
  }

  @AfterEach
  void restoreParallelism() {
    Parallel.setParallelism(parallelism);
  }

  /** Random task counts 1 … 4 (some above the parallelism, which take the pool), 2,000 jobs per seed. */
  @ParameterizedTest(name = "seed={0}")
  @ValueSource(longs = {1, 2, 3, 4, 5})
  void everyTaskRunsOnceInAnySequenceOfTaskCounts(long seed) {
    Parallel.setParallelism(3);
    SplittableRandom random = new SplittableRandom(seed);
    AtomicIntegerArray runs = new AtomicIntegerArray(4);
    int[] plain = new int[4]; // written by the tasks without synchronisation, read by the caller after
    Thread caller = Thread.currentThread();
    AtomicReference<String> wrongThread = new AtomicReference<>();
    for (int job = 0; job < 2000; job++) {
      int tasks = 1 + random.nextInt(4);
      int stamp = job;
      IntConsumer body = t -> {
        runs.incrementAndGet(t);
        plain[t] = stamp;
        if ((t == 0) != (Thread.currentThread() == caller)) {
          wrongThread.compareAndSet(null, "task " + t + " of job " + stamp + " ran on " + Thread.currentThread());
        }
        for (int spin = (stamp * 31 + t) % 8 * 50; spin > 0; spin--) {
          Thread.onSpinWait(); // vary which task finishes first
        }
      };
      Parallel.forEach(tasks, body);
      for (int t = 0; t < 4; t++) {
        assertEquals(t < tasks ? 1 : 0, runs.getAndSet(t, 0), "runs of task " + t + " in job " + job + " of " + tasks);
        if (t < tasks) {
          assertEquals(job, plain[t], "the caller sees task " + t + "'s write");
        }
      }
    }
    assertEquals(null, wrongThread.get());
  }

  /**
   * Jobs alternating back to back between two tasks and as many as the team has workers (more workers
   * than this machine's CPUs, so that they are preempted mid-job): each task runs once in each job, also
   * for the workers left out of every other job. (The race this guards against, a left-out worker reading
   * the next job's task count, has too narrow a window to be caught reliably: the task count travels in
   * the same volatile word as the job number so that it cannot happen.)
   */
  @Test
  void workersLeftOutOfAJobDoNotRunTheNext() {
    Parallel.setParallelism(6);
    AtomicIntegerArray runs = new AtomicIntegerArray(6);
    for (int job = 0; job < 30_000; job++) {
      int tasks = job % 2 == 0 ? 2 : 6;
      Parallel.forEach(tasks, runs::incrementAndGet);
      for (int t = 0; t < 6; t++) {
        int expected = t < tasks ? 1 : 0;
        int got = runs.getAndSet(t, 0);
        if (got != expected) {
          assertEquals(expected, got, "runs of task " + t + " in job " + job + " of " + tasks);
        }
      }
    }
  }

  @Test
  void theLowestFailingTaskIsRethrown() {
    Parallel.setParallelism(3);
    for (int round = 0; round < 50; round++) {
      IllegalStateException one = new IllegalStateException("task 1");
      IllegalStateException two = new IllegalStateException("task 2");
      IntConsumer body = t -> {
        if (t == 1) {
          throw one;
        }
        if (t == 2) {
          throw two;
        }
      };
      assertSame(one, assertThrows(IllegalStateException.class, () -> Parallel.forEach(3, body)));
      AssertionError error = new AssertionError("task 0");
      assertSame(error, assertThrows(AssertionError.class, () -> Parallel.forEach(2, t -> {
        if (t == 0) {
          throw error;
        }
      })));
      // The team is free again: a plain job still runs every task.
      AtomicIntegerArray runs = new AtomicIntegerArray(3);
      Parallel.forEach(3, runs::incrementAndGet);
      assertArrayEquals(new int[] {1, 1, 1}, new int[] {runs.get(0), runs.get(1), runs.get(2)});
    }
  }

  @Test
  void nestedCallsComplete() {
    Parallel.setParallelism(2);
    AtomicIntegerArray runs = new AtomicIntegerArray(4);
    for (int round = 0; round < 200; round++) {
      Parallel.forEach(2, outer -> Parallel.forEach(2, inner -> runs.incrementAndGet(2 * outer + inner)));
    }
    for (int i = 0; i < 4; i++) {
      assertEquals(200, runs.get(i), "inner task " + i);
    }
  }

  /**
   * A nested call from a share of a job that keeps every thread busy runs all its tasks, in order, on that
   * share's thread (more threads there would only oversubscribe the cores), and rethrows its lowest failing
   * task's failure after all ran.
   */
  @Test
  void aNestedCallInAFullJobRunsOnTheSharesThread() {
    Parallel.setParallelism(2);
    for (int round = 0; round < 200; round++) {
      Thread[] outerThreads = new Thread[2];
      Thread[][] innerThreads = new Thread[2][3];
      int[][] order = new int[2][3];
      RuntimeException[] thrown = new RuntimeException[2];
      Parallel.forEach(2, outer -> {
        outerThreads[outer] = Thread.currentThread();
        int[] next = {0};
        Parallel.forEach(outer == 0 ? 2 : 3, inner -> {
          innerThreads[outer][inner] = Thread.currentThread();
          order[outer][inner] = next[0]++;
        });
        thrown[outer] = assertThrows(IllegalStateException.class, () -> Parallel.forEach(3, inner -> {
          if (inner > 0) {
            throw new IllegalStateException("inner " + inner);
          }
        }));
      });
      assertTrue(outerThreads[0] != outerThreads[1], "the outer job ran on two threads");
      for (int outer = 0; outer < 2; outer++) {
        for (int inner = 0; inner < (outer == 0 ? 2 : 3); inner++) {
          assertSame(outerThreads[outer], innerThreads[outer][inner], "outer " + outer + ", inner " + inner);
          assertEquals(inner, order[outer][inner], "outer " + outer + ", inner " + inner);
        }
        assertEquals("inner 1", thrown[outer].getMessage());
      }
    }
  }

  /** Several callers at once: one holds the team, the others take the pool; all complete, each task once. */
  @Test
  void concurrentCallersComplete() throws InterruptedException {
    Parallel.setParallelism(2);
    int callers = 4;
    int jobs = 2000;
    AtomicIntegerArray runs = new AtomicIntegerArray(2 * callers);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    CountDownLatch start = new CountDownLatch(1);
    Thread[] threads = new Thread[callers];
    for (int c = 0; c < callers; c++) {
      int id = c;
      threads[c] = new Thread(() -> {
        try {
          start.await();
          for (int j = 0; j < jobs; j++) {
            Parallel.forEach(2, t -> runs.incrementAndGet(2 * id + t));
          }
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        }
      });
      threads[c].start();
    }
    start.countDown();
    for (Thread t : threads) {
      t.join(120_000);
      assertTrue(!t.isAlive(), "a caller did not finish");
    }
    assertEquals(null, failure.get());
    for (int i = 0; i < 2 * callers; i++) {
      assertEquals(jobs, runs.get(i), "task " + (i % 2) + " of caller " + i / 2);
    }
  }

  @Test
  void aWarmForkedCallAllocatesNothing() {
    Parallel.setParallelism(2);
    Counter counter = new Counter();
    long least = Long.MAX_VALUE;
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (least > 0 && System.nanoTime() < deadline) {
      long before = SteadyStateAllocationTest.allocated();
      for (int i = 0; i < 1000; i++) {
        Parallel.forEach(2, counter);
      }
      least = Math.min(least, SteadyStateAllocationTest.allocated() - before);
    }
    assertEquals(0, least, "bytes allocated by 1000 forked calls");
  }

  /** A reused body, as the kernels' per-thread jobs are. */
  private static final class Counter implements IntConsumer {
    final AtomicIntegerArray runs = new AtomicIntegerArray(2);

    @Override
    public void accept(int t) {
      runs.incrementAndGet(t);
    }
  }
}
