package io.github.spectral4j.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetTest {
  @TempDir Path dir;

  private static byte[] idx(int magic, int[] sizes, byte[] data) {
    ByteBuffer b = ByteBuffer.allocate(4 + 4 * sizes.length + data.length);
    b.putInt(magic);
    for (int s : sizes) {
      b.putInt(s);
    }
    b.put(data);
    return b.array();
  }

  private static byte[] gzip(byte[] raw) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(raw);
    }
    return out.toByteArray();
  }

  private Path write(String name, byte[] content) throws IOException {
    Path p = dir.resolve(name);
    Files.write(p, content);
    return p;
  }

  private static final byte[] PIXELS = {0, (byte) 255, 51, 102, 0, 0, 0, (byte) 255};

  @Test
  void readsPlainAndGzippedIdx() throws IOException {
    byte[] images = idx(0x803, new int[] {2, 2, 2}, PIXELS);
    byte[] labels = idx(0x801, new int[] {2}, new byte[] {7, 3});
    for (boolean gz : new boolean[] {false, true}) {
      Dataset d =
          Dataset.idx(
              write("i" + gz, gz ? gzip(images) : images), write("l" + gz, gz ? gzip(labels) : labels));
      assertEquals(2, d.size());
      assertEquals(4, d.inputDim());
      assertEquals(8, d.classes());
      Batch b = d.batch(new int[] {1, 0});
      assertArrayEquals(new int[] {3, 7}, b.labels());
      assertArrayEquals(new float[] {0, 0, 0, 1, 0, 1, 0.2f, 0.4f}, b.inputs().data(), 1e-7f);
    }
  }

  @Test
  void truncatedCorruptAndMismatchedFilesNameTheFile() throws IOException {
    byte[] images = idx(0x803, new int[] {2, 2, 2}, PIXELS);
    Path labels = write("labels", idx(0x801, new int[] {2}, new byte[] {1, 2}));
    Path truncated = write("truncated", Arrays.copyOf(images, images.length - 1));
    assertMessage(truncated, labels, "truncated");
    byte[] gz = gzip(images);
    assertMessage(write("truncated.gz", Arrays.copyOf(gz, gz.length - 10)), labels, "truncated.gz");
    assertMessage(write("badmagic", idx(0x802, new int[] {2, 2}, new byte[4])), labels, "bad magic");
    assertMessage(write("header", Arrays.copyOf(images, 9)), labels, "truncated header");
    assertMessage(write("trailing", Arrays.copyOf(images, images.length + 3)), labels, "trailing");
    Path three = write("three", idx(0x801, new int[] {3}, new byte[] {1, 2, 3}));
    assertMessage(write("images", images), three, "mismatch");
    UncheckedIOException missing =
        assertThrows(UncheckedIOException.class, () -> Dataset.idx(dir.resolve("nope"), labels));
    assertTrue(missing.getMessage().contains("nope"), missing.getMessage());
  }

  private static void assertMessage(Path images, Path labels, String fragment) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Dataset.idx(images, labels));
    assertTrue(e.getMessage().contains(fragment), e.getMessage());
    assertTrue(e.getMessage().contains(images.getFileName().toString()) || fragment.equals("mismatch"), e.getMessage());
  }

  @Test
  void bundledMnistHasTheDocumentedClassCounts() {
    Dataset m = Dataset.mnist10k();
    assertEquals(10_000, m.size());
    assertEquals(784, m.inputDim());
    assertEquals(10, m.classes());
    int[] counts = new int[10];
    for (int i = 0; i < m.size(); i++) {
      counts[m.label(i)]++;
    }
    assertArrayEquals(new int[] {1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978}, counts);
    float[] x = m.range(0, 100).inputs().data();
    float max = 0;
    for (float v : x) {
      assertTrue(v >= 0 && v <= 1);
      max = Math.max(max, v);
    }
    assertEquals(1f, max);
  }

  @Test
  void teacherIsSeededAndUsesSeveralClasses() {
    Dataset a = Dataset.teacher(20, 5, 500, 3);
    Dataset b = Dataset.teacher(20, 5, 500, 3);
    Dataset c = Dataset.teacher(20, 5, 500, 4);
    assertArrayEquals(a.range(0, 500).inputs().data(), b.range(0, 500).inputs().data());
    assertArrayEquals(a.range(0, 500).labels(), b.range(0, 500).labels());
    assertTrue(!Arrays.equals(a.range(0, 500).labels(), c.range(0, 500).labels()));
    int[] counts = new int[5];
    for (int y : a.range(0, 500).labels()) {
      counts[y]++;
    }
    assertTrue(Arrays.stream(counts).filter(n -> n >= 25).count() >= 3, Arrays.toString(counts));
  }

  @Test
  void subsetAndRangeCheckBounds() {
    Dataset m = Dataset.teacher(4, 2, 10, 1);
    assertEquals(3, m.subset(7, 3).size());
    assertThrows(IllegalArgumentException.class, () -> m.subset(8, 3));
    assertThrows(IllegalArgumentException.class, () -> m.range(-1, 2));
  }
}
