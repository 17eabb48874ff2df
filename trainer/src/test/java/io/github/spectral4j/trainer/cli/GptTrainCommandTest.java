package io.github.spectral4j.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train --model gpt} end to end on the bundled Brown corpus, with a tiny model. */
class GptTrainCommandTest {
  private static final String[] TINY = {
    "--model", "gpt", "--width", "16", "--heads", "2", "--blocks", "1", "--context", "16", "--base-width", "8",
    "--batch", "4", "--eval-windows", "8", "--sample-chars", "30"
  };

  @TempDir Path dir;

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

  private static void assertBadInput(Outcome o, String fragment) {
    assertEquals(2, o.status(), o.err());
    String err = o.err().strip();
    assertEquals(1, err.lines().count(), "one line: " + err);
    assertTrue(err.contains(fragment), err);
    assertFalse(err.contains("\tat "), err);
  }

  private static String lineStarting(String out, String prefix) {
    return out.lines().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow(() -> new AssertionError(prefix + " in " + out));
  }

  @Test
  void trainsReportsBitsPerCharacterAndSamples() {
    Outcome o = run(concat(TINY, "--steps", "6", "--optimizer", "muon"));
    assertEquals(0, o.status(), o.err());
    assertTrue(o.out().startsWith("train gpt on brown: width 16, 1 blocks, 2 heads, context 16"), o.out());
    assertTrue(o.out().contains("step      6"), o.out());
    assertTrue(lineStarting(o.out(), "held-out loss").contains("bits/char (8 of 37498 windows, 128 tokens)"), o.out());
    assertTrue(o.out().contains("sample (temperature 0.8, seed 1):\nThe "), o.out());
  }

  @Test
  void resumedRunEndsWhereTheFullRunEnds() throws Exception {
    Path half = dir.resolve("half.ckpt");
    Outcome full = run(concat(TINY, "--steps", "4", "--seed", "3"));
    assertEquals(0, run(concat(TINY, "--steps", "2", "--seed", "3", "--checkpoint", half.toString())).status());
    assertTrue(Files.exists(half));
    Outcome resumed =
        run("--model", "gpt", "--resume", half.toString(), "--steps", "2", "--eval-windows", "8", "--sample-chars", "30");
    assertEquals(0, resumed.status(), resumed.err());
    assertTrue(resumed.out().contains("(resumed at step 2)"), resumed.out());
    assertTrue(resumed.out().contains("step      4"), resumed.out());
    assertEquals(lineStarting(full.out(), "held-out"), lineStarting(resumed.out(), "held-out"));
    assertEquals(full.out().substring(full.out().indexOf("sample")), resumed.out().substring(resumed.out().indexOf("sample")));
    assertBadInput(run("--model", "gpt", "--resume", half.toString(), "--width", "32"), "--width cannot be combined with --resume");
    assertBadInput(run("--resume", half.toString(), "--steps", "1"), "not a mlp run");
  }

  @Test
  void badInputGivesOneLine() {
    assertBadInput(run("--model", "transformer"), "unknown --model 'transformer'");
    assertBadInput(run("--model", "gpt", "--dims", "784,10"), "--dims is an MLP option");
    assertBadInput(run("--width", "64"), "--width needs --model gpt");
    assertBadInput(run("--model", "gpt", "--width", "30", "--heads", "4"), "heads 4 must divide the width 30");
    assertBadInput(run("--model", "gpt", "--optimizer", "lion"), "unknown optimizer 'lion'");
    assertBadInput(run("--model", "gpt", "--steps", "0"), "--steps must be >= 1, got 0");
    assertBadInput(run("--model", "gpt", "--temperature", "-1"), "--temperature must be finite and >= 0, got -1.0");
    assertBadInput(run("--model", "gpt", "--prompt", "caf\u00e9"), "--prompt must be non-empty ASCII");
    assertBadInput(run("--model", "gpt", "--width", "65536", "--blocks", "8"), "width 65536");
    assertBadInput(run("--model", "gpt", "--checkpoint", dir.resolve("no/such/x.ckpt").toString()), "does not exist or is not writable");
  }
}
