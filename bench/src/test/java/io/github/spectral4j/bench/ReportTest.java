package io.github.spectral4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
    assertTrue(report.contains("| 1024 | 128 | false | 20.0 | 20.0–20.0 |  |"), report);
    assertTrue(report.contains("| 1024 | 128 | true | 25.0 | 25.0–25.0 | 1.25 |"), report);
    assertTrue(report.contains("| 1024 | 512 | true | 100 | 100–100 |  |"), report);
  }

  private static String result(String name, String params, String raw) {
    return "{\"benchmark\":\"io.github.spectral4j.bench." + name + "\",\"mode\":\"thrpt\",\"jdkVersion\":\"25\","
        + "\"params\":{" + params + "},\"primaryMetric\":{\"score\":1,\"scoreUnit\":\"ops/s\",\"rawData\":" + raw
        + "},\"secondaryMetrics\":{}}";
  }
}
