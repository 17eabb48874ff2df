package io.github.spectral4j.trainer.experiment;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.spectral4j.core.Parametrization;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The outcome of a GPT learning-rate sweep ({@link GptLrSweep}): the held-out bits per character of
 * every (parametrization, width, η), the best η per parametrization and width, and issue 10's verdicts.
 * {@code SPECTRAL} and {@code MUP} transfer if their optimum moves by at most one ×2 step over the widths
 * swept (the grid's resolution). {@code STANDARD} (one global Adam η; its hidden updates grow like
 * {@code η·n}, so its best η should fall like {@code 1/n}) passes if its optimum moves by at least ×4, or
 * if the η that was best at the smallest width loses more at the widest width than the spectral one does
 * — the "penalty" {@code loss(widest, η*(smallest)) − loss(widest, η*(widest))}, the cost of tuning small
 * and training large. {@code NTK} has no verdict. Written as {@code lr-sweep.json} (the MLP sweep's
 * schema plus {@code "model": "gpt"}, {@code "score"}, the GPT's shape and each transfer's
 * {@code "penalty"}; a diverged run has {@code "loss": null, "diverged": true}), {@code lr-sweep.csv}
 * (one row per cell) and {@code lr-sweep.png} (loss against η, a curve per width, a panel per
 * parametrization).
 */
public final class GptLrSweepReport {
  /** Scores above this are drawn as crosses on the top edge, like diverged runs (a uniform guess is 7). */
  static final double PLOT_CAP = 7;
  /** Least spread of standard's optimum, as a ratio of learning rates (issue 10: ×4). */
  static final double STANDARD_MOVES = 4;

  /** What was run. */
  record Setup(String dataset, int steps, int batch, long seed, int baseWidth, int evalWindows, int blocks, int heads,
      int context, int threads) {}

  /**
   * How far the optimum moved: {@code ratio} = largest / smallest optimal η, {@code steps} grid steps;
   * {@code penalty} as in the class comment (NaN if not defined); {@code pass} null without a verdict.
   */
  record Transfer(Parametrization parametrization, double ratio, int steps, double penalty, Boolean pass,
      String reason) {}

  private final Setup setup;
  private final LrSweepGrid grid;
  private final List<Transfer> transfers;
  private final double seconds;

  private GptLrSweepReport(Setup setup, LrSweepGrid grid, List<Transfer> transfers, double seconds) {
    this.setup = setup;
    this.grid = grid;
    this.transfers = transfers;
    this.seconds = seconds;
  }

  /**
   * Finds the optima and judges the transfer.
   *
   * @param loss {@code loss[p][width][lr]} in bits per character, {@code +∞} for a diverged run; not modified
   * @param seconds wall time of the sweep, for the printed summary only
   */
  static GptLrSweepReport of(Setup setup, List<Parametrization> ps, int[] widths, double[] lrs, double[][][] loss,
      double seconds) {
    LrSweepGrid grid = new LrSweepGrid(ps, widths, lrs, loss);
    int[][] best = new int[ps.size()][];
    for (int p = 0; p < ps.size(); p++) {
      best[p] = grid.best(p);
    }
    double[] penalty = new double[ps.size()];
    for (int p = 0; p < ps.size(); p++) {
      int small = best[p][0];
      int large = best[p][widths.length - 1];
      penalty[p] = small < 0 || large < 0 ? Double.NaN
          : loss[p][widths.length - 1][small] - loss[p][widths.length - 1][large]; // +∞ if it diverges there
    }
    int spectral = ps.indexOf(Parametrization.SPECTRAL);
    List<Transfer> transfers = new ArrayList<>();
    for (int p = 0; p < ps.size(); p++) {
      transfers.add(transfer(ps.get(p), grid, grid.movement(p), penalty[p],
          spectral < 0 ? Double.NaN : penalty[spectral]));
    }
    return new GptLrSweepReport(setup, grid, List.copyOf(transfers), seconds);
  }

