package io.github.spectral4j.bench;

import io.github.spectral4j.trainer.nn.GptConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Turns JMH JSON result files into Markdown tables: GFLOP/s (from the median over all measured
 * iterations of all forks, with the range of the per-fork means to expose bimodal forks), the ratios
 * vector/openblas and x/peak (against {@link PeakFlops} of the same files, times the thread count), the 2-thread speed-up, the
 * spectral-norm solve times with matrix-vector products per solve, and the training-step overhead of
 * diagnostics. Usage: {@code java -cp benchmarks.jar io.github.spectral4j.bench.Report result.json...}.
 */
public final class Report {
  /** One benchmark result: class simple name, method, params, and the primary metric in seconds per operation. */
  record Row(String benchmark, String method, Map<String, String> params, String mode, double medianSeconds,
      double fastestForkSeconds, double slowestForkSeconds, int forks, Map<String, Double> secondary,
      String jvmProperties, double iterationSeconds, int round, List<Double> samples, List<Double> forkMeans) {
    String param(String name) {
      return params.getOrDefault(name, "");
    }

    int intParam(String name) {
      String v = params.get(name);
      return v == null ? 0 : Integer.parseInt(v);
    }

    /** Floating-point operations of one benchmark operation, or NaN if not defined. */
    double flops() {
      return switch (benchmark) {
        case "GemmBenchmark", "GemmThreadsBenchmark" -> 2.0 * Math.pow(intParam("n"), 3);
        case "GemmShapesBenchmark" -> GemmShapesBenchmark.Shape.parse(param("shape")).flops();
        case "GemvBenchmark" -> (param("product").equals("ATAx") ? 4.0 : 2.0) * Math.pow(intParam("n"), 2);
        case "PeakFlops" -> 1.0;
        case "NewtonSchulzBenchmark" -> {
          String[] rc = param("shape").split("x");
          double m = Math.min(Double.parseDouble(rc[0]), Double.parseDouble(rc[1]));
          double n = Math.max(Double.parseDouble(rc[0]), Double.parseDouble(rc[1]));
          yield NewtonSchulzBenchmark.STEPS * (4 * m * m * n + 2 * m * m * m);
        }
        default -> Double.NaN;
      };
    }

    double gflops() {
      return flops() / medianSeconds / 1e9;
    }
  }

  /**
   * One result of {@code bench/peers/peers.py}: a peer (pytorch, scipy) timing a task ({@code mlp-step},
   * {@code gpt-step}, {@code sigma1}) on {@code cores} cores with the given thread settings, in
   * milliseconds per operation per round, one list of rounds per process.
   */
  record PeerRow(String peer, String version, String task, String dtype, int cores, String configuration,
      String blas, String detail, Map<String, String> shape, double medianSeconds, double fastestForkSeconds,
      double slowestForkSeconds, int round, List<Double> samples, List<Double> forkMeans) {
    String param(String name) {
      return shape.getOrDefault(name, "");
    }

    /** "PyTorch 1.13.1 (torch 1, OpenBLAS 2 threads)" and the like. */
    String label() {
      String name = peer.equals("pytorch") ? "PyTorch" : peer.equals("scipy") ? "SciPy svds (ARPACK)" : peer;
      return name + " " + version + " (" + configuration + ")";
    }
  }

  private List<Row> rows = new ArrayList<>();
  private List<PeerRow> peers = new ArrayList<>();
  /** The rows as read, one per round (bench/run's BENCH_ROUNDS), before {@link #pool} merges them. */
  private List<Row> roundRows = List.of();
  private List<PeerRow> roundPeers = List.of();
  private final Map<String, String> vm = new LinkedHashMap<>();

  private Report() {}

  public static void main(String[] args) {
    if (args.length == 0) {
      System.err.println("usage: Report result.json [more.json ...]");
      System.exit(2);
    }
    List<Path> files = new ArrayList<>();
    for (String file : args) {
      files.add(Path.of(file));
    }
    System.out.print(render(files));
  }

