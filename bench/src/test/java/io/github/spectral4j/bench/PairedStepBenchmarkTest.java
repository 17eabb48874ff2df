package io.github.spectral4j.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.spectral4j.simd.Blas;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.infra.Blackhole;

class PairedStepBenchmarkTest {
  private static final Blackhole SINK =
      new Blackhole("Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");

  private final int parallelism = Blas.parallelism();

  @AfterEach
  void restoreParallelism() {
    Blas.setParallelism(parallelism);
  }

  private static PairedStepBenchmark bench(String compare, int threads) {
    PairedStepBenchmark b = new PairedStepBenchmark();
    b.compare = compare;
    b.threads = threads;
    b.width = 48;
    b.batch = 32;
    b.probeRows = 4;
    b.stepsPerArm = 3;
    return b;
  }

  /**
   * Both arms train the same model on the same batches (diagnostics only watch; the thread count changes no bit),
   * so after any number of operations their weights are equal: the ratio compares the same work. Each operation
   * adds a run of stepsPerArm steps to each arm.
   */
  @Test
  void theArmsTrainTheSameModelAndAreEachTimedOncePerPair() {
    for (String compare : new String[] {"diagnostics", "threads"}) {
      PairedStepBenchmark b = bench(compare, 2);
      b.setUp();
      PairedStepBenchmark.Arms arms = new PairedStepBenchmark.Arms();
      arms.reset();
      for (int i = 0; i < 5; i++) {
        b.pair(arms, SINK);
      }
      assertEquals(15, arms.steps, compare);
      assertTrue(arms.firstNanos > 0 && arms.secondNanos > 0, compare);
      assertEquals(15, b.first.stepCount(), compare);
      assertEquals(15, b.second.stepCount(), compare);
      for (int l = 0; l < 4; l++) {
        assertArrayEquals(b.first.model().weight(l).data(), b.second.model().weight(l).data(), compare + " layer " + l);
      }
    }
  }

  @Test
  void refusesAnUnknownComparisonOneThreadAgainstItselfAndEmptyRuns() {
    IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> bench("probe", 1).setUp());
    assertEquals("compare must be diagnostics or threads, got probe", unknown.getMessage());
    IllegalArgumentException one = assertThrows(IllegalArgumentException.class, () -> bench("threads", 1).setUp());
    assertEquals("compare=threads times 1 thread against threads >= 2, got threads=1", one.getMessage());
    PairedStepBenchmark empty = bench("diagnostics", 1);
    empty.stepsPerArm = 0;
    IllegalArgumentException none = assertThrows(IllegalArgumentException.class, empty::setUp);
    assertEquals("stepsPerArm must be >= 1, got 0", none.getMessage());
  }
}
