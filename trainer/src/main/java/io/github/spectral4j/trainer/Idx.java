package io.github.spectral4j.trainer;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reader of the IDX format used by MNIST: a big-endian magic {@code 0x000008TD} (type {@code 08} =
 * unsigned byte, {@code D} dimensions), {@code D} big-endian 32-bit sizes, then exactly
 * {@code ∏ sizes} bytes. Gzipped files are recognised by their first two bytes {@code 1f 8b}.
 */
final class Idx {
  /** Magic of an image file (unsigned bytes, 3 dimensions). */
  static final int IMAGES = 0x00000803;
  /** Magic of a label file (unsigned bytes, 1 dimension). */
  static final int LABELS = 0x00000801;

  /** The decoded content: sizes and the raw unsigned bytes. */
  record Content(int[] sizes, byte[] data) {}

  private Idx() {}

  static Content read(Path file, int expectedMagic) {
    byte[] raw;
    try {
      raw = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new UncheckedIOException(new NoSuchFileException(file + ": no such file"));
    } catch (IOException e) {
      throw new UncheckedIOException(new IOException("cannot read " + file + ": " + e.getMessage(), e));
    }
    return parse(file.toString(), raw, expectedMagic);
  }

  static Content read(String name, InputStream in, int expectedMagic) throws IOException {
    return parse(name, in.readAllBytes(), expectedMagic);
  }

  static Content parse(String name, byte[] raw, int expectedMagic) {
    byte[] bytes = raw;
    if (raw.length >= 2 && (raw[0] & 0xff) == 0x1f && (raw[1] & 0xff) == 0x8b) {
      try (InputStream in = new GZIPInputStream(new BufferedInputStream(new java.io.ByteArrayInputStream(raw)))) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length * 4);
        in.transferTo(out);
        bytes = out.toByteArray();
      } catch (ZipException | java.io.EOFException e) {
        throw bad(name, "corrupt or truncated gzip data (" + e.getMessage() + ")");
      } catch (IOException e) {
        throw bad(name, "cannot decompress (" + e.getMessage() + ")");
      }
    }
    if (bytes.length < 4) {
      throw bad(name, "file too short for an IDX header (" + bytes.length + " bytes)");
    }
    int magic = readInt(bytes, 0);
    if (magic != expectedMagic) {
      throw bad(
          name,
          String.format(
              "bad magic 0x%08x, expected 0x%08x (%s)",
              magic, expectedMagic, expectedMagic == IMAGES ? "IDX images" : "IDX labels"));
    }
    int dimsCount = magic & 0xff;
    int header = 4 + 4 * dimsCount;
    if (bytes.length < header) {
      throw bad(name, "truncated header: " + bytes.length + " bytes, need " + header);
    }
    int[] sizes = new int[dimsCount];
    long total = 1;
    for (int d = 0; d < dimsCount; d++) {
      sizes[d] = readInt(bytes, 4 + 4 * d);
      if (sizes[d] < 1) {
        throw bad(name, "dimension " + d + " is " + sizes[d] + ", must be >= 1");
      }
      total *= sizes[d];
      if (total > Integer.MAX_VALUE - 64) {
        throw bad(name, "dimensions too large");
      }
    }
    long have = bytes.length - header;
    if (have != total) {
      throw bad(
          name,
          (have < total ? "truncated" : "trailing bytes")
              + ": "
              + have
              + " data bytes, header promises "
              + total);
    }
    byte[] data = new byte[(int) total];
    System.arraycopy(bytes, header, data, 0, data.length);
    return new Content(sizes, data);
  }

  private static int readInt(byte[] b, int off) {
    return ((b[off] & 0xff) << 24) | ((b[off + 1] & 0xff) << 16) | ((b[off + 2] & 0xff) << 8) | (b[off + 3] & 0xff);
  }

  private static IllegalArgumentException bad(String name, String what) {
    return new IllegalArgumentException("invalid IDX file " + name + ": " + what);
  }
}
