package io.github.spectral4j.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The control of {@code -prof gc}: an operation that does no spectral4j work and allocates nothing, but lasts
 * {@code millis} ms like a training step (it spins on {@link System#nanoTime}). JMH's GC profiler divides
 * the bytes allocated by every live thread but the harness's own during an iteration by the operations in
 * it, so the harness's per-iteration allocation on its worker thread shows up as B/op that grow with the
 * time per operation. What this benchmark reports under {@code -prof gc} is that share; {@link Report}
 * prints it beside the training steps and subtracts it, scaled to their ms/op, from their B/op. Run it in
 * the same JMH run as the steps, with {@code -p millis} near their times (the defaults are the MLP and GPT
 * steps' times on one and two cores of a Zen 5).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsPrepend = {"--add-modules", "jdk.incubator.vector", "-Xms2g", "-Xmx2g",
    "--sun-misc-unsafe-memory-access=allow"})
public class AllocationControlBenchmark {
  /** How long one operation spins, in milliseconds. */
  @Param({"8", "13", "130", "210"})
  public double millis;

  private long nanos;

  @org.openjdk.jmh.annotations.Setup
  public void setUp() {
    if (!(millis > 0 && millis <= 60_000)) {
      throw new IllegalArgumentException("millis must be in (0, 60000], got " + millis);
    }
    nanos = Math.round(millis * 1e6);
  }

  /** Spins for {@code millis} ms; returns a primitive, so nothing is boxed. */
  @Benchmark
  public long spin() {
    long start = System.nanoTime();
    long now = start;
    while (now - start < nanos) {
      now = System.nanoTime();
    }
    return now;
  }
}
