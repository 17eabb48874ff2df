package io.github.spectral4j.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sizes that cannot fit are refused before anything is allocated or inflated: one line naming the
 * size and the limit, exit 2. The time bound is generous (the machine may be busy); what it catches is
 * the old behaviour, an OutOfMemoryError after 20–35 s.
 */
class SizeLimitsTest {
  private static final long GENEROUS_NANOS = 15_000_000_000L;

  @TempDir Path dir;

  private record Outcome(int status, String out, String err, long nanos) {}

  private static Outcome run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    long start = System.nanoTime();
    int status = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Outcome(status, out.toString(), err.toString(), System.nanoTime() - start);
  }

  private static void assertRefused(Outcome o, String... fragments) {
    assertEquals(2, o.status(), o.out() + o.err());
    String err = o.err().strip();
    assertEquals(1, err.lines().count(), "one line: " + err);
    for (String f : fragments) {
      assertTrue(err.contains(f), "'" + f + "' in: " + err);
    }
    assertFalse(err.contains("\tat ") || err.contains("Exception"), err);
    assertTrue(o.nanos() < GENEROUS_NANOS, "refused after " + o.nanos() / 1e9 + " s: " + err);
  }

  private static byte[] idxHeader(int magic, int... sizes) throws IOException {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(magic);
      for (int s : sizes) {
        out.writeInt(s);
      }
    }
    return bytes.toByteArray();
  }

  private Path labels(int n) throws IOException {
    byte[] h = idxHeader(0x801, n);
    byte[] all = java.util.Arrays.copyOf(h, h.length + n);
    return Files.write(dir.resolve("labels-idx1-ubyte"), all);
  }

  /** A gzip of {@code header} followed by {@code zeros} zero bytes: small on disk, large inflated. */
  private Path gzip(String name, byte[] header, long zeros) throws IOException {
    Path file = dir.resolve(name);
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file), 1 << 16)) {
      out.write(header);
      byte[] block = new byte[1 << 20];
      for (long left = zeros; left > 0; left -= block.length) {
        out.write(block, 0, (int) Math.min(block.length, left));
      }
    }
    return file;
  }

  @Test
  void modelsTooLargeForTheHeapAreRefusedNamingTheSizeAndTheLimit() {
    assertRefused(run("train", "--dims", "784,200000,200000,10"), "needs ≈", "GiB", "the JVM may use", "JAVA_OPTS");
    assertRefused(run("train", "--dims", "784,30000,30000,10"), "needs ≈", "the JVM may use");
    assertRefused(run("coord-check", "--widths", "1024,40000", "--out", dir.resolve("cc").toString()),
        "coord-check at width 40000 needs ≈", "the JVM may use");
    assertRefused(run("lr-sweep", "--widths", "1024,40000", "--out", dir.resolve("lr").toString()),
        "lr-sweep at width 40000", "needs ≈", "the JVM may use");
  }

  @Test
  void devZeroIsRefusedAtItsHeader() throws IOException {
    assumeTrue(Files.isReadable(Path.of("/dev/zero")));
    assertRefused(run("train", "--images", "/dev/zero", "--labels", labels(10).toString()), "/dev/zero", "bad magic");
  }

  @Test
  void gzipBombsAreNeverInflatedIntoMemory() throws IOException {
    Path labels = labels(10);
    // 64 MB of zeros behind a valid header for 10 images: refused after the 7,840 promised bytes.
    Path trailing = gzip("trailing.gz", idxHeader(0x803, 10, 28, 28), 64L << 20);
    assertTrue(Files.size(trailing) < 1 << 20, "small on disk: " + Files.size(trailing));
    assertRefused(run("train", "--images", trailing.toString(), "--labels", labels.toString()), "trailing.gz",
        "trailing bytes");
    // A header that promises 3 GiB: refused before reading on.
    Path huge = gzip("huge.gz", idxHeader(0x803, 3072, 1024, 1024), 1L << 20);
    assertRefused(run("train", "--images", huge.toString(), "--labels", labels.toString()), "huge.gz",
        "3072 × 1024 × 1024", "more than one Java array holds");
    // No header at all, zeros only.
    Path zeros = gzip("zeros.gz", new byte[0], 16L << 20);
    assertRefused(run("train", "--images", zeros.toString(), "--labels", labels.toString()), "zeros.gz", "bad magic");
  }

  @Test
  void aThreeGibIdxFileIsRefusedAtItsHeader() throws IOException {
    Path big = dir.resolve("big-idx3-ubyte");
    byte[] header = idxHeader(0x803, 3072, 1024, 1024);
    try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
      f.write(header);
      f.setLength(header.length + (3L << 30)); // sparse: no disk space used
    }
    assertRefused(run("train", "--images", big.toString(), "--labels", labels(10).toString()), "big-idx3-ubyte",
        "more than one Java array holds");
  }

  @Test
  void anIdxHeaderBeyondTheHeapIsRefusedBeforeAllocating() throws IOException {
    assumeTrue(Runtime.getRuntime().maxMemory() < 9L << 30, "needs a heap below 9 GiB");
    Path big = Files.write(dir.resolve("claims-2g"), idxHeader(0x803, 2000, 1000, 1000));
    assertRefused(run("train", "--images", big.toString(), "--labels", labels(10).toString()), "claims-2g",
        "needs ≈", "the JVM may use", "JAVA_OPTS");
  }
}
