package io.github.spectral4j.trainer.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.spectral4j.core.Optimizer;
import io.github.spectral4j.core.Parametrization;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The files the reports write: JSON schema, CSV rows, decodable PNGs, diverged values as null. */
class ReportFilesTest {
  private static final List<String> LAYERS = List.of("W1", "W2", "W3", "W4");
  private static final int[] WIDTHS = {64, 128, 256, 512};

  private static CoordCheckReport coordReport() {
    List<Parametrization> ps = List.of(Parametrization.STANDARD, Parametrization.SPECTRAL);
    int metrics = CoordCheckReport.METRICS.size();
    double[][][][] v = new double[ps.size()][metrics][LAYERS.size()][WIDTHS.length];
    for (int p = 0; p < ps.size(); p++) {
      for (int m = 0; m < metrics; m++) {
        for (int l = 0; l < LAYERS.size(); l++) {
          for (int w = 0; w < WIDTHS.length; w++) {
            v[p][m][l][w] = (p + 1) * Math.pow(WIDTHS[w], p == 0 && l == 3 ? 0.5 : 0.0) * (1 + 0.01 * m);
          }
        }
      }
    }
    // standard diverged at the largest width
    for (int m = 0; m < metrics; m++) {
      for (int l = 0; l < LAYERS.size(); l++) {
        v[0][m][l][3] = Double.NaN;
      }
    }
    CoordCheckReport.Setup setup = new CoordCheckReport.Setup("synthetic", Optimizer.SGD, 0.25, 3, 16, 7, 1, 100, 10, false);
    return CoordCheckReport.of(setup, WIDTHS, LAYERS, ps, v,
        Map.of(Parametrization.STANDARD, new TreeMap<>(Map.of(512, "non-finite loss at step 2"))));
  }

  @Test
  void coordCheckJsonHasTheDocumentedSchema(@TempDir Path dir) throws IOException {
    coordReport().write(dir.resolve("out"));
    JsonNode root = new ObjectMapper().readTree(dir.resolve("out/coord-check.json").toFile());
    for (String key : List.of("dataset", "optimizer", "lr", "steps", "widths", "fitWidths", "series", "verdicts")) {
      assertTrue(root.has(key), key);
    }
    assertEquals("sgd", root.get("optimizer").asText());
    assertEquals(0.25, root.get("lr").asDouble());
    assertEquals("[64,128,256,512]", root.get("widths").toString());
    assertEquals("[128,256,512]", root.get("fitWidths").toString());
    JsonNode series = root.get("series");
    assertEquals(2 * 4 * 5, series.size());
    for (JsonNode s : series) {
      for (String key : List.of("parametrization", "layer", "metric", "values", "slope", "slopeStderr")) {
        assertTrue(s.has(key), key + " in " + s);
      }
      assertEquals(WIDTHS.length, s.get("values").size());
      assertTrue(CoordCheckReport.METRICS.contains(s.get("metric").asText()));
    }
    JsonNode std = series.get(0);
    assertEquals("standard", std.get("parametrization").asText());
    assertTrue(std.get("values").get(3).isNull(), "diverged value is null: " + std);
    assertTrue(std.get("slope").isNull(), "no slope through a diverged value: " + std);
    JsonNode spectral = series.get(4 * 5 + 4); // series run parametrization → metric → layer
    assertEquals("spectral", spectral.get("parametrization").asText());
    assertEquals("rms_dh", spectral.get("metric").asText());
    assertEquals(0.0, spectral.get("slope").asDouble(), 1e-12);
    JsonNode verdicts = root.get("verdicts");
    assertEquals(2, verdicts.size());
    for (JsonNode v : verdicts) {
      assertTrue(v.get("pass").isBoolean());
      assertFalse(v.get("reason").asText().isBlank());
    }
    assertTrue(verdicts.get(0).get("reason").asText().contains("diverged at width 512"));
  }

  @Test
  void coordCheckCsvIsLongFormat(@TempDir Path dir) throws IOException {
    coordReport().write(dir);
    List<String> lines = Files.readAllLines(dir.resolve("coord-check.csv"));
    assertEquals("parametrization,layer,metric,width,value", lines.get(0));
    assertEquals(1 + 2 * 4 * 5 * WIDTHS.length, lines.size());
    assertEquals("standard,W1,rms_h,64,1.0", lines.get(1));
    assertEquals("standard,W1,rms_h,512,", lines.get(4));
  }

