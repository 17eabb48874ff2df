package io.github.spectral4j.bench;

import io.github.spectral4j.simd.Blas;
import io.github.spectral4j.trainer.Dataset;
import io.github.spectral4j.trainer.Diagnostics;
import io.github.spectral4j.trainer.Training;
import io.github.spectral4j.trainer.TrainingConfig;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The two ratios of issue 11 that compare spectral4j with itself — a step with per-step diagnostics over one
 * without (bar ≤ 1.10), and a step on one thread over the same step on {@code threads} (bar ≥ 1.8) — measured
 * in one JVM with the two arms alternating in short runs, instead of by two {@link TrainStepBenchmark} runs
 * minutes apart. On a shared machine whose speed drifts by 10–15 % from minute to minute (the 2-vCPU Zen 5 of
 * sessions 12–14) the separate runs' ratio moves by as much as the bars' margins; alternating runs put both arms
 * in the same seconds. Each operation is {@code stepsPerArm} steps of each arm, the order swapped every operation,
 * each run timed with {@link System#nanoTime}; {@link Report} divides the two arms' totals. The arms are two
 * trainings of the same MLP 784-w-w-w-10 (SGD, batch 128, MNIST-10k, same seed), so each run's first step starts
 * with the other arm's weights in the caches. Warm-up 8 × 3 s, as bench/README.md explains for the steps (C2
 * compiles the last kernels 11–25 s in).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 8, time = 3)
@Measurement(iterations = 10, time = 2)
@Fork(value = 1, jvmArgsPrepend = {"--add-modules", "jdk.incubator.vector", "-Xms2g", "-Xmx2g",
    "--sun-misc-unsafe-memory-access=allow"})
public class PairedStepBenchmark {
  /**
   * {@code diagnostics}: the first arm steps without diagnostics, the second with them (the per-step path of
   * {@link TrainStepBenchmark}), both on {@code threads} threads. {@code threads}: both without diagnostics,
   * the first on one thread, the second on {@code threads} (then at least 2).
   */
  @Param({"diagnostics"})
  public String compare;

  @Param({"1"})
  public int threads;

  @Param({"1024"})
  public int width;

  @Param({"128"})
  public int batch;

  /** Rows of the fixed probe batch of the diagnostics arm (16, as in the train command). */
  @Param({"16"})
  public int probeRows;

  /**
   * Consecutive steps of one arm before the other's. One step each ran both arms cold (each step after the other
   * arm's weights) and, for the thread pair, woke the parked GEMM worker at every step's forks: 1 against 2 threads
   * read 13.3 against 9.04 ms (1.48 ×) that way, against 1.51–1.80 in separate runs. Runs of 8 steps (0.1–0.3 s)
   * still alternate far faster than the machine's speed drifts.
   */
  @Param({"8"})
  public int stepsPerArm;

  /** The two arms' time and their steps (each arm's), summed over an iteration (JMH prints them beside the score). */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class Arms {
    public long firstNanos;
    public long secondNanos;
    public long steps;

    @Setup(Level.Iteration)
    public void reset() {
      firstNanos = 0;
      secondNanos = 0;
      steps = 0;
    }
  }

  /** The two arms (read by the test). */
  Training first;
  Training second;
  private Diagnostics watcher;
  private boolean diagnostics;
  private int firstThreads;
  private long operations;

  @Setup(Level.Trial)
  public void setUp() {
    diagnostics = switch (compare) {
      case "diagnostics" -> true;
      case "threads" -> false;
      default -> throw new IllegalArgumentException("compare must be diagnostics or threads, got " + compare);
    };
    if (stepsPerArm < 1) {
      throw new IllegalArgumentException("stepsPerArm must be >= 1, got " + stepsPerArm);
    }
    if (!diagnostics && threads < 2) {
      throw new IllegalArgumentException("compare=threads times 1 thread against threads >= 2, got threads=" + threads);
    }
    firstThreads = diagnostics ? threads : 1;
    Kernels.init(threads);
    Dataset data = Dataset.mnist10k();
    TrainingConfig config = TrainingConfig.defaults(new int[] {784, width, width, width, 10}).withBatchSize(batch);
    first = new Training(config, data);
    second = new Training(config, data);
    watcher = diagnostics ? new Diagnostics(second.model(), data.range(0, probeRows).inputs()) : null;
    System.out.println(System.lineSeparator() + "# PairedStep " + compare + ", threads " + firstThreads + " | "
        + threads + ", " + config);
  }

  @Benchmark
  public void pair(Arms arms, Blackhole sink) {
    if ((operations++ & 1) == 0) {
      arms.firstNanos += firstArm(sink);
      arms.secondNanos += secondArm(sink);
    } else {
      arms.secondNanos += secondArm(sink);
      arms.firstNanos += firstArm(sink);
    }
    arms.steps += stepsPerArm;
  }

  private long firstArm(Blackhole sink) {
    Blas.setParallelism(firstThreads);
    long start = System.nanoTime();
    for (int s = 0; s < stepsPerArm; s++) {
      sink.consume(first.step());
    }
    return System.nanoTime() - start;
  }

  private long secondArm(Blackhole sink) {
    Blas.setParallelism(threads);
    long start = System.nanoTime();
    for (int s = 0; s < stepsPerArm; s++) {
      if (diagnostics) {
        second.step(watcher);
        sink.consume(watcher.measure(second));
      } else {
        sink.consume(second.step());
      }
    }
    return System.nanoTime() - start;
  }
}
