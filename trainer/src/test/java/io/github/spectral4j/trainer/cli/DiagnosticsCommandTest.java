package io.github.spectral4j.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code train --diagnostics-every}: the MLP and the GPT print one table with the same quantity names. */
class DiagnosticsCommandTest {
  private static final String[] TINY_GPT = {
    "--model", "gpt", "--width", "16", "--heads", "2", "--blocks", "1", "--context", "16", "--base-width", "8",
    "--batch", "4", "--eval-windows", "4", "--sample-chars", "0"
  };
  private static final List<String> PARAMETER_COLUMNS = List.of(
      "parameter", "kind", "fanIn", "fanOut", "w_spec_ratio", "dw_spec_ratio", "update_spec_ratio", "stable_rank",
      "alignment");
  private static final List<String> OUTPUT_COLUMNS = List.of("output", "width", "rms_h", "rms_dh");

  private record Outcome(int status, String out, String err) {}

  private static Outcome run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> all = new ArrayList<>(List.of("train"));
    all.addAll(List.of(args));
    int status = Main.run(all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
    return new Outcome(status, out.toString(), err.toString());
  }

  private static String[] concat(String[] a, String... b) {
    List<String> all = new ArrayList<>(List.of(a));
    all.addAll(List.of(b));
    return all.toArray(String[]::new);
  }

  /** The rows of the table printed at {@code step}: header line, then rows until the next non-indented line. */
  private static List<List<String>> table(String out, long step) {
    List<String> lines = out.lines().toList();
    int start = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith("  diagnostics at step " + step + " ")) {
        start = i + 1;
      }
    }
    assertTrue(start > 0, "no table at step " + step + " in\n" + out);
    List<List<String>> rows = new ArrayList<>();
    for (int i = start; i < lines.size() && lines.get(i).startsWith("  ") && !lines.get(i).startsWith("  diagnostics"); i++) {
      rows.add(List.of(lines.get(i).strip().split(" +")));
    }
    return rows;
  }

  private static void assertTable(List<List<String>> rows, List<String> parameters, List<String> outputs) {
    assertEquals(PARAMETER_COLUMNS, rows.getFirst());
    int o = 1 + parameters.size();
    assertEquals(OUTPUT_COLUMNS, rows.get(o), "output header after the parameters: " + rows);
    for (int i = 0; i < parameters.size(); i++) {
      List<String> row = rows.get(1 + i);
      assertEquals(parameters.get(i), row.getFirst());
      assertEquals(PARAMETER_COLUMNS.size(), row.size(), row.toString());
      double w = Double.parseDouble(row.get(4));
      assertTrue(w > 0 && Double.isFinite(w), row.toString());
      assertTrue(Double.parseDouble(row.get(5)) > 0, "dw_spec_ratio after training: " + row);
    }
    for (int i = 0; i < outputs.size(); i++) {
      List<String> row = rows.get(o + 1 + i);
      assertEquals(outputs.get(i), row.getFirst());
      assertTrue(Double.parseDouble(row.get(3)) > 0, "rms_dh after training: " + row);
    }
    assertEquals(o + 1 + outputs.size(), rows.size(), rows.toString());
  }

  @Test
  void mlpPrintsEveryParameterAndOutput() {
    Outcome r = run("--dims", "784,24,10", "--bias", "--steps", "4", "--batch", "32", "--diagnostics-every", "2");
    assertEquals(0, r.status(), r.err());
    List<List<String>> rows = table(r.out(), 4);
    assertTable(rows, List.of("W1", "b1", "W2", "b2"), List.of("layer1", "layer2"));
    // A bias has no stable rank nor alignment: printed as '-'.
    assertEquals(List.of("-", "-"), rows.get(2).subList(7, 9));
    assertEquals("bias", rows.get(2).get(1));
  }

  @Test
  void gptPrintsEveryParameterAndOutputWithTheSameNames() {
    Outcome r = run(concat(TINY_GPT, "--steps", "4", "--diagnostics-every", "2"));
    assertEquals(0, r.status(), r.err());
    table(r.out(), 2);
    List<List<String>> rows = table(r.out(), 4);
    assertTable(rows,
        List.of("embedding.token.weight", "embedding.position.weight", "blocks.0.attention_norm.gain",
            "blocks.0.attention.query.weight", "blocks.0.attention.key.weight", "blocks.0.attention.value.weight",
            "blocks.0.attention.output.weight", "blocks.0.mlp_norm.gain", "blocks.0.mlp.up.weight",
            "blocks.0.mlp.down.weight", "norm.gain", "readout.weight"),
        List.of("embedding", "block1", "logits"));
    assertEquals("embedding", rows.get(1).get(1));
    assertEquals("norm_gain", rows.get(3).get(1));
    assertFalse(rows.get(4).get(8).equals("-"), "a dense layer's alignment is measured: " + rows.get(4));
  }

  @Test
  void negativeIntervalIsOneLine() {
    Outcome r = run(concat(TINY_GPT, "--diagnostics-every", "-1"));
    assertEquals(2, r.status(), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().contains("--diagnostics-every must be >= 0, got -1"), r.err());
  }
}
