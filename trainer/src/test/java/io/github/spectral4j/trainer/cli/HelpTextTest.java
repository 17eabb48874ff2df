package io.github.spectral4j.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every command's {@code --help} renders without picocli complaining on the process's standard error: a
 * description with a bare {@code %} (as in "95%") is a format string to picocli, which then prints a
 * {@code [picocli WARN]} to {@code System.err} and shows the raw text.
 */
class HelpTextTest {
  @ParameterizedTest(name = "{0} --help")
  @ValueSource(strings = {"plan", "train", "coord-check", "lr-sweep"})
  void helpRendersWithoutWarnings(String command) {
    PrintStream saved = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status;
    try {
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      status = Main.run(new String[] {command, "--help"}, new PrintWriter(out, true), new PrintWriter(err, true));
    } finally {
      System.setErr(saved);
    }
    String stderr = captured.toString(StandardCharsets.UTF_8);
    assertEquals(0, status, err.toString());
    assertFalse(stderr.contains("picocli"), stderr);
    assertEquals("", err.toString());
    assertTrue(out.toString().contains("Usage: spectral4j " + command), out.toString());
    assertFalse(out.toString().contains("%n"), out.toString());
  }
}
