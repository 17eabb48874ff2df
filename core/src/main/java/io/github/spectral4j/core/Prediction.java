package io.github.spectral4j.core;

import java.util.Locale;
import java.util.Objects;

/**
 * What the theory says about one measured quantity of one layer as the width {@code n} grows: the
 * exponent {@code a} of {@code quantity = Θ(n^a)} (see {@link Predictions} for the derivation), and the
 * band a fitted log-log slope must fall in for an experiment to confirm it. Three cases:
 *
 * <ul>
 *   <li>judged: {@code slope} is the predicted exponent and {@code [low, high]} the band a measured
 *       slope is held to — {@code |slope| ≤ tolerance} for a prediction of 0 (feature learning at every
 *       width), {@code slope ≥ +0.3} for a growth, {@code slope ≤ −0.3} for a decay;
 *   <li>predicted but not judged: {@code slope} is the exponent, the band is {@code NaN}, and
 *       {@code reason} says why a finite experiment cannot confirm it;
 *   <li>not predicted: {@code slope} is {@code NaN} and {@code reason} says why.
 * </ul>
 *
 * @param quantity what is measured
 * @param slope the predicted exponent {@code a}, or {@code NaN} if there is none
 * @param low lowest accepted slope ({@code −∞} allowed), {@code NaN} if not judged
 * @param high highest accepted slope ({@code +∞} allowed), {@code NaN} if not judged
 * @param reason one sentence: the derivation's gist, or why it is not judged or not predicted
 */
public record Prediction(Quantity quantity, double slope, double low, double high, String reason) {

  /**
   * The quantities a coord check measures per layer, by the names used in reports. With
   * {@code h} a layer's output on a fixed probe batch, {@code W₀}/{@code W_T} its effective weight
   * (forward multiplier included) before and after training, and {@code √(fo/fi)} Condition 1's
   * target:
   */
  public enum Quantity {
    /** {@code rms_h}: RMS of {@code h} at initialisation. */
    RMS_H("rms_h"),
    /** {@code rms_dh}: RMS of {@code h_T − h₀}, the feature update (Desideratum 1 wants {@code Θ(1)}). */
    RMS_DH("rms_dh"),
    /** {@code w_spec_ratio}: {@code ‖W₀‖* / √(fo/fi)} (Condition 1 wants {@code Θ(1)}). */
    W_SPEC_RATIO("w_spec_ratio"),
    /** {@code dw_spec_ratio}: {@code ‖W_T − W₀‖* / √(fo/fi)} (Condition 1 wants {@code Θ(1)}). */
    DW_SPEC_RATIO("dw_spec_ratio");

    private final String id;

    Quantity(String id) {
      this.id = id;
    }

    /** The name used in reports, e.g. {@code rms_dh}. */
    public String id() {
      return id;
    }

    /**
     * The quantity named {@code id} (as in reports).
     *
     * @throws IllegalArgumentException naming the value and the accepted names
     */
    public static Quantity parse(String id) {
      for (Quantity q : values()) {
        if (q.id.equals(id)) {
          return q;
        }
      }
      throw new IllegalArgumentException("unknown quantity '" + id + "' (expected one of: rms_h, rms_dh, "
          + "w_spec_ratio, dw_spec_ratio)");
    }
  }

  /** Validates: a band only with a slope, {@code low ≤ high}; throws {@link IllegalArgumentException}. */
  public Prediction {
    Objects.requireNonNull(quantity, "quantity");
    Objects.requireNonNull(reason, "reason");
    if (Double.isNaN(low) != Double.isNaN(high)) {
      throw new IllegalArgumentException("band [" + low + ", " + high + "]: both ends or neither");
    }
    if (!Double.isNaN(low) && (Double.isNaN(slope) || !(low <= high))) {
      throw new IllegalArgumentException("band [" + low + ", " + high + "] for slope " + slope);
    }
  }

  /** Whether the theory gives an exponent. */
  public boolean predicted() {
    return !Double.isNaN(slope);
  }

  /** Whether a measured slope is held to the band. */
  public boolean judged() {
    return !Double.isNaN(low);
  }

  /**
   * Whether a measured slope confirms the prediction: it lies in {@code [low, high]}.
   *
   * @param measured a fitted slope; NaN is never accepted
   * @throws IllegalStateException if this prediction is not judged
   */
  public boolean accepts(double measured) {
    if (!judged()) {
      throw new IllegalStateException("not judged: " + reason);
    }
    return measured >= low && measured <= high;
  }

  /** The band as text: {@code |slope| <= 0.10}, {@code >= +0.30}, {@code <= -0.30} or {@code in [a, b]}. */
  public String band() {
    if (!judged()) {
      return "not judged";
    }
    if (low == -high) {
      return String.format(Locale.ROOT, "|slope| <= %.2f", high);
    }
    if (high == Double.POSITIVE_INFINITY) {
      return String.format(Locale.ROOT, ">= %+.2f", low);
    }
    if (low == Double.NEGATIVE_INFINITY) {
      return String.format(Locale.ROOT, "<= %+.2f", high);
    }
    return String.format(Locale.ROOT, "in [%+.2f, %+.2f]", low, high);
  }
}
