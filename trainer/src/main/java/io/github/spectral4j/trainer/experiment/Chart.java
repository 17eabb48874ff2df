package io.github.spectral4j.trainer.experiment;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.Stroke;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A small Java2D plotter for the experiments' figures: a grid of panels, each with lines over a
 * linear or logarithmic axis, drawn headless into a PNG. Points with a non-finite or non-positive
 * (on a log axis) {@code y} break their line; points at {@code y = +∞} are drawn as crosses on the top
 * edge (a diverged run).
 */
final class Chart {
  static {
    System.setProperty("java.awt.headless", "true");
  }

  /** How an axis maps values; {@code LOG2} and {@code LOG10} differ only in where ticks go. */
  enum Scale {
    LINEAR,
    LOG2,
    LOG10
  }

  /** How tick labels of a {@code LOG2} axis read: {@code 1024} or {@code 2^-10}. */
  enum Labels {
    PLAIN,
    POWER_OF_TWO
  }

  /** A polyline with optional markers; {@code dashed} for reference guides. */
  record Line(String label, Color color, double[] x, double[] y, boolean dashed, boolean markers) {}

  /** A highlighted point (e.g. an optimum), drawn as a larger filled marker with a dark rim. */
  record Point(double x, double y, Color color) {}

  /** One panel; {@code shadeFrom}..{@code shadeTo} (x units, NaN for none) is lightly shaded. */
  record Panel(
      String title,
      String xLabel,
      String yLabel,
      Scale xScale,
      Labels xLabels,
      Scale yScale,
      List<Line> lines,
      List<Point> points,
      double shadeFrom,
      double shadeTo,
      String shadeLabel) {}

