package io.github.spectral4j.trainer.text;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One split of a {@link TextCorpus} as a sequence of tokens {@code x_0 … x_{n−1}}, each a byte value
 * in {@code [0, 128)}. A window at {@code start} of context {@code T} is the language-modelling example
 * whose inputs are {@code x_start … x_{start+T−1}} and whose targets are the next tokens
 * {@code x_{start+1} … x_{start+T}}. Immutable.
 */
public final class TokenStream {
  private final byte[] tokens;

  /** Takes ownership of {@code tokens}, whose values must already be in {@code [0, 128)}. */
  TokenStream(byte[] tokens) {
    this.tokens = tokens;
  }

  /** The number of tokens {@code n}. */
  public int length() {
    return tokens.length;
  }

  /** The token at position {@code i} (a byte value in {@code [0, 128)}). */
  public int token(int i) {
    return tokens[Objects.checkIndex(i, tokens.length)];
  }

  /**
   * The number of non-overlapping evaluation windows of context {@code T}, {@code ⌊(n − 1)/T⌋}: window
   * {@code w} starts at {@code w·T}, so every target {@code x_1 … x_{wT}} is predicted exactly once
   * (the last {@code (n − 1) mod T} targets are not).
   *
   * @throws IllegalArgumentException if {@code context < 1}
   */
  public int windows(int context) {
    checkContext(context);
    return tokens.length == 0 ? 0 : (tokens.length - 1) / context;
  }

  /**
   * Copies the window at {@code start} into row {@code row} of two row-major {@code rows × T} arrays:
   * {@code inputs[row·T + k] = x_{start+k}} and {@code targets[row·T + k] = x_{start+k+1}} for
   * {@code k < T}. Allocates nothing.
   *
   * @param start first input position, with {@code start + T < n}
   * @param context {@code T ≥ 1}
   * @param inputs modified: row {@code row} is overwritten
   * @param targets modified: row {@code row} is overwritten
   * @param row the row to fill, {@code (row + 1)·T} within both arrays
   * @throws IllegalArgumentException naming the offending value if the window or the row does not fit
   */
  public void window(int start, int context, int[] inputs, int[] targets, int row) {
    checkContext(context);
    if (start < 0 || (long) start + context >= tokens.length) {
      throw new IllegalArgumentException(
          "window start " + start + " with context " + context + " needs " + ((long) start + context + 1)
              + " tokens, the stream has " + tokens.length);
    }
    long end = ((long) row + 1) * context;
    if (row < 0 || end > inputs.length || end > targets.length) {
      throw new IllegalArgumentException(
          "row " + row + " of context " + context + " does not fit arrays of " + inputs.length + " inputs and "
              + targets.length + " targets");
    }
    int at = row * context;
    for (int k = 0; k < context; k++) {
      inputs[at + k] = tokens[start + k];
      targets[at + k] = tokens[start + k + 1];
    }
  }

  /** The {@code count} tokens from {@code from} as text (ASCII), e.g. to show a sample. */
  public String text(int from, int count) {
    Objects.checkFromIndexSize(from, count, tokens.length);
    return new String(tokens, from, count, StandardCharsets.US_ASCII);
  }

  private static void checkContext(int context) {
    if (context < 1) {
      throw new IllegalArgumentException("context must be >= 1, got " + context);
    }
  }

  @Override
  public String toString() {
    return "TokenStream[" + tokens.length + " tokens]";
  }
}
