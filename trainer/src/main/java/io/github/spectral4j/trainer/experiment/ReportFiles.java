package io.github.spectral4j.trainer.experiment;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.spectral4j.trainer.AtomicFiles;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * What the experiment reports share: non-finite numbers written as JSON {@code null}, and writing a set of
 * files into a directory with every file rendered before the first is written, each one atomically.
 */
final class ReportFiles {
  private ReportFiles() {}

  /** {@code o.name = v}, or {@code null} when v is NaN or infinite (JSON has no such numbers). */
  static void putFinite(ObjectNode o, String name, double v) {
    if (Double.isFinite(v)) {
      o.put(name, v);
    } else {
      o.putNull(name);
    }
  }

  /** Appends v, or {@code null} when v is NaN or infinite. */
  static void addFinite(ArrayNode a, double v) {
    if (Double.isFinite(v)) {
      a.add(v);
    } else {
      a.addNull();
    }
  }

  /** Indented JSON with a final newline, UTF-8. */
  static byte[] json(ObjectNode root) {
    try {
      return (new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root) + "\n")
          .getBytes(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The image encoded as PNG. */
  static byte[] png(BufferedImage image) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      if (!ImageIO.write(image, "png", bytes)) {
        throw new IOException("no PNG writer available");
      }
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Creates {@code dir} if missing and writes each named content into it atomically, in order. */
  static void write(Path dir, Map<String, byte[]> files) {
    Path d = OutputDirectory.create(dir);
    for (Map.Entry<String, byte[]> file : files.entrySet()) {
      byte[] content = file.getValue();
      AtomicFiles.write(d.resolve(file.getKey()), out -> out.write(content));
    }
  }

  /** An insertion-ordered map of file names to contents, for {@link #write}. */
  static Map<String, byte[]> files(String name1, byte[] content1, String name2, byte[] content2) {
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put(name1, content1);
    files.put(name2, content2);
    return files;
  }
}
