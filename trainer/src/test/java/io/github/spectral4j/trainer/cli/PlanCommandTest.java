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
    assertTrue(r[1].toString().matches("(?s).*\\nW2 +hidden .*"), r[1].toString());
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
    assertTrue(out.matches("(?s).*\\nb3 +bias .*"), out);
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
        "--dims 5,5 --json @DIR/missing/p.json|missing",
        "--dims 5,5 --model @DIR/m.json|--model",
        "--model @DIR/none.json|none.json",
        "--dims 5,5 --base @DIR/none.json|--base"
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

  static final Path GPT2 = Path.of("..", "docs", "plan", "gpt2-small.json");
  static final Path GPT2_BASE = Path.of("..", "docs", "plan", "gpt2-base256.json");

  @Test
  void gpt2SmallRelativeToItsWidth256BaseByHand() throws IOException {
    Path json = dir.resolve("gpt2.json");
    Object[] r = run("plan", "--model", GPT2.toString(), "--base", GPT2_BASE.toString(), "--optimizer", "adam",
        "--json", json.toString());
    assertEquals(0, r[0], r[2].toString());
    JsonNode root = new ObjectMapper().readTree(json.toFile());
    JsonNode in = new ObjectMapper().readTree(GPT2.toFile()).get("parameters");
    JsonNode ps = root.get("parameters");
    assertEquals(148, ps.size());
    long entries = 0;
    for (int i = 0; i < ps.size(); i++) {
      JsonNode p = ps.get(i);
      assertEquals(in.get(i).get("name").asText(), p.get("name").asText(), "input order");
      for (String field : new String[] {"name", "kind", "shape", "fanIn", "fanOut", "initStd", "forwardMultiplier",
          "learningRateMultiplier", "targetWeightNorm", "targetUpdateNorm", "weightDecayMultiplier",
          "epsilonMultiplier"}) {
        assertTrue(p.has(field), p.get("name") + " " + field);
      }
      long n = 1;
      for (JsonNode d : p.get("shape")) {
        n *= d.asLong();
      }
      entries += n;
    }
    assertEquals(124_439_808L, entries, "GPT-2 small has 124M parameters (lm_head tied to wte)");
    assertEquals(1 / Math.sqrt(64), root.get("attentionLogitMultiplier").asDouble(), 1e-15);
    // lm_head is wte: spectral's readout [50257, 768] wants σ = 1/√768 (fan-out > fan-in), wte has σ = 1
    assertEquals("transformer.wte.weight", root.get("tiedReadout").asText());
    assertEquals(1.0, root.get("residualBranchMultiplier").asDouble(), 0); // 12 blocks, as the base
    assertEquals(1 / Math.sqrt(768), root.get("tiedReadoutMultiplier").asDouble(), 1e-15);
    JsonNode wte = ps.get(0);
    assertEquals(1.0, wte.get("initStd").asDouble(), 0); // RMS-1 rows, as at the base
    assertEquals(1.0, wte.get("learningRateMultiplier").asDouble(), 0); // Adam, vector-like: Θ(1)
    JsonNode cAttn = find(ps, "transformer.h.0.attn.c_attn.weight");
    assertEquals("in_out", cAttn.get("layout").asText());
    assertEquals(768, cAttn.get("fanIn").asInt());
    assertEquals(2304, cAttn.get("fanOut").asInt());
    assertEquals(1 / 3.0, cAttn.get("learningRateMultiplier").asDouble(), 1e-15); // (1/768)/(1/256)
    assertEquals(3.0, cAttn.get("weightDecayMultiplier").asDouble(), 1e-12); // η_l·λ_l fixed
    assertEquals(Math.sqrt(1 / 256.0) * Math.sqrt(256 / 768.0), cAttn.get("initStd").asDouble(), 1e-15);
    JsonNode gain = find(ps, "transformer.h.3.ln_2.weight");
    assertEquals(1.0, gain.get("initMean").asDouble(), 0);
    assertEquals(0.0, gain.get("initStd").asDouble(), 0);
    assertEquals(0.0, gain.get("weightDecayMultiplier").asDouble(), 0);
    JsonNode fcBias = find(ps, "transformer.h.11.mlp.c_fc.bias");
    assertEquals(0.0, fcBias.get("initStd").asDouble(), 0);
    assertEquals(1.0, fcBias.get("learningRateMultiplier").asDouble(), 0);
  }

  @Test
  void gpt2UnderSgdGivesVectorsTheirWidthScaling() throws IOException {
    Path json = dir.resolve("gpt2.json");
    Object[] r = run("plan", "--model", GPT2.toString(), "--base", GPT2_BASE.toString(), "--json", json.toString());
    assertEquals(0, r[0], r[2].toString());
    JsonNode ps = new ObjectMapper().readTree(json.toFile()).get("parameters");
    // SGD: a vector's rate grows like its width, 3x from 256 to 768 (fused QKV bias: 2304/768)
    assertEquals(3.0, find(ps, "transformer.h.0.attn.c_attn.bias").get("learningRateMultiplier").asDouble(), 1e-15);
    assertEquals(3.0, find(ps, "transformer.wte.weight").get("learningRateMultiplier").asDouble(), 1e-15);
    assertEquals(1.0, find(ps, "transformer.h.0.mlp.c_fc.weight").get("learningRateMultiplier").asDouble(), 1e-15);
    String out = r[1].toString();
    assertTrue(out.contains("transformer.h.11.mlp.c_proj.bias"), out);
    assertTrue(out.contains("attention logit multiplier 0.125"), out);
    // μP's readout σ = 1/fan-in relative to the base: (1/16)·(256/768) = 1/48
    Object[] mup = run("plan", "--model", GPT2.toString(), "--base", GPT2_BASE.toString(), "--parametrization", "mup");
    assertTrue(mup[1].toString().contains("logits = 0.0208333 · h·Eᵀ"), mup[1].toString());
  }

  private static JsonNode find(JsonNode ps, String name) {
    for (JsonNode p : ps) {
      if (p.get("name").asText().equals(name)) {
        return p;
      }
    }
    throw new AssertionError("no parameter " + name);
  }

  @Test
  void helpListsEveryKind() {
    Object[] help = run("plan", "--help");
    assertEquals(0, help[0]);
    for (io.github.spectral4j.core.ParameterKind k : io.github.spectral4j.core.ParameterKind.values()) {
      assertTrue(help[1].toString().contains(k.id()), k.id());
    }
  }

  /** Bad model files: exit 2, one line naming the parameter (or the file) and the problem, no file written. */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"parameters\": [{\"name\": \"w\", \"kind\": \"dense\", \"shape\": [3, 4]}]}|parameter w: unknown parameter kind 'dense'",
        "{\"parameters\": [{\"name\": \"w\", \"kind\": \"hidden\", \"shape\": [3]}]}|parameter w: kind hidden needs a shape of rank 2",
        "{\"parameters\": [{\"name\": \"g\", \"kind\": \"norm_gain\", \"shape\": [3, 3]}]}|parameter g: kind norm_gain needs a shape of rank 1",
        "{\"parameters\": [{\"name\": \"w\", \"kind\": \"hidden\", \"shape\": [0, 4]}]}|parameter w: shape [0, 4]",
        "{\"parameters\": [{\"name\": \"w\", \"kind\": \"hidden\", \"shape\": [-2, 4]}]}|parameter w: shape [-2, 4]",
        "{\"parameters\": [{\"name\": \"w\", \"kind\": \"hidden\", \"shape\": [2, 4]}, {\"name\": \"w\", \"kind\": \"bias\", \"shape\": [2]}]}|parameter w: the name appears twice",
        "{\"parameters\": [{\"name\": \"w\", \"kind\": \"hidden\", \"shape\": [2, 4]},]}|malformed JSON at line 1",
        "{\"parameters\": [{\"name\": \"w\", \"kind\": \"hidden\", \"shape\": [2, 4.5]}]}|parameter w: shape [2,4.5] has 4.5",
        "{\"parameters\": [{\"name\": \"w\", \"kind\": \"hidden\", \"shap\": [2, 4]}]}|parameter w: unknown field \"shap\"",
        "{\"parameters\": [{\"kind\": \"hidden\", \"shape\": [2, 4]}]}|parameter #1: \"name\"",
        "{\"parameters\": [{\"name\": \"q\", \"kind\": \"attention_qkv\", \"shape\": [4, 4]}]}|parameter q: attention_qkv",
        "{\"parameters\": [{\"name\": \"b\", \"kind\": \"bias\", \"shape\": [4], \"layout\": \"in_out\"}]}|parameter b: kind bias has a fixed layout",
        "[1, 2]|expected a JSON object",
        "{\"parameters\": [{\"name\": \"v\", \"kind\": \"hidden\", \"shape\": [2, 4]}]}|BASE parameter v: not in the base model"
      })
  void badModelFileExitsTwoWithOneLineNamingParameterAndProblem(String spec) throws IOException {
    String[] parts = spec.split("\\|");
    boolean againstBase = parts[1].startsWith("BASE ");
    String expected = againstBase ? parts[1].substring(5) : parts[1];
    Path model = dir.resolve("m.json");
    Files.writeString(model, parts[0]);
    Path baseFile = dir.resolve("b.json");
    Files.writeString(baseFile, "{\"parameters\": [{\"name\": \"w\", \"kind\": \"hidden\", \"shape\": [2, 4]}]}");
    Path out = dir.resolve("out.json");
    Object[] r = againstBase
        ? run("plan", "--model", model.toString(), "--base", baseFile.toString(), "--json", out.toString())
        : run("plan", "--model", model.toString(), "--json", out.toString());
    assertEquals(2, r[0], r[1].toString());
    String err = r[2].toString();
    assertEquals(1, err.lines().count(), err);
    assertTrue(err.contains(expected), err);
    assertFalse(err.contains("Exception"), err);
    assertFalse(Files.exists(out), "no partial file");
  }
}
