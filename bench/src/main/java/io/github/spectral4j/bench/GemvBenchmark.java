package io.github.spectral4j.bench;

import io.github.spectral4j.simd.Blas;
import io.github.spectral4j.simd.FloatMatrix;
import io.github.spectral4j.simd.Fused;
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
 * Single-threaded matrix-vector products with an n×n float matrix, the kernels of every power-iteration
 * and Lanczos step: {@code Ax} is y = A·x, {@code ATx} is y = Aᵀ·x (2·n² flops each, streaming the 4·n²
 * bytes of A, so memory-bound once A leaves the cache) and {@code ATAx} is the Gram product
 * out = Aᵀ·(A·x) (4·n² flops), which spectral4j's {@code Fused.gramTimes} does in one pass over A and the
 * others as two products. {@link Report} gives GFLOP/s. Run with {@code -prof gc} to confirm that the
 * kernels allocate nothing per call. Each trial checks sampled entries against double precision.
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
  /** vector = spectral4j Blas, scalar = plain Java loops, openblas = cblas_sgemv on off-heap buffers. */
  @Param({"vector", "scalar", "openblas"})
  public String impl;

  /** Ax: y = A·x, ATx: y = Aᵀ·x, ATAx: y = Aᵀ·(A·x). */
  @Param({"Ax", "ATx", "ATAx"})
  public String product;

  @Param({"1024", "2048"})
  public int n;

  private FloatMatrix a;
  private float[] x;
  private float[] ax;
  private float[] y;
  private FloatPointer aNative;
  private FloatPointer xNative;
  private FloatPointer axNative;
  private FloatPointer yNative;

  @Setup(Level.Trial)
  public void setUp() {
    if (!product.equals("Ax") && !product.equals("ATx") && !product.equals("ATAx")) {
      throw new IllegalArgumentException("product must be Ax, ATx or ATAx, got " + product);
    }
    a = FloatMatrix.gaussian(n, n, 1.0, 7);
    x = FloatMatrix.gaussian(1, n, 1.0, 8).data();
    ax = new float[n];
    y = new float[n];
    switch (impl) {
      case "vector" -> Kernels.init(1);
      case "scalar" -> {}
      case "openblas" -> {
        OpenBlas.init(1);
        aNative = OpenBlas.offHeap(a.data());
        xNative = OpenBlas.offHeap(x);
        axNative = new FloatPointer(n);
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
      case "vector" -> {
        switch (product) {
          case "Ax" -> Blas.gemv(false, 1f, a, x, 0f, y);
          case "ATx" -> Blas.gemv(true, 1f, a, x, 0f, y);
          default -> Fused.gramTimes(a, x, ax, y);
        }
      }
      case "scalar" -> {
        switch (product) {
          case "Ax" -> scalar(false, n, a.data(), x, y);
          case "ATx" -> scalar(true, n, a.data(), x, y);
          default -> {
            scalar(false, n, a.data(), x, ax);
            scalar(true, n, a.data(), ax, y);
          }
        }
      }
      default -> {
        switch (product) {
          case "Ax" -> sgemv(false, xNative, yNative);
          case "ATx" -> sgemv(true, xNative, yNative);
          default -> {
            sgemv(false, xNative, axNative);
            sgemv(true, axNative, yNative);
          }
        }
        return yNative;
      }
    }
    return y;
  }

  private void sgemv(boolean trans, FloatPointer in, FloatPointer out) {
    openblas.cblas_sgemv(openblas.CblasRowMajor, trans ? openblas.CblasTrans : openblas.CblasNoTrans,
        n, n, 1f, aNative, n, in, 1, 0f, out, 1);
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
    double[] in = new double[n];
    for (int j = 0; j < n; j++) {
      in[j] = x[j];
    }
    boolean trans = product.equals("ATx");
    if (product.equals("ATAx")) {
      double[] mid = new double[n];
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          mid[i] += d[i * n + j] * in[j];
        }
      }
      in = mid;
      trans = true;
    }
    for (int i = 0; i < n; i += Math.max(1, n / 64)) {
      double exact = 0;
      double magnitude = 0;
      for (int j = 0; j < n; j++) {
        double t = (trans ? d[j * n + i] : d[i * n + j]) * in[j];
        exact += t;
        magnitude += Math.abs(t);
      }
      double allowance = 1e-5 * Math.sqrt(n) * magnitude * (product.equals("ATAx") ? Math.sqrt(n) : 1);
      if (!(Math.abs(got[i] - exact) <= allowance)) {
        throw new IllegalStateException(impl + " " + product + ": y[" + i + "] = " + got[i] + " but should be " + exact);
      }
    }
  }
}
