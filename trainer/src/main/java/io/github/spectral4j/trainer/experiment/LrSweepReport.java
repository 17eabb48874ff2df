package io.github.spectral4j.trainer.experiment;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.spectral4j.core.Optimizer;
import io.github.spectral4j.core.Parametrization;
import io.github.spectral4j.core.Predictions;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The outcome of a learning-rate sweep: the score (mean training loss over the last steps) of every
 * (parametrization, width, learning rate), the best learning rate per parametrization and width, and
 * how far that optimum moves across widths, judged against core's predicted exponent of the best
 * learning rate ({@link #transfer}: {@code SPECTRAL} and {@code MUP} pass if it moves by at most one grid
 * step, {@code STANDARD} must move by half its predicted drift over the widths swept, n/a where the grid
 * cannot resolve that, {@code NTK} has no prediction). Written as {@code lr-sweep.json} — a diverged run has {@code "loss": null} and
 * {@code "diverged": true} (its score is +∞) — and {@code lr-sweep.png} (loss against learning rate,
 * log-log, a curve per width, a panel per parametrization).
 */
public final class LrSweepReport {
  /** Losses above this are drawn as crosses on the top edge of the plot, like diverged runs. */
  static final double PLOT_CAP = 10;

  /** What was run. */
  record Setup(
      String dataset, Optimizer optimizer, int steps, int batch, long seed, int baseWidth, int scoreSteps,
      int inputDim, int threads) {}

  /**
   * How far the optimum moved across widths: {@code ratio} = largest / smallest optimal learning rate,
   * {@code steps} = the number of grid steps between them; {@code pass} is null without a verdict.
   */
  record Transfer(Parametrization parametrization, double ratio, int steps, Boolean pass, String reason) {}

  private final Setup setup;
  private final LrSweepGrid grid;
  private final List<Transfer> transfers;
  private final double seconds;

  private LrSweepReport(Setup setup, LrSweepGrid grid, List<Transfer> transfers, double seconds) {
    this.setup = setup;
    this.grid = grid;
    this.transfers = transfers;
    this.seconds = seconds;
  }

  /**
   * Finds the optima and judges the transfer.
   *
   * @param loss {@code loss[p][width][lr]}, {@code +∞} (or NaN) for a diverged run; not modified
   * @param seconds wall time of the sweep, for the printed summary only
   */
  static LrSweepReport of(Setup setup, List<Parametrization> ps, int[] widths, double[] lrs, double[][][] loss,
      double seconds) {
    LrSweepGrid grid = new LrSweepGrid(ps, widths, lrs, loss);
    List<Transfer> transfers = new ArrayList<>();
    for (int p = 0; p < ps.size(); p++) {
      transfers.add(transfer(ps.get(p), setup.optimizer(), grid, grid.movement(p)));
    }
    return new LrSweepReport(setup, grid, List.copyOf(transfers), seconds);
  }

  /**
   * Judges how far the optimum moved, against {@link Predictions#optimalLearningRateExponent}: a
   * parametrization predicted to transfer (exponent 0) passes if its optimum moves by at most one grid
   * step (the grid's resolution). One predicted to drift ({@code η* ∝ n^−a}) must move by at least half
   * its predicted drift over these widths, {@code a·log₂(n_max/n_min)/2} octaves, rounded up to grid
   * steps — half, because finite runs bend the optimum less than the asymptote (the default Adam sweep
   * measures ×4 where ×8 is predicted). When that is one grid step or less, it cannot be told from the
   * step a transferring parametrization is allowed, and the verdict is n/a with the reason: the
   * thresholds follow the grid, so a narrower sweep (e.g. widths 256–1024 instead of the default
   * 256–2048) is not failed for what it cannot resolve.
   */
  private static Transfer transfer(Parametrization p, Optimizer optimizer, LrSweepGrid grid, LrSweepGrid.Movement m) {
    int[] widths = grid.widths;
    double[] lrs = grid.lrs;
    String over = "over widths " + widths[0] + "–" + widths[widths.length - 1];
    if (widths.length < 2) {
      return new Transfer(p, Double.NaN, 0, null, "n/a: one width, nothing to compare");
    }
    double a = Predictions.optimalLearningRateExponent(p, optimizer);
    if (m.missing() > 0) {
      Boolean pass = Double.isNaN(a) ? null : false;
      return new Transfer(p, Double.NaN, 0, pass,
          "every learning rate diverged at " + m.missing() + " width(s): no optimum to compare");
    }
    double ratio = m.ratio(lrs);
    int steps = m.steps();
    String moved = grid.describe(m);
    if (Double.isNaN(a)) {
      return new Transfer(p, ratio, steps, null, moved + " (no prediction for " + p.id() + ")");
    }
    if (a == 0) {
      boolean pass = steps <= 1;
      return new Transfer(p, ratio, steps, pass, moved + (pass ? ": transfers (at most one grid step)"
          : ": does NOT transfer (more than one grid step)"));
    }
    double octaves = a * Math.log(widths[widths.length - 1] / (double) widths[0]) / Math.log(2);
    double gridStep = 0;
    for (int i = 1; i < lrs.length; i++) {
      gridStep = Math.max(gridStep, Math.log(lrs[i] / lrs[i - 1]) / Math.log(2));
    }
    int needed = gridStep == 0 ? Integer.MAX_VALUE : (int) Math.ceil(octaves / 2 / gridStep - 1e-9);
    String predicted = String.format(Locale.ROOT, "predicted η* ∝ n^-%s under %s, ×%s %s", trim(a), optimizer.id(),
        trim(Math.pow(2, octaves)), over);
    if (needed <= 1) {
      return new Transfer(p, ratio, steps, null, moved + "; n/a: " + predicted + ", half of which is within the one "
          + "grid step a transferring parametrization is allowed, so this grid cannot judge (widen the widths)");
    }
    boolean pass = steps >= needed;
    return new Transfer(p, ratio, steps, pass, moved + (pass ? ": drifts with width" : ": drifts less than needed")
        + " (" + predicted + "; at least " + needed + " grid steps needed)");
  }

  /** Whether every verdict (those that exist) passed. */
  public boolean allPass() {
    return transfers.stream().allMatch(t -> t.pass() == null || t.pass());
  }

  List<LrSweepGrid.Optimum> optima() {
    return grid.optima;
  }

  List<Transfer> transfers() {
    return transfers;
  }

  /** The printed summary: the loss grid, the optimum per width, and the transfer verdicts. */
  public String table() {
    StringBuilder b = new StringBuilder();
    String nl = String.format("%n");
    b.append(String.format(Locale.ROOT,
        "lr-sweep on %s: %s, %d steps, batch %d, seed %d, base width %d; score = mean training loss of the last %d steps (x = diverged)%n%n",
        setup.dataset(), setup.optimizer().id(), setup.steps(), setup.batch(), setup.seed(), setup.baseWidth(),
        setup.scoreSteps()));
    grid.appendScores(b);
    b.append(String.format(Locale.ROOT, "%-16s%7s  %-18s%s%n", "parametrization", "width", "best lr", "loss"));
    double[] lrs = grid.lrs;
    for (LrSweepGrid.Optimum o : grid.optima) {
      String lr = Double.isNaN(o.lr()) ? "(all diverged)"
          : lrName(o.lr()).equals(trim(o.lr())) ? trim(o.lr()) : lrName(o.lr()) + " = " + trim(o.lr());
      String edge = !Double.isNaN(o.lr()) && (o.lr() == lrs[0] || o.lr() == lrs[lrs.length - 1]) && lrs.length > 1
          ? "  (at the edge of the grid)" : "";
      b.append(String.format(Locale.ROOT, "%-16s%7d  %-18s%s%s%n", o.parametrization().id(), o.width(), lr,
          Double.isNaN(o.loss()) ? "" : String.format(Locale.ROOT, "%.4f", o.loss()), edge));
    }
    b.append(nl);
    for (Transfer t : transfers) {
      String status = t.pass() == null ? "n/a" : t.pass() ? "PASS" : "FAIL";
      b.append(String.format(Locale.ROOT, "%-5s %s: %s%n", status, t.parametrization().id(), t.reason()));
    }
    b.append(String.format(Locale.ROOT, "%nlr-sweep took %.1f s (%d cells, %d at a time)%n", seconds,
        grid.parametrizations.size() * grid.widths.length * lrs.length, setup.threads()));
    return b.toString();
  }

  /** The JSON report (see the class comment). */
  ObjectNode json() {
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode root = mapper.createObjectNode();
    root.put("dataset", setup.dataset());
    root.put("optimizer", setup.optimizer().id());
    root.put("steps", setup.steps());
    root.put("batch", setup.batch());
    root.put("seed", setup.seed());
    root.put("baseWidth", setup.baseWidth());
    root.put("scoreSteps", setup.scoreSteps());
    grid.putCells(root);
    ArrayNode opt = root.putArray("optimum");
    for (LrSweepGrid.Optimum o : grid.optima) {
      ObjectNode n = opt.addObject();
      n.put("parametrization", o.parametrization().id());
      n.put("width", o.width());
      if (Double.isNaN(o.lr())) {
        n.putNull("lr");
        n.putNull("loss");
      } else {
        n.put("lr", o.lr());
        n.put("loss", o.loss());
      }
    }
    ArrayNode tr = root.putArray("transfer");
    for (Transfer t : transfers) {
      ObjectNode n = tr.addObject();
      n.put("parametrization", t.parametrization().id());
      ReportFiles.putFinite(n, "ratio", t.ratio());
      n.put("gridSteps", t.steps());
      if (t.pass() == null) {
        n.putNull("pass");
      } else {
        n.put("pass", t.pass());
      }
      n.put("reason", t.reason());
    }
    return root;
  }

  /** The figure: a panel per parametrization, loss against learning rate, a curve per width. */
  BufferedImage plot() {
    List<Chart.Panel> panels = new ArrayList<>();
    for (int p = 0; p < grid.parametrizations.size(); p++) {
      List<Chart.Line> lines = new ArrayList<>();
      List<Chart.Point> points = new ArrayList<>();
      grid.addCurves(p, PLOT_CAP, lines, points);
      Transfer t = transfers.get(p);
      String title = grid.parametrizations.get(p).id()
          + (Double.isNaN(t.ratio()) ? "" : ": optimum moves ×" + trim(t.ratio()));
      panels.add(new Chart.Panel(title, "base learning rate η (" + setup.optimizer().id() + ")",
          "mean training loss, last " + setup.scoreSteps() + " steps", Chart.Scale.LOG2,
          Chart.Labels.POWER_OF_TWO, Chart.Scale.LOG10, lines, points, Double.NaN, Double.NaN, null));
    }
    String title = "learning-rate transfer: does the best η stay put as width grows?";
    String subtitle = String.format(Locale.ROOT,
        "MLP %d-n-n-n-10 on %s, %d %s steps, batch %d, base width %d; big dots = optimum, x = diverged or loss > %s",
        setup.inputDim(), setup.dataset(), setup.steps(), setup.optimizer().id(), setup.batch(), setup.baseWidth(),
        trim(PLOT_CAP));
    return Chart.render(title, subtitle, panels, Math.min(2, grid.parametrizations.size()));
  }

  /** Writes {@code lr-sweep.json} and {@code lr-sweep.png} into {@code dir} (created if missing), atomically. */
  public void write(Path dir) {
    ReportFiles.write(
        dir, ReportFiles.files("lr-sweep.json", ReportFiles.json(json()), "lr-sweep.png", ReportFiles.png(plot())));
  }

  /** {@code 2^-8} for powers of two, otherwise the number. */
  static String lrName(double lr) {
    int e = Math.getExponent(lr);
    if (lr == Math.scalb(1.0, e)) {
      return "2^" + e;
    }
    return trim(lr);
  }

  static String trim(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e9) {
      return Long.toString((long) v);
    }
    return String.format(Locale.ROOT, "%.4g", v).replaceAll("(\\.\\d*?)0+$", "$1").replaceAll("\\.$", "");
  }

  @Override
  public String toString() {
    return grid.optima.stream().map(Object::toString).collect(Collectors.joining(", "));
  }
}
