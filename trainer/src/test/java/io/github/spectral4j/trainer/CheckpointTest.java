package io.github.spectral4j.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.spectral4j.core.Optimizer;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
  /** Small enough that every bit of a checkpoint can be flipped in a few seconds. */
  private static final Dataset DATA = Dataset.teacher(6, 3, 64, 7);

  private static final TrainingConfig SMALL =
      TrainingConfig.defaults(new int[] {6, 5, 3})
          .withOptimizer(Optimizer.ADAM)
          .withLearningRate(0.01)
          .withBias(true)
          .withBatchSize(8);

  @TempDir Path dir;

  private Path smallCheckpoint() {
    Training t = new Training(SMALL, DATA);
    for (int i = 0; i < 3; i++) {
      t.step();
    }
    Path file = dir.resolve("small.ckpt");
    t.save(file);
    return file;
  }

  @Test
  void sectionsRoundTripAndTheApiIsTheDocumentedOne() throws IOException {
    Path file = dir.resolve("x.ckpt");
    float[] w = {1.5f, -2f, Float.MIN_VALUE};
    Checkpoint.writer("demo")
        .section("config", out -> out.writeUTF("hello"))
        .section("weights", out -> out.writeFloats(w))
        .section("empty", out -> {})
        .data("demo data", "abc123")
        .write(file);
    try (Checkpoint c = Checkpoint.open(file, "demo")) {
      assertEquals(List.of("config", "weights", "empty", "data"), c.sections());
      assertEquals("hello", c.read("config", in -> in.readUTF()));
      float[] back = new float[3];
      c.read("weights", in -> {
        in.readFloats(back, "w");
        return null;
      });
      assertArrayEquals(w, back);
      c.requireData("demo data", "abc123");
      IllegalArgumentException other = assertThrows(IllegalArgumentException.class, () -> c.requireData("mine", "ffff"));
      assertTrue(other.getMessage().contains("other data") && other.getMessage().contains("demo data"), other.getMessage());
      IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> c.read("nope", in -> null));
      assertTrue(missing.getMessage().contains("'nope'"), missing.getMessage());
      IllegalArgumentException partial = assertThrows(IllegalArgumentException.class, () -> c.read("config", in -> null));
      assertTrue(partial.getMessage().contains("unread bytes"), partial.getMessage());
      IllegalArgumentException past = assertThrows(IllegalArgumentException.class, () -> c.read("empty", in -> in.readInt()));
      assertTrue(past.getMessage().contains("ends early"), past.getMessage());
      IllegalArgumentException wrongLength = assertThrows(
          IllegalArgumentException.class, () -> c.read("weights", in -> {
            in.readFloats(new float[4], "w");
            return null;
          }));
      assertTrue(wrongLength.getMessage().contains("w has 3 values, expected 4"), wrongLength.getMessage());
    }
    IllegalArgumentException kind = assertThrows(IllegalArgumentException.class, () -> Checkpoint.open(file, "mlp"));
    assertTrue(kind.getMessage().contains("holds a demo run, not a mlp run"), kind.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Checkpoint.writer("k").section("a", o -> {}).section("a", o -> {}));
  }

  /** The bar: every single-bit flip of a small checkpoint is refused, with one line naming the file. */
  @Test
  void everySingleBitFlipIsRefused() throws IOException {
    Path good = smallCheckpoint();
    Training reference = Training.resume(good, DATA);
    assertEquals(3, reference.stepCount());
    byte[] bytes = Files.readAllBytes(good);
    Path flipped = dir.resolve("flipped.ckpt");
    Files.write(flipped, bytes);
    List<String> accepted = new ArrayList<>();
    for (int bit = 0; bit < 8 * bytes.length; bit++) {
      try (FileChannel ch = FileChannel.open(flipped, StandardOpenOption.WRITE)) {
        // Flip this bit and restore the previous one, in place: a few syscalls per case.
        if (bit > 0) {
          ch.write(ByteBuffer.wrap(new byte[] {bytes[(bit - 1) >> 3]}), (bit - 1) >> 3);
        }
        ch.write(ByteBuffer.wrap(new byte[] {(byte) (bytes[bit >> 3] ^ (1 << (bit & 7)))}), bit >> 3);
      }
      try {
        Training.resume(flipped, DATA);
        accepted.add("byte " + (bit >> 3) + " bit " + (bit & 7));
      } catch (IllegalArgumentException e) {
        String m = e.getMessage();
        if (m.contains("\n") || !m.contains("flipped.ckpt")) {
          fail("bit " + bit + ": not one line naming the file: " + m);
        }
      } catch (RuntimeException | Error e) {
        fail("bit " + bit + " (byte " + (bit >> 3) + " of " + bytes.length + ") gave " + e, e);
      }
    }
    assertEquals(List.of(), accepted, "flips accepted out of " + 8 * bytes.length);
    assertTrue(bytes.length > 500, "a checkpoint with every section: " + bytes.length + " bytes");
  }

  @Test
  void truncationsAndExtensionsAreRefused() throws IOException {
    byte[] bytes = Files.readAllBytes(smallCheckpoint());
    Path cut = dir.resolve("cut.ckpt");
    for (int n = 0; n < bytes.length; n += 7) {
      Files.write(cut, java.util.Arrays.copyOf(bytes, n));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Training.resume(cut, DATA));
      assertTrue(e.getMessage().contains("cut.ckpt"), e.getMessage());
    }
    Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length + 1));
    assertThrows(IllegalArgumentException.class, () -> Training.resume(cut, DATA));
  }

  @Test
  void resumeNamesWhatDiffers() throws IOException {
    Path good = smallCheckpoint();
    IllegalArgumentException data = assertThrows(
        IllegalArgumentException.class, () -> Training.resume(good, Dataset.teacher(6, 3, 64, 8)));
    assertTrue(data.getMessage().contains("other data"), data.getMessage());
    IllegalArgumentException config = assertThrows(
        IllegalArgumentException.class, () -> Training.resume(good, DATA, SMALL.withLearningRate(0.02)));
    assertTrue(config.getMessage().contains("lr 0.01 in the checkpoint, 0.02 requested"), config.getMessage());
    assertEquals(3, Training.resume(good, DATA, SMALL).stepCount());

    // A format-1 file (the envelope before this one) starts with the same magic and version 1.
    ByteArrayOutputStream v1 = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(v1)) {
      out.writeInt(0x53344A43);
      out.writeInt(1);
      out.write(new byte[100]);
    }
    Path old = dir.resolve("old.ckpt");
    Files.write(old, v1.toByteArray());
    IllegalArgumentException format = assertThrows(IllegalArgumentException.class, () -> Training.resume(old, DATA));
    assertTrue(format.getMessage().contains("written by an older format 1"), format.getMessage());

    // A format-2 file (MLP payload of the Updater era), otherwise intact: the version field says 2 and
    // the checksum matches, so the refusal is the format's, not the checksum's.
    byte[] v2 = Files.readAllBytes(good);
    java.nio.ByteBuffer.wrap(v2).putInt(4, 2);
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(v2, 0, v2.length - 4);
    java.nio.ByteBuffer.wrap(v2).putInt(v2.length - 4, (int) crc.getValue());
    Path older = dir.resolve("format2.ckpt");
    Files.write(older, v2);
    IllegalArgumentException format2 = assertThrows(IllegalArgumentException.class, () -> Training.resume(older, DATA));
    assertTrue(format2.getMessage().contains("written by an older format 2"), format2.getMessage());

    byte[] bytes = Files.readAllBytes(good);
    bytes[bytes.length / 2] ^= 4;
    Path corrupt = dir.resolve("corrupt.ckpt");
    Files.write(corrupt, bytes);
    IllegalArgumentException checksum = assertThrows(IllegalArgumentException.class, () -> Training.resume(corrupt, DATA));
    assertTrue(checksum.getMessage().contains("checksum mismatch"), checksum.getMessage());
  }

  @Test
  void aSecondWriterIsRefusedUntilTheFirstReleases() throws IOException {
    Path target = dir.resolve("run.ckpt");
    try (Closeable first = Checkpoint.lockForWriting(target)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.lockForWriting(target));
      assertTrue(e.getMessage().contains("being written by another run")
          && e.getMessage().contains(String.valueOf(ProcessHandle.current().pid())), e.getMessage());
    }
    Checkpoint.lockForWriting(target).close();
    assertFalse(Files.exists(target));
  }

  @Test
  void theNextWriteRemovesWhatAKilledWriterLeft() throws IOException {
    Path stale = Files.write(dir.resolve(".small.ckpt.2147483646-7.s4j-tmp"), new byte[64]);
    Path live = Files.write(dir.resolve(".small.ckpt." + ProcessHandle.current().pid() + "-999999.s4j-tmp"), new byte[1]);
    smallCheckpoint();
    assertFalse(Files.exists(stale), "a dead writer's temporary file is removed");
    assertTrue(Files.exists(live), "a running writer's is not");
    try (var files = Files.list(dir)) {
      assertEquals(List.of(".small.ckpt." + ProcessHandle.current().pid() + "-999999.s4j-tmp", "small.ckpt"),
          files.map(p -> p.getFileName().toString()).sorted().toList(), "and the write leaves none of its own");
    }
    if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      Path plain = Files.write(dir.resolve("plain"), new byte[1]);
      assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(dir.resolve("small.ckpt")),
          "the umask's mode, not owner-only");
    }
  }

  @Test
  void fingerprintsSeeEveryExample() {
    assertEquals(DATA.fingerprint(), Dataset.teacher(6, 3, 64, 7).fingerprint());
    assertEquals(64, DATA.fingerprint().length());
    assertFalse(DATA.fingerprint().equals(DATA.subset(0, 63).fingerprint()));
    assertFalse(DATA.subset(0, 32).fingerprint().equals(DATA.subset(1, 32).fingerprint()));
  }
}
