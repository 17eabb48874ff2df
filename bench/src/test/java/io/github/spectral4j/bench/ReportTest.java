package io.github.spectral4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {
  @Test
  void convertsJmhUnitsToSecondsPerOperation() {
    assertEquals(0.5, Report.secondsPerOp(2, "ops/s"), 0);
    assertEquals(0.25e-3, Report.secondsPerOp(4, "ops/ms"), 1e-18);
    assertEquals(0.003, Report.secondsPerOp(3, "ms/op"), 1e-18);
    assertEquals(7e-6, Report.secondsPerOp(7, "us/op"), 1e-18);
    assertEquals(12, Report.secondsPerOp(12, "s/op"), 0);
    assertThrows(IllegalArgumentException.class, () -> Report.secondsPerOp(1, "ops/fortnight"));
  }

  @Test
  void medianOfOddAndEvenCounts() {
    assertEquals(2, Report.median(List.of(3.0, 1.0, 2.0)), 0);
    assertEquals(2.5, Report.median(List.of(4.0, 1.0, 3.0, 2.0)), 0);
    assertTrue(Double.isNaN(Report.median(List.of())));
  }

  @Test
  void parsesJson() {
    Object parsed = Json.parse("[{\"a\": 1.5e3, \"b\": [true, null, \"x\\\"y\"], \"c\": {}}]");
    Map<?, ?> first = (Map<?, ?>) ((List<?>) parsed).get(0);
    assertEquals(1500.0, first.get("a"));
    assertEquals(java.util.Arrays.asList(true, null, "x\"y"), first.get("b"));
    assertEquals(Map.of(), first.get("c"));
    assertThrows(IllegalArgumentException.class, () -> Json.parse("[1, 2"));
  }

  /**
   * n = 100: one multiplication is 2·10⁶ flops. vector at 100 ops/s → 0.2 GFLOP/s, openblas at 50 ops/s
   * → 0.1, peak 0.4 GFLOP/s (4·10⁸ ops/s of one flop each): vector/openblas = 2.00, x/peak = 0.50.
   * Medians: vector's raw data {90, 100, 110} has median 100 whatever the fork means.
   */
  @Test
  void gemmTableHasHandComputedRatios(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("result.json");
    Files.writeString(file, "[" + result("GemmBenchmark.gemm", "\"impl\":\"vector\",\"op\":\"NN\",\"n\":\"100\"",
        "[[90.0,100.0],[110.0]]") + ","
        + result("GemmBenchmark.gemm", "\"impl\":\"openblas\",\"op\":\"NN\",\"n\":\"100\"", "[[50.0]]") + ","
        + result("PeakFlops.fma", "", "[[4.0E8]]") + "]");
    String report = Report.render(List.of(file));
    assertTrue(report.contains("| Gemm | vector | NN | 100 | 1 | 0.20 | 0.19–0.22 | 2.00 | 0.50 |"), report);
    assertTrue(report.contains("| Gemm | openblas | NN | 100 | 1 | 0.10 | 0.10–0.10 |  | 0.25 |"), report);
    assertTrue(report.contains("| PeakFlops | 12 FMA chains |  |  | 1 | 0.40 |"), report);
  }

  /**
   * Steps at 50 ops/s (20 ms) without and 40 ops/s (25 ms) with diagnostics: ratio 25/20 = 1.25, shown
   * per batch size; the batch-512 rows have no partner without diagnostics and so no ratio.
   */
  @Test
  void trainStepTableHasTheRatioPerBatch(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("result.json");
    String common = "\"width\":\"1024\",\"probeRows\":\"16\",\"threads\":\"1\",";
    Files.writeString(file, "["
        + result("TrainStepBenchmark.step", common + "\"batch\":\"128\",\"diagnostics\":\"false\"", "[[50.0]]") + ","
        + result("TrainStepBenchmark.step", common + "\"batch\":\"128\",\"diagnostics\":\"true\"", "[[40.0]]") + ","
        + result("TrainStepBenchmark.step", common + "\"batch\":\"512\",\"diagnostics\":\"true\"", "[[10.0]]") + "]");
    String report = Report.render(List.of(file));
    assertTrue(report.contains("| spectral4j | 1024 | 128 | 1 | false | 20.0 | 20.0–20.0 |  |  |"), report);
    assertTrue(report.contains("| spectral4j | 1024 | 128 | 1 | true | 25.0 | 25.0–25.0 | 1.25 |  |"), report);
    assertTrue(report.contains("| spectral4j | 1024 | 512 | 1 | true | 100 | 100–100 |  |  |"), report);
  }

  /**
   * NT-128x1024x784 is 2·128·1024·784 = 205,520,896 flops: vector at 1000 calls/s is 205.5 GFLOP/s (1000 µs
   * per call), openblas at 500 calls/s half that; with a peak of twice vector's rate, x/peak = 0.50 and 0.25.
   */
  @Test
  void shapesTableHasRolesAndHandComputedRatios(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("result.json");
    Files.writeString(file, "["
        + result("GemmShapesBenchmark.gemm", "\"impl\":\"vector\",\"shape\":\"NT-128x1024x784\"", "[[1000.0]]") + ","
        + result("GemmShapesBenchmark.gemm", "\"impl\":\"openblas\",\"shape\":\"NT-128x1024x784\"", "[[500.0]]") + ","
        + result("PeakFlops.fma", "", "[[4.11041792E11]]") + "]");
    String report = Report.render(List.of(file));
    assertTrue(report.contains(
        "| NT-128x1024x784 | MLP forward H·Wᵀ, layer 1 | vector | 206 | 206–206 | 1000 | 2.00 | 0.50 |"), report);
    assertTrue(report.contains(
        "| NT-128x1024x784 | MLP forward H·Wᵀ, layer 1 | openblas | 103 | 103–103 | 2000 |  | 0.25 |"), report);
    assertTrue(!report.contains("| GemmShapes |"), "shapes stay out of the square-GEMM table: " + report);
  }

  @Test
  void shapeNamesAreParsedAndBadOnesNamed() {
    GemmShapesBenchmark.Shape s = GemmShapesBenchmark.Shape.parse("TN-1024x784x128");
    assertEquals(new GemmShapesBenchmark.Shape(true, false, 1024, 784, 128), s);
    assertEquals(128, s.aRows());
    assertEquals(1024, s.aCols());
    assertEquals(2.0 * 1024 * 784 * 128, s.flops(), 0);
    for (String bad : new String[] {"NX-1x2x3", "NT-1x2", "NT-0x2x3", "NT-ax2x3", "NT"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GemmShapesBenchmark.Shape.parse(bad));
      assertTrue(e.getMessage().contains(bad), e.getMessage());
    }
  }

  /**
   * spectral4j's step: 20 ms on 1 thread, 12.5 ms on 2. PyTorch: 25 ms on 1 core; 16 and 20 ms in two
   * 2-core configurations, so the best is 16 ms: ratios 20/25 = 0.80 and 12.5/16 = 0.78. The batch-512
   * row has no peer of its batch size and no ratio.
   */
  @Test
  void stepTableHasRatiosToTheBestPeerOnAsManyCores(@TempDir Path dir) throws IOException {
    Path jmh = dir.resolve("trainstep.json");
    String common = "\"width\":\"1024\",\"probeRows\":\"16\",\"diagnostics\":\"false\",";
    Files.writeString(jmh, "["
        + result("TrainStepBenchmark.step", common + "\"batch\":\"128\",\"threads\":\"1\"", "[[50.0]]") + ","
        + result("TrainStepBenchmark.step", common + "\"batch\":\"128\",\"threads\":\"2\"", "[[80.0]]") + ","
        + result("TrainStepBenchmark.step", common + "\"batch\":\"512\",\"threads\":\"1\"", "[[10.0]]") + "]");
    Path peers = dir.resolve("peers.json");
    Files.writeString(peers, "["
        + peer("mlp-step", 1, 1, 1, "[[25.0, 25.0]]") + ","
        + peer("mlp-step", 2, 2, 2, "[[20.0], [20.0]]") + ","
        + peer("mlp-step", 2, 1, 2, "[[15.0, 17.0], [16.0]]") + "]");
    String report = Report.render(List.of(jmh, peers));
    assertTrue(report.contains("| spectral4j | 1024 | 128 | 1 | false | 20.0 | 20.0–20.0 |  | 0.80 |"), report);
    assertTrue(report.contains("| spectral4j | 1024 | 128 | 2 | false | 12.5 | 12.5–12.5 |  | 0.78 |"), report);
    assertTrue(report.contains("| spectral4j | 1024 | 512 | 1 | false | 100 | 100–100 |  |  |"), report);
    assertTrue(report.contains("| PyTorch 1.13.1 (torch 1, OpenBLAS 1 thread) | 1024 | 128 | 1 | false | 25.0 | 25.0–25.0 |  |  |"), report);
    assertTrue(report.contains("| PyTorch 1.13.1 (torch 1, OpenBLAS 2 threads) — best | 1024 | 128 | 2 | false | 16.0 | 16.0–16.0 |  |  |"), report);
    assertTrue(report.contains("| PyTorch 1.13.1 (torch 2, OpenBLAS 2 threads) | 1024 | 128 | 2 | false | 20.0 | 20.0–20.0 |  |  |"), report);
    assertTrue(report.contains("- Peer PyTorch 1.13.1, BLAS: core=Cooperlake"), report);
  }

  /** The GPT step at 4 steps/s (250 ms) beside PyTorch's 500 ms on one core: 0.50; no MLP table. */
  @Test
  void gptStepTableComparesWithTheGptPeer(@TempDir Path dir) throws IOException {
    Path jmh = dir.resolve("gptstep.json");
    Files.writeString(jmh, "[" + result("GptStepBenchmark.step",
        "\"batch\":\"16\",\"threads\":\"1\",\"width\":\"512\"", "[[4.0]]") + "]");
    Path peers = dir.resolve("peers.json");
    Files.writeString(peers, "[" + peer("gpt-step", 1, 1, 1, "[[500.0]]").replace("\"width\":1024,\"batch\":128",
        "\"width\":512,\"batch\":16,\"context\":64") + "]");
    String report = Report.render(List.of(jmh, peers));
    assertTrue(report.contains("| spectral4j | 512 | 16 | 1 |  | 250 | 250–250 |  | 0.50 |"), report);
    assertTrue(report.contains("| PyTorch 1.13.1 (torch 1, OpenBLAS 1 thread) | 512 | 16 | 1 |  | 500 |"), report);
    assertTrue(!report.contains("MLP 784"), report);
  }

  /**
   * The steps' matrix-product FLOPs by hand. MLP 784-1024-1024-1024-10, batch 128: Σ nᵢ·nᵢ₊₁ = 802,816 +
   * 2·1,048,576 + 10,240 = 2,910,208, forward 2·128·that = 745,013,248, the same for the weight gradients and
   * 2·128·2,107,392 = 539,492,352 for the input gradients: 2,029,518,848. GPT at width 512, batch 16 (T =
   * 1024, 2 blocks, context 64, vocabulary 128): a block 24·1024·512² + 4·16·64²·512 = 6,576,668,672, the
   * readout 2·1024·512·128 = 134,217,728, the step 3·(2·6,576,668,672 + 134,217,728) = 39,862,665,216.
   */
  @Test
  void stepFlopsByHand() {
    assertEquals(2_029_518_848.0, Report.stepFlops("TrainStepBenchmark", 1024, 128), 0);
    assertEquals(39_862_665_216.0, Report.stepFlops("GptStepBenchmark", 512, 16), 0);
    assertTrue(Double.isNaN(Report.stepFlops("GemmBenchmark", 512, 16)));
  }

  /**
   * The MLP's products at w = 1024, B = 128 by hand: forward 784→1024, 1024→1024 twice, 1024→10; the weight
   * gradients of the same four; input gradients for the last three only.
   */
  @Test
  void stepProductsByHand() {
    assertEquals(Map.of("NT-128x1024x784", 1, "NT-128x1024x1024", 2, "NT-128x10x1024", 1, "TN-1024x784x128", 1,
        "TN-1024x1024x128", 2, "TN-10x1024x128", 1, "NN-128x1024x1024", 2, "NN-128x1024x10", 1),
        Report.stepProducts("TrainStepBenchmark", 1024, 128));
    assertEquals(Map.of(), Report.stepProducts("GemmBenchmark", 1024, 128));
    assertEquals(Map.of(), Report.stepProducts("GptStepBenchmark", 0, 16));
    // GPT: per block 4 + 1 + 1 dense layers with three products each, 2 blocks; 16 windows × 4 heads × 2 blocks
    // = 128 (window, head) pairs with 2 products forward and 4 backward; the readout's three.
    Map<String, Integer> gpt = Report.stepProducts("GptStepBenchmark", 512, 16);
    assertEquals(8, gpt.get("NT-1024x512x512"));
    assertEquals(2, gpt.get("NN-1024x512x2048"));
    assertEquals(256, gpt.get("TN-64x128x64"));
    assertEquals(1, gpt.get("TN-128x512x1024"));
    assertEquals(2 * 3 * 6 + 128 * 6 + 3, gpt.values().stream().mapToInt(Integer::intValue).sum());
  }

  /**
   * Every MLP product at 1 ms per call (1000 ops/s) on spectral4j and 2 ms on OpenBLAS: 11 calls per step,
   * so 11 and 22 ms alone; the step at 12.1 ms is 1.10 × its products, PyTorch's 13.2 ms is 1.20 × them. Without
   * one product's OpenBLAS row that column is blank ("–"), and without one of spectral4j's there is no table.
   */
  @Test
  void productsAloneAreTheSumOfTheStepsShapes(@TempDir Path dir) throws IOException {
    Path jmh = dir.resolve("result.json");
    Path peers = dir.resolve("peers.json");
    Files.writeString(peers, "[" + peer("mlp-step", 1, 1, 1, "[[13.2]]") + "]");
    Files.writeString(jmh, productsJson(""));
    String report = Report.render(List.of(jmh, peers));
    assertTrue(report.contains("| TrainStep | 1024 | 128 | 11 | 12.1 | 11.0 | 1.10 | 22.0 | 13.2 | 1.20 |"), report);
    Files.writeString(jmh, productsJson("openblas NN-128x1024x10"));
    report = Report.render(List.of(jmh, peers));
    assertTrue(report.contains("| TrainStep | 1024 | 128 | 11 | 12.1 | 11.0 | 1.10 | – | 13.2 | 1.20 |"), report);
    Files.writeString(jmh, productsJson("vector TN-1024x784x128"));
    assertFalse(Report.render(List.of(jmh, peers)).contains("products alone"));
  }

  /** The MLP step at 12.1 ms and its shapes at 1 ms (vector) and 2 ms (openblas) per call, but {@code missing}. */
  private static String productsJson(String missing) {
    StringBuilder json = new StringBuilder("[");
    for (String shape : Report.stepProducts("TrainStepBenchmark", 1024, 128).keySet()) {
      for (String impl : List.of("vector", "openblas")) {
        if (!missing.equals(impl + " " + shape)) {
          json.append(result("GemmShapesBenchmark.gemm", "\"impl\":\"" + impl + "\",\"shape\":\"" + shape + "\"",
              impl.equals("vector") ? "[[1000.0]]" : "[[500.0]]")).append(',');
        }
      }
    }
    return json + result("TrainStepBenchmark.step",
        "\"width\":\"1024\",\"batch\":\"128\",\"probeRows\":\"16\",\"threads\":\"1\",\"diagnostics\":\"false\"",
        "[[" + 1 / 0.0121 + "]]") + "]";
  }

  /**
   * With PeakFlops in the run (250 GFLOP/s) the step table gains × peak: the GPT step at 200 ms does
   * 39.86 GFLOP / 0.2 s = 199.3 GFLOP/s, 0.80 of one core's peak; PyTorch's 250 ms on one core 0.64.
   */
  @Test
  void stepTableShowsTheFractionOfThePeak(@TempDir Path dir) throws IOException {
    Path jmh = dir.resolve("gptstep.json");
    Files.writeString(jmh, "[" + result("GptStepBenchmark.step",
        "\"batch\":\"16\",\"threads\":\"1\",\"width\":\"512\"", "[[5.0]]") + ","
        + result("PeakFlops.fma", "", "[[2.5E11]]") + "]");
    Path peers = dir.resolve("peers.json");
    Files.writeString(peers, "[" + peer("gpt-step", 1, 1, 1, "[[250.0]]").replace("\"width\":1024,\"batch\":128",
        "\"width\":512,\"batch\":16,\"context\":64") + "]");
    String report = Report.render(List.of(jmh, peers));
    assertTrue(report.contains("| this / PyTorch | × peak |"), report);
    assertTrue(report.contains("| spectral4j | 512 | 16 | 1 |  | 200 | 200–200 |  | 0.80 | 0.80 |"), report);
    assertTrue(report.contains("| PyTorch 1.13.1 (torch 1, OpenBLAS 1 thread) | 512 | 16 | 1 |  | 250 | 250–250 |  |  | 0.64 |"),
        report);
    // 0.75 × PyTorch's 250 ms is 187.5 ms: 39.86 GFLOP / 0.1875 s = 212.6 GFLOP/s, 0.85 of the peak.
    assertTrue(report.contains("A step at 0.75 × PyTorch's time would run at 0.85 × peak on 1 core (PyTorch's best 0.64)"),
        report);
  }

  /**
   * The bar's ask per core count, from each count's best PyTorch row: the MLP's 2.0295 GFLOP in 10 ms on one
   * core of 250 GFLOP/s is 0.81 of the peak, so 0.75 × that time asks 1.08; on two cores the best of 8 and 6
   * ms, 6 ms, is 0.68 of 500 GFLOP/s and asks 0.90. Without PeakFlops there is no such line.
   */
  @Test
  void stepTableSaysWhatTheBarAsksOfThePeak(@TempDir Path dir) throws IOException {
    Path jmh = dir.resolve("step.json");
    Path peers = dir.resolve("peers.json");
    Files.writeString(peers, "[" + peer("mlp-step", 1, 1, 1, "[[10.0]]") + "," + peer("mlp-step", 2, 1, 2, "[[8.0]]")
        + "," + peer("mlp-step", 2, 2, 1, "[[6.0]]") + "]");
    Files.writeString(jmh, "[" + result("PeakFlops.fma", "", "[[2.5E11]]") + "]");
    String report = Report.render(List.of(jmh, peers));
    assertTrue(report.contains("would run at 1.08 × peak on 1 core (PyTorch's best 0.81), 0.90 × peak on 2 cores"
        + " (PyTorch's best 0.68):"), report);
    Files.writeString(jmh, "[]");
    assertFalse(Report.render(List.of(jmh, peers)).contains("would run at"));
  }

  /** With {@code -prof gc} the step table gains a B/op column from gc.alloc.rate.norm. */
  @Test
  void stepTableShowsAllocationWhenProfiled(@TempDir Path dir) throws IOException {
    Path jmh = dir.resolve("gptstep.json");
    Files.writeString(jmh, "[" + result("GptStepBenchmark.step",
        "\"batch\":\"16\",\"threads\":\"1\",\"width\":\"512\"", "[[4.0]]")
        .replace("\"secondaryMetrics\":{}", "\"secondaryMetrics\":{\"gc.alloc.rate.norm\":{\"score\":0.5}}") + "]");
    String report = Report.render(List.of(jmh));
    assertTrue(report.contains("| this / PyTorch | B/op |"), report);
    assertTrue(report.contains("| spectral4j | 512 | 16 | 1 |  | 250 | 250–250 |  |  | 0.50 |"), report);
  }

  /**
   * In 1 s iterations, the control at 95 ops/s (10.5 ms) runs ⌊95⌋ + 1 = 96 operations per iteration at 400
   * B/op (38,400 B per iteration) and at 4.5 ops/s (222 ms) 5 operations at 10,000 B/op (50,000 B); the GPT
   * step at 3.2 ops/s (312.5 ms) runs 4 operations at 13,000 B/op. Its nearest control (222 ms) stands for
   * 50,000 / 4 = 12,500 B/op of harness, so 500 B/op remain; the 10.5 ms control would have left 3,400.
   */
  @Test
  void stepTableSubtractsTheNearestControlsShare(@TempDir Path dir) throws IOException {
    Path jmh = dir.resolve("gc.json");
    Files.writeString(jmh, "[" + profiled(result("GptStepBenchmark.step",
        "\"batch\":\"16\",\"threads\":\"1\",\"width\":\"512\"", "[[3.2]]"), 13_000) + ","
        + profiled(result("AllocationControlBenchmark.spin", "\"millis\":\"10\"", "[[95.0]]"), 400) + ","
        + profiled(result("AllocationControlBenchmark.spin", "\"millis\":\"200\"", "[[4.5]]"), 10_000) + "]");
    String report = Report.render(List.of(jmh));
    assertTrue(report.contains("| B/op | B/op net of JMH |"), report);
    assertTrue(report.contains("| spectral4j | 512 | 16 | 1 |  | 313 | 313–313 |  |  | 13000 | 500 |"), report);
    assertTrue(report.contains("| 10.5 | 96.0 | 400 | 38400 |"), report);
    assertTrue(report.contains("| 222 | 5.00 | 10000 | 50000 |"), report);
    assertTrue(!report.contains("AllocationControlBenchmark.spin |"), report);
  }

  private static String profiled(String result, double bytesPerOp) {
    return result.replace("\"secondaryMetrics\":{}",
        "\"measurementTime\":\"1 s\",\"secondaryMetrics\":{\"gc.alloc.rate.norm\":{\"score\":" + bytesPerOp + "}}");
  }

  /** Lanczos at 25 solves/s is 40 ms; SciPy's fastest 1-core row is 80 ms (float32): 40/80 = 0.50. */
  @Test
  void spectralTableHasTheRatioToSvdsOnOneCore(@TempDir Path dir) throws IOException {
    Path jmh = dir.resolve("spectral.json");
    Files.writeString(jmh, "[" + result("SpectralNormBenchmark.sigma1",
        "\"impl\":\"lanczos\",\"n\":\"2048\",\"spectrum\":\"gaussian\"", "[[25.0]]") + "]");
    Path peers = dir.resolve("peers.json");
    Files.writeString(peers, "["
        + sigma("float64", 1, "[[100.0]]") + "," + sigma("float32", 1, "[[80.0]]") + "," + sigma("float32", 2, "[[60.0]]") + "]");
    String report = Report.render(List.of(jmh, peers));
    assertTrue(report.contains("| lanczos | 2048 | gaussian | 1 | 40.0 | 40.0–40.0 |  |  | 0.50 |"), report);
    assertTrue(report.contains("| SciPy svds (ARPACK) 1.10.1 (float32, OpenBLAS 2 threads) | 2048 | gaussian | 2 | 60.0 | 60.0–60.0 |"), report);
    assertTrue(report.contains("- Peer SciPy svds (ARPACK) 1.10.1, BLAS: core=Cooperlake"), report);
  }

  /**
   * Two rounds, the machine faster in the second: step 20 then 16 ms, with diagnostics 25 then 20 ms, PyTorch 25
   * then 18 ms. Per round: this / PyTorch 0.80 and 0.89 (median 0.84), with / without 1.25 both times; the main
   * table pools the rounds (step median of 20 and 16 = 18.0 ms, forks 16.0–20.0); the 2-thread step's speed-up
   * over one thread within each round.
   */
  @Test
  void roundsGiveEachRoundsRatiosAndPoolTheTables(@TempDir Path dir) throws IOException {
    String common = "\"width\":\"1024\",\"probeRows\":\"16\",";
    double[][] rounds = {{50.0, 40.0, 25.0, 100.0}, {62.5, 50.0, 18.0, 110.0}};
    List<Path> files = new java.util.ArrayList<>();
    for (int k = 0; k < 2; k++) {
      Path round = Files.createDirectories(dir.resolve("round-" + (k + 1)));
      Path jmh = round.resolve("custom.json");
      Files.writeString(jmh, "["
          + result("TrainStepBenchmark.step", common + "\"diagnostics\":\"false\",\"batch\":\"128\",\"threads\":\"1\"",
              "[[" + rounds[k][0] + "]]") + ","
          + result("TrainStepBenchmark.step", common + "\"diagnostics\":\"true\",\"batch\":\"128\",\"threads\":\"1\"",
              "[[" + rounds[k][1] + "]]") + ","
          + result("TrainStepBenchmark.step", common + "\"diagnostics\":\"false\",\"batch\":\"128\",\"threads\":\"2\"",
              "[[" + rounds[k][3] + "]]") + "]");
      Path peers = round.resolve("peers.json");
      Files.writeString(peers, "[" + peer("mlp-step", 1, 1, 1, "[[" + rounds[k][2] + "]]") + "]");
      files.add(jmh);
      files.add(peers);
    }
    String report = Report.render(files);
    assertTrue(report.contains("| spectral4j | 1024 | 128 | 1 | false | 18.0 | 16.0–20.0 |  | 0.84 |"), report);
    assertTrue(report.contains("| spectral4j | 1024 | 128 | 1 | true | 22.5 | 20.0–25.0 | 1.25 | 1.05 |"), report);
    assertTrue(report.contains("| TrainStep | width=1024, diagnostics=false, batch=128, threads=1 | this / PyTorch"
        + " | 0.80, 0.89 | 0.84 | 0.80–0.89 |"), report);
    assertTrue(report.contains("| TrainStep | width=1024, diagnostics=true, batch=128, threads=1 | with / without diagnostics"
        + " | 1.25, 1.25 | 1.25 | 1.25–1.25 |"), report);
    // Two threads: 10.0 then 9.09 ms against 20 then 16 ms on one, speed-ups 2.00 and 1.76 (median 1.88).
    assertTrue(report.contains("| TrainStep | width=1024, diagnostics=false, batch=128, threads=2 | 1 thread / this (speed-up)"
        + " | 2.00, 1.76 | 1.88 | 1.76–2.00 |"), report);
    assertTrue(report.contains("Per round (2 rounds"), report);
  }

  /**
   * Two rounds of the diagnostics pair: 13.0 against 14.3 ms per step (1.10), then 12.0 against 12.7 (1.06); pooled,
   * the counters' means 12.5 and 13.5 ms (1.08). One round of the threads pair: 15.0 ms on one thread, 8.10 on two
   * (speed-up 1.85).
   */
  @Test
  void pairedTableDividesTheArmsTotals(@TempDir Path dir) throws IOException {
    String common = "\"width\":\"1024\",\"batch\":\"128\",\"probeRows\":\"16\",\"stepsPerArm\":\"8\",";
    double[][] rounds = {{130e6, 143e6}, {120e6, 127e6}};
    List<Path> files = new java.util.ArrayList<>();
    for (int k = 0; k < 2; k++) {
      Path jmh = Files.createDirectories(dir.resolve("round-" + (k + 1))).resolve("custom.json");
      String results = arms(result("PairedStepBenchmark.pair", common + "\"compare\":\"diagnostics\",\"threads\":\"1\"",
          "[[0.04]]"), rounds[k][0], rounds[k][1]);
      if (k == 0) {
        results += "," + arms(result("PairedStepBenchmark.pair", common + "\"compare\":\"threads\",\"threads\":\"2\"",
            "[[0.04]]"), 150e6, 81e6);
      }
      Files.writeString(jmh, "[" + results + "]");
      files.add(jmh);
    }
    String report = Report.render(files);
    assertTrue(report.contains("| without / with diagnostics | 1 | 1024 | 128 | 8 | 12.5 | 13.5 | 1.08 (with / without) | 1.10, 1.06 |"),
        report);
    assertTrue(report.contains("| 1 thread / 2 threads | 1, 2 | 1024 | 128 | 8 | 15.0 | 8.10 | 1.85 (speed-up) | 1.85 |"), report);
    assertFalse(report.contains("PairedStepBenchmark.pair |"), report);
  }

  private static String arms(String result, double firstNanos, double secondNanos) {
    return result.replace("\"secondaryMetrics\":{}", "\"secondaryMetrics\":{\"firstNanos\":{\"score\":" + firstNanos
        + "},\"secondNanos\":{\"score\":" + secondNanos + "},\"steps\":{\"score\":10.0}}");
  }

  /** A file's round is k in a directory round-k, else 0; a single run prints no per-round table. */
  @Test
  void roundIsReadFromTheDirectoryName(@TempDir Path dir) throws IOException {
    assertEquals(3, Report.round(dir.resolve("round-3").resolve("custom.json")));
    assertEquals(0, Report.round(dir.resolve("round-").resolve("custom.json")));
    assertEquals(0, Report.round(dir.resolve("rounds-2").resolve("custom.json")));
    assertEquals(0, Report.round(Path.of("custom.json")));
    Path jmh = dir.resolve("trainstep.json");
    Files.writeString(jmh, "[" + result("TrainStepBenchmark.step", "\"width\":\"1024\",\"batch\":\"128\"", "[[50.0]]") + "]");
    assertFalse(Report.render(List.of(jmh)).contains("Per round"));
  }

  private static String peer(String task, int cores, int torch, int blas, String rounds) {
    return "{\"peer\":\"pytorch\",\"version\":\"1.13.1\",\"task\":\"" + task + "\",\"dtype\":\"float32\","
        + "\"cores\":" + cores + ",\"torchThreads\":" + torch + ",\"blasThreads\":" + blas + ",\"blas\":\"core=Cooperlake\","
        + "\"detail\":\"MLP\",\"unit\":\"ms/op\",\"rounds\":" + rounds + ",\"width\":1024,\"batch\":128}";
  }

  private static String sigma(String dtype, int cores, String rounds) {
    return "{\"peer\":\"scipy\",\"version\":\"1.10.1\",\"task\":\"sigma1\",\"dtype\":\"" + dtype + "\","
        + "\"cores\":" + cores + ",\"torchThreads\":null,\"blasThreads\":" + cores + ",\"blas\":\"core=Cooperlake\","
        + "\"detail\":\"svds\",\"unit\":\"ms/op\",\"rounds\":" + rounds + ",\"n\":2048,\"spectrum\":\"gaussian\"}";
  }

  private static String result(String name, String params, String raw) {
    return "{\"benchmark\":\"io.github.spectral4j.bench." + name + "\",\"mode\":\"thrpt\",\"jdkVersion\":\"25\","
        + "\"params\":{" + params + "},\"primaryMetric\":{\"score\":1,\"scoreUnit\":\"ops/s\",\"rawData\":" + raw
        + "},\"secondaryMetrics\":{}}";
  }
}