  @Test
  void pngsDecode(@TempDir Path dir) throws IOException {
    coordReport().write(dir);
    BufferedImage coord = ImageIO.read(dir.resolve("coord-check.png").toFile());
    assertNotNull(coord);
    assertTrue(coord.getWidth() >= 800 && coord.getHeight() >= 600, coord.getWidth() + "x" + coord.getHeight());
    lrReport().write(dir);
    BufferedImage lr = ImageIO.read(dir.resolve("lr-sweep.png").toFile());
    assertNotNull(lr);
    assertTrue(lr.getWidth() >= 800, "width " + lr.getWidth());
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of("coord-check.csv", "coord-check.json", "coord-check.png", "lr-sweep.json", "lr-sweep.png"),
          files.map(p -> p.getFileName().toString()).sorted().toList(), "no temporary files left");
    }
  }

  /** standard: optimum 2^-6 at 256 → 2^-9 at 2048 (×8); spectral: 2^-8 everywhere but 2^-7 at 1024. */
  private static LrSweepReport lrReport() {
    int[] widths = {256, 512, 1024, 2048};
    double[] lrs = new double[8];
    for (int i = 0; i < lrs.length; i++) {
      lrs[i] = Math.scalb(1.0, -11 + i);
    }
    int[][] best = {{5, 4, 3, 2}, {3, 3, 4, 3}};
    double[][][] loss = new double[2][widths.length][lrs.length];
    for (int p = 0; p < 2; p++) {
      for (int w = 0; w < widths.length; w++) {
        for (int l = 0; l < lrs.length; l++) {
          int d = l - best[p][w];
          loss[p][w][l] = l == lrs.length - 1 ? Double.POSITIVE_INFINITY : 0.1 + 0.05 * d * d;
        }
      }
    }
    LrSweepReport.Setup setup = new LrSweepReport.Setup("synthetic", Optimizer.ADAM, 300, 128, 1, 256, 50, 784, 2);
    return LrSweepReport.of(setup, List.of(Parametrization.STANDARD, Parametrization.SPECTRAL), widths, lrs, loss, 1.0);
  }

  @Test
  void lrSweepFindsOptimaAndJudgesTransfer(@TempDir Path dir) throws IOException {
    LrSweepReport r = lrReport();
    List<LrSweepReport.Transfer> t = r.transfers();
    assertEquals(8.0, t.get(0).ratio());
    assertEquals(3, t.get(0).steps());
    assertEquals(Boolean.TRUE, t.get(0).pass(), t.get(0).reason());
    assertEquals(2.0, t.get(1).ratio());
    assertEquals(Boolean.TRUE, t.get(1).pass(), t.get(1).reason());
    assertTrue(r.allPass());
    assertEquals(Math.scalb(1.0, -6), r.optima().get(0).lr());
    assertEquals(Math.scalb(1.0, -7), r.optima().get(6).lr());

    r.write(dir);
    JsonNode root = new ObjectMapper().readTree(dir.resolve("lr-sweep.json").toFile());
    JsonNode results = root.get("results");
    assertEquals(2 * 4 * 8, results.size());
    for (JsonNode n : results) {
      for (String key : List.of("parametrization", "width", "lr", "loss")) {
        assertTrue(n.has(key), key + " in " + n);
      }
      assertEquals(n.get("loss").isNull(), n.get("diverged").asBoolean(), n.toString());
    }
    assertTrue(results.get(7).get("loss").isNull(), "diverged = null: " + results.get(7));
    JsonNode optimum = root.get("optimum");
    assertEquals(8, optimum.size());
    assertEquals("{\"parametrization\":\"standard\",\"width\":2048,\"lr\":0.001953125,\"loss\":0.1}",
        optimum.get(3).toString());
    assertTrue(r.table().lines().anyMatch(line -> line.matches("standard +2048 +2\\^-9 = 0\\.001953 +0\\.1000")),
        r.table());
  }

  @Test
  void transferVerdictsFailTheOtherWay() {
    int[] widths = {256, 2048};
    double[] lrs = {0.001, 0.002, 0.004, 0.008};
    double[][][] loss = {
      {{0.3, 0.2, 0.25, 0.4}, {0.3, 0.1, 0.2, 0.3}}, // standard: does not move
      {{0.5, 0.2, 0.3, 0.4}, {0.3, 0.3, 0.4, 0.1}} // spectral: moves ×4 (2 steps)
    };
    LrSweepReport.Setup setup = new LrSweepReport.Setup("s", Optimizer.ADAM, 3, 1, 1, 256, 1, 4, 1);
    LrSweepReport r = LrSweepReport.of(setup, List.of(Parametrization.STANDARD, Parametrization.SPECTRAL), widths,
        lrs, loss, 0);
    assertEquals(Boolean.FALSE, r.transfers().get(0).pass());
    assertEquals(Boolean.FALSE, r.transfers().get(1).pass());
    assertEquals(2, r.transfers().get(1).steps());
    assertFalse(r.allPass());
    double[][][] diverged = {{{Double.POSITIVE_INFINITY, Double.NaN, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY},
        {0.3, 0.1, 0.2, 0.3}}};
    LrSweepReport d = LrSweepReport.of(setup, List.of(Parametrization.SPECTRAL), widths, lrs, diverged, 0);
    assertTrue(Double.isNaN(d.optima().get(0).lr()));
    assertEquals(Boolean.FALSE, d.transfers().get(0).pass());
    assertTrue(d.table().contains("(all diverged)"), d.table());
  }

  /**
   * The issue's {@code lr-sweep --widths 256,512,1024 --steps 100}: standard's optimum moved 2^-8 → 2^-9
   * (measured) and failed "drifts less than ×4", a threshold of the default 256–2048 sweep. Over 256–1024
   * half the predicted ×4 is one grid step, which a transferring parametrization may also move: n/a, and
   * the run passes. With 2048 added, two steps are needed and one fails.
   */
  @Test
  void transferThresholdsFollowTheGrid() {
    double[] lrs = new double[11];
    for (int i = 0; i < lrs.length; i++) {
      lrs[i] = Math.scalb(1.0, -14 + i);
    }
    int[][] best = {{6, 5, 5}, {6, 6, 6}}; // 2^-8, 2^-9, 2^-9 and 2^-8 throughout
    double[][][] loss = new double[2][3][lrs.length];
    for (int p = 0; p < 2; p++) {
      for (int w = 0; w < 3; w++) {
        for (int l = 0; l < lrs.length; l++) {
          loss[p][w][l] = 0.2 + 0.01 * (l - best[p][w]) * (l - best[p][w]);
        }
      }
    }
    LrSweepReport.Setup setup = new LrSweepReport.Setup("mnist", Optimizer.ADAM, 100, 128, 1, 256, 50, 784, 2);
    List<Parametrization> ps = List.of(Parametrization.STANDARD, Parametrization.SPECTRAL);
    LrSweepReport r = LrSweepReport.of(setup, ps, new int[] {256, 512, 1024}, lrs, loss, 1);
    assertEquals(null, r.transfers().get(0).pass(), r.transfers().get(0).reason());
    assertTrue(r.transfers().get(0).reason().contains("n/a: predicted η* ∝ n^-1 under adam, ×4 over widths 256–1024"),
        r.transfers().get(0).reason());
    assertEquals(Boolean.TRUE, r.transfers().get(1).pass());
    assertTrue(r.allPass());
    assertTrue(r.table().contains("n/a   standard: optimum moves ×2 (1 grid step)"), r.table());

    LrSweepReport wide = LrSweepReport.of(setup, ps, new int[] {256, 512, 1024, 2048}, lrs, new double[][][] {
      {loss[0][0], loss[0][1], loss[0][2], loss[0][2]}, {loss[1][0], loss[1][1], loss[1][2], loss[1][2]}}, 1);
    assertEquals(Boolean.FALSE, wide.transfers().get(0).pass(), wide.transfers().get(0).reason());
    assertTrue(wide.transfers().get(0).reason().contains("at least 2 grid steps needed"), wide.transfers().get(0).reason());
  }
}
