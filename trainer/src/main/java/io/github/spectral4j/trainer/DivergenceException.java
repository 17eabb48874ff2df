package io.github.spectral4j.trainer;

/**
 * Training produced a NaN or an infinity — in the loss, in a layer's activations or in a layer's
 * weights after an update. The message names the step (1-based: the step that was being taken) and
 * the layer, e.g. {@code non-finite activations in layer W2 at step 17}. The training run that threw
 * it is left in an undefined state.
 */
public final class DivergenceException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final long step;
  private final String layer;

  /**
   * @param what what was found non-finite, e.g. {@code activations}
   * @param layer the layer's name ({@code W2}, {@code b1}) or {@code loss}
   * @param step the 1-based number of the step being taken
   */
  public DivergenceException(String what, String layer, long step) {
    super(
        "training diverged: non-finite "
            + what
            + ("loss".equals(layer) ? "" : " in layer " + layer)
            + " at step "
            + step);
    this.step = step;
    this.layer = layer;
  }

  /** The 1-based number of the step during which the non-finite value appeared. */
  public long step() {
    return step;
  }

  /** The layer's name ({@code W1}, {@code b1}, …) or {@code loss}. */
  public String layer() {
    return layer;
  }
}
