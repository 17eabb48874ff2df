package io.github.spectral4j.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.spectral4j.core.Optimizer;
import org.junit.jupiter.api.Test;

class MemoryBudgetTest {
  @Test
  void footprintOfATinyMlpByHand() {
    // dims 2,3, no bias, SGD without momentum, batch 1: 6 parameters × 4 floats, 3 units × 3 buffers ×
    // (1 + 500 evaluation rows), 2 inputs × 501 rows; 4 bytes each.
    TrainingConfig c = TrainingConfig.defaults(new int[] {2, 3}).withBatchSize(1);
    assertEquals(4L * (6 * 4 + 3 * 3 * 501 + 2 * 501), Training.footprint(c));
    // Adam keeps two more floats per parameter, momentum one.
    assertEquals(Training.footprint(c) + 4L * 6 * 2, Training.footprint(c.withOptimizer(Optimizer.ADAM)));
    assertEquals(Training.footprint(c) + 4L * 6, Training.footprint(c.withMomentum(0.9)));
    // Sizes far beyond a long saturate instead of wrapping.
    TrainingConfig huge = TrainingConfig.defaults(new int[] {2_000_000_000, 2_000_000_000, 2_000_000_000, 10});
    assertTrue(Training.footprint(huge) > 0);
  }

  @Test
  void refusesNamingTheSizeTheLimitAndTheRemedy() {
    MemoryBudget.require("nothing much", 1);
    IllegalArgumentException e = assertThrows(
        IllegalArgumentException.class, () -> MemoryBudget.require("a model", 3 * Runtime.getRuntime().maxMemory()));
    assertTrue(e.getMessage().matches("a model needs ≈ [0-9.]+ GiB, the JVM may use [0-9.]+ GiB \\(raise -Xmx via JAVA_OPTS\\)"),
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> MemoryBudget.require("everything", Long.MAX_VALUE));
    assertTrue(e.getMessage().contains("needs ≈ ∞ GiB"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> MemoryBudget.requireArray("layer W2", 200_000, 200_000));
    assertEquals("layer W2 has 200000 × 200000 = 4.00e+10 elements, more than a Java array holds (2147483639)",
        e.getMessage());
    MemoryBudget.requireArray("layer W1", 46_340, 46_340);
    e = assertThrows(IllegalArgumentException.class,
        () -> MemoryBudget.requireMlp("lr-sweep at width 40000", new int[] {784, 40000, 40000, 10}, Optimizer.ADAM, 128, 2));
    assertTrue(e.getMessage().startsWith("lr-sweep at width 40000 (2 runs at once) needs ≈ "), e.getMessage());
  }

  @Test
  void trainingRefusesBeforeAllocating() {
    Dataset data = Dataset.teacher(784, 10, 200, 1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Training(TrainingConfig.defaults(new int[] {784, 200_000, 200_000, 10}), data));
    assertTrue(e.getMessage().startsWith("an MLP [784, 200000, 200000, 10] needs ≈ "), e.getMessage());
  }
}
