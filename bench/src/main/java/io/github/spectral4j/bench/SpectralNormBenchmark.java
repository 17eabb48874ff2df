package io.github.spectral4j.bench;

import io.github.spectral4j.simd.FloatMatrix;
import io.github.spectral4j.simd.Lanczos;
import io.github.spectral4j.simd.PowerIteration;
import io.github.spectral4j.simd.SpectralNorm;
import java.util.concurrent.TimeUnit;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Time to the spectral norm σ₁ of an n×n matrix to 1e-6 relative accuracy, from a cold start:
 * spectral4j's {@link PowerIteration} (reset before every solve), {@link Lanczos} (k = 1, Golub–Kahan:
 * two passes over A per step) and the front door {@link SpectralNorm} (reset before every solve, so a
 * cold run: Lanczos on AᵀA, one fused pass per step, on {@code threads} threads with the same result
 * for every count; the other solvers run on one) against EJML's double-precision SVD (values only). Every invocation checks its σ₁ against a reference
 * computed in setup ({@link ReferenceSigma}: double-precision Golub–Kahan) and throws if it is off by
 * more than 1e-6 relative or the solver says it did not converge. The secondary metrics
 * {@code matVecs} and {@code solves} count matrix-vector products and solves, so
 * matVecs/solves is the products per solve ({@link Report} prints it); the {@code gap099} matrix
 * (σ₂/σ₁ = 0.99) is where power iteration needs many more than Lanczos. EJML at n = 2048 takes tens
 * of seconds per solve: run it with {@code -bm ss} (bench/run does).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 3, jvmArgsPrepend = {"--add-modules", "jdk.incubator.vector", "-Xms2g", "-Xmx2g",
    "--sun-misc-unsafe-memory-access=allow"})
public class SpectralNormBenchmark {
  /** The accuracy every solve must reach, relative to the reference σ₁. */
  static final double ACCURACY = 1e-6;
  /** The stopping tolerance passed to the spectral4j solvers. */
  static final double TOLERANCE = 1e-6;

  /**
   * power = PowerIteration, lanczos = Lanczos with k = 1, spectral-norm = SpectralNorm, ejml-svd =
   * EJML's SVD (singular values only).
   */
  @Param({"power", "lanczos", "spectral-norm", "ejml-svd"})
  public String impl;

  @Param({"512", "2048"})
  public int n;

  /** Threads of spectral-norm's products (the other solvers' products run on one). */
  @Param({"1"})
  public int threads;

  /** gaussian = N(0, 1/n) entries; gap099 = geometric spectrum with σ₂/σ₁ = 0.99. */
  @Param({"gaussian", "gap099"})
  public String spectrum;

  private FloatMatrix a;
  private double reference;
  private PowerIteration power;
  private Lanczos lanczos;
  private SpectralNorm spectralNorm;
  private SingularValueDecomposition_F64<DMatrixRMaj> svd;
  private DMatrixRMaj original;
  private DMatrixRMaj work;
  /** The last solve's result, printed at tear-down (formatting it per solve would allocate in the measurement). */
  private Object last;

  /** Matrix-vector products and solves per iteration; their ratio is the products per solve. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class Counters {
    public long matVecs;
    public long solves;

    @Setup(Level.Iteration)
    public void clear() {
      matVecs = 0;
      solves = 0;
    }
  }

  @Setup(Level.Trial)
  public void setUp() {
    a = TestMatrices.square(spectrum, n, 2310);
    reference = ReferenceSigma.of(a);
    if (n <= 512) {
      Checks.relative("reference sigma1 (Golub-Kahan)", reference, ReferenceSigma.byEjmlSvd(a), 1e-10);
    }
    switch (impl) {
      case "power" -> {
        Kernels.init(1);
        power = new PowerIteration(n, n).setOptions(1_000_000, TOLERANCE);
      }
      case "lanczos" -> {
        Kernels.init(1);
        lanczos = new Lanczos(n, n, 1).setOptions(n, TOLERANCE);
      }
      case "spectral-norm" -> {
        Kernels.init(threads);
        spectralNorm = new SpectralNorm(n, n).setOptions(1_000_000, TOLERANCE);
      }
      case "ejml-svd" -> {
        original = new DMatrixRMaj(n, n);
        for (int i = 0; i < original.data.length; i++) {
          original.data[i] = a.data()[i];
        }
        work = new DMatrixRMaj(n, n);
        svd = DecompositionFactory_DDRM.svd(n, n, false, false, true);
      }
      default -> throw new IllegalArgumentException(
          "impl must be power, lanczos, spectral-norm or ejml-svd, got " + impl);
    }
    System.out.printf("# %s n=%d %s: reference sigma1 = %.12f%n", impl, n, spectrum, reference);
  }

  @Benchmark
  public double sigma1(Counters counters) {
    double sigma;
    switch (impl) {
      case "power" -> {
        power.reset();
        PowerIteration.Result r = power.run(a);
        require(r.converged(), r);
        sigma = r.sigma();
        counters.matVecs += r.matVecs();
        last = r;
      }
      case "lanczos" -> {
        Lanczos.Result r = lanczos.compute(a);
        require(r.converged(), r);
        sigma = r.singularValues()[0];
        counters.matVecs += r.matVecs();
        last = r;
      }
      case "spectral-norm" -> {
        spectralNorm.reset();
        SpectralNorm.Result r = spectralNorm.of(a);
        require(r.converged(), r);
        sigma = r.sigma();
        counters.matVecs += 2L * r.passes();
        last = r;
      }
      default -> {
        work.setTo(original);
        if (!svd.decompose(work)) {
          throw new IllegalStateException("EJML's SVD did not converge");
        }
        double[] values = svd.getSingularValues();
        sigma = 0;
        for (int i = 0; i < svd.numberOfSingularValues(); i++) {
          sigma = Math.max(sigma, values[i]);
        }
      }
    }
    counters.solves++;
    Checks.relative(impl + " sigma1 (n=" + n + ", " + spectrum + ")", sigma, reference, ACCURACY);
    return sigma;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (last != null) {
      String text = last instanceof Lanczos.Result r
          ? "converged=" + r.converged() + ", matVecs=" + r.matVecs()
          : last.toString();
      System.out.println(System.lineSeparator() + "# " + impl + " n=" + n + " " + spectrum + " last solve: " + text);
    }
  }

  private void require(boolean converged, Object result) {
    if (!converged) {
      throw new IllegalStateException(impl + " did not converge (n=" + n + ", " + spectrum + "): " + result);
    }
  }
}
