package io.github.spectral4j.trainer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes files atomically: the content goes to a temporary file in the target's directory, which is
 * then moved over the target, so a reader never sees a partial file and a failed write leaves nothing
 * behind.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** Something that writes a file's content to a stream. */
  @FunctionalInterface
  public interface Writer {
    void write(OutputStream out) throws IOException;
  }

  /**
   * Writes {@code target} atomically.
   *
   * @throws UncheckedIOException naming the path if the directory is missing or not writable, or the
   *     write fails; no file is left behind
   */
  public static void write(Path target, Writer content) {
    Path absolute = target.toAbsolutePath();
    Path dir = absolute.getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      throw new UncheckedIOException(
          new IOException("cannot write " + target + ": directory " + dir + " does not exist"));
    }
    Path tmp = null;
    try {
      tmp = Files.createTempFile(dir, "." + absolute.getFileName(), ".tmp");
      try (OutputStream out = Files.newOutputStream(tmp)) {
        content.write(out);
      }
      try {
        Files.move(tmp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, absolute, StandardCopyOption.REPLACE_EXISTING);
      }
      tmp = null;
    } catch (IOException e) {
      throw new UncheckedIOException(
          new IOException("cannot write " + target + ": " + describe(e), e));
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // best effort: the write already failed and is being reported
        }
      }
    }
  }

  /**
   * Whether a new file can be created in the existing directory {@code dir}: tried (the probe file is
   * deleted at once), not read off permission bits, which say nothing for root or for read-only and
   * virtual file systems.
   */
  public static boolean acceptsFiles(Path dir) {
    try {
      Files.delete(Files.createTempFile(dir, ".spectral4j-", ".probe"));
      return true;
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  /** Creates {@code dir} and its parents, or throws naming it if that is impossible. */
  public static Path createDirectories(Path dir) {
    try {
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(new IOException("cannot create directory " + dir + ": " + describe(e), e));
    }
  }

  private static String describe(IOException e) {
    String kind = e.getClass().getSimpleName().replace("Exception", "");
    return e.getMessage() == null ? kind : kind + " " + e.getMessage();
  }
}
