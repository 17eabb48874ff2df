package io.github.spectral4j.bench;

import io.github.spectral4j.simd.FloatMatrix;
import io.github.spectral4j.trainer.Dataset;
import io.github.spectral4j.trainer.Diagnostics;
import io.github.spectral4j.trainer.Training;
import io.github.spectral4j.trainer.TrainingConfig;
import java.util.concurrent.TimeUnit;
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
 * The cost of watching feature learning: one SGD step of the default spectral-parametrization MLP
 * 784-w-w-w-10 (ReLU, batch 128, bundled MNIST-10k) with and without the per-step {@link Diagnostics}
 * (‖W‖*, ‖W − W₀‖*, ‖ΔW‖* by warm-started power iteration, RMS h and Δh on a probe of {@code probeRows} rows,
 * whose rows ride along in the step's batch: {@code Training.step(Diagnostics)}, the per-step path). The
 * issue's bar is with/without ≤ 1.10 at width 1024 and batch 128; {@link Report} prints the ratio. The
 * diagnostics' cost does not depend on the batch size and the step's does, so the ratio falls as the batch
 * grows ({@code -p batch=512}); {@link DiagnosticsCostBenchmark} times the parts. Training simply
 * continues across invocations (epochs wrap around), as it does in an experiment.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsPrepend = {"--add-modules", "jdk.incubator.vector", "-Xms2g", "-Xmx2g",
    "--sun-misc-unsafe-memory-access=allow"})
public class TrainStepBenchmark {
  @Param({"1024"})
  public int width;

  /** Whether every step carries the probe ({@code Training.step(Diagnostics)}) and is followed by {@code Diagnostics.measure}. */
  @Param({"false", "true"})
  public boolean diagnostics;

  /** Rows of the fixed probe batch the diagnostics run forward (16, as in the train command). */
  @Param({"16"})
  public int probeRows;

  /** Training batch size (128 is the default of the train command and the experiments). */
  @Param({"128"})
  public int batch;

  /** Threads of the simd GEMM (Blas.setParallelism). */
  @Param({"1"})
  public int threads;

  private Training training;
  private Diagnostics watcher;

  @Setup(Level.Trial)
  public void setUp() {
    Kernels.init(threads);
    Dataset data = Dataset.mnist10k();
    TrainingConfig config = TrainingConfig.defaults(new int[] {784, width, width, width, 10}).withBatchSize(batch);
    training = new Training(config, data);
    FloatMatrix probe = data.range(0, probeRows).inputs();
    watcher = new Diagnostics(training.model(), probe);
    System.out.println(System.lineSeparator() + "# TrainStep " + config);
  }

  /** Sinks the loss as a primitive: returned as an Object it was boxed, a Double per step under {@code -prof gc}. */
  @Benchmark
  public void step(Blackhole sink) {
    if (diagnostics) {
      // The per-step path: the probe rides along in the step's batch, measure reads its features there.
      training.step(watcher);
      sink.consume(watcher.measure(training));
    } else {
      sink.consume(training.step());
    }
  }
}
