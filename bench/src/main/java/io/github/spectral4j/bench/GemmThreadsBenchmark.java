package io.github.spectral4j.bench;

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

/**
 * Multithreaded SGEMM scaling: the same square multiplication as {@link GemmBenchmark} with the
 * library's own thread pool set to {@code threads} (spectral4j's {@code Blas.setParallelism}, OpenBLAS's
 * {@code openblas_set_num_threads}). The JMH harness itself uses one thread; the speed-up of 2 threads
 * over 1 is the scaling figure.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsPrepend = {"--add-modules", "jdk.incubator.vector", "-Xms2g", "-Xmx2g",
    "--sun-misc-unsafe-memory-access=allow",
    "--enable-native-access=ALL-UNNAMED"})
public class GemmThreadsBenchmark {
  @Param({"vector", "openblas"})
  public String impl;

  @Param({"NN"})
  public String op;

  @Param({"2048"})
  public int n;

  @Param({"1", "2"})
  public int threads;

  private Gemm gemm;

  @Setup(Level.Trial)
  public void setUp() {
    gemm = Gemm.create(impl, op, n, threads, 42);
    gemm.run();
    float[][] inputs = GemmBenchmark.inputs(n);
    Checks.gemmSample(impl + " " + op + " threads=" + threads, n, gemm.transA, gemm.transB,
        inputs[0], inputs[1], gemm.result());
  }

  @Benchmark
  public Object gemm() {
    return gemm.run();
  }
}
