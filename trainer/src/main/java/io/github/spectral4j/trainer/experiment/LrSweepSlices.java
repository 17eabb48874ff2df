package io.github.spectral4j.trainer.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.spectral4j.core.Parametrization;
import io.github.spectral4j.simd.Blas;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntToDoubleFunction;

/**
 * The slice files of a sharded learning-rate sweep ({@code lr-sweep.shard-K-of-N.json}, MLP or GPT) read back
 * into the whole grid of scores: every slice present once, all from one sweep, each holding exactly the cells
 * of its slice (cell {@code i} of the grid belongs to slice {@code i mod N + 1}), together covering the grid.
 * The MLP and the GPT sweep differ only in which keys a slice must carry and which must agree. {@link #run}
 * trains one slice for either.
 */
final class LrSweepSlices {
  private LrSweepSlices() {}

  /**
   * The grid the slices hold.
   *
   * @param first the first slice's JSON, for the sweep's settings
   * @param loss {@code loss[p][width][lr]}, {@code +∞} for a diverged run
   * @param seconds the slices' wall times added up
   * @param threads the most threads any slice ran on
   */
  record Grid(JsonNode first, List<Parametrization> parametrizations, int[] widths, double[] lrs,
      double[][][] loss, double seconds, int threads) {}

  /** Every slice file in {@code dirs}, sorted per directory. */
  static List<Path> files(List<Path> dirs) {
    List<Path> files = new ArrayList<>();
    for (Path dir : dirs) {
      if (!Files.isDirectory(dir)) {
        throw new IllegalArgumentException("--merge " + dir + ": not a directory");
      }
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "lr-sweep.shard-*-of-*.json")) {
        List<Path> here = new ArrayList<>();
        ds.forEach(here::add);
        here.sort(null);
        files.addAll(here);
      } catch (IOException e) {
        throw new UncheckedIOException(new IOException("--merge " + dir + ": " + e.getMessage(), e));
      }
    }
    return files;
  }

  /** The JSON of one slice file; refuses anything but an object. */
  static JsonNode read(Path file, String what) {
    try {
      JsonNode root = new ObjectMapper().readTree(file.toFile());
      if (root == null || !root.isObject()) {
        throw new IllegalArgumentException("--merge: " + file + " is not " + what);
      }
      return root;
    } catch (IOException e) {
      throw new IllegalArgumentException("--merge: cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Joins the slices in {@code dirs}.
   *
   * @param what what a slice is, for messages (e.g. {@code "an lr-sweep slice"})
   * @param required keys every slice must have
   * @param same keys whose values every slice must share with the first
   * @throws IllegalArgumentException naming the file if a slice is missing, repeated, unreadable, misnamed, or
   *     from another sweep, or if the slices do not cover the grid
   */
  static Grid merge(List<Path> dirs, String what, List<String> required, List<String> same) {
    Objects.requireNonNull(dirs, "dirs");
    if (dirs.isEmpty()) {
      throw new IllegalArgumentException("--merge: give at least one directory");
    }
    List<Path> files = files(dirs);
    if (files.isEmpty()) {
      throw new IllegalArgumentException("--merge " + dirs.stream().map(Path::toString)
          .reduce((a, b) -> a + " " + b).orElse("") + ": no lr-sweep.shard-K-of-N.json file there");
    }
    JsonNode first = null;
    Path firstFile = null;
    Map<Integer, Path> seen = new TreeMap<>();
    double[][][] loss = null;
    double seconds = 0;
    int threads = 1;
    int n = 0;
    List<Parametrization> ps = null;
    int[] widths = null;
    double[] lrs = null;
    for (Path file : files) {
      JsonNode root = read(file, what);
      for (String key : required) {
        if (!root.has(key)) {
          throw new IllegalArgumentException("--merge: " + file + " is not " + what + " (no \"" + key + "\")");
        }
      }
      int[] kn = LrSweepShard.parse(root.path("shard").asText());
      if (!file.getFileName().toString().equals(LrSweepShard.fileName(kn[0], kn[1]))) {
        throw new IllegalArgumentException("--merge: " + file + " holds slice " + kn[0] + "/" + kn[1]
            + ", which its name does not say");
      }
      if (first == null) {
        first = root;
        firstFile = file;
        n = kn[1];
        ps = new ArrayList<>();
        for (JsonNode j : root.get("parametrizations")) {
          ps.add(Parametrization.parse(j.asText()));
        }
        widths = new int[root.get("widths").size()];
        for (int i = 0; i < widths.length; i++) {
          widths[i] = root.get("widths").get(i).asInt();
        }
        lrs = new double[root.get("lrs").size()];
        for (int i = 0; i < lrs.length; i++) {
          lrs[i] = root.get("lrs").get(i).asDouble();
        }
        loss = new double[ps.size()][widths.length][lrs.length];
        for (double[][] a : loss) {
          for (double[] b : a) {
            Arrays.fill(b, Double.NaN);
          }
        }
      } else {
        for (String key : same) {
          if (!Objects.equals(first.get(key), root.get(key))) {
            throw new IllegalArgumentException("--merge: " + file + " is from another sweep: " + key + " is "
                + root.get(key) + " there and " + first.get(key) + " in " + firstFile);
          }
        }
        if (kn[1] != n) {
          throw new IllegalArgumentException("--merge: " + file + " is slice " + kn[0] + "/" + kn[1] + " but "
              + firstFile + " is a slice of " + n);
        }
      }
      Path before = seen.put(kn[0], file);
      if (before != null) {
        throw new IllegalArgumentException("--merge: slice " + kn[0] + "/" + n + " is given twice: " + before
            + " and " + file);
      }
      for (JsonNode c : root.path("cells")) {
        int p = ps.indexOf(Parametrization.parse(c.path("parametrization").asText()));
        int w = indexOf(widths, c.path("width").asInt());
        int l = indexOf(lrs, c.path("lr").asDouble());
        if (p < 0 || w < 0 || l < 0 || ((p * widths.length + w) * lrs.length + l) % n != kn[0] - 1
            || !Double.isNaN(loss[p][w][l]) || !c.has("loss")) {
          throw new IllegalArgumentException("--merge: " + file + " holds a cell that is not its slice's: " + c);
        }
        loss[p][w][l] = c.get("loss").isNull() ? Double.POSITIVE_INFINITY : c.get("loss").asDouble();
      }
      seconds += root.path("seconds").asDouble();
      threads = Math.max(threads, root.path("threads").asInt(1));
    }
    if (seen.size() != n) {
      List<String> missing = new ArrayList<>();
      for (int k = 1; k <= n; k++) {
        if (!seen.containsKey(k)) {
          missing.add(k + "/" + n);
        }
      }
      throw new IllegalArgumentException("--merge: slice" + (missing.size() > 1 ? "s " : " ")
          + String.join(", ", missing) + " missing");
    }
    for (double[][] a : loss) {
      for (double[] b : a) {
        for (double v : b) {
          if (Double.isNaN(v)) {
            throw new IllegalArgumentException("--merge: the slices do not cover every cell of the grid");
          }
        }
      }
    }
    return new Grid(first, ps, widths, lrs, loss, seconds, threads);
  }

  /** The score (final loss) of one cell of the grid; called from the sweep's worker threads. */
  interface Scorer {
    double score(Parametrization parametrization, int width, double lr);
  }

  /** The scores of one slice and the number of cells trained at once. */
  record Slice(double[][][] loss, int threads) {}

  private record Cell(int p, int w, int lr, double work) {}

  /**
   * Trains slice {@code k/n} of the grid: the cells whose index {@code (p·W + w)·L + l} is {@code k − 1}
   * modulo {@code n}, largest first (so the last to finish are short ones), up to {@code threads} at a
   * time with one GEMM thread each (the cells are the parallelism). Each cell's score depends only on its
   * own configuration, so the result is the same for any thread count.
   *
   * @param workOfWidth rough cost of one cell at a width, for ordering and the progress bar
   * @return {@code loss[p][width][lr]}, NaN for cells outside the slice
   */
  static Slice run(List<Parametrization> ps, int[] widths, double[] lrs, int k, int n, int threads,
      String threadName, Progress progress, IntToDoubleFunction workOfWidth, Scorer scorer) {
    double[][][] loss = new double[ps.size()][widths.length][lrs.length];
    for (double[][] a : loss) {
      for (double[] b : a) {
        Arrays.fill(b, Double.NaN); // not in this slice
      }
    }
    List<Cell> cells = new ArrayList<>();
    double total = 0;
    for (int p = 0; p < ps.size(); p++) {
      for (int w = 0; w < widths.length; w++) {
        for (int l = 0; l < lrs.length; l++) {
          if (((p * widths.length + w) * lrs.length + l) % n == k - 1) {
            double work = workOfWidth.applyAsDouble(widths[w]);
            cells.add(new Cell(p, w, l, work));
            total += work;
          }
        }
      }
    }
    cells.sort(Comparator.comparingDouble(Cell::work).reversed());
    progress.start(cells.size(), total);
    int used = Math.min(threads, cells.size());
    int previous = Blas.parallelism();
    if (used > 1) {
      Blas.setParallelism(1);
    }
    ExecutorService pool = Executors.newFixedThreadPool(used, r -> {
      Thread t = new Thread(r, threadName);
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (Cell c : cells) {
        futures.add(pool.submit(() -> {
          Parametrization p = ps.get(c.p());
          loss[c.p()][c.w()][c.lr()] = scorer.score(p, widths[c.w()], lrs[c.lr()]);
          progress.advance(c.work(), p.id() + " n=" + widths[c.w()] + " lr=" + LrSweepReport.lrName(lrs[c.lr()]));
        }));
      }
      for (Future<?> f : futures) {
        try {
          f.get();
        } catch (ExecutionException e) {
          if (e.getCause() instanceof RuntimeException re) {
            throw re;
          }
          throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("lr-sweep interrupted", e);
        }
      }
    } finally {
      pool.shutdownNow();
      if (used > 1) {
        Blas.setParallelism(previous);
      }
    }
    progress.finish();
    return new Slice(loss, used);
  }

  private static int indexOf(int[] a, int v) {
    for (int i = 0; i < a.length; i++) {
      if (a[i] == v) {
        return i;
      }
    }
    return -1;
  }

  private static int indexOf(double[] a, double v) {
    for (int i = 0; i < a.length; i++) {
      if (Double.compare(a[i], v) == 0) {
        return i;
      }
    }
    return -1;
  }
}