  private static Transfer transfer(Parametrization p, LrSweepGrid grid, LrSweepGrid.Movement m, double penalty,
      double spectralPenalty) {
    int[] widths = grid.widths;
    if (widths.length < 2) {
      return new Transfer(p, Double.NaN, 0, Double.NaN, null, "n/a: one width, nothing to compare");
    }
    boolean judged = p == Parametrization.SPECTRAL || p == Parametrization.MUP || p == Parametrization.STANDARD;
    if (m.missing() > 0) {
      return new Transfer(p, Double.NaN, 0, penalty, judged ? false : null,
          "every learning rate diverged at " + m.missing() + " width(s): no optimum to compare");
    }
    double ratio = m.ratio(grid.lrs);
    int steps = m.steps();
    String moved = grid.describe(m);
    String lost = String.format(Locale.ROOT, "width %d's best η costs %s bits/char at width %d", widths[0],
        bits(penalty), widths[widths.length - 1]);
    return switch (p) {
      case SPECTRAL, MUP -> {
        boolean pass = steps <= 1;
        yield new Transfer(p, ratio, steps, penalty, pass, moved + "; " + lost
            + (pass ? ": transfers (at most one grid step)" : ": does NOT transfer (more than one grid step)"));
      }
      case STANDARD -> {
        boolean moves = ratio >= STANDARD_MOVES;
        boolean losesMore = !Double.isNaN(spectralPenalty) && penalty > spectralPenalty;
        String than = Double.isNaN(spectralPenalty) ? " (spectral not swept: no penalty to compare)"
            : " (spectral's: " + bits(spectralPenalty) + ")";
        String verdict = moves ? ": drifts with width (at least ×" + LrSweepReport.trim(STANDARD_MOVES) + ")"
            : losesMore ? ": does not transfer (its small-width optimum loses more than spectral's)"
            : ": neither drifts ×" + LrSweepReport.trim(STANDARD_MOVES) + " nor loses more than spectral";
        yield new Transfer(p, ratio, steps, penalty, moves || losesMore, moved + "; " + lost + than + verdict);
      }
      default -> new Transfer(p, ratio, steps, penalty, null, moved + "; " + lost + " (no GPT verdict for "
          + p.id() + ")");
    };
  }