  /** The Markdown report of the given JMH JSON files; unreadable files are skipped with a note on stderr. */
  static String render(List<Path> files) {
    Report report = new Report();
    for (Path file : files) {
      try {
        report.read(file);
      } catch (IOException | RuntimeException e) {
        System.err.println("Report: skipping " + file + ": " + e.getMessage());
      }
    }
    report.pool();
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    report.print(out);
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @SuppressWarnings("unchecked")
  private void read(Path file) throws IOException {
    Object parsed = Json.parse(Files.readString(file, StandardCharsets.UTF_8));
    int round = round(file);
    for (Object item : (List<Object>) parsed) {
      Map<String, Object> result = (Map<String, Object>) item;
      if (result.containsKey("peer")) {
        peers.add(peer(result, round));
        continue;
      }
      String full = (String) result.get("benchmark");
      String[] parts = full.split("\\.");
      String benchmark = parts[parts.length - 2];
      String method = parts[parts.length - 1];
      Map<String, String> params = new LinkedHashMap<>();
      Object p = result.get("params");
      if (p instanceof Map<?, ?> map) {
        map.forEach((k, v) -> params.put((String) k, String.valueOf(v)));
      }
      Map<String, Object> primary = (Map<String, Object>) result.get("primaryMetric");
      String unit = (String) primary.get("scoreUnit");
      List<Object> raw = (List<Object>) primary.get("rawData");
      List<Double> all = new ArrayList<>();
      List<Double> means = new ArrayList<>();
      readForks(raw, unit, all, means);
      Map<String, Double> secondary = new LinkedHashMap<>();
      Object s = result.get("secondaryMetrics");
      if (s instanceof Map<?, ?> map) {
        map.forEach((k, v) -> {
          Object score = ((Map<String, Object>) v).get("score");
          if (score instanceof Number number) {
            secondary.put((String) k, number.doubleValue());
          }
        });
      }
      rows.add(new Row(benchmark, method, params, (String) result.get("mode"), median(all), min(means), max(means),
          raw.size(), secondary, spectral4jProperties(result.get("jvmArgs")), duration(result.get("measurementTime")),
          round, all, means));
      for (String key : new String[] {"jdkVersion", "vmName", "vmVersion"}) {
        if (result.get(key) != null) {
          vm.putIfAbsent(key, String.valueOf(result.get(key)));
        }
      }
    }
  }

  /** A result of the peer script; its rounds are milliseconds per operation, one list per process. */
  @SuppressWarnings("unchecked")
  static PeerRow peer(Map<String, Object> result, int round) {
    String unit = String.valueOf(result.get("unit"));
    List<Double> all = new ArrayList<>();
    List<Double> means = new ArrayList<>();
    readForks((List<Object>) result.get("rounds"), unit, all, means);
    Map<String, String> shape = new LinkedHashMap<>();
    for (String key : new String[] {"width", "batch", "context", "n", "spectrum"}) {
      Object v = result.get(key);
      if (v != null) {
        shape.put(key, v instanceof Double d && d == Math.rint(d) ? String.valueOf(d.longValue()) : String.valueOf(v));
      }
    }
    int cores = ((Number) result.get("cores")).intValue();
    int blasThreads = ((Number) result.get("blasThreads")).intValue();
    String configuration = result.get("torchThreads") instanceof Number torch
        ? "torch " + torch.intValue() + ", OpenBLAS " + blasThreads + (blasThreads == 1 ? " thread" : " threads")
        : result.get("dtype") + ", OpenBLAS " + blasThreads + (blasThreads == 1 ? " thread" : " threads");
    return new PeerRow(String.valueOf(result.get("peer")), String.valueOf(result.get("version")),
        String.valueOf(result.get("task")), String.valueOf(result.get("dtype")), cores, configuration,
        String.valueOf(result.getOrDefault("blasKernel", result.get("blas"))), String.valueOf(result.get("detail")), shape,
        median(all), min(means), max(means), round, all, means);
  }

  /** Appends every value of every fork (or peer process), in seconds per operation, to all, and each one's mean to means. */
  @SuppressWarnings("unchecked")
  private static void readForks(List<Object> forks, String unit, List<Double> all, List<Double> means) {
    for (Object fork : forks) {
      double sum = 0;
      List<Object> values = (List<Object>) fork;
      for (Object v : values) {
        double seconds = secondsPerOp(((Number) v).doubleValue(), unit);
        all.add(seconds);
        sum += seconds;
      }
      means.add(sum / values.size());
    }
  }

  /** The round of a result file: k for a file in a directory {@code round-k} (bench/run's BENCH_ROUNDS), else 0. */
  static int round(Path file) {
    Path parent = file.toAbsolutePath().getParent();
    String name = parent == null ? "" : parent.getFileName().toString();
    return name.matches("round-[0-9]{1,6}") ? Integer.parseInt(name.substring("round-".length())) : 0;
  }

  /**
   * Merges the rows of one benchmark and params (and the peer rows of one task and configuration) from
   * several rounds into one: the median over every iteration of every round, the range over every fork. The
   * rows as read stay in {@link #roundRows} and {@link #roundPeers} for the per-round ratios.
   */
  private void pool() {
    roundRows = rows;
    roundPeers = peers;
    Map<List<Object>, List<Row>> byKey = new LinkedHashMap<>();
    for (Row r : rows) {
      byKey.computeIfAbsent(List.of(r.benchmark, r.method, r.params, String.valueOf(r.mode), r.jvmProperties),
          k -> new ArrayList<>()).add(r);
    }
    List<Row> pooled = new ArrayList<>();
    for (List<Row> group : byKey.values()) {
      Row first = group.get(0);
      if (group.size() == 1) {
        pooled.add(first);
        continue;
      }
      List<Double> all = new ArrayList<>();
      List<Double> means = new ArrayList<>();
      Map<String, Double> secondary = new LinkedHashMap<>();
      int forks = 0;
      for (Row r : group) {
        all.addAll(r.samples);
        means.addAll(r.forkMeans);
        forks += r.forks;
        r.secondary.forEach((k, v) -> secondary.merge(k, v / group.size(), Double::sum));
      }
      pooled.add(new Row(first.benchmark, first.method, first.params, first.mode, median(all), min(means), max(means),
          forks, secondary, first.jvmProperties, first.iterationSeconds, 0, all, means));
    }
    rows = pooled;
    Map<List<Object>, List<PeerRow>> peersByKey = new LinkedHashMap<>();
    for (PeerRow p : peers) {
      peersByKey.computeIfAbsent(List.of(p.peer, p.version, p.task, p.dtype, p.cores, p.configuration, p.shape),
          k -> new ArrayList<>()).add(p);
    }
    List<PeerRow> pooledPeers = new ArrayList<>();
    for (List<PeerRow> group : peersByKey.values()) {
      PeerRow p = group.get(0);
      List<Double> all = new ArrayList<>();
      List<Double> means = new ArrayList<>();
      for (PeerRow q : group) {
        all.addAll(q.samples);
        means.addAll(q.forkMeans);
      }
      pooledPeers.add(group.size() == 1 ? p : new PeerRow(p.peer, p.version, p.task, p.dtype, p.cores, p.configuration,
          p.blas, p.detail, p.shape, median(all), min(means), max(means), 0, all, means));
    }
    peers = pooledPeers;
  }

  private static double min(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
  }

  private static double max(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
  }

  /** The fastest peer result for {@code task} on {@code cores} cores whose shape agrees with {@code params}. */
  private PeerRow bestPeer(String task, int cores, Map<String, String> params) {
    return bestPeer(peers, task, cores, params);
  }

  /** As {@link #bestPeer(String, int, Map)} among {@code among}. */
  private static PeerRow bestPeer(List<PeerRow> among, String task, int cores, Map<String, String> params) {
    PeerRow best = null;
    for (PeerRow p : among) {
      boolean same = p.task.equals(task) && p.cores == cores;
      for (Map.Entry<String, String> e : p.shape.entrySet()) {
        String mine = params.get(e.getKey());
        same &= mine == null || mine.equals(e.getValue());
      }
      if (same && (best == null || p.medianSeconds < best.medianSeconds)) {
        best = p;
      }
    }
    return best;
  }

  /** The {@code -Dspectral4j.*} settings among a fork's JVM arguments, e.g. " [kernels=scalar]", or "". */
  static String spectral4jProperties(Object jvmArgs) {
    StringBuilder sb = new StringBuilder();
    if (jvmArgs instanceof List<?> args) {
      for (Object arg : args) {
        String a = String.valueOf(arg);
        if (a.startsWith("-Dspectral4j.")) {
          sb.append(sb.isEmpty() ? " [" : ", ").append(a.substring("-Dspectral4j.".length()));
        }
      }
    }
    return sb.isEmpty() ? "" : sb.append(']').toString();
  }

  /** Converts a JMH score in {@code unit} (ops/s, ops/ms, ms/op, s/op, ...) to seconds per operation. */
  static double secondsPerOp(double score, String unit) {
    String[] parts = unit.split("/");
    if (parts.length != 2) {
      throw new IllegalArgumentException("unknown JMH unit " + unit);
    }
    if (parts[0].equals("ops")) {
      return seconds(parts[1]) / score;
    }
    return score * seconds(parts[0]);
  }

  /** A JMH duration such as "1 s" or "500 ms" in seconds, or NaN when absent or unreadable. */
  static double duration(Object time) {
    if (time == null) {
      return Double.NaN;
    }
    String[] parts = String.valueOf(time).trim().split("\\s+");
    try {
      return parts.length == 2 ? Double.parseDouble(parts[0]) * seconds(parts[1]) : Double.NaN;
    } catch (IllegalArgumentException e) {
      return Double.NaN;
    }
  }

  private static double seconds(String unit) {
    return switch (unit) {
      case "s" -> 1;
      case "ms" -> 1e-3;
      case "us" -> 1e-6;
      case "ns" -> 1e-9;
      case "min" -> 60;
      default -> throw new IllegalArgumentException("unknown JMH time unit " + unit);
    };
  }

  static double median(List<Double> values) {
    double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    if (v.length == 0) {
      return Double.NaN;
    }
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  private void print(PrintStream out) {
    out.println("## Results");
    out.println();
    out.println("- CPU: " + cpu() + ", " + Runtime.getRuntime().availableProcessors() + " cores visible");
    if (!rows.isEmpty()) {
      out.println("- JDK: " + vm.getOrDefault("jdkVersion", "?") + " (" + vm.getOrDefault("vmName", "?") + " "
          + vm.getOrDefault("vmVersion", "?") + ")");
      out.println("- OpenBLAS: " + openBlas());
    }
    peers.stream().map(p -> p.label().replaceFirst(" \\([^()]*\\)$", "") + ", BLAS: " + p.blas).distinct()
        .forEach(line -> out.println("- Peer " + line));
    out.println("- GFLOP/s from the median of all measured iterations; `forks` is the range of the per-fork means"
        + (peers.isEmpty() ? "." : " (for a peer, of its processes' means)."));
    out.println();
    double peak = rows.stream().filter(r -> r.benchmark.equals("PeakFlops")).mapToDouble(Row::gflops).max().orElse(Double.NaN);
    printFlopsTable(out, peak);
    printShapesTable(out, peak);
    printSpectralTable(out);
    printTrainStepTable(out, peak);
    printProductsTable(out);
    printRounds(out);
    printPairedTable(out);
    printAllocationControl(out);
    printOthers(out);
  }

  private void printFlopsTable(PrintStream out, double peak) {
    List<Row> rated = rows.stream()
        .filter(r -> !Double.isNaN(r.flops()) && !r.benchmark.equals("GemmShapesBenchmark")).sorted(ORDER).toList();
    if (rated.isEmpty()) {
      return;
    }
    out.println("| benchmark | impl | op | n | threads | GFLOP/s | forks (GFLOP/s) | vector/openblas | x/peak |");
    out.println("|---|---|---|---|---|---:|---:|---:|---:|");
    for (Row r : rated) {
      String impl = (r.benchmark.equals("PeakFlops") ? "12 FMA chains" : r.param("impl")) + r.jvmProperties;
      if (r.benchmark.equals("NewtonSchulzBenchmark")) {
        impl = "vector (quintic x" + NewtonSchulzBenchmark.STEPS + ")" + r.jvmProperties;
      }
      String op = r.params.containsKey("product") ? r.param("product") : r.param("op");
      String n = r.benchmark.equals("NewtonSchulzBenchmark") ? r.param("shape") : r.param("n");
      String threads = r.params.containsKey("threads") ? r.param("threads") : "1";
      String versus = "";
      if (r.param("impl").equals("vector")) {
        Row peer = find(r, "openblas");
        if (peer != null) {
          versus = ratio(r.gflops() / peer.gflops());
        }
      }
      String notes = "";
      if (r.params.containsKey("threads") && !r.param("threads").equals("1")) {
        Row one = findWith(r, "threads", "1");
        if (one != null) {
          notes = " (" + ratio(r.gflops() / one.gflops()) + " vs 1 thread)";
        }
      }
      String range = fmt(r.flops() / r.slowestForkSeconds / 1e9) + "–" + fmt(r.flops() / r.fastestForkSeconds / 1e9);
      out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %s%s | %s | %s | %s |%n", shortName(r.benchmark), impl, op, n,
          threads, fmt(r.gflops()), notes, range, versus, Double.isNaN(peak) ? "" : ratio(r.gflops() / (peak * Integer.parseInt(threads))));
    }
    out.println();
  }

  private void printShapesTable(PrintStream out, double peak) {
    List<Row> shaped = rows.stream().filter(r -> r.benchmark.equals("GemmShapesBenchmark")).sorted(ORDER).toList();
    if (shaped.isEmpty()) {
      return;
    }
    out.println("Training-shaped SGEMM, one thread (C = op(A)·op(B), C is M×N, inner dimension K):");
    out.println();
    out.println("| shape | role | impl | GFLOP/s | forks (GFLOP/s) | µs per call | vector/openblas | x/peak |");
    out.println("|---|---|---|---:|---:|---:|---:|---:|");
    for (Row r : shaped) {
      String versus = "";
      if (r.param("impl").equals("vector")) {
        Row peer = find(r, "openblas");
        if (peer != null) {
          versus = ratio(r.gflops() / peer.gflops());
        }
      }
      String range = fmt(r.flops() / r.slowestForkSeconds / 1e9) + "–" + fmt(r.flops() / r.fastestForkSeconds / 1e9);
      out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s |%n", r.param("shape"),
          GemmShapesBenchmark.ROLES.getOrDefault(r.param("shape"), ""), r.param("impl") + r.jvmProperties,
          fmt(r.gflops()), range, fmt(r.medianSeconds * 1e6), versus, Double.isNaN(peak) ? "" : ratio(r.gflops() / peak));
    }
    out.println();
  }

