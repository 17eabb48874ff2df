package io.github.spectral4j.trainer.experiment;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.spectral4j.core.LayerRole;
import io.github.spectral4j.core.Optimizer;
import io.github.spectral4j.core.Parametrization;
import io.github.spectral4j.core.Prediction;
import io.github.spectral4j.core.Predictions;
import io.github.spectral4j.core.ScalingFit;
import java.awt.Color;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The outcome of a coord check: per parametrization, layer and metric, one value per width, the
 * exponent {@code a} of a least-squares fit {@code value ≈ C·width^a} over the widths at least as large
 * as the input dimension (core's {@link ScalingFit}), and a verdict per parametrization (see
 * {@link Verdicts}). Written as {@code coord-check.json}, {@code coord-check.csv} (long format:
 * {@code parametrization,layer,metric,width,value}) and {@code coord-check.png} (log-log panels of
 * {@code rms_dh} against width, one per layer). A diverged run's values are {@code NaN}, written as
 * JSON {@code null} and an empty CSV field.
 *
 * <p>JSON: {@code {"dataset", "optimizer", "lr", "steps", "batch", "seed", "repeats", "inputDim",
 * "widths": […], "fitWidths": […], "series": [{"parametrization", "layer", "metric", "values": […],
 * "slope", "slopeStderr", "predictedSlope", "predictedBand"}], "verdicts": [{"parametrization", "status",
 * "pass", "reason"}], "diverged": [{"parametrization", "width", "message"}]}}; {@code slope} is null when
 * it cannot be fitted, {@code slopeStderr} also with only two fit widths; {@code predictedSlope} is core's
 * {@link Prediction} (null where it makes none) and {@code predictedBand} the band a verdict holds the slope
 * to (null where none; only {@code rms_dh} decides the verdict); {@code status} is {@code PASS}, {@code FAIL}
 * or {@code n/a} and {@code pass} is null for n/a.
 */
public final class CoordCheckReport {
  /** The metrics, in the order of the value arrays. */
  static final List<String> METRICS =
      List.of("rms_h", "rms_dh", "w_spec_ratio", "dw_spec_ratio", "dw_stable_rank");

  static final int RMS_H = 0;
  static final int RMS_DH = 1;
  static final int W_SPEC_RATIO = 2;
  static final int DW_SPEC_RATIO = 3;
  static final int DW_STABLE_RANK = 4;

  /** What was run. */
  record Setup(
      String dataset, Optimizer optimizer, double lr, int steps, int batch, long seed, int repeats, int inputDim,
      int classes, boolean bias) {}

  private final Setup setup;
  private final int[] widths;
  private final int[] fitWidths;
  private final List<String> layers;
  private final List<Parametrization> parametrizations;
  private final List<Series> series;
  private final List<Verdict> verdicts;
  private final Map<Parametrization, SortedMap<Integer, String>> diverged;
  /** The model's description for a model other than the coord-check MLP, else {@code null}. */
  private String model;
  /** The judge of a model other than the coord-check MLP, else {@code null}. */
  private Judge judge;

  /**
   * Judges one parametrization of a model other than the MLP from its {@code rms_dh} slopes per layer, and
   * says which prediction each series is held to (for the JSON's {@code predictedSlope}/{@code predictedBand}).
   */
  interface Judge {
    Verdict judge(Parametrization p, List<String> layers, double[] dhSlopes, int[] fitWidths,
        SortedMap<Integer, String> diverged);

    /** core's prediction for {@code quantity} of output {@code layer} (one of {@code layers}), or null for none. */
    default Prediction prediction(Parametrization p, Prediction.Quantity quantity, List<String> layers, String layer) {
      return null;
    }
  }