  private static String bits(double v) {
    return Double.isNaN(v) ? "n/a" : Double.isInfinite(v) ? "∞ (diverges)" : String.format(Locale.ROOT, "%+.4f", v);
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

  /** The printed summary: the score grid, the optimum per width, and the verdicts. */
  public String table() {
    StringBuilder b = new StringBuilder();
    String nl = String.format("%n");
    b.append(String.format(Locale.ROOT,
        "lr-sweep --model gpt on %s: %d blocks, %d heads, context %d, adam, %d steps, batch %d, seed %d, base width %d; "
            + "score = held-out bits per character over %d windows (x = diverged)%n%n",
        setup.dataset(), setup.blocks(), setup.heads(), setup.context(), setup.steps(), setup.batch(), setup.seed(),
        setup.baseWidth(), setup.evalWindows()));
    grid.appendScores(b);
    b.append(String.format(Locale.ROOT, "%-16s%7s  %-18s%s%n", "parametrization", "width", "best lr", "bits/char"));
    double[] lrs = grid.lrs;
    for (LrSweepGrid.Optimum o : grid.optima) {
      String lr = Double.isNaN(o.lr()) ? "(all diverged)" : LrSweepReport.lrName(o.lr());
      String edge = !Double.isNaN(o.lr()) && lrs.length > 1 && (o.lr() == lrs[0] || o.lr() == lrs[lrs.length - 1])
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
    ObjectNode root = new ObjectMapper().createObjectNode();
    root.put("model", "gpt");
    root.put("dataset", setup.dataset());
    root.put("optimizer", "adam");
    root.put("steps", setup.steps());
    root.put("batch", setup.batch());
    root.put("seed", setup.seed());
    root.put("baseWidth", setup.baseWidth());
    root.put("score", "heldout_bits_per_char");
    root.put("evalWindows", setup.evalWindows());
    root.put("blocks", setup.blocks());
    root.put("heads", setup.heads());
    root.put("context", setup.context());
    grid.putCells(root);
    ArrayNode opt = root.putArray("optimum");
    for (LrSweepGrid.Optimum o : grid.optima) {
      ObjectNode n = opt.addObject();
      n.put("parametrization", o.parametrization().id());
      n.put("width", o.width());
      ReportFiles.putFinite(n, "lr", o.lr());
      ReportFiles.putFinite(n, "loss", o.loss());
    }
    ArrayNode tr = root.putArray("transfer");
    for (Transfer t : transfers) {
      ObjectNode n = tr.addObject();
      n.put("parametrization", t.parametrization().id());
      ReportFiles.putFinite(n, "ratio", t.ratio());
      n.put("gridSteps", t.steps());
      ReportFiles.putFinite(n, "penalty", t.penalty());
      if (t.pass() == null) {
        n.putNull("pass");
      } else {
        n.put("pass", t.pass());
      }
      n.put("reason", t.reason());
    }
    return root;
  }

  /** One row per cell: {@code parametrization,width,lr,loss,diverged} (loss empty when diverged). */
  String csv() {
    StringBuilder b = new StringBuilder("parametrization,width,lr,loss,diverged\n");
    for (int p = 0; p < grid.parametrizations.size(); p++) {
      for (int w = 0; w < grid.widths.length; w++) {
        for (int l = 0; l < grid.lrs.length; l++) {
          double v = grid.loss[p][w][l];
          b.append(grid.parametrizations.get(p).id()).append(',').append(grid.widths[w]).append(',').append(grid.lrs[l]).append(',')
              .append(Double.isFinite(v) ? Double.toString(v) : "").append(',').append(!Double.isFinite(v))
              .append('\n');
        }
      }
    }
    return b.toString();
  }

  /** The figure: a panel per parametrization, held-out bits per character against η, a curve per width. */
  BufferedImage plot() {
    List<Chart.Panel> panels = new ArrayList<>();
    for (int p = 0; p < grid.parametrizations.size(); p++) {
      List<Chart.Line> lines = new ArrayList<>();
      List<Chart.Point> points = new ArrayList<>();
      grid.addCurves(p, PLOT_CAP, lines, points);
      Transfer t = transfers.get(p);
      String title = grid.parametrizations.get(p).id()
          + (Double.isNaN(t.ratio()) ? "" : ": optimum moves ×" + LrSweepReport.trim(t.ratio()));
      panels.add(new Chart.Panel(title, "base learning rate η (adam)", "held-out bits per character",
          Chart.Scale.LOG2, Chart.Labels.POWER_OF_TWO, Chart.Scale.LINEAR, lines, points, Double.NaN, Double.NaN,
          null));
    }
    String title = "learning-rate transfer on a GPT: does the best η stay put as width grows?";
    String subtitle = String.format(Locale.ROOT,
        "char-level GPT (%d blocks, %d heads, context %d) on %s, %d adam steps, batch %d, base width %d; "
            + "big dots = optimum, x = diverged or > %s bits/char",
        setup.blocks(), setup.heads(), setup.context(), setup.dataset(), setup.steps(), setup.batch(),
        setup.baseWidth(), LrSweepReport.trim(PLOT_CAP));
    return Chart.render(title, subtitle, panels, Math.min(2, grid.parametrizations.size()));
  }

  /** Writes {@code lr-sweep.json}, {@code .csv} and {@code .png} into {@code dir} (created if missing), atomically. */
  public void write(Path dir) {
    Map<String, byte[]> files = ReportFiles.files("lr-sweep.json", ReportFiles.json(json()), "lr-sweep.csv",
        csv().getBytes(StandardCharsets.UTF_8));
    files.put("lr-sweep.png", ReportFiles.png(plot()));
    ReportFiles.write(dir, files);
  }

  @Override
  public String toString() {
    return "GptLrSweepReport" + grid.optima;
  }
}
