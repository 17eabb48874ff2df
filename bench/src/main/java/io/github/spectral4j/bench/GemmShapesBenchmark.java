package io.github.spectral4j.bench;

import io.github.spectral4j.simd.Blas;
import io.github.spectral4j.simd.FloatMatrix;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
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
 * Single-threaded SGEMM {@code C = op(A)·op(B)} (α = 1, β = 0) on the shapes a training step actually
 * multiplies, not square ones: the MLP 784-1024-1024-1024-10 at batch 128 (forward {@code H·Wᵀ} with
 * M = 128, backward {@code δ·W}, weight gradient {@code δᵀ·H} with K = 128), the diagnostics' 16-row
 * probe, and the GPT's per-head attention products at 64 tokens and head dimension 128 (width 512,
 * 4 heads), plus its dense layers at 16 × 64 tokens: the defaults hold every product of both training steps
 * ({@link Report#stepProducts}), so that the report adds up what a step's products take alone. {@code shape} is {@code OP-MxNxK}: C is M×N and
 * the inner dimension is K, so one multiplication is 2·M·N·K flops; {@link Report} turns the score into
 * GFLOP/s, vector/openblas and x/peak (with {@link PeakFlops} in the same run). {@code vector} is
 * {@link Blas#gemm} with parallelism 1; {@code openblas} is {@code cblas_sgemm} on off-heap buffers
 * with one OpenBLAS thread (through {@code float[]} arguments JNI copies would be timed too). Each trial
 * checks 64 sampled entries of its result in double precision before it is timed.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsPrepend = {"--add-modules", "jdk.incubator.vector", "-Xms2g", "-Xmx2g",
    "--sun-misc-unsafe-memory-access=allow",
    "--enable-native-access=ALL-UNNAMED"})
public class GemmShapesBenchmark {
  /**
   * What each shape is in a training step; the keys are the default {@code shape} values. The MLP's
   * hidden layers 2 and 3 share their shapes, and so do the attention products that differ only by
   * which operand is transposed.
   */
  static final Map<String, String> ROLES = roles();

  private static Map<String, String> roles() {
    Map<String, String> r = new LinkedHashMap<>();
    r.put("NT-128x1024x784", "MLP forward H·Wᵀ, layer 1");
    r.put("NT-128x1024x1024", "MLP forward H·Wᵀ, layers 2–3");
    r.put("NT-128x10x1024", "MLP forward H·Wᵀ, output layer");
    r.put("NN-128x1024x10", "MLP backward δ·W, output layer");
    r.put("NN-128x1024x1024", "MLP backward δ·W, layers 2–3");
    r.put("TN-1024x784x128", "MLP weight gradient δᵀ·H, layer 1");
    r.put("TN-1024x1024x128", "MLP weight gradient δᵀ·H, layers 2–3");
    r.put("TN-10x1024x128", "MLP weight gradient δᵀ·H, output layer");
    r.put("NT-16x1024x784", "probe forward (16 rows), layer 1");
    r.put("NT-16x1024x1024", "probe forward (16 rows), layers 2–3");
    r.put("NT-144x1024x784", "MLP forward with the 16 probe rows riding along, layer 1");
    r.put("NT-144x1024x1024", "MLP forward with the 16 probe rows riding along, layers 2–3");
    r.put("NT-64x64x128", "GPT per head: Q·Kᵀ (and dP = dO·Vᵀ)");
    r.put("NN-64x128x64", "GPT per head: P·V (and dQ = dS·K)");
    r.put("TN-64x128x64", "GPT per head: dK = dSᵀ·Q, dV = Pᵀ·dO");
    r.put("NT-1024x512x512", "GPT forward X·Wᵀ, Q, K, V and output projections (16 × 64 tokens)");
    r.put("NN-1024x512x512", "GPT backward δ·W, Q, K, V and output projections");
    r.put("TN-512x512x1024", "GPT weight gradient δᵀ·X, Q, K, V and output projections");
    r.put("NT-1024x1536x512", "PyTorch's GPT: Q, K and V as one projection (the Java model runs three)");
    r.put("NT-1024x2048x512", "GPT MLP up-projection");
    r.put("NN-1024x512x2048", "GPT backward δ·W, MLP up-projection");
    r.put("TN-2048x512x1024", "GPT MLP weight gradient, up");
    r.put("NT-1024x512x2048", "GPT MLP down-projection");
    r.put("NN-1024x2048x512", "GPT backward δ·W, MLP down-projection");
    r.put("TN-512x2048x1024", "GPT MLP weight gradient, down");
    r.put("NT-1024x128x512", "GPT readout X·Wᵀ (vocabulary 128)");
    r.put("NN-1024x512x128", "GPT backward δ·W, readout");
    r.put("TN-128x512x1024", "GPT weight gradient δᵀ·X, readout");
    return r;
  }

  /** vector = spectral4j Blas.gemm, openblas = cblas_sgemm on off-heap buffers. */
  @Param({"vector", "openblas"})
  public String impl;

  /** {@code OP-MxNxK}: op(A) is M×K, op(B) is K×N; see {@link #ROLES}. */
  @Param({"NT-128x1024x784", "NT-128x1024x1024", "NT-128x10x1024", "NN-128x1024x10", "NN-128x1024x1024",
      "TN-1024x784x128", "TN-1024x1024x128", "TN-10x1024x128", "NT-16x1024x784", "NT-16x1024x1024",
      "NT-144x1024x784", "NT-144x1024x1024", "NT-64x64x128", "NN-64x128x64", "TN-64x128x64",
      "NT-1024x512x512", "NN-1024x512x512", "TN-512x512x1024", "NT-1024x1536x512", "NT-1024x2048x512",
      "NN-1024x512x2048", "TN-2048x512x1024", "NT-1024x512x2048", "NN-1024x2048x512", "TN-512x2048x1024",
      "NT-1024x128x512", "NN-1024x512x128", "TN-128x512x1024"})
  public String shape;

  private Shape s;
  private FloatMatrix a;
  private FloatMatrix b;
  private FloatMatrix c;
  private FloatPointer pa;
  private FloatPointer pb;
  private FloatPointer pc;
  private boolean vector;

  /** A parsed {@code OP-MxNxK}: C is m×n, the inner dimension is k. */
  record Shape(boolean transA, boolean transB, int m, int n, int k) {
    static Shape parse(String text) {
      String[] opAndDims = text.split("-");
      String[] dims = opAndDims.length == 2 ? opAndDims[1].split("x") : new String[0];
      String op = opAndDims[0];
      if (dims.length != 3 || !op.matches("[NT][NT]")) {
        throw new IllegalArgumentException("shape must look like NT-128x1024x784 (op-MxNxK), got " + text);
      }
      try {
        Shape s = new Shape(op.charAt(0) == 'T', op.charAt(1) == 'T',
            Integer.parseInt(dims[0]), Integer.parseInt(dims[1]), Integer.parseInt(dims[2]));
        if (s.m < 1 || s.n < 1 || s.k < 1) {
          throw new IllegalArgumentException("shape dimensions must be >= 1, got " + text);
        }
        return s;
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("shape must look like NT-128x1024x784 (op-MxNxK), got " + text, e);
      }
    }

    /** Rows and columns of A as stored (row-major): m×k, or k×m when transposed. */
    int aRows() {
      return transA ? k : m;
    }

    int aCols() {
      return transA ? m : k;
    }

    int bRows() {
      return transB ? n : k;
    }

    int bCols() {
      return transB ? k : n;
    }

    double flops() {
      return 2.0 * m * n * k;
    }
  }

  @Setup(Level.Trial)
  public void setUp() {
    s = Shape.parse(shape);
    a = FloatMatrix.gaussian(s.aRows(), s.aCols(), 1.0, 42);
    b = FloatMatrix.gaussian(s.bRows(), s.bCols(), 1.0, 43);
    switch (impl) {
      case "vector" -> {
        vector = true;
        Kernels.init(1);
        c = FloatMatrix.zeros(s.m, s.n);
      }
      case "openblas" -> {
        OpenBlas.init(1);
        pa = OpenBlas.offHeap(a.data());
        pb = OpenBlas.offHeap(b.data());
        pc = new FloatPointer((long) s.m * s.n);
      }
      default -> throw new IllegalArgumentException("impl must be vector or openblas, got " + impl);
    }
    gemm();
    float[] result;
    if (vector) {
      result = c.data();
    } else {
      result = new float[s.m * s.n];
      pc.get(result);
    }
    check(impl + " " + shape, s, a.data(), b.data(), result);
  }

  @Benchmark
  public Object gemm() {
    if (vector) {
      Blas.gemm(s.transA, s.transB, 1f, a, b, 0f, c);
      return c;
    }
    openblas.cblas_sgemm(openblas.CblasRowMajor,
        s.transA ? openblas.CblasTrans : openblas.CblasNoTrans,
        s.transB ? openblas.CblasTrans : openblas.CblasNoTrans,
        s.m, s.n, s.k, 1f, pa, s.aCols(), pb, s.bCols(), 0f, pc, s.n);
    return pc;
  }

  /**
   * Compares 64 sampled entries of {@code c = op(A)·op(B)} with a double-precision dot product; throws
   * if one is off by more than a float rounding allowance that grows like √k.
   */
  static void check(String what, Shape s, float[] a, float[] b, float[] c) {
    SplittableRandom random = new SplittableRandom(s.m * 31L + s.n * 7L + s.k);
    for (int sample = 0; sample < 64; sample++) {
      int i = random.nextInt(s.m);
      int j = random.nextInt(s.n);
      double exact = 0;
      double magnitude = 0;
      for (int p = 0; p < s.k; p++) {
        double x = s.transA ? a[p * s.m + i] : a[i * s.k + p];
        double y = s.transB ? b[j * s.k + p] : b[p * s.n + j];
        exact += x * y;
        magnitude += Math.abs(x * y);
      }
      double error = Math.abs(c[i * s.n + j] - exact);
      if (!(error <= 1e-5 * Math.sqrt(s.k) * magnitude + 1e-30)) {
        throw new IllegalStateException(what + ": C[" + i + "][" + j + "] = " + c[i * s.n + j]
            + " but the double-precision value is " + exact);
      }
    }
  }
}