  private CoordCheckReport(
      Setup setup,
      int[] widths,
      int[] fitWidths,
      List<String> layers,
      List<Parametrization> parametrizations,
      List<Series> series,
      List<Verdict> verdicts,
      Map<Parametrization, SortedMap<Integer, String>> diverged) {
    this.setup = setup;
    this.widths = widths;
    this.fitWidths = fitWidths;
    this.layers = layers;
    this.parametrizations = parametrizations;
    this.series = series;
    this.verdicts = verdicts;
    this.diverged = diverged;
  }

  /**
   * Fits the slopes and judges each parametrization.
   *
   * @param widths ascending widths; not modified
   * @param layers weight layer names, the last is the output layer
   * @param values {@code values[p][metric][layer][width]}, NaN where not measured; not modified
   * @param diverged per parametrization, width → divergence message (missing = none); not modified
   */
  static CoordCheckReport of(
      Setup setup,
      int[] widths,
      List<String> layers,
      List<Parametrization> parametrizations,
      double[][][][] values,
      Map<Parametrization, SortedMap<Integer, String>> diverged) {
    int[] fit = Arrays.stream(widths).filter(w -> w >= setup.inputDim()).toArray();
    int[] fitIndex = new int[fit.length];
    for (int i = 0, j = 0; i < widths.length; i++) {
      if (widths[i] >= setup.inputDim()) {
        fitIndex[j++] = i;
      }
    }
    List<LayerRole> roles = Verdicts.mlpRoles(layers.size());
    List<Series> series = new ArrayList<>();
    List<Verdict> verdicts = new ArrayList<>();
    Map<Parametrization, SortedMap<Integer, String>> div = new LinkedHashMap<>();
    for (int pi = 0; pi < parametrizations.size(); pi++) {
      Parametrization p = parametrizations.get(pi);
      double[] dhSlopes = new double[layers.size()];
      for (int m = 0; m < METRICS.size(); m++) {
        for (int l = 0; l < layers.size(); l++) {
          double[] v = values[pi][m][l].clone();
          double[] f = fit(widths, fitIndex, v);
          series.add(new Series(p, layers.get(l), METRICS.get(m), v, f[0], f[1]));
          if (m == RMS_DH) {
            dhSlopes[l] = f[0];
          }
        }
      }
      SortedMap<Integer, String> d = new TreeMap<>(diverged.getOrDefault(p, new TreeMap<>()));
      div.put(p, d);
      verdicts.add(Verdicts.judge(p, setup.optimizer(), layers, roles, dhSlopes, values[pi][W_SPEC_RATIO], widths,
          fit, d));
    }
    return new CoordCheckReport(
        setup, widths.clone(), fit, List.copyOf(layers), List.copyOf(parametrizations), List.copyOf(series),
        List.copyOf(verdicts), div);
  }

  /**
   * The report of a model other than the coord-check MLP (e.g. the GPT, whose "layers" are module
   * outputs): same fits, files and schema, verdicts and each series' prediction from {@code judge}, and
   * {@code model} describing it in the JSON ({@code "model"}) and the plot.
   */
  static CoordCheckReport of(
      Setup setup,
      String model,
      int[] widths,
      List<String> layers,
      List<Parametrization> parametrizations,
      double[][][][] values,
      Map<Parametrization, SortedMap<Integer, String>> diverged,
      Judge judge) {
    CoordCheckReport mlpShaped = of(setup, widths, layers, parametrizations, values, diverged);
    int[] fit = mlpShaped.fitWidths;
    List<Verdict> verdicts = new ArrayList<>();
    for (Parametrization p : parametrizations) {
      double[] dhSlopes = layers.stream().mapToDouble(l -> mlpShaped.series(p, l, "rms_dh").slope()).toArray();
      verdicts.add(judge.judge(p, layers, dhSlopes, fit, mlpShaped.diverged.get(p)));
    }
    CoordCheckReport r = new CoordCheckReport(setup, mlpShaped.widths, fit, mlpShaped.layers, mlpShaped.parametrizations,
        mlpShaped.series, List.copyOf(verdicts), mlpShaped.diverged);
    r.model = model;
    r.judge = judge;
    return r;
  }

