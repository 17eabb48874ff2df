package io.github.spectral4j.trainer.experiment;

import io.github.spectral4j.core.Parametrization;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SortedMap;
import java.util.stream.Collectors;

/**
 * The coord check's predictions, as thresholds on fitted exponents of {@code rms_dh} (the RMS change of
 * a layer's features on a fixed probe batch) against width. Feature learning at every width (Condition 1
 * of arXiv 2310.17813) means exponent 0 for every layer; the thresholds leave room for finite-width noise.
 *
 * <ul>
 *   <li>{@code SPECTRAL}, {@code MUP}: {@code |slope| ≤ 0.1} for every hidden layer (all but the last)
 *       and {@code ≤ 0.15} for the output layer; {@code SPECTRAL} also needs {@code ‖W₀‖* / √(fo/fi)} in
 *       {@code [0.9, 2.2]} for every layer and width.
 *   <li>{@code STANDARD} shows the output blow-up: output-layer slope {@code ≥ +0.3} (or the run
 *       diverges at a large width after training at a smaller one).
 *   <li>{@code NTK} shows frozen features: every hidden-layer slope {@code ≤ −0.3}.
 * </ul>
 *
 * <p>The {@code STANDARD} and {@code NTK} predictions are those of SGD with one global learning rate;
 * under Adam or normalized updates their verdicts are informative only.
 */
final class Verdicts {
  static final double HIDDEN_TOLERANCE = 0.1;
  static final double OUTPUT_TOLERANCE = 0.15;
  static final double BLOW_UP = 0.3;
  static final double FROZEN = -0.3;
  static final double RATIO_LOW = 0.9;
  static final double RATIO_HIGH = 2.2;

  private Verdicts() {}

  /**
   * Judges one parametrization.
   *
   * @param p the parametrization
   * @param layers weight layer names in order, the last is the output layer; not modified
   * @param dhSlopes fitted {@code rms_dh} exponent per layer, {@code NaN} if not fittable; not modified
   * @param wSpecRatio {@code ‖W₀‖* / √(fo/fi)} per layer and width ({@code NaN} = not measured); not modified
   * @param widths all widths, ascending; not modified
   * @param fitWidths the widths the slopes were fitted over; not modified
   * @param diverged width → divergence message, for the widths whose training diverged; not modified
   */
  static Verdict judge(
      Parametrization p,
      List<String> layers,
      double[] dhSlopes,
      double[][] wSpecRatio,
      int[] widths,
      int[] fitWidths,
      SortedMap<Integer, String> diverged) {
    int last = layers.size() - 1;
    if (!diverged.isEmpty()) {
      int first = diverged.firstKey();
      String what = "diverged at width" + (diverged.size() > 1 ? "s " : " ")
          + diverged.keySet().stream().map(String::valueOf).collect(Collectors.joining(", "))
          + " (" + diverged.get(first) + ")";
      if (p == Parametrization.STANDARD && widths[0] < first) {
        return new Verdict(p, true, what + " while width " + widths[0]
            + " trained: the output blow-up in its extreme form");
      }
      return new Verdict(p, false, what);
    }
    if (fitWidths.length < 2) {
      return new Verdict(p, false, "cannot fit slopes: need at least 2 widths >= the input dimension, got "
          + Arrays.toString(fitWidths));
    }
    for (int l = 0; l <= last; l++) {
      boolean needed = switch (p) {
        case STANDARD -> l == last;
        case NTK -> l < last;
        case MUP, SPECTRAL -> true;
      };
      if (needed && Double.isNaN(dhSlopes[l])) {
        return new Verdict(p, false, "the rms_dh slope of " + layers.get(l)
            + " could not be fitted (a value is zero or not finite)");
      }
    }
    return switch (p) {
      case STANDARD -> {
        boolean pass = dhSlopes[last] >= BLOW_UP;
        yield new Verdict(p, pass, "output-layer (" + layers.get(last) + ") rms_dh slope "
            + signed(dhSlopes[last]) + (pass ? " >= " : " < ") + signed(BLOW_UP)
            + (pass ? ": the output blows up with width" : ": no output blow-up measured"));
      }
      case NTK -> {
        boolean pass = true;
        for (int l = 0; l < last; l++) {
          pass &= dhSlopes[l] <= FROZEN;
        }
        yield new Verdict(p, pass, "hidden-layer rms_dh slopes " + list(layers, dhSlopes, 0, last)
            + (pass ? " all <= " : " not all <= ") + signed(FROZEN)
            + (pass ? ": features freeze as width grows" : ": features do not freeze"));
      }
      case MUP, SPECTRAL -> {
        List<String> failures = new ArrayList<>();
        for (int l = 0; l <= last; l++) {
          double tol = l == last ? OUTPUT_TOLERANCE : HIDDEN_TOLERANCE;
          if (!(Math.abs(dhSlopes[l]) <= tol)) {
            failures.add(layers.get(l) + " slope " + signed(dhSlopes[l]) + " exceeds ±" + tol);
          }
        }
        StringBuilder reason = new StringBuilder("rms_dh slopes ")
            .append(list(layers, dhSlopes, 0, last)).append(" (hidden; |slope| <= ").append(HIDDEN_TOLERANCE)
            .append("), ").append(layers.get(last)).append(' ').append(signed(dhSlopes[last]))
            .append(" (output; |slope| <= ").append(OUTPUT_TOLERANCE).append(')');
        if (p == Parametrization.SPECTRAL) {
          double lo = Double.POSITIVE_INFINITY;
          double hi = Double.NEGATIVE_INFINITY;
          for (int l = 0; l <= last; l++) {
            for (int w = 0; w < widths.length; w++) {
              double r = wSpecRatio[l][w];
              if (!(r >= RATIO_LOW && r <= RATIO_HIGH)) {
                failures.add("w_spec_ratio of " + layers.get(l) + " at width " + widths[w] + " is "
                    + fixed(r) + ", outside [" + RATIO_LOW + ", " + RATIO_HIGH + "]");
              }
              lo = Math.min(lo, r);
              hi = Math.max(hi, r);
            }
          }
          reason.append("; w_spec_ratio in [").append(fixed(lo)).append(", ").append(fixed(hi))
              .append("] (band [").append(RATIO_LOW).append(", ").append(RATIO_HIGH).append("])");
        }
        if (failures.isEmpty()) {
          reason.append(": feature updates are width-independent");
        } else {
          reason.append(": FAILS, ").append(String.join("; ", failures));
        }
        yield new Verdict(p, failures.isEmpty(), reason.toString());
      }
    };
  }

  private static String list(List<String> layers, double[] slopes, int from, int to) {
    StringBuilder b = new StringBuilder();
    for (int l = from; l < to; l++) {
      b.append(l > from ? ", " : "").append(layers.get(l)).append(' ').append(signed(slopes[l]));
    }
    return b.toString();
  }

  static String signed(double x) {
    return String.format(Locale.ROOT, "%+.2f", x);
  }

  private static String fixed(double x) {
    return String.format(Locale.ROOT, "%.2f", x);
  }
}
