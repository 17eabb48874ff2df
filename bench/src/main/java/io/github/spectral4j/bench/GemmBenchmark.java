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
 * Single-threaded square SGEMM {@code C = op(A)·op(B)} for n×n float32 matrices: spectral4j's Vector
 * API kernel against plain Java, EJML and OpenBLAS. The score is multiplications per second; one
 * multiplication is 2·n³ floating-point operations, which {@link Report} turns into GFLOP/s. Each
 * trial checks 64 sampled entries of its result in double precision before it is timed.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsPrepend = {"--add-modules", "jdk.incubator.vector", "-Xms2g", "-Xmx2g",
    "--sun-misc-unsafe-memory-access=allow",
    "--enable-native-access=ALL-UNNAMED"})
public class GemmBenchmark {
  /** vector = spectral4j Blas.gemm, scalar = plain Java loops, ejml = CommonOps_FDRM, openblas = cblas_sgemm. */
  @Param({"vector", "scalar", "ejml", "openblas"})
  public String impl;

  /** op(A)op(B): NN = A·B, NT = A·Bᵀ, TN = Aᵀ·B. */
  @Param({"NN", "NT", "TN"})
  public String op;

  @Param({"256", "512", "1000", "1024", "2048"})
  public int n;

  private Gemm gemm;

  @Setup(Level.Trial)
  public void setUp() {
    gemm = Gemm.create(impl, op, n, 1, 42);
    gemm.run();
    // The scalar loops and EJML read the inputs back from their own arrays; check against those.
    float[][] inputs = inputs(n);
    Checks.gemmSample(impl + " " + op, n, gemm.transA, gemm.transB, inputs[0], inputs[1], gemm.result());
  }

  @Benchmark
  public Object gemm() {
    return gemm.run();
  }

  /** The matrices {@link Gemm#create} multiplies (same seeds). */
  static float[][] inputs(int n) {
    return new float[][] {
      io.github.spectral4j.simd.FloatMatrix.gaussian(n, n, 1.0, 42).data(),
      io.github.spectral4j.simd.FloatMatrix.gaussian(n, n, 1.0, 43).data()
    };
  }
}
