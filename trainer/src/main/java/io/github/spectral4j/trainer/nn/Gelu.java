package io.github.spectral4j.trainer.nn;

import io.github.spectral4j.simd.Blas;
import io.github.spectral4j.simd.Elementwise;
import io.github.spectral4j.simd.FloatMatrix;
import java.util.List;

/**
 * The GELU nonlinearity, element-wise, in its tanh form {@code φ(x) = ½x(1 + tanh u)},
 * {@code u = √(2/π)(x + 0.044715x³)}, with {@code φ'(x) = ½(1 + tanh u) + ½x(1 − tanh²u)·√(2/π)(1 +
 * 3·0.044715x²)}, both by {@link Elementwise#gelu} and {@link Elementwise#geluBackward} (vectorised float,
 * within a few ulps of the exact values; forward keeps {@code σ(−2|u|)} per entry so that backward needs
 * no second exponential). No parameters. Large inputs are split into {@code Blas.parallelism()} contiguous ranges of entries run by
 * {@link Blas#forEachTask}; every entry is computed by the same code, so results are bit-identical for any
 * thread count.
 *
 * <p>Measured and not taken (session 11): GELU in the write-back of the GEMM before it (φ and φ′ from the
 * up-projection's tile, ∂H·φ′ from the down-projection's backward tile; bit for bit these passes). Per
 * product, 1024 × 2048 × 512 on one thread, 0.97–0.98 × (forward) and 0.95–0.97 × (backward) the GEMM and
 * then the pass; but the whole GPT step (width 512, 16 × 64 tokens, one thread) read 1.006 × in a one-JVM
 * paired harness, and 1.020, 1.007 and 1.027 × in three alternating JMH pairs on a quiet Zen 5: backward
 * then reads φ′ in the tile order of C where this pass streams it, and GELU's cost is its arithmetic,
 * which the epilogue does not save.
 */
public final class Gelu implements Module {
  /** Below this many entries a pass runs on the calling thread (forking costs more than it saves). */
  private static final int PARALLEL_ENTRIES = 1 << 15;

  private final int width;
  // Created once: the shares read the pass in progress from these fields, so a pass allocates nothing.
  private final java.util.function.IntConsumer forwardShare = this::forwardShare;
  private final java.util.function.IntConsumer backwardShare = this::backwardShare;
  private float[] gradientIn;
  private int shares;
  private final Workspaces<Work> works;
  private Work last;
  private FloatMatrix lastInput;

  private static final class Work {
    final FloatMatrix output;
    final FloatMatrix inputGradient;
    /** σ(−2|u|) of every entry, kept from forward so that backward needs no second exponential. */
    final float[] keep;

    Work(int rows, int width) {
      output = FloatMatrix.zeros(rows, width);
      inputGradient = FloatMatrix.zeros(rows, width);
      keep = new float[rows * width];
    }
  }

  /** @param width columns of input and output */
  public Gelu(int width) {
    this.width = Checks.positive("GELU width", width);
    this.works = new Workspaces<>(rows -> new Work(rows, this.width));
  }

  @Override
  public List<Parameter> parameters() {
    return List.of();
  }

  @Override
  public int inputWidth() {
    return width;
  }

  @Override
  public int outputWidth() {
    return width;
  }

  @Override
  public FloatMatrix forward(FloatMatrix input) {
    Checks.columns("gelu", input, width);
    Work w = works.get(input.rows());
    last = w;
    lastInput = input;
    run(input.data().length, forwardShare);
    return w.output;
  }

  /** Runs {@code share} over the entries, split into fixed contiguous ranges when there are many. */
  private void run(int entries, java.util.function.IntConsumer share) {
    shares = entries < PARALLEL_ENTRIES ? 1 : Math.max(1, Blas.parallelism());
    if (shares == 1) {
      share.accept(0);
    } else {
      Blas.forEachTask(shares, share);
    }
  }

  private static int split(int count, int parts, int part) {
    return (int) ((long) count * part / parts);
  }

  private void forwardShare(int part) {
    float[] x = lastInput.data();
    Elementwise.gelu(split(x.length, shares, part), split(x.length, shares, part + 1), x, last.output.data(),
        last.keep);
  }

  @Override
  public FloatMatrix backward(FloatMatrix outputGradient) {
    Checks.forwardDone("gelu", last);
    Checks.sameShape("gelu", outputGradient, last.output);
    gradientIn = outputGradient.data();
    try {
      run(gradientIn.length, backwardShare);
    } finally {
      gradientIn = null;
    }
    return last.inputGradient;
  }

  private void backwardShare(int part) {
    float[] x = lastInput.data();
    Elementwise.geluBackward(split(x.length, shares, part), split(x.length, shares, part + 1), x, last.keep,
        gradientIn, last.inputGradient.data());
  }

  @Override
  public String toString() {
    return "Gelu[" + width + "]";
  }
}