  /** {slope, stderr} over the fit widths, NaN if there are fewer than two or a value is not positive. */
  private static double[] fit(int[] widths, int[] fitIndex, double[] v) {
    if (fitIndex.length < 2) {
      return new double[] {Double.NaN, Double.NaN};
    }
    double[] x = new double[fitIndex.length];
    double[] y = new double[fitIndex.length];
    for (int j = 0; j < fitIndex.length; j++) {
      x[j] = widths[fitIndex[j]];
      y[j] = v[fitIndex[j]];
      if (!(y[j] > 0) || !Double.isFinite(y[j])) {
        return new double[] {Double.NaN, Double.NaN};
      }
    }
    ScalingFit f = ScalingFit.fit(x, y);
    return new double[] {f.slope(), f.slopeStdErr()};
  }

  /** Whether no parametrization's verdict failed ("n/a" does not fail). */
  public boolean allPass() {
    return verdicts.stream().noneMatch(Verdict::failed);
  }

  List<Verdict> verdicts() {
    return verdicts;
  }

  List<Series> series() {
    return series;
  }

  int[] fitWidths() {
    return fitWidths.clone();
  }

  /** The series of one parametrization, layer and metric. */
  Series series(Parametrization p, String layer, String metric) {
    return series.stream()
        .filter(s -> s.parametrization() == p && s.layer().equals(layer) && s.metric().equals(metric))
        .findFirst()
        .orElseThrow();
  }

