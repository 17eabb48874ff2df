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

/** {@code coord-check --model gpt}: bad input exits 2 with one line and no files; a tiny run writes the reports. */
class CoordCheckGptCommandTest {
  private record Run(int status, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(status, out.toString(), err.toString());
  }

  static Stream<Arguments> badInput() {
    return Stream.of(
        Arguments.of(new String[] {"--model", "rnn"}, "rnn"),
        Arguments.of(new String[] {"--model", "gpt", "--widths", "64,66"}, "66"),
        Arguments.of(new String[] {"--model", "gpt", "--base-width", "30"}, "30"),
        Arguments.of(new String[] {"--model", "gpt", "--optimizer", "sgd"}, "sgd"),
        Arguments.of(new String[] {"--model", "gpt", "--images", "x.idx"}, "--images"),
        Arguments.of(new String[] {"--model", "gpt", "--lr", "0"}, "--lr"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badInput")
  void badInputExitsTwoWithOneLineAndNoFiles(String[] bad, String named, @TempDir Path dir) throws IOException {
    Path out = dir.resolve("out");
    String[] args = Stream.concat(Stream.of("coord-check", "--out", out.toString()), Stream.of(bad)).toArray(String[]::new);
    Run r = run(args);
    assertEquals(2, r.status(), r.err());
    assertEquals(1, r.err().lines().count(), "one line: " + r.err());
    assertTrue(r.err().contains(named), "names " + named + ": " + r.err());
    assertFalse(Files.exists(out) && Files.list(out).findAny().isPresent(), "no files");
  }

  @Test
  void aTinyRunWritesTheReports(@TempDir Path dir) throws IOException {
    Run r = run("coord-check", "--model", "gpt", "--out", dir.toString(), "--widths", "8,16", "--base-width", "8",
        "--steps", "1", "--batch", "2", "--parametrizations", "mup");
    assertEquals(0, r.status(), r.err() + r.out());
    assertTrue(r.out().contains("embedding") && r.out().contains("block2") && r.out().contains("logits"), r.out());
    JsonNode json = new ObjectMapper().readTree(dir.resolve("coord-check.json").toFile());
    assertTrue(json.get("model").asText().startsWith("GPT, 2 blocks, 4 heads, context 64"), json.toString());
    assertEquals(4 * 5, json.get("series").size()); // 4 outputs x 5 metrics, one parametrization
  }
}