  private void printSpectralTable(PrintStream out) {
    List<Row> spectral = rows.stream().filter(r -> r.benchmark.equals("SpectralNormBenchmark")).sorted(ORDER).toList();
    List<PeerRow> svds = peers.stream().filter(p -> p.task.equals("sigma1"))
        .sorted(Comparator.comparing((PeerRow p) -> p.param("spectrum")).thenComparing(p -> numeric(p.param("n")))
            .thenComparingInt(PeerRow::cores).thenComparing(PeerRow::dtype)).toList();
    if (spectral.isEmpty() && svds.isEmpty()) {
      return;
    }
    out.println("Spectral norm σ₁ to 1e-6 relative (cold start, checked against a double-precision reference):");
    out.println();
    out.println("| impl | n | matrix | threads | ms per solve | forks (ms) | matVecs per solve | EJML SVD time / this | this / svds |");
    out.println("|---|---|---|---|---:|---:|---:|---:|---:|");
    for (Row r : spectral) {
      Double matVecs = r.secondary.get("matVecs");
      Double solves = r.secondary.get("solves");
      String perSolve = matVecs != null && solves != null && solves > 0 && matVecs > 0 ? fmt(matVecs / solves) : "";
      Row svd = find(r, "ejml-svd");
      String speedup = svd != null && svd != r ? ratio(svd.medianSeconds / r.medianSeconds) : "";
      int threads = r.params.containsKey("threads") ? r.intParam("threads") : 1;
      PeerRow arpack = r.param("impl").equals("ejml-svd") ? null : bestPeer("sigma1", threads, r.params);
      String versus = arpack == null ? "" : ratio(r.medianSeconds / arpack.medianSeconds);
      out.printf(Locale.ROOT, "| %s | %s | %s | %d | %s | %s–%s | %s | %s | %s |%n", r.param("impl") + r.jvmProperties,
          r.param("n"), r.param("spectrum"), threads, fmt(r.medianSeconds * 1e3), fmt(r.fastestForkSeconds * 1e3),
          fmt(r.slowestForkSeconds * 1e3), perSolve, speedup, versus);
    }
    for (PeerRow p : svds) {
      out.printf(Locale.ROOT, "| %s | %s | %s | %d | %s | %s–%s |  |  |  |%n", p.label(), p.param("n"),
          p.param("spectrum"), p.cores, fmt(p.medianSeconds * 1e3), fmt(p.fastestForkSeconds * 1e3),
          fmt(p.slowestForkSeconds * 1e3));
    }
    out.println();
    if (!svds.isEmpty()) {
      out.println("`this / svds`: against the fastest SciPy row on as many cores (either precision), same matrix.");
      out.println();
    }
  }

