package io.github.spectral4j.trainer;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reader of the IDX format used by MNIST: a big-endian magic {@code 0x000008TD} (type {@code 08} =
 * unsigned byte, {@code D} dimensions), {@code D} big-endian 32-bit sizes, then exactly
 * {@code ∏ sizes} bytes. Gzipped files are recognised by their first two bytes {@code 1f 8b}.
 *
 * <p>The file is read as a stream against the size its header states: the header is checked against
 * one Java array and the memory the JVM may use ({@link MemoryBudget}) before anything is allocated,
 * exactly the stated bytes are read, and one byte more is refused as "trailing bytes". So a gzip bomb,
 * {@code /dev/zero} or a file of many GiB is refused after reading at most its header plus the size it
 * claims, never inflated into memory.
 */
final class Idx {
  /** Magic of an image file (unsigned bytes, 3 dimensions). */
  static final int IMAGES = 0x00000803;
  /** Magic of a label file (unsigned bytes, 1 dimension). */
  static final int LABELS = 0x00000801;
  /**
   * Bytes of memory per stated data byte: the raw bytes plus, for images, the float copy the dataset
   * makes (4 bytes each).
   */
  private static final int BYTES_PER_BYTE = 5;

  /** The decoded content: sizes and the raw unsigned bytes. */
  record Content(int[] sizes, byte[] data) {}

  private Idx() {}

  static Content read(Path file, int expectedMagic) {
    if (Files.isDirectory(file)) {
      throw bad(file.toString(), "is a directory");
    }
    try (InputStream in = Files.newInputStream(file)) {
      return read(file.toString(), in, expectedMagic);
    } catch (NoSuchFileException e) {
      throw new UncheckedIOException(new NoSuchFileException(file + ": no such file"));
    } catch (AccessDeniedException e) {
      throw new UncheckedIOException(new AccessDeniedException(file + ": not readable"));
    } catch (IOException e) {
      throw new UncheckedIOException(new IOException("cannot read " + file + ": " + e.getMessage(), e));
    }
  }

  /**
   * Reads IDX content (plain or gzipped) from {@code in}, which is not closed.
   *
   * @throws IllegalArgumentException naming {@code name} for bad content or a size beyond the limits
   */
  static Content read(String name, InputStream in, int expectedMagic) throws IOException {
    BufferedInputStream buffered = new BufferedInputStream(in, 1 << 16);
    buffered.mark(2);
    int b0 = buffered.read();
    int b1 = buffered.read();
    buffered.reset();
    InputStream data = buffered;
    boolean gzip = b0 == 0x1f && b1 == 0x8b;
    try {
      if (gzip) {
        data = new BufferedInputStream(new GZIPInputStream(buffered, 1 << 16), 1 << 16);
      }
      return parse(name, data, expectedMagic);
    } catch (ZipException e) {
      throw bad(name, "corrupt gzip data (" + e.getMessage() + ")");
    } catch (EOFException e) {
      throw bad(name, gzip ? "truncated gzip data" : "truncated");
    }
  }

  private static Content parse(String name, InputStream in, int expectedMagic) throws IOException {
    byte[] four = new byte[4];
    int got = in.readNBytes(four, 0, 4);
    if (got < 4) {
      throw bad(name, "file too short for an IDX header (" + got + " bytes)");
    }
    int magic = readInt(four);
    if (magic != expectedMagic) {
      throw bad(
          name,
          String.format(
              "bad magic 0x%08x, expected 0x%08x (%s)",
              magic, expectedMagic, expectedMagic == IMAGES ? "IDX images" : "IDX labels"));
    }
    int dimsCount = magic & 0xff;
    int[] sizes = new int[dimsCount];
    long total = 1;
    for (int d = 0; d < dimsCount; d++) {
      if (in.readNBytes(four, 0, 4) < 4) {
        throw bad(name, "truncated header");
      }
      sizes[d] = readInt(four);
      if (sizes[d] < 1) {
        throw bad(name, "dimension " + d + " is " + sizes[d] + ", must be >= 1");
      }
      total = Math.multiplyHigh(total, sizes[d]) != 0 ? Long.MAX_VALUE : total * sizes[d];
    }
    if (total > MemoryBudget.MAX_ARRAY) {
      throw bad(name, String.format(Locale.ROOT,
          "header states %s data bytes, more than one Java array holds (%,d)", shape(sizes), MemoryBudget.MAX_ARRAY));
    }
    MemoryBudget.require("IDX file " + name + " (" + shape(sizes) + " bytes)", BYTES_PER_BYTE * total);
    byte[] data = new byte[(int) total];
    int have = in.readNBytes(data, 0, data.length);
    if (have < total) {
      throw bad(name, "truncated: " + have + " data bytes, header promises " + total);
    }
    if (in.read() != -1) {
      throw bad(name, "trailing bytes after the " + total + " data bytes the header promises");
    }
    return new Content(sizes, data);
  }

  private static String shape(int[] sizes) {
    StringBuilder s = new StringBuilder();
    double product = 1;
    for (int v : sizes) {
      s.append(s.isEmpty() ? "" : " × ").append(v);
      product *= v;
    }
    return sizes.length > 1 ? s + String.format(Locale.ROOT, " = %.4g", product) : s.toString();
  }

  private static int readInt(byte[] b) {
    return ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
  }

  private static IllegalArgumentException bad(String name, String what) {
    return new IllegalArgumentException("invalid IDX file " + name + ": " + what);
  }
}
