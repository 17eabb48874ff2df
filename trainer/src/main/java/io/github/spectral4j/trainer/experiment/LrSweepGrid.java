package io.github.spectral4j.trainer.experiment;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.spectral4j.core.Parametrization;
import java.awt.Color;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The grid of a learning-rate sweep — a score per (parametrization, width, η), lower is better, {@code +∞}
 * or NaN for a diverged run — and the best η of each parametrization at each width (the lowest finite
 * score; the first on a tie). What the MLP's ({@link LrSweepReport}) and the GPT's ({@link GptLrSweepReport})
 * reports share: the grid, its optima, the score table, the JSON {@code widths}/{@code lrs}/{@code results}
 * and the plot's curves. Their verdicts differ and stay in the reports. Immutable.
 */
final class LrSweepGrid {
  /** The best learning rate of one parametrization at one width ({@code NaN} if every run diverged). */
  record Optimum(Parametrization parametrization, int width, double lr, double loss) {}

  final List<Parametrization> parametrizations;
  final int[] widths;
  final double[] lrs;
  /** {@code loss[p][width][lr]}. */
  final double[][][] loss;
  /** Per parametrization then width. */
  final List<Optimum> optima;
  /** {@code best[p][w]}: index of the best η, −1 if every run diverged. */
  private final int[][] best;

  /**
   * Copies the grid and finds the optima.
   *
   * @param ps the parametrizations swept; not modified
   * @param widths the widths, ascending; not modified
   * @param lrs the learning rates, ascending; not modified
   * @param loss {@code loss[p][width][lr]}; not modified
   */
  LrSweepGrid(List<Parametrization> ps, int[] widths, double[] lrs, double[][][] loss) {
    this.parametrizations = List.copyOf(ps);
    this.widths = widths.clone();
    this.lrs = lrs.clone();
    this.loss = Arrays.stream(loss).map(x -> Arrays.stream(x).map(double[]::clone).toArray(double[][]::new))
        .toArray(double[][][]::new);
    this.best = new int[ps.size()][widths.length];
    List<Optimum> list = new ArrayList<>();
    for (int p = 0; p < ps.size(); p++) {
      for (int w = 0; w < widths.length; w++) {
        int b = -1;
        for (int l = 0; l < lrs.length; l++) {
          double v = loss[p][w][l];
          if (Double.isFinite(v) && (b < 0 || v < loss[p][w][b])) {
            b = l;
          }
        }
        best[p][w] = b;
        list.add(b < 0 ? new Optimum(ps.get(p), widths[w], Double.NaN, Double.NaN)
            : new Optimum(ps.get(p), widths[w], lrs[b], loss[p][w][b]));
      }
    }
    this.optima = List.copyOf(list);
  }

  /** The index of the best η of parametrization {@code p} at each width, −1 where every run diverged (a copy). */
  int[] best(int p) {
    return best[p].clone();
  }

  /**
   * How far parametrization {@code p}'s optimum moved across the widths: the lowest and highest index of
   * a best η, and how many widths have none (every run diverged). Both reports judge this movement.
   */
  record Movement(int lo, int hi, int missing) {
    /** Grid steps between the extreme optima. */
    int steps() {
      return hi - lo;
    }

    /** Largest over smallest optimal η. */
    double ratio(double[] lrs) {
      return lrs[hi] / lrs[lo];
    }
  }

  Movement movement(int p) {
    int lo = Integer.MAX_VALUE;
    int hi = Integer.MIN_VALUE;
    int missing = 0;
    for (int b : best[p]) {
      if (b < 0) {
        missing++;
      } else {
        lo = Math.min(lo, b);
        hi = Math.max(hi, b);
      }
    }
    return new Movement(lo, hi, missing);
  }

  /** "optimum moves ×r (s grid steps) over widths a–b", as both reports print it. */
  String describe(Movement m) {
    int steps = m.steps();
    return String.format(Locale.ROOT, "optimum moves ×%s (%d grid step%s) over widths %d–%d",
        LrSweepReport.trim(m.ratio(lrs)), steps, steps == 1 ? "" : "s", widths[0], widths[widths.length - 1]);
  }

  Optimum optimum(int p, int w) {
    return optima.get(p * widths.length + w);
  }

  /** Appends, per parametrization, the score of every (η, width), the best of each width starred. */
  void appendScores(StringBuilder b) {
    String nl = String.format("%n");
    for (int p = 0; p < parametrizations.size(); p++) {
      b.append(String.format(Locale.ROOT, "%-10s", parametrizations.get(p).id()));
      for (int w : widths) {
        b.append(String.format(Locale.ROOT, "%9s", "n=" + w));
      }
      b.append(nl);
      for (int l = 0; l < lrs.length; l++) {
        b.append(String.format(Locale.ROOT, "%-10s", LrSweepReport.lrName(lrs[l])));
        for (int w = 0; w < widths.length; w++) {
          double v = loss[p][w][l];
          boolean isBest = optimum(p, w).lr() == lrs[l];
          String cell = Double.isFinite(v) ? String.format(Locale.ROOT, "%.4f", v) : "x";
          b.append(String.format(Locale.ROOT, "%9s", cell + (isBest ? "*" : " ")));
        }
        b.append(nl);
      }
      b.append(nl);
    }
  }

  /** Puts {@code "widths"}, {@code "lrs"} and {@code "results"} (one object per cell) into {@code root}. */
  void putCells(ObjectNode root) {
    ArrayNode ws = root.putArray("widths");
    Arrays.stream(widths).forEach(ws::add);
    ArrayNode ls = root.putArray("lrs");
    Arrays.stream(lrs).forEach(ls::add);
    ArrayNode results = root.putArray("results");
    for (int p = 0; p < parametrizations.size(); p++) {
      for (int w = 0; w < widths.length; w++) {
        for (int l = 0; l < lrs.length; l++) {
          ObjectNode o = results.addObject();
          o.put("parametrization", parametrizations.get(p).id());
          o.put("width", widths[w]);
          o.put("lr", lrs[l]);
          double v = loss[p][w][l];
          ReportFiles.putFinite(o, "loss", v);
          o.put("diverged", !Double.isFinite(v));
        }
      }
    }
  }

  /**
   * Adds to {@code lines} one curve per width of parametrization {@code p} (scores above {@code cap} drawn
   * as crosses on the top edge, like diverged runs) and to {@code points} each width's optimum.
   */
  void addCurves(int p, double cap, List<Chart.Line> lines, List<Chart.Point> points) {
    for (int w = 0; w < widths.length; w++) {
      double[] y = new double[lrs.length];
      for (int l = 0; l < lrs.length; l++) {
        double v = loss[p][w][l];
        y[l] = Double.isFinite(v) && v <= cap ? v : Double.POSITIVE_INFINITY;
      }
      Color c = Chart.ramp(w, widths.length);
      lines.add(new Chart.Line("width " + widths[w], c, lrs, y, false, true));
      Optimum o = optimum(p, w);
      if (!Double.isNaN(o.lr())) {
        points.add(new Chart.Point(o.lr(), o.loss(), c));
      }
    }
  }
}
