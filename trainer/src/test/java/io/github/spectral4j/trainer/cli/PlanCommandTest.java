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
import org.junit.jupiter.params.provider.ValueSource;

class PlanCommandTest {
  @TempDir Path dir;

  /** Runs the CLI; returns {exit status, stdout, stderr}. */
  static Object[] run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Object[] {status, out.toString(), err.toString()};
  }

  @Test
  void issueExampleGivesThePaperNumbers() throws IOException {
    Path json = dir.resolve("p.json");
    Object[] r =
        run("plan", "--dims", "784,4096,4096,10", "--parametrization", "spectral", "--optimizer", "sgd",
            "--json", json.toString());
    assertEquals(0, r[0], r[2].toString());
    JsonNode root = new ObjectMapper().readTree(json.toFile());
    assertEquals("spectral", root.get("parametrization").asText());
    assertEquals("sgd", root.get("optimizer").asText());
    JsonNode layers = root.get("layers");
    assertEquals(3, layers.size());
    assertEquals(1 / 64.0, layers.get(1).get("initStd").asDouble(), 0);
    assertEquals(4096 / 784.0, layers.get(0).get("learningRateMultiplier").asDouble(), 1e-15);
    assertEquals((1 / 64.0) * Math.sqrt(10 / 4096.0), layers.get(2).get("initStd").asDouble(), 1e-18);
    assertEquals("output", layers.get(2).get("role").asText());
    for (String field :
        new String[] {"name", "role", "fanIn", "fanOut", "initStd", "forwardMultiplier",
            "learningRateMultiplier", "targetWeightNorm", "targetUpdateNorm"}) {
      assertTrue(layers.get(0).has(field), field);
    }
    assertTrue(r[1].toString().contains("W2     hidden"), r[1].toString());
  }

  @Test
  void allParametrizationsWithBiasAndBase() {
    Object[] r = run("plan", "--dims", "784,1024,1024,10", "--bias", "--parametrization", "all",
        "--optimizer", "adam", "--base-dims", "784,256,256,10");
    assertEquals(0, r[0], r[2].toString());
    String out = r[1].toString();
    for (String p : new String[] {"standard", "ntk", "mup", "spectral"}) {
      assertTrue(out.contains(p + " parametrization, adam"), out);
    }
    assertTrue(out.contains("b3     bias"), out);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "--dims 784,0,10|'0'",
        "--dims 5|[5]",
        "--dims a,b|'a'",
        "--dims 5,5 --bogus|'--bogus'",
        "--dims 784,1024,1024,10 --base-dims 784,256,10|[784, 256, 10]",
        "--dims 5,5 --parametrization foo|'foo'",
        "--dims 5,5 --optimizer rmsprop|'rmsprop'",
        "--dims 5,5 --parametrization all --json @DIR/x.json|all",
        "--dims 5,5 --json @DIR/missing/p.json|missing"
      })
  void badInputExitsTwoWithOneLineNamingTheValue(String spec) throws IOException {
    String[] parts = spec.split("\\|");
    String[] args = ("plan " + parts[0].replace("@DIR", dir.toString())).split(" ");
    Object[] r = run(args);
    assertEquals(2, r[0]);
    String err = r[2].toString();
    assertEquals(1, err.lines().count(), err);
    assertTrue(err.contains(parts[1]), err);
    assertFalse(err.contains("Exception"), err);
    try (Stream<Path> files = Files.walk(dir)) {
      assertEquals(1, files.count(), "no file may be left behind");
    }
  }

  @Test
  void unwritableTargetLeavesNoFile() throws IOException {
    Path blocked = dir.resolve("blocked.json");
    Files.createDirectory(blocked); // a directory where the file should go: the move must fail
    Object[] r = run("plan", "--dims", "5,5", "--json", blocked.toString());
    assertEquals(2, r[0]);
    assertTrue(r[2].toString().contains("blocked.json"), r[2].toString());
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(1, files.count());
    }
  }

  @Test
  void versionAndHelp() {
    Object[] version = run("--version");
    assertEquals(0, version[0]);
    assertTrue(version[1].toString().startsWith("spectral4j "), version[1].toString());
    Object[] help = run("--help");
    assertEquals(0, help[0]);
    assertTrue(help[1].toString().contains("plan"), help[1].toString());
  }
}
