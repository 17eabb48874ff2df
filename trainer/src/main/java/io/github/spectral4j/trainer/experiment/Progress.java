package io.github.spectral4j.trainer.experiment;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Progress of an experiment on stderr, measured in units of work (e.g. estimated floating-point
 * operations), so that runs of different sizes count for what they cost: the percentage and the time
 * left are of the work, and the run count says how many runs are done, e.g.
 * {@code coord-check: 3/8 runs done, 32% of the work, 44s, ~93s left, last standard n=4096} (three
 * small runs are a third of the runs but less of the work). On a console it is a bar redrawn in place
 * at most ten times a second; otherwise (a pipe, a log file, a test) it prints a line each time another
 * tenth of the work is done. Safe to call from several threads.
 */
public final class Progress {
  private static final int BAR = 28;
  private static final long REDRAW_NANOS = 100_000_000L;

  private final PrintWriter err;
  private final boolean console;
  private final String label;
  private final long start = System.nanoTime();
  private double total = 1;
  private double done;
  private int tasks;
  private int tasksDone;
  private long lastDraw;
  private int lastDecile;
  private int drawnWidth;

  private Progress(PrintWriter err, boolean console, String label) {
    this.err = err;
    this.console = console;
    this.label = label;
  }

  /**
   * A progress report named {@code label} (e.g. {@code coord-check}) on {@code err}.
   *
   * @param console whether {@code err} is a terminal (a bar redrawn in place) or not (sparse lines)
   */
  public static Progress on(PrintWriter err, boolean console, String label) {
    return new Progress(err, console, label);
  }

  /** A progress report on {@code err}, as a bar if this JVM's stderr is a terminal. */
  public static Progress onStderr(PrintWriter err, String label) {
    java.io.Console c = System.console();
    return on(err, c != null && c.isTerminal(), label);
  }

  /** A report that prints nothing. */
  static Progress silent() {
    return new Progress(null, false, "");
  }

  /** Starts counting {@code tasks} tasks worth {@code totalWork} units in all. */
  synchronized void start(int tasks, double totalWork) {
    this.tasks = tasks;
    this.total = Math.max(totalWork, Double.MIN_NORMAL);
    if (err != null && console) {
      String line = String.format(Locale.ROOT, "%s [%s]   0%% of the work, 0/%d runs done", label, ".".repeat(BAR),
          tasks);
      err.print("\r" + line);
      drawnWidth = line.length();
      err.flush();
    }
  }

  /** Records a finished task worth {@code work} units; {@code detail} says which (e.g. {@code mup n=1024}). */
  synchronized void advance(double work, String detail) {
    done += work;
    tasksDone++;
    if (err == null) {
      return;
    }
    double fraction = Math.min(1, done / total);
    long now = System.nanoTime();
    if (console) {
      if (now - lastDraw >= REDRAW_NANOS || tasksDone == tasks) {
        lastDraw = now;
        int filled = (int) Math.round(fraction * BAR);
        String line = String.format(Locale.ROOT, "%s [%s%s] %3.0f%% of the work, %d/%d runs done, %s, last %s",
            label, "#".repeat(filled), ".".repeat(BAR - filled), 100 * fraction, tasksDone, tasks,
            time(now, fraction), detail);
        int pad = Math.max(0, drawnWidth - line.length());
        err.print("\r" + line + " ".repeat(pad));
        drawnWidth = line.length();
        err.flush();
      }
    } else {
      int decile = (int) Math.floor(fraction * 10 + 1e-9);
      if (decile > lastDecile || tasksDone == tasks) {
        lastDecile = decile;
        err.println(String.format(Locale.ROOT, "%s: %d/%d runs done, %.0f%% of the work, %s, last %s",
            label, tasksDone, tasks, 100 * fraction, time(now, fraction), detail));
        err.flush();
      }
    }
  }

  /** Ends the bar's line (console mode). */
  synchronized void finish() {
    if (err != null && console && drawnWidth > 0) {
      err.println();
      err.flush();
      drawnWidth = 0;
    }
  }

  /** Seconds since this report was created. */
  double elapsedSeconds() {
    return (System.nanoTime() - start) / 1e9;
  }

  private String time(long now, double fraction) {
    double elapsed = (now - start) / 1e9;
    if (fraction <= 0 || fraction >= 1) {
      return String.format(Locale.ROOT, "%.0fs", elapsed);
    }
    double left = elapsed * (1 - fraction) / fraction;
    return String.format(Locale.ROOT, "%.0fs, ~%.0fs left", elapsed, left);
  }
}
