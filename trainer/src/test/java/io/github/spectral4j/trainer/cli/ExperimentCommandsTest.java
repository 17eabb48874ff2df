package io.github.spectral4j.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code coord-check} and {@code lr-sweep} through {@link Main#run}: exit status 2 with one line naming
 * the bad value and no file written for bad input; small end-to-end runs on a tiny IDX dataset.
 */
class ExperimentCommandsTest {
  @TempDir static Path data;
  private static Path images;
  private static Path labels;

  /** 240 images of 4×4 pixels whose label is the brightest quadrant, as an IDX pair. */
  @BeforeAll
  static void writeIdx() throws IOException {
    int n = 240;
    SplittableRandom random = new SplittableRandom(11);
    ByteArrayOutputStream img = new ByteArrayOutputStream();
    ByteArrayOutputStream lab = new ByteArrayOutputStream();
    try (DataOutputStream i = new DataOutputStream(img); DataOutputStream l = new DataOutputStream(lab)) {
      i.writeInt(0x00000803);
      i.writeInt(n);
      i.writeInt(4);
      i.writeInt(4);
      l.writeInt(0x00000801);
      l.writeInt(n);
      for (int k = 0; k < n; k++) {
        int label = k % 4;
        for (int r = 0; r < 4; r++) {
          for (int c = 0; c < 4; c++) {
            int quadrant = (r / 2) * 2 + c / 2;
            i.writeByte(random.nextInt(quadrant == label ? 256 : 100));
          }
        }
        l.writeByte(label);
      }
    }
    images = data.resolve("images.idx");
    labels = data.resolve("labels.idx");
    Files.write(images, img.toByteArray());
    Files.write(labels, lab.toByteArray());
  }

  private record Run(int status, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(status, out.toString(), err.toString());
  }

  /** A small run of {@code command} on the tiny dataset; {@code extra} option/value pairs override the defaults. */
  private static String[] tiny(String command, Path out, String... extra) {
    Map<String, String> options = new LinkedHashMap<>();
    options.put("--images", images.toString());
    options.put("--labels", labels.toString());
    options.put("--out", out.toString());
    options.put("--batch", "32");
    if (command.equals("coord-check")) {
      options.put("--widths", "16,32,64");
      options.put("--steps", "2");
      options.put("--probe", "48");
    } else {
      options.put("--widths", "16,32");
      options.put("--lrs", "0.001,0.01");
      options.put("--steps", "4");
      options.put("--score-steps", "2");
      options.put("--base-width", "16");
    }
    for (int i = 0; i + 1 < extra.length; i += 2) {
      options.put(extra[i], extra[i + 1]);
    }
    List<String> a = new ArrayList<>(List.of(command));
    options.forEach((k, v) -> {
      a.add(k);
      a.add(v);
    });
    return a.toArray(String[]::new);
  }

  static Stream<Arguments> badInput() {
    return Stream.of(
        Arguments.of("coord-check", new String[] {"--widths", "0,32"}, "0"),
        Arguments.of("coord-check", new String[] {"--widths", "16,abc"}, "abc"),
        Arguments.of("coord-check", new String[] {"--widths", "-8"}, "-8"),
        Arguments.of("coord-check", new String[] {"--lr", "-0.5"}, "-0.5"),
        Arguments.of("coord-check", new String[] {"--lr", "fast"}, "fast"),
        Arguments.of("coord-check", new String[] {"--steps", "0"}, "--steps"),
        Arguments.of("coord-check", new String[] {"--batch", "10000"}, "10000"),
        Arguments.of("coord-check", new String[] {"--parametrizations", "standard,yolo"}, "yolo"),
        Arguments.of("coord-check", new String[] {"--optimizer", "lbfgs"}, "lbfgs"),
        // the issue's `coord-check --widths 128,256` on MNIST: no two widths >= the input dimension (16 here)
        Arguments.of("coord-check", new String[] {"--widths", "4,8"}, "--widths 4,8"),
        Arguments.of("coord-check", new String[] {"--widths", "4,8,16"}, "only 16"),
        Arguments.of("lr-sweep", new String[] {"--lrs", "0.01,0"}, "0"),
        Arguments.of("lr-sweep", new String[] {"--lrs", "1e-3,x"}, "x"),
        Arguments.of("lr-sweep", new String[] {"--widths", "16,0"}, "0"),
        Arguments.of("lr-sweep", new String[] {"--optimizer", "rmsprop"}, "rmsprop"),
        Arguments.of("lr-sweep", new String[] {"--parametrizations", "muP2"}, "muP2"),
        Arguments.of("lr-sweep", new String[] {"--base-width", "0"}, "--base-width"),
        Arguments.of("lr-sweep", new String[] {"--score-steps", "9"}, "9"));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("badInput")
  void badInputExitsTwoWithOneLineAndNoFiles(String command, String[] bad, String named, @TempDir Path dir)
      throws IOException {
    Path out = dir.resolve("out");
    Run r = run(tiny(command, out, bad));
    assertEquals(2, r.status(), r.err());
    assertEquals(1, r.err().lines().count(), "one line: " + r.err());
    assertTrue(r.err().contains(named), "names " + named + ": " + r.err());
    assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
    assertFalse(Files.exists(out), "nothing written");
  }

  /** The issue's {@code plan --dims A --dims B}, which joined into one model: refused by every command. */
  @ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.ValueSource(strings = {
    "plan --dims 784,4096,10 --dims 784,256,10",
    "plan --dims 784,10 --base-dims 784,10 --base-dims 784,10",
    "train --dims 784,32,10 --dims 784,16,10 --steps 1",
    "coord-check --widths 16,32 --widths 64",
    "lr-sweep --lrs 0.1 --lrs 0.2",
    "lr-sweep --parametrizations standard --parametrizations spectral"})
  void repeatedListOptionsAreRefused(String line, @TempDir Path dir) {
    List<String> args = new ArrayList<>(List.of(line.split(" ")));
    if (!args.get(0).equals("plan") && !args.get(0).equals("train")) {
      args.addAll(List.of("--out", dir.resolve("out").toString()));
    }
    Run r = run(args.toArray(String[]::new));
    assertEquals(2, r.status(), r.err());
    assertEquals(1, r.err().lines().count(), "one line: " + r.err());
    String option = args.stream().filter(a -> a.startsWith("--") && args.indexOf(a) != args.lastIndexOf(a))
        .findFirst().orElseThrow();
    assertTrue(r.err().contains(option + " is given 2 times"), r.err());
    assertTrue(r.out().isEmpty(), "nothing ran: " + r.out());
    assertFalse(Files.exists(dir.resolve("out")), "nothing written");
  }

  /**
   * One voice in the help: each command's description starts with an imperative verb ("Train", not
   * "Trains"), and no usage line carries picocli's repeat marks ({@code [,D...]...}) for list options,
   * which are refused when repeated.
   */
  @ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.ValueSource(strings = {"plan", "train", "coord-check", "lr-sweep"})
  void helpSpeaksWithOneVoice(String command) {
    Run r = run(command, "--help");
    assertEquals(0, r.status(), r.err());
    String synopsis = r.out().lines().takeWhile(l -> l.startsWith("Usage:") || l.startsWith(" ")).reduce("", String::concat);
    assertFalse(synopsis.contains("]..."), "no option repeat marks: " + synopsis);
    assertFalse(synopsis.contains("[,"), synopsis);
    String description = r.out().lines().dropWhile(l -> l.startsWith("Usage:") || l.startsWith(" ")).findFirst().orElseThrow();
    String verb = description.split(" ")[0];
    assertTrue(List.of("Print", "Train").contains(verb), "imperative: " + description);
  }

  @Test
  void missingOrUnwritableOutDirExitsTwo(@TempDir Path dir) throws IOException {
    Path missingParent = dir.resolve("no/such/dir");
    Run r = run(tiny("coord-check", missingParent));
    assertEquals(2, r.status(), r.err());
    assertTrue(r.err().contains("does not exist"), r.err());
    assertFalse(Files.exists(dir.resolve("no")));
    Path file = Files.writeString(dir.resolve("a-file"), "x");
    r = run(tiny("lr-sweep", file));
    assertEquals(2, r.status(), r.err());
    assertTrue(r.err().contains("not a directory"), r.err());
  }

  /**
   * Writability is tried, not read off permission bits (the tests run as root, for whom every mode bit
   * says yes): /proc takes no new file and no new directory. Either fails before any training, in one line.
   */
  @ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.ValueSource(strings = {"/proc", "/proc/spectral4j-out"})
  void outDirThatTakesNoFilesFailsBeforeTraining(String path) {
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc")), "needs Linux /proc");
    Run r = run(tiny("coord-check", Path.of(path)));
    assertEquals(2, r.status(), r.err());
    assertEquals(1, r.err().lines().count(), "one line, no progress: " + r.err());
    assertTrue(r.err().contains(path), r.err());
  }

  @Test
  void dataErrorsExitTwo(@TempDir Path dir) throws IOException {
    Path out = dir.resolve("out");
    Path truncated = Files.write(dir.resolve("truncated.idx"), java.util.Arrays.copyOf(Files.readAllBytes(images), 100));
    Run r = run("coord-check", "--images", truncated.toString(), "--labels", labels.toString(), "--out", out.toString());
    assertEquals(2, r.status(), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
    assertFalse(Files.exists(out));
    r = run("lr-sweep", "--images", dir.resolve("missing.idx").toString(), "--labels", labels.toString(), "--out",
        out.toString());
    assertEquals(2, r.status(), r.err());
    assertTrue(r.err().contains("missing.idx"), r.err());
    r = run("coord-check", "--images", images.toString(), "--out", out.toString());
    assertEquals(2, r.status(), r.err());
    assertTrue(r.err().contains("--labels"), r.err());
    assertFalse(Files.exists(out));
  }

  @Test
  void coordCheckEndToEnd(@TempDir Path dir) throws IOException {
    Path out = dir.resolve("reports");
    Run r = run(tiny("coord-check", out));
    assertTrue(r.status() == 0 || r.status() == 1, r.err());
    assertTrue(r.out().contains("parametrization"), r.out());
    assertTrue(r.out().contains("spectral"), r.out());
    assertTrue(r.err().contains("coord-check: 24/24 runs done, 100% of the work"), "progress lines: " + r.err());
    JsonNode json = new ObjectMapper().readTree(out.resolve("coord-check.json").toFile());
    assertEquals("[16,32,64]", json.get("widths").toString());
    assertEquals("[16,32,64]", json.get("fitWidths").toString(), "input dimension 16");
    assertEquals(4 * 4 * 5, json.get("series").size());
    assertEquals(4, json.get("verdicts").size());
    boolean allPass = true;
    for (JsonNode v : json.get("verdicts")) {
      allPass &= v.get("pass").asBoolean();
    }
    assertEquals(allPass ? 0 : 1, r.status());
    assertEquals(1 + 4 * 4 * 5 * 3, Files.readAllLines(out.resolve("coord-check.csv")).size());
    assertTrue(ImageIO.read(out.resolve("coord-check.png").toFile()).getWidth() > 0);
  }

  /**
   * The bar: {@code --shard 1/2}, {@code --shard 2/2}, then {@code --merge} gives the unsharded
   * run's {@code lr-sweep.json} byte for byte (slices on 1 and 2 threads, the whole on 2).
   */
  @Test
  void shardedSweepMergesIntoTheSameReport(@TempDir Path dir) throws IOException {
    Run whole = run(sweep(dir.resolve("whole"), "--threads", "2"));
    assertTrue(whole.status() == 0 || whole.status() == 1, whole.err());
    Run first = run(sweep(dir.resolve("a"), "--threads", "1", "--shard", "1/2"));
    assertEquals(0, first.status(), first.err());
    assertTrue(first.out().contains("lr-sweep slice 1/2: 9 cells"), first.out());
    Run second = run(sweep(dir.resolve("b"), "--threads", "2", "--shard", "2/2"));
    assertEquals(0, second.status(), second.err());
    assertFalse(Files.exists(dir.resolve("a/lr-sweep.json")), "a slice writes no report");
    Run merged = run("lr-sweep", "--merge", dir.resolve("a").toString(), dir.resolve("b").toString(), "--out",
        dir.resolve("merged").toString());
    assertEquals(whole.status(), merged.status(), merged.err());
    assertEquals(-1L, Files.mismatch(dir.resolve("whole/lr-sweep.json"), dir.resolve("merged/lr-sweep.json")));
    assertTrue(merged.out().contains("best lr"), merged.out());

    Run missing = run("lr-sweep", "--merge", dir.resolve("a").toString(), "--out", dir.resolve("m2").toString());
    assertEquals(2, missing.status());
    assertTrue(missing.err().contains("slice 2/2 missing"), missing.err());
    Run twice = run("lr-sweep", "--merge", dir.resolve("a").toString(), dir.resolve("a").toString(), "--out",
        dir.resolve("m3").toString());
    assertEquals(2, twice.status());
    assertTrue(twice.err().contains("slice 1/2 is given twice"), twice.err());
    Run other = run(sweep(dir.resolve("c"), "--shard", "2/2", "--steps", "3"));
    assertEquals(0, other.status(), other.err());
    Run mixed = run("lr-sweep", "--merge", dir.resolve("a").toString(), dir.resolve("c").toString(), "--out",
        dir.resolve("m4").toString());
    assertEquals(2, mixed.status());
    assertTrue(mixed.err().contains("is from another sweep: steps is 3"), mixed.err());
    Run combined = run("lr-sweep", "--merge", dir.resolve("a").toString(), "--steps", "4");
    assertEquals(2, combined.status());
    assertTrue(combined.err().contains("--steps cannot be combined with --merge"), combined.err());
    for (String bad : List.of("0/2", "3/2", "1/19", "1-2")) {
      Run r = run(sweep(dir.resolve("bad"), "--shard", bad));
      assertEquals(2, r.status(), bad + ": " + r.err());
      assertTrue(r.err().contains(bad), r.err());
      assertFalse(Files.exists(dir.resolve("bad")), "refused before training");
    }
    assertFalse(Files.exists(dir.resolve("m2")) || Files.exists(dir.resolve("m3")) || Files.exists(dir.resolve("m4")));
  }

  /** A 2 × 3 × 3 lr-sweep grid on the tiny dataset; {@code extra} option/value pairs are added. */
  private static String[] sweep(Path out, String... extra) {
    List<String> a = new ArrayList<>(List.of("--widths", "16,24,32", "--lrs", "0.001,0.01,0.1", "--parametrizations",
        "standard,spectral"));
    a.addAll(List.of(extra));
    return tiny("lr-sweep", out, a.toArray(String[]::new));
  }

  @Test
  void lrSweepEndToEnd(@TempDir Path dir) throws IOException {
    Path out = dir.resolve("sweep");
    Run r = run(tiny("lr-sweep", out, "--threads", "2"));
    assertTrue(r.status() == 0 || r.status() == 1, r.err());
    assertTrue(r.out().contains("best lr"), r.out());
    assertTrue(r.out().contains("lr-sweep took"), r.out());
    JsonNode json = new ObjectMapper().readTree(out.resolve("lr-sweep.json").toFile());
    assertEquals(2 * 2 * 2, json.get("results").size());
    assertEquals(2 * 2, json.get("optimum").size());
    for (JsonNode o : json.get("optimum")) {
      assertTrue(o.get("lr").asDouble() == 0.001 || o.get("lr").asDouble() == 0.01, o.toString());
    }
    assertTrue(ImageIO.read(out.resolve("lr-sweep.png").toFile()).getWidth() > 0);
  }
}