  private void printTrainStepTable(PrintStream out, double peak) {
    printStepTable(out, "TrainStepBenchmark", "mlp-step",
        "Training step (MLP 784-w-w-w-10, SGD), with and without per-step diagnostics, beside PyTorch:", peak);
    printStepTable(out, "GptStepBenchmark", "gpt-step",
        "Training step (GPT, AdamW, batch × context tokens), beside PyTorch:", peak);
  }

  /**
   * For each training step and σ₁ result measured in several rounds (bench/run's BENCH_ROUNDS, each round a
   * JMH run and then the peers), its ratio to the best peer of the same round, and for a step with
   * diagnostics its ratio to the step without them in the same round: a machine whose speed drifts between
   * rounds moves both sides of a ratio, so these are the comparisons to quote, with their median and range;
   * a row on several threads also gets its speed-up over the same row on one thread, within each round.
   */
  private void printRounds(PrintStream out) {
    List<Integer> rounds = roundRows.stream().map(Row::round).filter(k -> k > 0).distinct().sorted().toList();
    if (rounds.size() < 2) {
      return;
    }
    out.println("Per round (" + rounds.size() + " rounds, each a JMH run followed by the peers): each ratio within its round,"
        + " then their median and range:");
    out.println();
    out.println("| benchmark | params | ratio | per round | median | range |");
    out.println("|---|---|---|---|---:|---:|");
    for (Row pooled : rows.stream().filter(r -> TASKS.containsKey(r.benchmark)).sorted(ORDER).toList()) {
      if (pooled.benchmark.equals("SpectralNormBenchmark") && pooled.param("impl").equals("ejml-svd")) {
        continue;
      }
      int cores = pooled.params.containsKey("threads") ? pooled.intParam("threads") : 1;
      List<Double> versusPeer = new ArrayList<>();
      List<Double> versusOff = new ArrayList<>();
      List<Double> speedUp = new ArrayList<>();
      for (int k : rounds) {
        Row mine = inRound(pooled, k, null, null);
        if (mine == null) {
          continue;
        }
        PeerRow peer = bestPeer(roundPeers.stream().filter(p -> p.round == k).toList(),
            TASKS.get(pooled.benchmark), cores, pooled.params);
        if (peer != null) {
          versusPeer.add(mine.medianSeconds / peer.medianSeconds);
        }
        Row off = pooled.param("diagnostics").equals("true") ? inRound(pooled, k, "diagnostics", "false") : null;
        if (off != null) {
          versusOff.add(mine.medianSeconds / off.medianSeconds);
        }
        Row one = cores > 1 ? inRound(pooled, k, "threads", "1") : null;
        if (one != null) {
          speedUp.add(one.medianSeconds / mine.medianSeconds);
        }
      }
      String params = pooled.params.entrySet().stream().filter(e -> !e.getKey().equals("probeRows"))
          .map(e -> e.getKey() + "=" + e.getValue()).collect(java.util.stream.Collectors.joining(", "));
      String label = pooled.benchmark.equals("SpectralNormBenchmark") ? "this / svds" : "this / PyTorch";
      printRoundRatios(out, shortName(pooled.benchmark), params, label, versusPeer);
      printRoundRatios(out, shortName(pooled.benchmark), params, "with / without diagnostics", versusOff);
      printRoundRatios(out, shortName(pooled.benchmark), params, "1 thread / this (speed-up)", speedUp);
    }
    out.println();
  }

