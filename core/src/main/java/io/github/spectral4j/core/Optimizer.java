package io.github.spectral4j.core;

/**
 * The kind of update a learning-rate rule is for. {@code SGD} (with or without momentum) produces a
 * low-rank update whose spectral norm is proportional to the learning rate times the gradient's;
 * {@code ADAM} produces a sign-like update whose entries are Θ(1); {@code NORMALIZED} rescales each
 * update to a chosen spectral norm, so the learning-rate multiplier is that norm.
 */
public enum Optimizer {
  SGD,
  ADAM,
  NORMALIZED;

  /** The lower-case name used on the command line and in reports, e.g. {@code adam}. */
  public String id() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * Parses a name case-insensitively ({@code sgd}, {@code adam}, {@code normalized}).
   *
   * @throws IllegalArgumentException naming the value and the accepted names
   */
  public static Optimizer parse(String name) {
    return Names.parse(Optimizer.class, name, "optimizer");
  }
}
