package io.github.spectral4j.trainer.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.spectral4j.core.Optimizer;
import io.github.spectral4j.core.Parametrization;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One slice {@code k/n} of a learning-rate sweep (see {@link LrSweep#runShard}), so that a batch
 * scheduler (a Slurm array, a Kubernetes Job with {@code n} completions) can spread a sweep over
 * machines: each slice writes {@code lr-sweep.shard-K-of-N.json} with the sweep's setup and the scores
 * of its cells, and {@link #merge} joins the {@code n} slices into the report an unsharded run writes —
 * the same {@code lr-sweep.json}, byte for byte, because every cell is seeded on its own and the merged
 * scores are the very doubles the slices computed (JSON numbers round-trip exactly).
 *
 * <p>Shard JSON: {@code {"shard": "K/N", "dataset", "inputDim", "optimizer", "steps", "batch", "seed",
 * "baseWidth", "scoreSteps", "bias", "parametrizations": […], "widths": […], "lrs": […], "threads",
 * "seconds", "cells": [{"parametrization", "width", "lr", "loss"}]}} with {@code "loss": null} for a
 * diverged cell.
 */
public final class LrSweepShard {
  private static final Pattern SHARD = Pattern.compile("([0-9]{1,9})/([0-9]{1,9})");

  private final LrSweep.Options options;
  private final String dataset;
  private final int inputDim;
  private final int threads;
  private final int k;
  private final int n;
  /** {@code loss[p][w][lr]}: a score, {@code +∞} if diverged, NaN if the cell is not in this slice. */
  private final double[][][] loss;
  private final double seconds;

  LrSweepShard(LrSweep.Options options, String dataset, int inputDim, int threads, int k, int n, double[][][] loss,
      double seconds) {
    this.options = options;
    this.dataset = dataset;
    this.inputDim = inputDim;
    this.threads = threads;
    this.k = k;
    this.n = n;
    this.loss = loss;
    this.seconds = seconds;
  }

  /**
   * Parses {@code K/N}, e.g. {@code 2/8}.
   *
   * @throws IllegalArgumentException naming the value unless {@code 1 ≤ K ≤ N}
   */
  public static int[] parse(String shard) {
    Matcher m = SHARD.matcher(shard.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("--shard '" + shard + "' must be K/N, e.g. 2/8");
    }
    int k = Integer.parseInt(m.group(1));
    int n = Integer.parseInt(m.group(2));
    if (n < 1 || k < 1 || k > n) {
      throw new IllegalArgumentException("--shard " + shard + ": need 1 <= K <= N");
    }
    return new int[] {k, n};
  }

  /**
   * Parses {@code K/N} for a sweep and checks that the grid has at least {@code N} cells.
   *
   * @throws IllegalArgumentException naming the value
   */
  public static int[] parse(String shard, LrSweep.Options options) {
    int[] kn = parse(shard);
    checkShard(kn[0], kn[1], options.parametrizations().size() * options.widths().length * options.lrs().length);
    return kn;
  }

  static void checkShard(int k, int n, int cells) {
    if (n < 1 || k < 1 || k > n) {
      throw new IllegalArgumentException("--shard " + k + "/" + n + ": need 1 <= K <= N");
    }
    if (n > cells) {
      throw new IllegalArgumentException("--shard " + k + "/" + n + ": the grid has only " + cells
          + " cells, so at most " + cells + " slices");
    }
  }

  /** The file name of slice {@code k/n}. */
  static String fileName(int k, int n) {
    return "lr-sweep.shard-" + k + "-of-" + n + ".json";
  }

  /** This slice's file name, {@code lr-sweep.shard-K-of-N.json}. */
  public String fileName() {
    return fileName(k, n);
  }

  /** Cells trained in this slice. */
  public int cells() {
    return cells(loss);
  }

  /** Cells of {@code loss} (parametrization × width × η) that were trained: the ones not NaN. */
  static int cells(double[][][] loss) {
    int c = 0;
    for (double[][] a : loss) {
      for (double[] b : a) {
        for (double v : b) {
          c += Double.isNaN(v) ? 0 : 1;
        }
      }
    }
    return c;
  }

  /** The report of a complete sweep (a slice 1/1). */
  LrSweepReport report() {
    if (n != 1) {
      throw new IllegalStateException("slice " + k + "/" + n + " is not a whole sweep: merge the slices");
    }
    return LrSweepReport.of(setup(threads), options.parametrizations(), options.widths(), options.lrs(), loss,
        seconds);
  }

  private LrSweepReport.Setup setup(int threads) {
    return new LrSweepReport.Setup(dataset, options.optimizer(), options.steps(), options.batch(), options.seed(),
        options.baseWidth(), options.scoreSteps(), inputDim, threads);
  }

  /** The slice's JSON (see the class comment). */
  ObjectNode json() {
    ObjectNode root = new ObjectMapper().createObjectNode();
    root.put("shard", k + "/" + n);
    root.put("dataset", dataset);
    root.put("inputDim", inputDim);
    root.put("optimizer", options.optimizer().id());
    root.put("steps", options.steps());
    root.put("batch", options.batch());
    root.put("seed", options.seed());
    root.put("baseWidth", options.baseWidth());
    root.put("scoreSteps", options.scoreSteps());
    root.put("bias", options.bias());
    ArrayNode ps = root.putArray("parametrizations");
    options.parametrizations().forEach(p -> ps.add(p.id()));
    ArrayNode ws = root.putArray("widths");
    Arrays.stream(options.widths()).forEach(ws::add);
    ArrayNode ls = root.putArray("lrs");
    Arrays.stream(options.lrs()).forEach(ls::add);
    root.put("threads", threads);
    root.put("seconds", seconds);
    ArrayNode cells = root.putArray("cells");
    List<Parametrization> params = options.parametrizations();
    int[] widths = options.widths();
    double[] lrs = options.lrs();
    for (int p = 0; p < params.size(); p++) {
      for (int w = 0; w < widths.length; w++) {
        for (int l = 0; l < lrs.length; l++) {
          double v = loss[p][w][l];
          if (Double.isNaN(v)) {
            continue;
          }
          ObjectNode c = cells.addObject();
          c.put("parametrization", params.get(p).id());
          c.put("width", widths[w]);
          c.put("lr", lrs[l]);
          ReportFiles.putFinite(c, "loss", v);
        }
      }
    }
    return root;
  }

  /** Writes {@code lr-sweep.shard-K-of-N.json} into {@code dir} (created if missing), atomically. */
  public void write(Path dir) {
    ReportFiles.write(dir, new TreeMap<>(Map.of(fileName(), ReportFiles.json(json()))));
  }

  /**
   * Reads every {@code lr-sweep.shard-K-of-N.json} in {@code dirs} and joins them into the sweep's
   * report.
   *
   * @param dirs directories holding the slices' files; not modified
   * @throws IllegalArgumentException naming the directory or file if a slice is missing, repeated,
   *     unreadable, or from a different sweep
   */
  public static LrSweepReport merge(List<Path> dirs) {
    LrSweepSlices.Grid g = LrSweepSlices.merge(dirs, "an lr-sweep slice", REQUIRED, SAME);
    JsonNode first = g.first();
    LrSweepReport.Setup setup = new LrSweepReport.Setup(first.get("dataset").asText(),
        Optimizer.parse(first.get("optimizer").asText()), first.get("steps").asInt(), first.get("batch").asInt(),
        first.get("seed").asLong(), first.get("baseWidth").asInt(), first.get("scoreSteps").asInt(),
        first.get("inputDim").asInt(), g.threads());
    return LrSweepReport.of(setup, g.parametrizations(), g.widths(), g.lrs(), g.loss(), g.seconds());
  }

  /** Keys an MLP slice must carry. */
  private static final List<String> REQUIRED = List.of("shard", "dataset", "inputDim", "optimizer", "steps",
      "batch", "seed", "baseWidth", "scoreSteps", "bias", "parametrizations", "widths", "lrs", "threads", "seconds",
      "cells");

  /** Keys that must agree between the slices of one MLP sweep. */
  private static final List<String> SAME = List.of("dataset", "inputDim", "optimizer", "steps", "batch", "seed",
      "baseWidth", "scoreSteps", "bias", "parametrizations", "widths", "lrs");

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "lr-sweep slice %d/%d (%d cells)", k, n, cells());
  }
}