  static final Color[] PALETTE = {
    new Color(0xd62728), new Color(0x9467bd), new Color(0xff7f0e), new Color(0x1f77b4),
    new Color(0x2ca02c), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f)
  };

  private static final int PANEL_W = 540;
  private static final int PANEL_H = 400;
  private static final int TITLE_H = 56;
  private static final int LEFT = 72;
  private static final int RIGHT = 16;
  private static final int TOP = 34;
  private static final int BOTTOM = 52;
  private static final int LEGEND_ROW = 15;

  private Chart() {}

  /** Shades of blue from light to dark, one per series (e.g. per width). */
  static Color ramp(int i, int n) {
    double t = n <= 1 ? 1 : (double) i / (n - 1);
    int r = (int) Math.round(158 + t * (8 - 158));
    int g = (int) Math.round(202 + t * (48 - 202));
    int b = (int) Math.round(225 + t * (107 - 225));
    return new Color(r, g, b);
  }

  /** Renders the panels in a grid of {@code columns} columns under a title and subtitle. */
  static BufferedImage render(String title, String subtitle, List<Panel> panels, int columns) {
    int rows = (panels.size() + columns - 1) / columns;
    int width = columns * PANEL_W;
    int height = TITLE_H + rows * PANEL_H;
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, width, height);
      g.setColor(Color.BLACK);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 17));
      centered(g, title, width / 2, 24);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
      g.setColor(Color.DARK_GRAY);
      centered(g, subtitle, width / 2, 44);
      for (int i = 0; i < panels.size(); i++) {
        int px = (i % columns) * PANEL_W;
        int py = TITLE_H + (i / columns) * PANEL_H;
        drawPanel(g, panels.get(i), px, py);
      }
    } finally {
      g.dispose();
    }
    return image;
  }

  private static void drawPanel(Graphics2D g, Panel p, int px, int py) {
    int x0 = px + LEFT;
    int y0 = py + TOP;
    int w = PANEL_W - LEFT - RIGHT;
    int h = PANEL_H - TOP - BOTTOM;
    double[] xr = range(p.lines(), p.points(), true, p.xScale());
    double[] yr = range(p.lines(), p.points(), false, p.yScale());
    // Headroom above the data for the legend, so that it covers no point.
    long entries = p.lines().stream().filter(l -> l.label() != null).count();
    if (entries > 0) {
      double f = Math.min(0.45, (LEGEND_ROW * entries + 8 + 14) / (double) h);
      boolean log = p.yScale() != Scale.LINEAR;
      double a = log ? Math.log(yr[0]) : yr[0];
      double b = log ? Math.log(yr[1]) : yr[1];
      double top = (b - f * a) / (1 - f);
      yr[1] = log ? Math.exp(top) : top;
    }
    Axis xa = new Axis(p.xScale(), xr[0], xr[1], x0, x0 + w);
    Axis ya = new Axis(p.yScale(), yr[0], yr[1], y0 + h, y0);

    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
    g.setColor(Color.BLACK);
    centered(g, p.title(), x0 + w / 2, py + 22);
    if (Double.isFinite(p.shadeFrom())) {
      double a = Math.max(x0, xa.pixel(p.shadeFrom()));
      double b = Math.min(x0 + w, Double.isFinite(p.shadeTo()) ? xa.pixel(p.shadeTo()) : x0 + w);
      if (b > a) {
        g.setColor(new Color(0xf2f2f2));
        g.fill(new Rectangle2D.Double(a, y0, b - a, h));
        if (p.shadeLabel() != null) {
          g.setFont(new Font(Font.SANS_SERIF, Font.ITALIC, 10));
          g.setColor(Color.GRAY);
          g.drawString(p.shadeLabel(), (float) a + 4, y0 + h - 6);
        }
      }
    }
    // grid and ticks
    g.setStroke(new BasicStroke(1f));
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    for (double t : xa.ticks()) {
      float sx = (float) xa.pixel(t);
      g.setColor(new Color(0xdddddd));
      g.draw(new Line2D.Double(sx, y0, sx, y0 + h));
      g.setColor(Color.BLACK);
      centered(g, xa.label(t, p.xLabels()), (int) sx, y0 + h + 16);
    }
    for (double t : ya.ticks()) {
      float sy = (float) ya.pixel(t);
      g.setColor(new Color(0xdddddd));
      g.draw(new Line2D.Double(x0, sy, x0 + w, sy));
      g.setColor(Color.BLACK);
      String s = ya.label(t, Labels.PLAIN);
      FontMetrics fm = g.getFontMetrics();
      g.drawString(s, x0 - 6 - fm.stringWidth(s), sy + 4);
    }
    g.setColor(Color.BLACK);
    g.setStroke(new BasicStroke(1f));
    g.drawRect(x0, y0, w, h);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    centered(g, p.xLabel(), x0 + w / 2, y0 + h + 36);
    Graphics2D rotated = (Graphics2D) g.create();
    rotated.rotate(-Math.PI / 2);
    centered(rotated, p.yLabel(), -(y0 + h / 2), px + 16);
    rotated.dispose();

    Shape clip = g.getClip();
    g.clip(new Rectangle2D.Double(x0 - 6, y0 - 6, w + 12, h + 12));
    for (Line line : p.lines()) {
      g.setColor(line.color());
      g.setStroke(line.dashed()
          ? new BasicStroke(1.4f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f, new float[] {6f, 5f}, 0f)
          : new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
      Path2D.Double path = new Path2D.Double();
      boolean open = false;
      for (int i = 0; i < line.x().length; i++) {
        double x = line.x()[i];
        double y = line.y()[i];
        if (!xa.plottable(x) || !ya.plottable(y)) {
          open = false;
          continue;
        }
        double sx = xa.pixel(x);
        double sy = ya.pixel(y);
        if (open) {
          path.lineTo(sx, sy);
        } else {
          path.moveTo(sx, sy);
          open = true;
        }
      }
      g.draw(path);
      g.setStroke(new BasicStroke(1.6f));
      for (int i = 0; i < line.x().length; i++) {
        double x = line.x()[i];
        double y = line.y()[i];
        if (!xa.plottable(x)) {
          continue;
        }
        if (y == Double.POSITIVE_INFINITY) {
          double sx = xa.pixel(x);
          double sy = y0 + 5;
          g.draw(new Line2D.Double(sx - 4, sy - 4, sx + 4, sy + 4));
          g.draw(new Line2D.Double(sx - 4, sy + 4, sx + 4, sy - 4));
        } else if (line.markers() && ya.plottable(y)) {
          g.fill(new Ellipse2D.Double(xa.pixel(x) - 3.5, ya.pixel(y) - 3.5, 7, 7));
        }
      }
    }
    for (Point pt : p.points()) {
      if (xa.plottable(pt.x()) && ya.plottable(pt.y())) {
        Ellipse2D.Double dot = new Ellipse2D.Double(xa.pixel(pt.x()) - 6, ya.pixel(pt.y()) - 6, 12, 12);
        g.setColor(pt.color());
        g.fill(dot);
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(1.5f));
        g.draw(dot);
      }
    }
    g.setClip(clip);
    drawLegend(g, p.lines(), xa, ya, x0, y0, w, h);
  }

  /** Draws the legend in the inner corner of the panel that covers the fewest data points. */
  private static void drawLegend(Graphics2D g, List<Line> lines, Axis xa, Axis ya, int x0, int y0, int w, int h) {
    List<Line> labelled = lines.stream().filter(l -> l.label() != null).toList();
    if (labelled.isEmpty()) {
      return;
    }
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    FontMetrics fm = g.getFontMetrics();
    int textW = labelled.stream().mapToInt(l -> fm.stringWidth(l.label())).max().orElse(0);
    int rowH = LEGEND_ROW;
    int boxW = textW + 40;
    int boxH = rowH * labelled.size() + 8;
    int[][] corners = {
      {x0 + 8, y0 + 8}, {x0 + w - 8 - boxW, y0 + 8}, {x0 + 8, y0 + h - 8 - boxH}, {x0 + w - 8 - boxW, y0 + h - 8 - boxH}
    };
    int x = corners[0][0];
    int y = corners[0][1];
    int fewest = Integer.MAX_VALUE;
    for (int[] c : corners) {
      int covered = 0;
      for (Line l : lines) {
        for (int i = 0; i < l.x().length; i++) {
          if (!xa.plottable(l.x()[i])) {
            continue;
          }
          double sx = xa.pixel(l.x()[i]);
          double sy = l.y()[i] == Double.POSITIVE_INFINITY ? y0 + 5 : ya.plottable(l.y()[i]) ? ya.pixel(l.y()[i]) : -1e9;
          // a point, and the middle of the segment to the next one, count as covered
          covered += inside(sx, sy, c, boxW, boxH) ? 2 : 0;
          if (i + 1 < l.x().length && ya.plottable(l.y()[i]) && ya.plottable(l.y()[i + 1])
              && xa.plottable(l.x()[i + 1])) {
            covered += inside((sx + xa.pixel(l.x()[i + 1])) / 2, (sy + ya.pixel(l.y()[i + 1])) / 2, c, boxW, boxH) ? 1 : 0;
          }
        }
      }
      if (covered < fewest) {
        fewest = covered;
        x = c[0];
        y = c[1];
      }
    }
    g.setColor(new Color(255, 255, 255, 220));
    g.fillRect(x, y, boxW, boxH);
    g.setColor(Color.LIGHT_GRAY);
    g.setStroke(new BasicStroke(1f));
    g.drawRect(x, y, boxW, boxH);
    for (int i = 0; i < labelled.size(); i++) {
      Line l = labelled.get(i);
      int cy = y + 4 + rowH * i + rowH / 2;
      g.setColor(l.color());
      g.setStroke(l.dashed()
          ? new BasicStroke(1.4f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f, new float[] {6f, 5f}, 0f)
          : new BasicStroke(2f));
      g.draw(new Line2D.Double(x + 6, cy, x + 28, cy));
      g.setColor(Color.BLACK);
      g.drawString(l.label(), x + 34, cy + 4);
    }
  }

  private static boolean inside(double sx, double sy, int[] corner, int boxW, int boxH) {
    return sx >= corner[0] - 4 && sx <= corner[0] + boxW + 4 && sy >= corner[1] - 4 && sy <= corner[1] + boxH + 4;
  }

  private static void centered(Graphics2D g, String s, int cx, int baseline) {
    if (s == null) {
      return;
    }
    g.drawString(s, cx - g.getFontMetrics().stringWidth(s) / 2, baseline);
  }

  /** Data range of x or y over finite (and, on a log axis, positive) values, padded. */
  private static double[] range(List<Line> lines, List<Point> points, boolean x, Scale scale) {
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    List<Double> all = new ArrayList<>();
    for (Line l : lines) {
      for (double v : x ? l.x() : l.y()) {
        all.add(v);
      }
    }
    for (Point pt : points) {
      all.add(x ? pt.x() : pt.y());
    }
    for (double v : all) {
      if (Double.isFinite(v) && (scale == Scale.LINEAR || v > 0)) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
    if (lo > hi) {
      return scale == Scale.LINEAR ? new double[] {0, 1} : new double[] {1, 10};
    }
    if (scale == Scale.LINEAR) {
      double pad = hi > lo ? 0.05 * (hi - lo) : Math.max(1e-12, Math.abs(lo) * 0.1 + 1e-12);
      return new double[] {lo - pad, hi + pad};
    }
    double f = hi > lo ? Math.pow(hi / lo, x ? 0.04 : 0.08) : 2;
    return new double[] {lo / f, hi * f};
  }

  /** Maps data values to pixels and places ticks. */
  private record Axis(Scale scale, double lo, double hi, double p0, double p1) {
    double map(double v) {
      return scale == Scale.LINEAR ? v : Math.log(v);
    }

    boolean plottable(double v) {
      return Double.isFinite(v) && (scale == Scale.LINEAR || v > 0);
    }

    double pixel(double v) {
      double a = map(lo);
      double b = map(hi);
      return p0 + (map(v) - a) / (b - a) * (p1 - p0);
    }

    List<Double> ticks() {
      List<Double> t = new ArrayList<>();
      switch (scale) {
        case LOG2 -> {
          int a = (int) Math.ceil(Math.log(lo) / Math.log(2) - 1e-9);
          int b = (int) Math.floor(Math.log(hi) / Math.log(2) + 1e-9);
          int step = Math.max(1, (b - a + 1 + 7) / 8);
          for (int k = a; k <= b; k += step) {
            t.add(Math.pow(2, k));
          }
        }
        case LOG10 -> {
          int a = (int) Math.floor(Math.log10(lo));
          int b = (int) Math.ceil(Math.log10(hi));
          double[] mantissas = b - a <= 2 ? new double[] {1, 2, 5} : new double[] {1};
          int step = Math.max(1, (b - a + 9) / 10);
          for (int k = a; k <= b; k += step) {
            for (double m : mantissas) {
              double v = m * Math.pow(10, k);
              if (v >= lo && v <= hi) {
                t.add(v);
              }
            }
          }
        }
        case LINEAR -> {
          double span = hi - lo;
          double raw = span / 6;
          double mag = Math.pow(10, Math.floor(Math.log10(raw)));
          double unit = raw / mag < 1.5 ? mag : raw / mag < 3.5 ? 2 * mag : raw / mag < 7.5 ? 5 * mag : 10 * mag;
          for (double v = Math.ceil(lo / unit) * unit; v <= hi; v += unit) {
            t.add(Math.abs(v) < unit * 1e-9 ? 0 : v);
          }
        }
      }
      return t;
    }

    String label(double v, Labels labels) {
      if (scale == Scale.LOG2 && labels == Labels.POWER_OF_TWO) {
        return "2^" + Math.round(Math.log(v) / Math.log(2));
      }
      if (scale == Scale.LOG2 && v >= 1 && v == Math.rint(v)) {
        return Long.toString((long) v);
      }
      double a = Math.abs(v);
      if (v == 0) {
        return "0";
      }
      if (a >= 1e-3 && a < 1e5) {
        String s = String.format(Locale.ROOT, "%.4f", v);
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
      }
      String s = String.format(Locale.ROOT, "%.0e", v);
      return s.replace("e-0", "e-").replace("e+0", "e").replace("e+", "e");
    }
  }
}
