package io.github.spectral4j.core;

import java.util.Arrays;
import java.util.Objects;

/**
 * Least-squares fit of {@code log y = intercept + slope · log width}: the instrument that turns "Θ(n^a)"
 * into a measured exponent {@code a}. Ordinary least squares on natural logarithms; the slope's
 * standard error is {@code √(Σr²/(k−2) / Σ(x−x̄)²)} for {@code k} points (NaN when {@code k = 2}, since
 * two points leave no residual degree of freedom), and {@code r²} is the coefficient of determination
 * (1 when all {@code y} are equal).
 *
 * @param slope fitted exponent {@code a}
 * @param intercept fitted {@code log y} at width 1
 * @param slopeStdErr standard error of the slope
 * @param rSquared coefficient of determination of the fit in log-log space
 * @param points number of points {@code k}
 */
public record ScalingFit(double slope, double intercept, double slopeStdErr, double rSquared, int points) {

  /**
   * Fits {@code values ≈ C · widths^slope}.
   *
   * @param widths at least 2 positive, finite widths, not all equal; not modified
   * @param values positive, finite values, one per width; not modified
   * @throws IllegalArgumentException naming the offending value
   */
  public static ScalingFit fit(double[] widths, double[] values) {
    Objects.requireNonNull(widths, "widths");
    Objects.requireNonNull(values, "values");
    if (widths.length != values.length) {
      throw new IllegalArgumentException(
          "widths and values differ in length: " + widths.length + " vs " + values.length);
    }
    int k = widths.length;
    if (k < 2) {
      throw new IllegalArgumentException("a scaling fit needs at least 2 points, got " + k);
    }
    double[] x = new double[k];
    double[] y = new double[k];
    for (int i = 0; i < k; i++) {
      if (!(widths[i] > 0) || !Double.isFinite(widths[i])) {
        throw new IllegalArgumentException("width " + i + " must be finite and > 0, got " + widths[i]);
      }
      if (!(values[i] > 0) || !Double.isFinite(values[i])) {
        throw new IllegalArgumentException(
            "value " + i + " (width " + widths[i] + ") must be finite and > 0 to take its log, got "
                + values[i]);
      }
      x[i] = Math.log(widths[i]);
      y[i] = Math.log(values[i]);
    }
    double mx = Arrays.stream(x).average().orElseThrow();
    double my = Arrays.stream(y).average().orElseThrow();
    double sxx = 0;
    double sxy = 0;
    double syy = 0;
    for (int i = 0; i < k; i++) {
      sxx += (x[i] - mx) * (x[i] - mx);
      sxy += (x[i] - mx) * (y[i] - my);
      syy += (y[i] - my) * (y[i] - my);
    }
    if (sxx == 0) {
      throw new IllegalArgumentException(
          "all widths are equal (" + widths[0] + "): the slope is undefined");
    }
    double slope = sxy / sxx;
    double intercept = my - slope * mx;
    double rss = 0;
    for (int i = 0; i < k; i++) {
      double r = y[i] - (intercept + slope * x[i]);
      rss += r * r;
    }
    double stderr = k > 2 ? Math.sqrt(rss / (k - 2) / sxx) : Double.NaN;
    double r2 = syy == 0 ? 1.0 : 1.0 - rss / syy;
    return new ScalingFit(slope, intercept, stderr, r2, k);
  }

  /** The fitted value {@code exp(intercept) · width^slope}. */
  public double predict(double width) {
    return Math.exp(intercept + slope * Math.log(width));
  }
}
