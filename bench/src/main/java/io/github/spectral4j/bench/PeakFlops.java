package io.github.spectral4j.bench;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The single-core float ceiling: 12 independent chains of 512-bit fused multiply-adds
 * {@code a ← a·b + c}, enough to cover the FMA latency on every port, with all state in registers and
 * no memory traffic. One operation here is one floating-point operation (an FMA on 16 lanes counts 32),
 * so the score in ops/s is FLOP/s; GEMM's GFLOP/s is judged against it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsPrepend = {"--add-modules", "jdk.incubator.vector", "-Xms2g", "-Xmx2g",
    "--sun-misc-unsafe-memory-access=allow"})
public class PeakFlops {
  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_512;
  private static final int LANES = 16;
  private static final int CHAINS = 12;
  private static final int STEPS = 1 << 14;
  /** FLOPs of one invocation: steps × chains × lanes × 2 (a multiply and an add per FMA lane). */
  private static final int FLOPS = STEPS * CHAINS * LANES * 2;

  /** In a field so the JIT cannot constant-fold the chains; {@code b < 1} keeps them bounded and normal. */
  public float b = 0.999f;
  public float c = 1e-3f;
  public float start = 0.5f;

  @Setup(Level.Trial)
  public void setUp() {
    if (SPECIES.length() != LANES) {
      throw new IllegalStateException("expected 16 float lanes in SPECIES_512, got " + SPECIES.length());
    }
    if (FloatVector.SPECIES_PREFERRED.vectorBitSize() < 512) {
      System.out.println("# WARNING: this CPU's preferred vector is " + FloatVector.SPECIES_PREFERRED.vectorBitSize()
          + " bits; the 512-bit figure is not its ceiling");
    }
  }

  @Benchmark
  @OperationsPerInvocation(FLOPS)
  public float fma() {
    FloatVector vb = FloatVector.broadcast(SPECIES, b);
    FloatVector vc = FloatVector.broadcast(SPECIES, c);
    FloatVector a0 = FloatVector.broadcast(SPECIES, start);
    FloatVector a1 = a0.add(vc);
    FloatVector a2 = a1.add(vc);
    FloatVector a3 = a2.add(vc);
    FloatVector a4 = a3.add(vc);
    FloatVector a5 = a4.add(vc);
    FloatVector a6 = a5.add(vc);
    FloatVector a7 = a6.add(vc);
    FloatVector a8 = a7.add(vc);
    FloatVector a9 = a8.add(vc);
    FloatVector a10 = a9.add(vc);
    FloatVector a11 = a10.add(vc);
    for (int i = 0; i < STEPS; i++) {
      a0 = a0.fma(vb, vc);
      a1 = a1.fma(vb, vc);
      a2 = a2.fma(vb, vc);
      a3 = a3.fma(vb, vc);
      a4 = a4.fma(vb, vc);
      a5 = a5.fma(vb, vc);
      a6 = a6.fma(vb, vc);
      a7 = a7.fma(vb, vc);
      a8 = a8.fma(vb, vc);
      a9 = a9.fma(vb, vc);
      a10 = a10.fma(vb, vc);
      a11 = a11.fma(vb, vc);
    }
    FloatVector sum = a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11);
    return sum.reduceLanes(VectorOperators.ADD);
  }
}
