package io.github.spectral4j.bench;

import io.github.spectral4j.simd.FloatMatrix;
import io.github.spectral4j.simd.NewtonSchulz;
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
 * Orthogonalising a gradient the Muon way: 5 quintic Newton–Schulz steps on a Gaussian matrix of the
 * given shape, single-threaded. With m = min(rows, cols) and n = max(rows, cols), one step costs
 * 4·m²·n + 2·m³ flops (X·Xᵀ, its square, and the product with X), which {@link Report} uses for an
 * effective GFLOP/s.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsPrepend = {"--add-modules", "jdk.incubator.vector", "-Xms2g", "-Xmx2g",
    "--sun-misc-unsafe-memory-access=allow"})
public class NewtonSchulzBenchmark {
  static final int STEPS = 5;

  /** rows x cols of the gradient. */
  @Param({"1024x1024", "1024x4096"})
  public String shape;

  private FloatMatrix g;
  private FloatMatrix out;
  private NewtonSchulz newtonSchulz;

  @Setup(Level.Trial)
  public void setUp() {
    String[] parts = shape.split("x");
    if (parts.length != 2) {
      throw new IllegalArgumentException("shape must be ROWSxCOLS, got " + shape);
    }
    int rows = Integer.parseInt(parts[0]);
    int cols = Integer.parseInt(parts[1]);
    Kernels.init(1);
    g = FloatMatrix.gaussian(rows, cols, 1.0, 11);
    out = FloatMatrix.zeros(rows, cols);
    newtonSchulz = new NewtonSchulz(rows, cols).setOptions(NewtonSchulz.Mode.QUINTIC, STEPS);
    NewtonSchulz.Result r = newtonSchulz.orthogonalize(g, out);
    System.out.println("# NewtonSchulz " + shape + " quintic x" + STEPS + ": " + r);
    if (!out.isFinite()) {
      throw new IllegalStateException("Newton-Schulz produced a non-finite entry for " + shape);
    }
  }

  @Benchmark
  public Object orthogonalize() {
    return newtonSchulz.orthogonalize(g, out);
  }
}
