package io.github.spectral4j.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code lr-sweep --model gpt}: bad input exits 2 with one line and no files before any training; a tiny
 * grid writes the three reports; slices merge into the unsharded report byte for byte.
 */
class LrSweepGptCommandTest {
  private record Run(int status, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(status, out.toString(), err.toString());
  }

  /** A tiny grid: 2 parametrizations × 2 widths × 2 learning rates, 2 steps, 2 held-out windows. */
  private static String[] tiny(Path out, String... more) {
    return Stream.concat(Stream.of("lr-sweep", "--model", "gpt", "--out", out.toString(), "--widths", "8,16",
        "--base-width", "8", "--lrs", "0.001,0.01", "--steps", "2", "--batch", "2", "--eval-windows", "2",
        "--parametrizations", "standard,spectral"), Stream.of(more)).toArray(String[]::new);
  }

  static Stream<Arguments> badInput() {
    return Stream.of(
        Arguments.of(new String[] {"--model", "rnn"}, "rnn"),
        Arguments.of(new String[] {"--model", "gpt", "--widths", "64,66"}, "66"),
        Arguments.of(new String[] {"--model", "gpt", "--base-width", "30"}, "30"),
        Arguments.of(new String[] {"--model", "gpt", "--optimizer", "sgd"}, "sgd"),
        Arguments.of(new String[] {"--model", "gpt", "--score-steps", "5"}, "--score-steps"),
        Arguments.of(new String[] {"--model", "gpt", "--bias"}, "--bias"),
        Arguments.of(new String[] {"--model", "gpt", "--lrs", "0.01,-1"}, "-1"),
        Arguments.of(new String[] {"--model", "gpt", "--steps", "0"}, "--steps"),
        Arguments.of(new String[] {"--model", "gpt", "--eval-windows", "0"}, "--eval-windows"),
        Arguments.of(new String[] {"--model", "gpt", "--eval-windows", "100000000"}, "100000000"),
        Arguments.of(new String[] {"--model", "gpt", "--parametrizations", "mup,mup"}, "mup"),
        Arguments.of(new String[] {"--model", "gpt", "--shard", "3/2"}, "3/2"),
        Arguments.of(new String[] {"--model", "gpt", "--shard", "1/97"}, "96 cells"),
        Arguments.of(new String[] {"--eval-windows", "4"}, "--eval-windows"),
        // 2 × 40 GPTs of width 8192 do not fit any test JVM: refused by the memory budget, not by an OOM
        Arguments.of(new String[] {"--model", "gpt", "--widths", "8192", "--threads", "40"}, "GiB"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badInput")
  void badInputExitsTwoWithOneLineAndNoFiles(String[] bad, String named, @TempDir Path dir) throws IOException {
    Path out = dir.resolve("out");
    String[] args = Stream.concat(Stream.of("lr-sweep", "--out", out.toString()), Stream.of(bad)).toArray(String[]::new);
    Run r = run(args);
    assertEquals(2, r.status(), r.err());
    assertEquals(1, r.err().lines().count(), "one line: " + r.err());
    assertTrue(r.err().contains(named), "names " + named + ": " + r.err());
    assertFalse(Files.exists(out) && Files.list(out).findAny().isPresent(), "no files");
  }

  @Test
  void aTinyGridWritesTheReportsAndSlicesMergeIntoTheSameOne(@TempDir Path dir) throws IOException {
    Run whole = run(tiny(dir.resolve("whole"), "--threads", "2"));
    assertTrue(whole.status() == 0 || whole.status() == 1, whole.err());
    assertTrue(whole.out().contains("held-out bits per character") && whole.out().contains("CPU time"), whole.out());
    for (String f : new String[] {"lr-sweep.json", "lr-sweep.csv", "lr-sweep.png"}) {
      assertTrue(Files.size(dir.resolve("whole").resolve(f)) > 0, f);
    }
    JsonNode json = new ObjectMapper().readTree(dir.resolve("whole/lr-sweep.json").toFile());
    assertEquals("gpt", json.get("model").asText());
    assertEquals(8, json.get("results").size());
    for (JsonNode r : json.get("results")) {
      double bits = r.get("loss").asDouble();
      assertTrue(bits > 1 && bits < 10, "held-out bits per character of a 2-step model near log2(128) = 7: " + r);
    }
    assertEquals(9, Files.readAllLines(dir.resolve("whole/lr-sweep.csv")).size()); // header + 8 cells

    Run a = run(tiny(dir.resolve("a"), "--threads", "1", "--shard", "1/3"));
    Run b = run(tiny(dir.resolve("b"), "--threads", "2", "--shard", "2/3"));
    Run c = run(tiny(dir.resolve("b"), "--shard", "3/3"));
    assertEquals(0, a.status() + b.status() + c.status(), a.err() + b.err() + c.err());
    Run merged = run("lr-sweep", "--merge", dir.resolve("a").toString(), dir.resolve("b").toString(), "--out",
        dir.resolve("merged").toString());
    assertEquals(whole.status(), merged.status(), merged.err());
    assertEquals(-1L, Files.mismatch(dir.resolve("whole/lr-sweep.json"), dir.resolve("merged/lr-sweep.json")));
    assertEquals(-1L, Files.mismatch(dir.resolve("whole/lr-sweep.csv"), dir.resolve("merged/lr-sweep.csv")));

    Run missing = run("lr-sweep", "--merge", dir.resolve("a").toString(), "--out", dir.resolve("m2").toString());
    assertEquals(2, missing.status());
    assertTrue(missing.err().contains("2/3, 3/3 missing"), missing.err());
    Run other = run(tiny(dir.resolve("c"), "--shard", "2/3", "--seed", "2"));
    assertEquals(0, other.status(), other.err());
    Run mixed = run("lr-sweep", "--merge", dir.resolve("a").toString(), dir.resolve("c").toString(), "--out",
        dir.resolve("m3").toString());
    assertEquals(2, mixed.status());
    assertTrue(mixed.err().contains("seed"), mixed.err());
  }
}
