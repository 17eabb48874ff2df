package io.github.spectral4j.trainer.experiment;

import io.github.spectral4j.core.LayerRole;
import io.github.spectral4j.core.Optimizer;
import io.github.spectral4j.core.Parametrization;
import io.github.spectral4j.core.Prediction;
import io.github.spectral4j.core.Predictions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SortedMap;
import java.util.stream.Collectors;

/**
 * The coord check's verdict: the fitted exponent of {@code rms_dh} (the RMS change of a layer's
 * features on a fixed probe batch, the quantity Desideratum 1 of arXiv 2310.17813 is about) against
 * width, compared per layer with core's {@link Predictions} for the parametrization, the layer's role
 * and the optimizer. A layer whose prediction is not judged is named with the reason; a
 * parametrization none of whose layers is judged gets "n/a", which does not fail the run. Under
 * {@code SPECTRAL} every layer's {@code ‖W₀‖* / √(fo/fi)} must also lie in
 * {@code [Predictions.INIT_LOW, Predictions.INIT_HIGH]} at every width. A run that diverges fails,
 * except at a larger width after a smaller one trained when the output layer is predicted to grow:
 * that is the predicted blow-up in its extreme form. A parametrization built for feature learning
 * ({@link Predictions#promisesFeatureLearning}) also fails if the exponent core derives from its rules is
 * not 0 anywhere: a wrong rule moves the prediction and the measurement together. Other models' outputs (the GPT's) are judged the
 * same way against predictions their caller supplies ({@link #judgeSlopes}).
 */
final class Verdicts {
  private Verdicts() {}

  /** Roles of the coord-check MLP's weight layers: the first is the input layer, the last the output. */
  static List<LayerRole> mlpRoles(int layers) {
    List<LayerRole> roles = new ArrayList<>();
    for (int l = 0; l < layers; l++) {
      roles.add(l == layers - 1 ? LayerRole.OUTPUT : l == 0 ? LayerRole.INPUT : LayerRole.HIDDEN);
    }
    return roles;
  }

  /**
   * Judges one parametrization.
   *
   * @param p the parametrization
   * @param optimizer the optimizer the run used
   * @param layers layer names in order; not modified
   * @param roles each layer's role; not modified
   * @param dhSlopes fitted {@code rms_dh} exponent per layer, {@code NaN} if not fittable; not modified
   * @param wSpecRatio {@code ‖W₀‖* / √(fo/fi)} per layer and width ({@code NaN} = not measured); not modified
   * @param widths all widths, ascending; not modified
   * @param fitWidths the widths the slopes were fitted over; not modified
   * @param diverged width → divergence message, for the widths whose training diverged; not modified
   */
  static Verdict judge(
      Parametrization p,
      Optimizer optimizer,
      List<String> layers,
      List<LayerRole> roles,
      double[] dhSlopes,
      double[][] wSpecRatio,
      int[] widths,
      int[] fitWidths,
      SortedMap<Integer, String> diverged) {
    List<Prediction> predictions = new ArrayList<>();
    for (LayerRole role : roles) {
      predictions.add(Predictions.of(Prediction.Quantity.RMS_DH, p, optimizer, role));
    }
    int out = layers.size() - 1;
    if (!diverged.isEmpty()) {
      int first = diverged.firstKey();
      String what = "diverged at width" + (diverged.size() > 1 ? "s " : " ")
          + diverged.keySet().stream().map(String::valueOf).collect(Collectors.joining(", "))
          + " (" + diverged.get(first) + ")";
      Prediction output = predictions.get(out);
      if (output.judged() && output.slope() > 0 && widths[0] < first) {
        return Verdict.of(p, true, what + " while width " + widths[0] + " trained: the predicted growth of "
            + layers.get(out) + " (" + output.reason() + ") in its extreme form");
      }
      return Verdict.of(p, false, what);
    }
    if (fitWidths.length < 2) {
      return Verdict.notApplicable(p, "no slope to judge: need at least 2 widths >= the input dimension, got "
          + Arrays.toString(fitWidths));
    }
    Comparison c = new Comparison(p, layers, predictions, dhSlopes);
    List<String> failures = c.failures;
    if (c.checked.isEmpty() && c.failures.isEmpty()) {
      return Verdict.notApplicable(p, "no layer's rms_dh prediction can be judged under " + optimizer.id() + ": "
          + grouped(c.skipped));
    }
    StringBuilder reason = new StringBuilder("rms_dh slopes ").append(String.join(", ", c.checked));
    if (Predictions.initialNormBand(p)) {
      double lo = Double.POSITIVE_INFINITY;
      double hi = Double.NEGATIVE_INFINITY;
      for (int l = 0; l <= out; l++) {
        for (int w = 0; w < widths.length; w++) {
          double r = wSpecRatio[l][w];
          if (!(r >= Predictions.INIT_LOW && r <= Predictions.INIT_HIGH)) {
            failures.add("w_spec_ratio of " + layers.get(l) + " at width " + widths[w] + " is " + fixed(r)
                + ", outside [" + Predictions.INIT_LOW + ", " + Predictions.INIT_HIGH + "]");
          }
          lo = Math.min(lo, r);
          hi = Math.max(hi, r);
        }
      }
      reason.append("; w_spec_ratio in [").append(fixed(lo)).append(", ").append(fixed(hi)).append("] (band [")
          .append(Predictions.INIT_LOW).append(", ").append(Predictions.INIT_HIGH).append("])");
    }
    return c.verdict(p, reason);
  }

