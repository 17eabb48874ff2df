package io.github.spectral4j.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A command whose standard output cannot be written (like {@code > /dev/full}) does not exit 0. */
class StandardOutputErrorsTest {
  @TempDir Path dir;

  /** Like /dev/full: every write fails with ENOSPC. */
  private static final class Full extends OutputStream {
    @Override
    public void write(int b) throws IOException {
      throw new IOException("No space left on device");
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      throw new IOException("No space left on device");
    }
  }

  private static void assertFails(String... args) {
    StringWriter err = new StringWriter();
    int status = Main.run(args, new PrintWriter(new Full(), true), new PrintWriter(err, true));
    assertTrue(status != 0, String.join(" ", args) + " exited 0");
    assertTrue(err.toString().contains("cannot write to standard output"), err.toString());
  }

  @Test
  void everyCommandFailsWhenItsOutputCannotBeWritten() {
    assertFails("plan", "--dims", "784,64,10");
    assertFails("--help");
    assertFails("--version");
    assertFails("train", "--dataset", "teacher", "--dims", "6,5,3", "--batch", "8", "--steps", "2");
    assertFails("coord-check", "--widths", "784,800", "--parametrizations", "spectral", "--steps", "1",
        "--repeats", "1", "--batch", "16", "--probe", "16", "--limit", "200", "--out", dir.resolve("cc").toString());
  }

  @Test
  void writableOutputStillSucceeds() {
    StringWriter out = new StringWriter();
    assertEquals(0, Main.run(new String[] {"plan", "--dims", "784,64,10"}, new PrintWriter(out, true),
        new PrintWriter(new StringWriter(), true)));
    assertTrue(out.toString().contains("fan-in"), out.toString());
  }
}
