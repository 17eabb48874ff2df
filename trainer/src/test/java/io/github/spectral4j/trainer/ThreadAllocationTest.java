package io.github.spectral4j.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The meter that the zero-allocation tests rely on sees an allocation, and nothing when there is none. */
class ThreadAllocationTest {
  static volatile Object sink;

  @Test
  void seesEveryAllocationAndNoneOfItsOwn() {
    long allocated = ThreadAllocation.during(100, () -> sink = new byte[1000], 0);
    assertTrue(allocated >= 100 * 1000, "measured " + allocated + " bytes for 100 arrays of 1000");
    assertEquals(0, ThreadAllocation.during(100, () -> sink = null));
  }
}