  /** The printed summary: a table of {@code rms_dh} slopes (parametrization × layer) and the verdicts. */
  public String table() {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT,
        "coord-check on %s: %s, lr %s, %d steps, batch %d, seed %d%s%n", setup.dataset(),
        setup.optimizer().id(), num(setup.lr()), setup.steps(), setup.batch(), setup.seed(),
        setup.repeats() > 1 ? " (geometric mean of " + setup.repeats() + " seeds)" : ""));
    b.append("widths ").append(join(widths)).append("; slopes of rms_dh vs width fitted over ")
        .append(fitWidths.length == 0 ? "(none)" : join(fitWidths))
        .append(" (widths >= input dimension ").append(setup.inputDim()).append(")")
        .append(String.format("%n%n"));
    b.append(String.format(Locale.ROOT, "%-16s", "parametrization"));
    for (int l = 0; l < layers.size(); l++) {
      String name = layers.get(l) + (l == layers.size() - 1 ? " (out)" : "");
      b.append(String.format(Locale.ROOT, "%15s", name));
    }
    b.append("  verdict").append(String.format("%n"));
    for (int pi = 0; pi < parametrizations.size(); pi++) {
      Parametrization p = parametrizations.get(pi);
      b.append(String.format(Locale.ROOT, "%-16s", p.id()));
      for (String layer : layers) {
        Series s = series(p, layer, "rms_dh");
        String cell = Double.isNaN(s.slope()) ? "n/a"
            : Verdicts.signed(s.slope())
                + (Double.isNaN(s.slopeStdErr()) ? "" : String.format(Locale.ROOT, " ±%.2f", s.slopeStdErr()));
        b.append(String.format(Locale.ROOT, "%15s", cell));
      }
      b.append("  ").append(verdicts.get(pi).status().label()).append(String.format("%n"));
    }
    b.append(String.format("%n"));
    for (Verdict v : verdicts) {
      b.append(String.format(Locale.ROOT, "%-5s %s: %s%n", v.status().label(), v.parametrization().id(),
          v.reason()));
    }
    return b.toString();
  }

  /** The JSON report (schema in the class comment). */
  ObjectNode json() {
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode root = mapper.createObjectNode();
    if (model != null) {
      root.put("model", model);
    }
    root.put("dataset", setup.dataset());
    root.put("optimizer", setup.optimizer().id());
    root.put("lr", setup.lr());
    root.put("steps", setup.steps());
    root.put("batch", setup.batch());
    root.put("seed", setup.seed());
    root.put("repeats", setup.repeats());
    root.put("inputDim", setup.inputDim());
    root.put("classes", setup.classes());
    root.put("bias", setup.bias());
    ArrayNode w = root.putArray("widths");
    Arrays.stream(widths).forEach(w::add);
    ArrayNode fw = root.putArray("fitWidths");
    Arrays.stream(fitWidths).forEach(fw::add);
    ArrayNode ss = root.putArray("series");
    for (Series s : series) {
      ObjectNode o = ss.addObject();
      o.put("parametrization", s.parametrization().id());
      o.put("layer", s.layer());
      o.put("metric", s.metric());
      ArrayNode vals = o.putArray("values");
      for (double v : s.values()) {
        ReportFiles.addFinite(vals, v);
      }
      ReportFiles.putFinite(o, "slope", s.slope());
      ReportFiles.putFinite(o, "slopeStderr", s.slopeStdErr());
      Prediction pr = prediction(s);
      ReportFiles.putFinite(o, "predictedSlope", pr == null ? Double.NaN : pr.slope());
      o.put("predictedBand", pr == null || !pr.judged() ? null : pr.band());
    }
    ArrayNode vs = root.putArray("verdicts");
    for (Verdict v : verdicts) {
      ObjectNode o = vs.addObject();
      o.put("parametrization", v.parametrization().id());
      o.put("status", v.status().label());
      if (v.status() == Verdict.Status.NOT_APPLICABLE) {
        o.putNull("pass");
      } else {
        o.put("pass", v.pass());
      }
      o.put("reason", v.reason());
    }
    ArrayNode dv = root.putArray("diverged");
    for (Map.Entry<Parametrization, SortedMap<Integer, String>> e : diverged.entrySet()) {
      for (Map.Entry<Integer, String> d : e.getValue().entrySet()) {
        ObjectNode o = dv.addObject();
        o.put("parametrization", e.getKey().id());
        o.put("width", d.getKey());
        o.put("message", d.getValue());
      }
    }
    return root;
  }

  /** core's prediction for a series, or null for a metric core makes none for ({@code dw_stable_rank}). */
  private Prediction prediction(Series s) {
    Prediction.Quantity q;
    try {
      q = Prediction.Quantity.parse(s.metric());
    } catch (IllegalArgumentException e) {
      return null;
    }
    if (model != null) {
      return judge.prediction(s.parametrization(), q, layers, s.layer());
    }
    LayerRole role = Verdicts.mlpRoles(layers.size()).get(layers.indexOf(s.layer()));
    return Predictions.of(q, s.parametrization(), setup.optimizer(), role);
  }

  /** The CSV report, long format, one row per parametrization, layer, metric and width. */
  String csv() {
    StringBuilder b = new StringBuilder("parametrization,layer,metric,width,value\n");
    for (Series s : series) {
      for (int i = 0; i < widths.length; i++) {
        double v = s.values()[i];
        b.append(s.parametrization().id()).append(',').append(s.layer()).append(',').append(s.metric())
            .append(',').append(widths[i]).append(',').append(Double.isFinite(v) ? Double.toString(v) : "")
            .append('\n');
      }
    }
    return b.toString();
  }

  /** The figure: a log-log panel of {@code rms_dh} against width per layer, a line per parametrization. */
  java.awt.image.BufferedImage plot() {
    List<Chart.Panel> panels = new ArrayList<>();
    double[] x = Arrays.stream(widths).asDoubleStream().toArray();
    for (int l = 0; l < layers.size(); l++) {
      String layer = layers.get(l);
      List<Chart.Line> lines = new ArrayList<>();
      Series guide = null;
      for (Parametrization p : parametrizations) {
        Series s = series(p, layer, "rms_dh");
        String label = p.id() + (Double.isNaN(s.slope()) ? "" : " (slope " + Verdicts.signed(s.slope()) + ")");
        lines.add(new Chart.Line(label, color(p), x, s.values(), false, true));
        if (p == Parametrization.SPECTRAL || (p == Parametrization.MUP && guide == null)) {
          guide = s;
        }
      }
      if (guide != null) {
        double level = geometricMeanOverFit(guide.values());
        if (Double.isFinite(level)) {
          double[] flat = new double[x.length];
          Arrays.fill(flat, level);
          lines.add(new Chart.Line("slope 0 (feature learning)", Color.GRAY, x, flat, true, false));
        }
      }
      String role = model != null ? "the " + layer + " output"
          : l == layers.size() - 1 ? "output logits" : "hidden features h" + (l + 1);
      panels.add(new Chart.Panel(
          layer + ": RMS change of " + role, "width n", "RMS Δh after " + setup.steps() + " steps",
          Chart.Scale.LOG2, Chart.Labels.PLAIN, Chart.Scale.LOG10, lines, List.of(),
          fitWidths.length > 0 ? fitWidths[0] : Double.NaN, Double.NaN, "slopes fitted here"));
    }
    String title = "coord check: does every layer's feature update stay Θ(1) as width grows?";
    String seeds = setup.repeats() == 1 ? "seed " + setup.seed()
        : "geometric mean over seeds " + setup.seed() + "–" + (setup.seed() + setup.repeats() - 1);
    String subtitle = model != null
        ? String.format(Locale.ROOT, "%s, %s, %s lr %s, %d steps, %s", model, setup.dataset(),
            setup.optimizer().id(), num(setup.lr()), setup.steps(), seeds)
        : String.format(Locale.ROOT, "MLP %d-%s%d, ReLU, %s, %s, %s lr %s, %d steps, batch %d, %s",
        setup.inputDim(), "n-".repeat(layers.size() - 1), setup.classes(), setup.bias() ? "biases" : "no bias",
        setup.dataset(), setup.optimizer().id(),
        num(setup.lr()), setup.steps(), setup.batch(), seeds);
    return Chart.render(title, subtitle, panels, 2);
  }

  private double geometricMeanOverFit(double[] v) {
    double s = 0;
    int k = 0;
    for (int i = 0; i < widths.length; i++) {
      if (widths[i] >= setup.inputDim() || fitWidths.length == 0) {
        if (!(v[i] > 0) || !Double.isFinite(v[i])) {
          return Double.NaN;
        }
        s += Math.log(v[i]);
        k++;
      }
    }
    return k == 0 ? Double.NaN : Math.exp(s / k);
  }

  static Color color(Parametrization p) {
    return switch (p) {
      case STANDARD -> Chart.PALETTE[0];
      case NTK -> Chart.PALETTE[1];
      case MUP -> Chart.PALETTE[2];
      case SPECTRAL -> Chart.PALETTE[3];
    };
  }

  /**
   * Writes {@code coord-check.json}, {@code .csv} and {@code .png} into {@code dir} (created if
   * missing), each atomically; all three are rendered before the first is written.
   */
  public void write(Path dir) {
    Map<String, byte[]> files =
        ReportFiles.files("coord-check.json", ReportFiles.json(json()), "coord-check.csv",
            csv().getBytes(StandardCharsets.UTF_8));
    files.put("coord-check.png", ReportFiles.png(plot()));
    ReportFiles.write(dir, files);
  }

  static String num(double v) {
    if (v > 0 && v < 1e-3 && v == Math.scalb(1.0, Math.getExponent(v))) {
      return LrSweepReport.lrName(v); // 2^-16 rather than 1.52587890625E-5
    }
    String s = Double.toString(v);
    return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
  }

  private static String join(int[] a) {
    return Arrays.stream(a).mapToObj(String::valueOf).collect(Collectors.joining(", "));
  }
}
