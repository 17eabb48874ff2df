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
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * What the experiment reports share: non-finite numbers written as JSON {@code null}, and writing a set of
 * files into a directory all or nothing, every file rendered before the first is written.
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

  /**
   * Creates {@code dir} if missing and replaces the report set {@code files} in it all or nothing: every
   * file is first written in full to a temporary sibling ({@code .NAME.PID-N.s4j-tmp}) and forced to
   * disk; only when all are there are they renamed over the old ones, back to back (renames in one
   * directory need no space, so a full disk fails before the first). If a rename fails anyway, the old
   * files, kept as hard links until the end, are put back. Either way a failure leaves the previous
   * set intact and complete, and no temporary file behind.
   *
   * <p>Why not a staging directory renamed over {@code --out}: that directory is the user's and may hold
   * other reports (coord-check and lr-sweep share {@code results/}), which a directory swap would drop.
   * Why not a manifest written last: people open the PNG, not a manifest.
   */
  static void write(Path dir, Map<String, byte[]> files) {
    write(dir, files, FileSystem.DEFAULT);
  }

  /** The file operations of {@link #write}, replaceable to inject failures in tests. */
  interface FileSystem {
    /** Creates {@code file} (which must not exist) with {@code content}, forced to disk. */
    void create(Path file, byte[] content) throws IOException;

    /** Renames {@code from} over {@code to} (atomically where the file system can). */
    void replace(Path from, Path to) throws IOException;

    FileSystem DEFAULT = new FileSystem() {
      @Override
      public void create(Path file, byte[] content) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
          ByteBuffer b = ByteBuffer.wrap(content);
          while (b.hasRemaining()) {
            ch.write(b);
          }
          ch.force(true);
        }
      }

      @Override
      public void replace(Path from, Path to) throws IOException {
        try {
          Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    };
  }

  static void write(Path dir, Map<String, byte[]> files, FileSystem fs) {
    Path d = OutputDirectory.create(dir);
    AtomicFiles.removeStale(d);
    Map<Path, Path> staged = new LinkedHashMap<>(); // target -> temporary
    Map<Path, Path> kept = new LinkedHashMap<>(); // target -> hard link to its old content
    List<Path> published = new ArrayList<>();
    Path current = null;
    try {
      for (Map.Entry<String, byte[]> file : files.entrySet()) {
        current = d.resolve(file.getKey());
        Path tmp = AtomicFiles.temporarySibling(current);
        staged.put(current, tmp);
        fs.create(tmp, file.getValue());
      }
      for (Path target : staged.keySet()) {
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
          Path old = AtomicFiles.temporarySibling(target);
          try {
            Files.createLink(old, target);
            kept.put(target, old);
          } catch (IOException | UnsupportedOperationException e) {
            // no hard links here: a failed rename (rarer still) could then not be undone
          }
        }
      }
      for (Map.Entry<Path, Path> s : staged.entrySet()) {
        current = s.getKey();
        fs.replace(s.getValue(), current);
        published.add(current);
      }
    } catch (IOException e) {
      for (Path target : published) {
        Path old = kept.get(target);
        try {
          if (old != null) {
            Files.move(old, target, StandardCopyOption.REPLACE_EXISTING);
          } else {
            Files.deleteIfExists(target);
          }
        } catch (IOException ignored) {
          // best effort; the original failure is what gets reported
        }
      }
      throw new UncheckedIOException(new IOException(
          "cannot write " + current + ": " + AtomicFiles.describe(e)
              + "; the previous reports in " + d + " are unchanged", e));
    } finally {
      for (Path p : staged.values()) {
        deleteQuietly(p);
      }
      for (Path p : kept.values()) {
        deleteQuietly(p);
      }
    }
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException ignored) {
      // a leftover temporary file is removed by the next run (AtomicFiles.removeStale)
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
