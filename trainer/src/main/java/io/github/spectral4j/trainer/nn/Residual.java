package io.github.spectral4j.trainer.nn;

import io.github.spectral4j.simd.Blas;
import io.github.spectral4j.simd.Elementwise;
import io.github.spectral4j.simd.FloatMatrix;
import java.util.List;
import java.util.Objects;

/**
 * A residual connection around a branch: {@code Y = X + α·f(X)}, with α the branch multiplier (1 in a
 * plain network; depth-μP scales it with the number of blocks, Bordelon et al. 2023 and Tensor Programs
 * VI). Backward: {@code ∂X = ∂Y + ∂f(α·∂Y)}, the branch's own input gradient of {@code α·∂Y}. The adds
 * of a large matrix are split into {@code Blas.parallelism()} contiguous ranges run by
 * {@link Blas#forEachTask}; every entry is computed by the same operation wherever a split falls, so
 * results are bit-identical for any thread count.
 */
public final class Residual implements Module {
  private final Module branch;
  private final float multiplier;
  private final Workspaces<Work> works;
  private Work last;
  // The add in progress, read by the shares (created once: a pass allocates nothing).
  private final java.util.function.IntConsumer addShare = this::addShare;
  private final java.util.function.IntConsumer scaleShare = this::scaleShare;
  private float[] base;
  private float[] term;
  private float[] target;
  private float alpha;
  private int shares;

  /** Below this many entries an add runs on the calling thread (forking costs more than it saves). */
  private static final int PARALLEL_ENTRIES = 1 << 15;

  private static final class Work {
    final FloatMatrix output;
    final FloatMatrix inputGradient;
    final FloatMatrix scaledGradient;

    Work(int rows, int width, boolean scaled) {
      output = FloatMatrix.zeros(rows, width);
      inputGradient = FloatMatrix.zeros(rows, width);
      scaledGradient = scaled ? FloatMatrix.zeros(rows, width) : null;
    }
  }

  /**
   * @param branch {@code f}; its input and output widths must agree
   * @param multiplier α, finite and &gt; 0
   */
  public Residual(Module branch, double multiplier) {
    this.branch = Objects.requireNonNull(branch, "branch");
    if (branch.inputWidth() != branch.outputWidth()) {
      throw new IllegalArgumentException("a residual branch must keep the width, got " + branch.inputWidth() + " -> "
          + branch.outputWidth() + " (" + branch + ")");
    }
    if (!(multiplier > 0) || !Double.isFinite(multiplier)) {
      throw new IllegalArgumentException("residual branch multiplier must be finite and > 0, got " + multiplier);
    }
    this.multiplier = (float) multiplier;
    boolean scaled = this.multiplier != 1f;
    int width = branch.inputWidth();
    this.works = new Workspaces<>(rows -> new Work(rows, width, scaled));
  }

  /** The branch {@code f}. */
  public Module branch() {
    return branch;
  }

  /** The branch multiplier α. */
  public double multiplier() {
    return multiplier;
  }

  @Override
  public List<Parameter> parameters() {
    return branch.parameters();
  }

  @Override
  public int inputWidth() {
    return branch.inputWidth();
  }

  @Override
  public int outputWidth() {
    return branch.outputWidth();
  }

  /**
   * {@inheritDoc}
   *
   * <p>Measured and not taken (session 11): the add {@code X + α·f} done by the write-back of the branch's
   * last GEMM (an epilogue {@code fma(p, α, x)} on the tile, bit for bit this add; for the MLP's
   * down-projection and attention's output projection). GPT step of width 512, 16 × 64 tokens, one thread,
   * both builds in one JVM, thread CPU time, paired medians of 80 interleaved steps: 1.003 × and 0.993 ×
   * (both products), 0.997 × (the down-projection only), within that harness's ±1.5 % (the same build
   * against itself read 0.986 ×). The epilogue reads X in the tile order of C and turns the output
   * projection's direct-store kernel into the tile write-back: that costs what the streaming add saved.
   */
  @Override
  public FloatMatrix forward(FloatMatrix input) {
    Checks.columns("residual", input, inputWidth());
    FloatMatrix f = branch.forward(input);
    Work w = works.get(input.rows());
    add(input.data(), f.data(), multiplier, w.output.data());
    last = w;
    return w.output;
  }

  @Override
  public FloatMatrix backward(FloatMatrix outputGradient) {
    Checks.forwardDone("residual", last);
    Checks.sameShape("residual", outputGradient, last.output);
    FloatMatrix g = outputGradient;
    if (last.scaledGradient != null) {
      g = last.scaledGradient;
      run(outputGradient.data(), null, multiplier, g.data(), scaleShare);
    }
    FloatMatrix df = branch.backward(g);
    add(outputGradient.data(), df.data(), 1f, last.inputGradient.data());
    return last.inputGradient;
  }

  /** out = x + α·f, split into shares when large. */
  private void add(float[] x, float[] f, float alpha, float[] out) {
    run(x, f, alpha, out, addShare);
  }

  private void run(float[] x, float[] f, float a, float[] out, java.util.function.IntConsumer share) {
    base = x;
    term = f;
    alpha = a;
    target = out;
    shares = out.length < PARALLEL_ENTRIES ? 1 : Math.max(1, Blas.parallelism());
    try {
      if (shares == 1) {
        share.accept(0);
      } else {
        Blas.forEachTask(shares, share);
      }
    } finally {
      base = term = target = null;
    }
  }

  private void addShare(int part) {
    int from = (int) ((long) target.length * part / shares);
    int to = (int) ((long) target.length * (part + 1) / shares);
    Elementwise.addScaled(from, to, base, alpha, term, target); // one pass: copy + axpy's bits
  }

  /** target = α·base on the share's range. */
  private void scaleShare(int part) {
    int from = (int) ((long) target.length * part / shares);
    int to = (int) ((long) target.length * (part + 1) / shares);
    System.arraycopy(base, from, target, from, to - from);
    Blas.scal(to - from, alpha, target, from);
  }

  @Override
  public String toString() {
    return "Residual[" + (multiplier != 1f ? multiplier + " * " : "") + branch + "]";
  }
}
