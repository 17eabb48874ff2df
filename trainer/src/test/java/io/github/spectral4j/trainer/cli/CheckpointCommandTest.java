package io.github.spectral4j.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.spectral4j.trainer.Checkpoint;
import java.io.Closeable;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code train --checkpoint/--resume} does with corrupt, foreign and contested checkpoints. */
class CheckpointCommandTest {
  @TempDir Path dir;

  private record Outcome(int status, String out, String err) {}

  private static Outcome train(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> all = new ArrayList<>(List.of("train"));
    all.addAll(List.of(args));
    int status = Main.run(all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
    return new Outcome(status, out.toString(), err.toString());
  }

  private static void assertRefused(Outcome o, String fragment) {
    assertEquals(2, o.status(), o.out() + o.err());
    String err = o.err().strip();
    assertEquals(1, err.lines().count(), "one line: " + err);
    assertTrue(err.contains(fragment), err);
    assertFalse(o.out().contains("test accuracy"), "refused before training: " + o.out());
  }

  private Path smallRun() {
    Path file = dir.resolve("base.ckpt");
    Outcome o = train("--dataset", "teacher", "--dims", "6,5,3", "--batch", "8", "--steps", "3", "--bias",
        "--optimizer", "adam", "--checkpoint", file.toString());
    assertEquals(0, o.status(), o.err());
    return file;
  }

  @Test
  void flippedBitsAreRefusedWithOneLine() throws IOException {
    Path base = smallRun();
    byte[] good = Files.readAllBytes(base);
    SplittableRandom random = new SplittableRandom(13);
    Path flipped = dir.resolve("flipped.ckpt");
    for (int i = 0; i < 12; i++) {
      int bit = i < 4 ? 8 * i * 3 : random.nextInt(8 * good.length); // the header's first bytes, then anywhere
      byte[] b = good.clone();
      b[bit >> 3] ^= (byte) (1 << (bit & 7));
      Files.write(flipped, b);
      assertRefused(train("--dataset", "teacher", "--resume", flipped.toString(), "--steps", "1"), "flipped.ckpt");
    }
    assertEquals(0, train("--dataset", "teacher", "--resume", base.toString(), "--steps", "1").status());
  }

  @Test
  void resumingOnOtherDataIsRefused() {
    Path base = smallRun();
    assertRefused(train("--resume", base.toString(), "--steps", "1"), "other data");
    assertRefused(train("--dataset", "teacher", "--resume", base.toString(), "--steps", "1", "--test-fraction", "0.2"),
        "other data");
  }

  @Test
  void aSecondWriterOfTheSameCheckpointIsRefused() throws IOException {
    Path target = dir.resolve("shared.ckpt");
    try (Closeable first = Checkpoint.lockForWriting(target)) {
      assertRefused(train("--dataset", "teacher", "--dims", "6,5,3", "--steps", "1", "--checkpoint", target.toString()),
          "being written by another run");
    }
    assertFalse(Files.exists(target));
  }

  @Test
  void temporaryFilesOfKilledRunsAreRemovedOnTheNextStart() throws IOException {
    // A PID far above any pid_max names a writer that is surely gone.
    Path stale = Files.write(dir.resolve(".base.ckpt.2147483646-1.s4j-tmp"), new byte[1000]);
    Path foreign = Files.write(dir.resolve(".base.ckpt.tmp"), new byte[10]);
    smallRun();
    assertFalse(Files.exists(stale), "stale temporary file removed");
    assertTrue(Files.exists(foreign), "files of other patterns are left alone");
  }
}
