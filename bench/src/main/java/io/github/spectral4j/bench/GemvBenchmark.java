package io.github.spectral4j.bench;

import io.github.spectral4j.simd.Blas;
import io.github.spectral4j.simd.FloatMatrix;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas;
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
 * Single-threaded SGEMV {@code y = op(A)·x} for an n×n matrix: the kernel of every power-iteration
 * and Lanczos step. One call is 2·n² floating-point operations and streams 4·n² bytes of A, so it is
 * memory-bound once A leaves the cache; {@link Report} gives GFLOP/s. Run with {@code -prof gc} to
 * confirm the kernels allocate nothing per call.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsPrepend = {"--add-modules", "jdk.incubator.vector", "-Xms2g", "-Xmx2g",
    "--sun-misc-unsafe-memory-access=allow",
    "--enable-native-access=ALL-UNNAMED"})
public class GemvBenchmark {
  /** vector = spectral4j Blas.gemv, scalar = plain Java loops, openblas = cblas_sgemv (off-heap). */
  @Param({"vector", "scalar", "openblas"})
  public String impl;

  /** N: y = A·x, T: y = Aᵀ·x. */
  @Param({"N", "T"})
  public String op;

  @Param({"1024", "2048"})
  public int n;

  private boolean trans;
  private FloatMatrix a;
  private float[] x;
  private float[] y;
  private FloatPointer aNative;
  private FloatPointer xNative;
  private FloatPointer yNative;

  @Setup(Level.Trial)
  public void setUp() {
    trans = switch (op) {
      case "N" -> false;
      case "T" -> true;
      default -> throw new IllegalArgumentException("op must be N or T, got " + op);
    };
    a = FloatMatrix.gaussian(n, n, 1.0, 7);
    x = FloatMatrix.gaussian(1, n, 1.0, 8).data();
    y = new float[n];
    switch (impl) {
      case "vector" -> Kernels.init(1);
      case "scalar" -> {}
      case "openblas" -> {
        OpenBlas.init(1);
        aNative = OpenBlas.offHeap(a.data());
        xNative = OpenBlas.offHeap(x);
        yNative = new FloatPointer(n);
      }
      default -> throw new IllegalArgumentException("impl must be vector, scalar or openblas, got " + impl);
    }
    gemv();
    check();
  }

  @Benchmark
  public Object gemv() {
    switch (impl) {
      case "vector" -> Blas.gemv(trans, 1f, a, x, 0f, y);
      case "scalar" -> scalar(trans, n, a.data(), x, y);
      default -> {
        openblas.cblas_sgemv(openblas.CblasRowMajor, trans ? openblas.CblasTrans : openblas.CblasNoTrans,
            n, n, 1f, aNative, n, xNative, 1, 0f, yNative, 1);
        return yNative;
      }
    }
    return y;
  }

  /** Plain Java: a dot product per row for A·x, an axpy per row for Aᵀ·x. */
  static void scalar(boolean trans, int n, float[] a, float[] x, float[] y) {
    if (!trans) {
      for (int i = 0; i < n; i++) {
        float s = 0f;
        int ai = i * n;
        for (int j = 0; j < n; j++) {
          s += a[ai + j] * x[j];
        }
        y[i] = s;
      }
    } else {
      java.util.Arrays.fill(y, 0f);
      for (int i = 0; i < n; i++) {
        float xi = x[i];
        int ai = i * n;
        for (int j = 0; j < n; j++) {
          y[j] += xi * a[ai + j];
        }
      }
    }
  }

  private void check() {
    float[] got = y;
    if (yNative != null) {
      got = new float[n];
      yNative.get(got);
    }
    float[] d = a.data();
    for (int i = 0; i < n; i += Math.max(1, n / 64)) {
      double exact = 0;
      double magnitude = 0;
      for (int j = 0; j < n; j++) {
        double t = (trans ? d[j * n + i] : d[i * n + j]) * (double) x[j];
        exact += t;
        magnitude += Math.abs(t);
      }
      if (!(Math.abs(got[i] - exact) <= 1e-5 * Math.sqrt(n) * magnitude)) {
        throw new IllegalStateException(impl + " gemv " + op + ": y[" + i + "] = " + got[i] + " but should be " + exact);
      }
    }
  }
}