  /**
   * Judges the {@code rms_dh} slopes of a model's outputs against their predictions (no divergence, at
   * least two fit widths): each judged output's slope must lie in its band.
   *
   * @param p the parametrization
   * @param optimizer the optimizer the run used
   * @param layers output names in order; not modified
   * @param predictions one per output; not modified
   * @param dhSlopes fitted {@code rms_dh} exponent per output, {@code NaN} if not fittable; not modified
   */
  static Verdict judgeSlopes(
      Parametrization p, Optimizer optimizer, List<String> layers, List<Prediction> predictions, double[] dhSlopes) {
    Comparison c = new Comparison(p, layers, predictions, dhSlopes);
    if (c.checked.isEmpty() && c.failures.isEmpty()) {
      return Verdict.notApplicable(p, "no output's rms_dh prediction can be judged under " + optimizer.id() + ": "
          + grouped(c.skipped));
    }
    return c.verdict(p, new StringBuilder("rms_dh slopes ").append(String.join(", ", c.checked)));
  }

  /** Each layer's slope against its prediction: what was checked, what failed, what was not judged. */
  private static final class Comparison {
    final List<String> checked = new ArrayList<>();
    final List<String> failures = new ArrayList<>();
    /** reason → layers. */
    final java.util.Map<String, List<String>> skipped = new java.util.LinkedHashMap<>();

    Comparison(Parametrization p, List<String> layers, List<Prediction> predictions, double[] dhSlopes) {
      for (int l = 0; l < layers.size(); l++) {
        Prediction pr = predictions.get(l);
        String name = layers.get(l);
        if (Predictions.promisesFeatureLearning(p) && pr.predicted() && pr.slope() != 0) {
          // the rules themselves are wrong: measuring what they predict would not show it
          failures.add("core's rules for " + p.id() + " predict rms_dh of " + name + " ∝ n^" + signed(pr.slope())
              + ", breaking the Θ(1) feature updates " + p.id() + " is built for (Desideratum 1)");
        }
        if (!pr.judged()) {
          skipped.computeIfAbsent(pr.reason(), k -> new ArrayList<>()).add(name);
          continue;
        }
        double s = dhSlopes[l];
        checked.add(name + " " + signed(s) + " (" + pr.band() + ")");
        if (Double.isNaN(s)) {
          failures.add("the rms_dh slope of " + name + " could not be fitted (a value is zero or not finite)");
        } else if (!pr.accepts(s)) {
          failures.add(name + " " + signed(s) + " is not " + pr.band() + " (predicted: " + pr.reason() + ")");
        }
      }
    }

    /** {@code reason} completed with what was not judged and the outcome. */
    Verdict verdict(Parametrization p, StringBuilder reason) {
      if (!skipped.isEmpty()) {
        reason.append("; not judged: ").append(grouped(skipped));
      }
      if (failures.isEmpty()) {
        reason.append(": as predicted");
      } else {
        reason.append(": FAILS, ").append(String.join("; ", failures));
      }
      return Verdict.of(p, failures.isEmpty(), reason.toString());
    }
  }

  /** {@code W2, W3 (reason); W5 (other reason)}. */
  private static String grouped(java.util.Map<String, List<String>> layersByReason) {
    return layersByReason.entrySet().stream()
        .map(e -> String.join(", ", e.getValue()) + " (" + e.getKey() + ")")
        .collect(Collectors.joining("; "));
  }

  static String signed(double x) {
    return String.format(Locale.ROOT, "%+.2f", x);
  }

  private static String fixed(double x) {
    return String.format(Locale.ROOT, "%.2f", x);
  }
}
