package io.github.spectral4j.trainer.text;

import java.util.Objects;

/**
 * Seeded training batches of {@code B} windows of context {@code T} from a {@link TokenStream}: row
 * {@code r} of the batch of step {@code t} is the window at offset
 * {@code o(t, r) = ⌊h(seed, t·B + r)·(n − T)/2⁶⁴⌋}, uniform over the {@code n − T} windows of the
 * stream (a window may cross a sample boundary, which the stream marks with a blank line), where
 * {@code h} is the SplitMix64 finaliser of a seed-dependent counter. A batch is therefore a pure
 * function of {@code (seed, t)}: runs with the same seed see the same batches, a resumed run needs no
 * sampler state, and neither the batch size of a previous step nor the thread count matters. Offsets are
 * drawn with replacement (like nanoGPT's), not by permuting the ~5 million windows, which would cost
 * 20 MB per epoch and make resuming depend on the epoch; the bias of the multiply-high reduction is
 * below {@code (n − T)/2⁶⁴}. {@link #fill} allocates nothing. Immutable.
 */
public final class TokenBatches {
  private static final long GOLDEN = 0x9E3779B97F4A7C15L;
  /** Separates these draws from other uses of the same seed (initialisation draws from it too). */
  private static final long SALT = 0x3C6EF372FE94F82BL;

  private final TokenStream stream;
  private final int batchSize;
  private final int context;
  private final long seed;
  private final long base;
  private final long positions;

  /**
   * Batches of {@code batchSize} windows of {@code context} tokens from {@code stream}.
   *
   * @param stream at least {@code context + 1} tokens; not modified
   * @param batchSize {@code B ≥ 1}
   * @param context {@code T ≥ 1}, with {@code B·T} fitting an array
   * @param seed selects the sequence of batches
   * @throws IllegalArgumentException naming the offending value
   */
  public TokenBatches(TokenStream stream, int batchSize, int context, long seed) {
    this.stream = Objects.requireNonNull(stream, "stream");
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
    }
    if (context < 1) {
      throw new IllegalArgumentException("context must be >= 1, got " + context);
    }
    if ((long) batchSize * context > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "batch size " + batchSize + " × context " + context + " tokens do not fit an array");
    }
    if (stream.length() <= context) {
      throw new IllegalArgumentException(
          "context " + context + " needs at least " + (context + 1L) + " tokens, the stream has " + stream.length());
    }
    this.batchSize = batchSize;
    this.context = context;
    this.seed = seed;
    this.base = mix(seed ^ SALT);
    this.positions = stream.length() - context;
  }

  /** {@code B}, the windows per batch. */
  public int batchSize() {
    return batchSize;
  }

  /** {@code T}, the tokens per window. */
  public int context() {
    return context;
  }

  /** The seed. */
  public long seed() {
    return seed;
  }

  /** The stream the windows come from. */
  public TokenStream stream() {
    return stream;
  }

  /**
   * Writes the batch of step {@code step}: for each row {@code r < B} the window at {@link #offset}
   * into {@code inputs[r·T …]} and its next tokens into {@code targets[r·T …]}. Allocates nothing.
   *
   * @param step {@code t ≥ 0}
   * @param inputs modified: {@code B·T} tokens
   * @param targets modified: {@code B·T} tokens
   * @throws IllegalArgumentException naming the offending value
   */
  public void fill(long step, int[] inputs, int[] targets) {
    int n = batchSize * context;
    if (inputs.length != n || targets.length != n) {
      throw new IllegalArgumentException(
          "a batch of " + batchSize + " × " + context + " needs arrays of " + n + " tokens, got " + inputs.length
              + " inputs and " + targets.length + " targets");
    }
    for (int r = 0; r < batchSize; r++) {
      stream.window(offset(step, r), context, inputs, targets, r);
    }
  }

  /**
   * The first input position {@code o(t, r)} of row {@code r} of the batch of step {@code t}, in
   * {@code [0, n − T)}.
   *
   * @throws IllegalArgumentException if {@code step < 0} or {@code row} is outside {@code [0, B)}
   */
  public int offset(long step, int row) {
    if (step < 0) {
      throw new IllegalArgumentException("step must be >= 0, got " + step);
    }
    if (row < 0 || row >= batchSize) {
      throw new IllegalArgumentException("row " + row + " is outside a batch of " + batchSize);
    }
    long draw = mix(base + GOLDEN * (step * batchSize + row + 1));
    return (int) Math.unsignedMultiplyHigh(draw, positions);
  }

  /** SplitMix64's finaliser (Stafford's variant 13): a bijection of 64-bit values with good avalanche. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  @Override
  public String toString() {
    return "TokenBatches[" + batchSize + " × " + context + ", seed " + seed + ", " + stream + "]";
  }
}