  private static void printRoundRatios(PrintStream out, String benchmark, String params, String label, List<Double> ratios) {
    if (ratios.size() < 2) {
      return;
    }
    out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %s–%s |%n", benchmark, params, label,
        ratios.stream().map(Report::ratio).collect(java.util.stream.Collectors.joining(", ")), ratio(median(ratios)),
        ratio(min(ratios)), ratio(max(ratios)));
  }

  /**
   * The row of round k like {@code like} (same JVM properties), with param {@code name} set to {@code value}
   * when name is not null.
   */
  private Row inRound(Row like, int k, String name, String value) {
    return findWith(roundRows.stream().filter(r -> r.round == k && r.jvmProperties.equals(like.jvmProperties)).toList(),
        like, name, value);
  }

  /** The peer task of each benchmark that has one. */
  private static final Map<String, String> TASKS = Map.of(
      "TrainStepBenchmark", "mlp-step", "GptStepBenchmark", "gpt-step", "SpectralNormBenchmark", "sigma1");

  /**
   * The floating-point operations of one training step's matrix products, forward and backward: 2·M·N·K for
   * each of its {@link #stepProducts}, as many times as the step runs it, or NaN for another benchmark (2.03
   * GFLOP for the MLP at w = 1024, B = 128; 39.9 GFLOP for the GPT at w = 512, B = 16). Element-wise work
   * (norms, softmax, GELU, the optimizer) is not counted, so a step's fraction of the peak is a lower bound of
   * its GEMMs' efficiency.
   */
  static double stepFlops(String benchmark, int width, int batch) {
    Map<String, Integer> products = stepProducts(benchmark, width, batch);
    if (products.isEmpty()) {
      return Double.NaN;
    }
    double flops = 0;
    for (Map.Entry<String, Integer> e : products.entrySet()) {
      GemmShapesBenchmark.Shape s = GemmShapesBenchmark.Shape.parse(e.getKey());
      flops += 2.0 * s.m() * s.n() * s.k() * e.getValue();
    }
    return flops;
  }

  /**
   * The matrix products of one training step as {@link GemmShapesBenchmark} shapes ({@code OP-MxNxK}, in the
   * orientation the trainer's {@code Linear} and {@code SelfAttention} call them), each with the number of
   * calls per step; empty for another benchmark or a size below 1. A layer from n inputs to n′ outputs on T rows: forward
   * {@code NT-T×n′×n} (X·Wᵀ), weight gradient {@code TN-n′×n×T} (δᵀ·X), input gradient {@code NN-T×n×n′} (δ·W;
   * none for the MLP's first layer, whose input is the data). MLP 784-w-w-w-10 on B rows. GPT
   * ({@code GptConfig.of(w)}, B windows of C tokens, T = B·C, head width h): per block Q, K, V and the output
   * projection (w to w, three separate products as the Java model runs them), the MLP's up (w to 4w) and down
   * (4w to w), and per window and head the scores {@code NT-C×C×h} and {@code NN-C×h×C} forward, and backward
   * ∂P = ∂O·Vᵀ ({@code NT-C×C×h}), ∂V = Pᵀ·∂O and ∂K = ∂Sᵀ·Q ({@code TN-C×h×C}), ∂Q = ∂S·K ({@code NN-C×h×C});
   * then the readout (w to the vocabulary).
   */
  static Map<String, Integer> stepProducts(String benchmark, int width, int batch) {
    Map<String, Integer> products = new LinkedHashMap<>();
    if (width < 1 || batch < 1) {
      return products;
    }
    switch (benchmark) {
      case "TrainStepBenchmark" -> {
        int[] n = {784, width, width, width, 10};
        for (int i = 0; i + 1 < n.length; i++) {
          layerProducts(products, batch, n[i], n[i + 1], i > 0, 1);
        }
      }
      case "GptStepBenchmark" -> {
        GptConfig c = GptConfig.of(width);
        int t = batch * c.context();
        int blocks = c.blocks();
        layerProducts(products, t, width, width, true, 4 * blocks);
        layerProducts(products, t, width, 4 * width, true, blocks);
        layerProducts(products, t, 4 * width, width, true, blocks);
        int ctx = c.context();
        int head = width / c.heads();
        int pairs = blocks * batch * c.heads();
        add(products, "NT", ctx, ctx, head, 2 * pairs);
        add(products, "NN", ctx, head, ctx, 2 * pairs);
        add(products, "TN", ctx, head, ctx, 2 * pairs);
        layerProducts(products, t, width, c.vocabulary(), true, 1);
      }
      default -> { }
    }
    return products;
  }

  /** A layer's products (n to n′ on rows rows), {@code times} times; the input gradient only if asked. */
  private static void layerProducts(Map<String, Integer> products, int rows, int n, int next, boolean inputGradient,
      int times) {
    add(products, "NT", rows, next, n, times);
    add(products, "TN", next, n, rows, times);
    if (inputGradient) {
      add(products, "NN", rows, n, next, times);
    }
  }

  private static void add(Map<String, Integer> products, String op, int m, int n, int k, int times) {
    products.merge(op + "-" + m + "x" + n + "x" + k, times, Integer::sum);
  }

  /**
   * For each one-thread training step without diagnostics whose every product ({@link #stepProducts}) has a
   * {@link GemmShapesBenchmark} row in the same files: the time those products take alone, Σ calls × time per
   * call, on spectral4j's kernels and on OpenBLAS's. That is the least the step could take at the kernels'
   * standalone speed, so it says what a bar set against a peer's step asks of the kernels: where PyTorch's step
   * is less than 1/0.75 = 1.33 × our products alone, being at 0.75 × PyTorch needs faster products, not a
   * leaner step.
   */
  private void printProductsTable(PrintStream out) {
    List<String> lines = new ArrayList<>();
    for (Row step : rows.stream().filter(r -> TASKS.containsKey(r.benchmark) && !r.benchmark.equals("SpectralNormBenchmark")
        && r.param("threads").equals("1") && !r.param("diagnostics").equals("true")).sorted(ORDER).toList()) {
      Map<String, Integer> products = stepProducts(step.benchmark, numeric(step.param("width")),
          numeric(step.param("batch")));
      double ours = productsAlone(products, "vector");
      if (products.isEmpty() || Double.isNaN(ours)) {
        continue;
      }
      double theirs = productsAlone(products, "openblas");
      PeerRow peer = bestPeer(TASKS.get(step.benchmark), 1, step.params);
      lines.add(String.format(Locale.ROOT, "| %s%s | %s | %s | %d | %s | %s | %s | %s | %s | %s |",
          shortName(step.benchmark), step.jvmProperties, step.param("width"), step.param("batch"),
          products.values().stream().mapToInt(Integer::intValue).sum(), fmt(step.medianSeconds * 1e3),
          fmt(ours * 1e3), ratio(step.medianSeconds / ours), fmt(theirs * 1e3),
          peer == null ? "" : fmt(peer.medianSeconds * 1e3), peer == null ? "" : ratio(peer.medianSeconds / ours)));
    }
    if (lines.isEmpty()) {
      return;
    }
    out.println("A step's matrix products alone, one thread (Σ over the step's products of calls × the"
        + " GemmShapes time per call, same run):");
    out.println();
    out.println("| step | width | batch | products per step | step (ms) | products alone (ms) | step / products"
        + " | products alone on OpenBLAS (ms) | PyTorch step (ms) | PyTorch / products alone |");
    out.println("|---|---|---|---:|---:|---:|---:|---:|---:|---:|");
    lines.forEach(out::println);
    out.println();
    out.println("`products alone`: the least the step could take at the kernels' standalone speed, their operands"
        + " warm in cache as GemmShapes runs them. Where `PyTorch / products alone` is under 1.33, a step at 0.75 ×"
        + " PyTorch's time needs faster products, not a leaner step.");
    out.println();
  }

  /**
   * Σ calls × median time per call of {@code products} on {@code impl}'s GemmShapes rows (run without JVM
   * properties), or NaN if a product has no row.
   */
  private double productsAlone(Map<String, Integer> products, String impl) {
    double seconds = 0;
    for (Map.Entry<String, Integer> e : products.entrySet()) {
      Row r = rows.stream().filter(x -> x.benchmark.equals("GemmShapesBenchmark") && x.jvmProperties.isEmpty()
          && x.param("impl").equals(impl) && x.param("shape").equals(e.getKey())).findFirst().orElse(null);
      if (r == null) {
        return Double.NaN;
      }
      seconds += e.getValue() * r.medianSeconds;
    }
    return seconds;
  }

  /** The JMH rows of {@code benchmark} and the peer rows of {@code task}, with ratios to the best peer. */
  private void printStepTable(PrintStream out, String benchmark, String task, String title, double peak) {
    List<Row> steps = rows.stream().filter(r -> r.benchmark.equals(benchmark)).sorted(ORDER).toList();
    List<PeerRow> theirs = peers.stream().filter(p -> p.task.equals(task))
        .sorted(Comparator.comparingInt(PeerRow::cores).thenComparing(PeerRow::medianSeconds)).toList();
    if (steps.isEmpty() && theirs.isEmpty()) {
      return;
    }
    boolean profiled = steps.stream().anyMatch(r -> allocation(r) != null);
    boolean controlled = profiled && rows.stream().anyMatch(r -> r.benchmark.equals(CONTROL) && allocation(r) != null);
    // A peer never runs diagnostics; say so only where spectral4j's rows have the parameter.
    boolean diagnosed = steps.isEmpty() || steps.stream().anyMatch(r -> r.params.containsKey("diagnostics"));
    out.println(title);
    out.println();
    boolean peaked = !Double.isNaN(peak);
    out.println("| impl | width | batch | threads | diagnostics | ms per step | forks (ms) | with / without | this / PyTorch |"
        + (peaked ? " × peak |" : "") + (profiled ? " B/op |" : "") + (controlled ? " B/op net of JMH |" : ""));
    out.println("|---|---|---|---|---|---:|---:|---:|---:|" + (peaked ? "---:|" : "") + (profiled ? "---:|" : "")
        + (controlled ? "---:|" : ""));
    for (Row r : steps) {
      String ratio = "";
      if (r.param("diagnostics").equals("true")) {
        Row off = findWith(r, "diagnostics", "false");
        if (off != null) {
          ratio = ratio(r.medianSeconds / off.medianSeconds);
        }
      }
      int threads = r.params.containsKey("threads") ? r.intParam("threads") : 1;
      PeerRow peer = bestPeer(task, threads, r.params);
      Double bytes = allocation(r);
      Double harness = controlled ? harnessBytesPerOp(r) : null;
      out.printf(Locale.ROOT, "| spectral4j%s | %s | %s | %d | %s | %s | %s–%s | %s | %s |%s%s%s%n", r.jvmProperties,
          r.param("width"), r.param("batch"), threads, r.params.containsKey("diagnostics") ? r.param("diagnostics") : "",
          fmt(r.medianSeconds * 1e3), fmt(r.fastestForkSeconds * 1e3), fmt(r.slowestForkSeconds * 1e3), ratio,
          peer == null ? "" : ratio(r.medianSeconds / peer.medianSeconds),
          peaked ? " " + ofPeak(benchmark, r.param("width"), r.param("batch"), r.medianSeconds, threads, peak) + " |" : "",
          profiled ? " " + (bytes == null ? "" : fmt(bytes)) + " |" : "",
          controlled ? " " + (bytes == null || harness == null ? "" : fmt(bytes - harness)) + " |" : "");
    }
    for (PeerRow p : theirs) {
      boolean best = bestPeer(task, p.cores, p.shape) == p
          && theirs.stream().filter(q -> q.cores == p.cores && q.shape.equals(p.shape)).count() > 1;
      out.printf(Locale.ROOT, "| %s%s | %s | %s | %d | %s | %s | %s–%s |  |  |%s%s%s%n", p.label(), best ? " — best" : "",
          p.param("width"), p.param("batch"), p.cores, diagnosed ? "false" : "", fmt(p.medianSeconds * 1e3),
          fmt(p.fastestForkSeconds * 1e3), fmt(p.slowestForkSeconds * 1e3),
          peaked ? " " + ofPeak(benchmark, p.param("width"), p.param("batch"), p.medianSeconds, p.cores, peak) + " |" : "",
          profiled ? "  |" : "", controlled ? "  |" : "");
    }
    out.println();
    if (!theirs.isEmpty()) {
      out.println("`this / PyTorch`: against PyTorch's fastest configuration on as many cores, same run. "
          + theirs.get(0).detail + ".");
      out.println();
    }
    if (peaked) {
      out.println("`× peak`: the step's matrix-product FLOPs (forward and backward, element-wise work not counted)"
          + " over its time, against PeakFlops of the same run times the threads or cores.");
      out.println();
      printPeerBar(out, benchmark, theirs, peak);
    }
    if (controlled) {
      out.println("`B/op net of JMH`: B/op less the harness's share, the B/op of the " + shortName(CONTROL)
          + " row nearest in ms/op, as bytes per iteration (see the control table) over this row's operations per"
          + " iteration (⌊iteration time / ms per op⌋ + 1).");
      out.println();
    }
  }

  /** A step's {@link #stepFlops} per second over {@code peak · cores} GFLOP/s, or "–" without its shape. */
  private static String ofPeak(String benchmark, String width, String batch, double seconds, int cores, double peak) {
    double f = fractionOfPeak(benchmark, width, batch, seconds, cores, peak);
    return Double.isNaN(f) ? "–" : ratio(f);
  }

  /** As {@link #ofPeak}, the number: NaN without the step's shape. */
  private static double fractionOfPeak(
      String benchmark, String width, String batch, double seconds, int cores, double peak) {
    if (width.isEmpty() || batch.isEmpty()) {
      return Double.NaN;
    }
    double flops = stepFlops(benchmark, Integer.parseInt(width), Integer.parseInt(batch));
    return flops / seconds / 1e9 / (peak * cores);
  }

  /** Issue 11's bar for a step: at most this fraction of PyTorch's time on as many cores. */
  static final double PEER_BAR = 0.75;

  /**
   * What the bar {@code step ≤ 0.75 × PyTorch's best} asks of the FLOP rate, per core count: PyTorch's own
   * fraction of the peak over 0.75. A step does its products and more, so a fraction near or above the
   * GEMMs' own best (the shapes table) is a bar that no step can meet on this machine, whatever the code:
   * the bar moves with how close PyTorch's BLAS comes to this CPU's peak, not with our step.
   */
  private static void printPeerBar(PrintStream out, String benchmark, List<PeerRow> theirs, double peak) {
    StringBuilder asks = new StringBuilder();
    for (PeerRow p : theirs) { // sorted by cores, then time: each shape's best on each core count
      double f = fractionOfPeak(benchmark, p.param("width"), p.param("batch"), p.medianSeconds, p.cores, peak);
      if (bestPeer(theirs, p.task, p.cores, p.shape) == p && !Double.isNaN(f)) {
        asks.append(asks.isEmpty() ? "" : ", ").append(ratio(f / PEER_BAR)).append(" × peak on ").append(p.cores)
            .append(p.cores == 1 ? " core" : " cores").append(" (PyTorch's best ").append(ratio(f)).append(')');
      }
    }
    if (!asks.isEmpty()) {
      out.println("A step at " + ratio(PEER_BAR) + " × PyTorch's time would run at " + asks
          + ": a bar at or above the GEMMs' own fraction of the peak (the shapes table) is beyond any step.");
      out.println();
    }
  }

  private static final String CONTROL = "AllocationControlBenchmark";

  /**
   * The bytes per operation that the harness alone accounts for at {@code r}'s time per operation: JMH's GC
   * profiler divides the bytes allocated in an iteration by the operations in it, so the control nearest in
   * time per operation (on a log scale), which allocates nothing itself, gives the harness's bytes per
   * iteration (its B/op times its operations per iteration), and r's share is that over r's operations per
   * iteration.
   */
  private Double harnessBytesPerOp(Row r) {
    Row nearest = null;
    for (Row c : rows) {
      if (c.benchmark.equals(CONTROL) && allocation(c) != null && (nearest == null
          || Math.abs(Math.log(c.medianSeconds / r.medianSeconds))
              < Math.abs(Math.log(nearest.medianSeconds / r.medianSeconds)))) {
        nearest = c;
      }
    }
    return nearest == null ? null : allocation(nearest) * opsPerIteration(nearest) / opsPerIteration(r);
  }

  /**
   * Operations in one measured iteration: JMH runs operations until the iteration's time has passed, so
   * ⌊T/t⌋ + 1 of them for T per iteration and t per operation (2 for a 0.9 s operation in 1 s iterations);
   * with T unknown, proportional to 1/t, which is all the ratios above need.
   */
  static double opsPerIteration(Row r) {
    return Double.isNaN(r.iterationSeconds) ? 1 / r.medianSeconds
        : Math.floor(r.iterationSeconds / r.medianSeconds) + 1;
  }

  private static final String PAIRED = "PairedStepBenchmark";

  /**
   * {@link PairedStepBenchmark}'s rows: each arm's milliseconds per step (its total time over its steps) and the ratio
   * the bar reads, with diagnostics over without, or one thread over {@code threads} (the speed-up); with several
   * rounds, each round's ratio too.
   */
  private void printPairedTable(PrintStream out) {
    List<Row> paired = rows.stream().filter(r -> r.benchmark.equals(PAIRED)).sorted(ORDER).toList();
    if (paired.isEmpty()) {
      return;
    }
    out.println("Paired steps (`" + shortName(PAIRED) + "`: the two arms alternate in runs of steps in one JVM):");
    out.println();
    out.println("| compare | threads | width | batch | steps per run | first arm (ms per step) | second arm | ratio | per round |");
    out.println("|---|---|---|---|---:|---:|---:|---:|---|");
    for (Row r : paired) {
      boolean diagnostics = r.param("compare").equals("diagnostics");
      StringBuilder perRound = new StringBuilder();
      for (Row k : roundRows) {
        if (k.round > 0 && k.benchmark.equals(PAIRED) && k.params.equals(r.params)) {
          perRound.append(perRound.isEmpty() ? "" : ", ").append(ratio(pairedRatio(k)));
        }
      }
      out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s %s | %s |%n",
          diagnostics ? "without / with diagnostics" : "1 thread / " + r.param("threads") + " threads",
          diagnostics ? r.param("threads") : "1, " + r.param("threads"), r.param("width"), r.param("batch"),
          r.param("stepsPerArm"),
          fmt(armMillis(r, "firstNanos")), fmt(armMillis(r, "secondNanos")), ratio(pairedRatio(r)),
          diagnostics ? "(with / without)" : "(speed-up)", perRound);
    }
    out.println();
  }

  /** Milliseconds per step of one arm of a {@link PairedStepBenchmark} row, or NaN without its counters. */
  static double armMillis(Row r, String arm) {
    Double nanos = r.secondary.get(arm);
    Double steps = r.secondary.get("steps");
    return nanos == null || steps == null || steps <= 0 ? Double.NaN : nanos / steps / 1e6;
  }

  /** The ratio a bar reads of a {@link PairedStepBenchmark} row: with / without diagnostics, or the speed-up. */
  static double pairedRatio(Row r) {
    double a = armMillis(r, "firstNanos");
    double b = armMillis(r, "secondNanos");
    return r.param("compare").equals("diagnostics") ? b / a : a / b;
  }

  /** The {@code -prof gc} control rows: the harness's own B/op at each time per operation, and per iteration. */
  private void printAllocationControl(PrintStream out) {
    List<Row> controls = rows.stream().filter(r -> r.benchmark.equals(CONTROL))
        .sorted(Comparator.comparingDouble(Row::medianSeconds)).toList();
    if (controls.isEmpty()) {
      return;
    }
    out.println("Allocation control (`" + shortName(CONTROL) + "`: spins as long as a step, allocates nothing itself):");
    out.println();
    out.println("| ms per op | ops per iteration | B/op | B per iteration |");
    out.println("|---:|---:|---:|---:|");
    for (Row c : controls) {
      Double bytes = allocation(c);
      double ops = Double.isNaN(c.iterationSeconds) ? Double.NaN : opsPerIteration(c);
      out.printf(Locale.ROOT, "| %s | %s | %s | %s |%n", fmt(c.medianSeconds * 1e3), fmt(ops),
          bytes == null ? "" : fmt(bytes), bytes == null || Double.isNaN(ops) ? "" : fmt(bytes * ops));
    }
    out.println();
  }

  private void printOthers(PrintStream out) {
    List<String> known = List.of("SpectralNormBenchmark", "TrainStepBenchmark", "GptStepBenchmark", PAIRED, CONTROL);
    List<Row> others = rows.stream()
        .filter(r -> Double.isNaN(r.flops()) && !known.contains(r.benchmark)).sorted(ORDER).toList();
    if (others.isEmpty()) {
      return;
    }
    out.println("| benchmark | params | ms per op |");
    out.println("|---|---|---:|");
    for (Row r : others) {
      out.printf(Locale.ROOT, "| %s.%s | %s | %s |%n", r.benchmark, r.method, r.params, fmt(r.medianSeconds * 1e3));
    }
    out.println();
  }

  /** Bytes allocated per operation ({@code -prof gc}'s {@code gc.alloc.rate.norm}), or null without the profiler. */
  static Double allocation(Row r) {
    for (Map.Entry<String, Double> e : r.secondary.entrySet()) {
      if (e.getKey().endsWith("gc.alloc.rate.norm")) {
        return e.getValue();
      }
    }
    return null;
  }

  /** The row of the same benchmark and params except impl. */
  private Row find(Row like, String impl) {
    return findWith(like, "impl", impl);
  }

  /** The row of the same benchmark and params except {@code name}, which has {@code value}. */
  private Row findWith(Row like, String name, String value) {
    return findWith(rows, like, name, value);
  }

  /** As {@link #findWith(Row, String, String)} among {@code among}; a null name asks for like's params unchanged. */
  private static Row findWith(List<Row> among, Row like, String name, String value) {
    Map<String, String> wanted = new LinkedHashMap<>(like.params);
    if (name != null) {
      wanted.put(name, value);
    }
    for (Row r : among) {
      if (r.benchmark.equals(like.benchmark) && r.method.equals(like.method) && r.params.equals(wanted)) {
        return r;
      }
    }
    return null;
  }

  private static final List<String> BENCHMARK_ORDER = List.of("PeakFlops", "GemmBenchmark", "GemmThreadsBenchmark",
      "GemmShapesBenchmark",
      "GemvBenchmark", "NewtonSchulzBenchmark", "SpectralNormBenchmark", "TrainStepBenchmark");
  private static final List<String> SHAPE_ORDER = List.copyOf(GemmShapesBenchmark.ROLES.keySet());
  private static final List<String> IMPL_ORDER = List.of("vector", "openblas", "ejml", "scalar", "power", "lanczos", "ejml-svd");

  private static final Comparator<Row> ORDER = Comparator
      .comparingInt((Row r) -> indexOr(BENCHMARK_ORDER, r.benchmark))
      .thenComparing(Row::benchmark)
      .thenComparingInt(r -> indexOr(SHAPE_ORDER, r.param("shape")))
      .thenComparing(r -> r.param("op"))
      .thenComparing(r -> r.param("product"))
      .thenComparing(r -> r.param("spectrum"))
      .thenComparingInt(r -> numeric(r.param("n")))
      .thenComparing(r -> r.param("shape"))
      .thenComparingInt(r -> numeric(r.param("width")))
      .thenComparingInt(r -> numeric(r.param("batch")))
      .thenComparingInt(r -> indexOr(IMPL_ORDER, r.param("impl")))
      .thenComparingInt(r -> numeric(r.param("threads")))
      .thenComparing(r -> r.param("diagnostics"))
      .thenComparing(r -> r.params.toString());

  private static int indexOr(List<String> order, String value) {
    int i = order.indexOf(value);
    return i < 0 ? order.size() : i;
  }

  private static int numeric(String value) {
    try {
      return value.isEmpty() ? 0 : Integer.parseInt(value);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static String shortName(String benchmark) {
    return benchmark.endsWith("Benchmark") ? benchmark.substring(0, benchmark.length() - "Benchmark".length()) : benchmark;
  }

  private static String fmt(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return "–";
    }
    if (Math.abs(v) >= 100) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    if (Math.abs(v) >= 10) {
      return String.format(Locale.ROOT, "%.1f", v);
    }
    return String.format(Locale.ROOT, "%.2f", v);
  }

  private static String ratio(double v) {
    return Double.isNaN(v) || Double.isInfinite(v) ? "–" : String.format(Locale.ROOT, "%.2f", v);
  }

  /** The CPU model from /proc/cpuinfo, with "AVX-512" when its flags say so. */
  private static String cpu() {
    String model = null;
    boolean avx512 = false;
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (model == null && line.startsWith("model name")) {
          model = line.substring(line.indexOf(':') + 1).trim();
        } else if (line.startsWith("flags") && line.contains(" avx512f")) {
          avx512 = true;
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux: fall through
    }
    if (model == null) {
      model = Objects.toString(System.getProperty("os.arch"), "?");
    }
    return avx512 ? model + " (AVX-512)" : model;
  }

  private static String openBlas() {
    try {
      String kernel = OpenBlas.kernel();
      String forced = System.getenv("OPENBLAS_CORETYPE");
      return forced == null ? kernel : kernel + " (OPENBLAS_CORETYPE=" + forced + " is set here; bench/run unsets it)";
    } catch (Throwable e) {
      return "not loadable here (" + e + ")";
    }
  }
}
