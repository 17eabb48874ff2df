package io.github.spectral4j.trainer;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes files atomically: the content goes to a temporary file in the target's directory, which is
 * forced to disk and then moved over the target, so a reader never sees a partial file and a failed
 * write leaves nothing behind. Temporary files are named {@code .NAME.PID-N.s4j-tmp}; one left by a
 * killed process (its PID no longer running) is removed by {@link #removeStale} on the next write
 * into that directory and when a run starts (a checkpoint writer takes its lock, an experiment checks
 * its {@code --out}).
 * Files are created with the default mode (0666 less the umask), like any other program's.
 */
public final class AtomicFiles {
  /** Suffix of this program's temporary files. */
  static final String TMP_SUFFIX = ".s4j-tmp";
  private static final Pattern TMP = Pattern.compile("\\..+\\.(\\d+)-\\d+" + Pattern.quote(TMP_SUFFIX));
  private static final AtomicLong COUNTER = new AtomicLong();

  private AtomicFiles() {}

  /**
   * A fresh temporary sibling of {@code target} ({@code .NAME.PID-N.s4j-tmp}), not yet created.
   *
   * @param target the file it will replace
   * @return the path
   */
  public static Path temporarySibling(Path target) {
    Path abs = target.toAbsolutePath();
    return abs.resolveSibling(
        "." + abs.getFileName() + "." + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet() + TMP_SUFFIX);
  }

  /**
   * Removes this program's temporary files in {@code dir} whose writing process is gone (killed
   * during a write): {@code .NAME.PID-N.s4j-tmp} files and directories with a PID that is not running.
   * Best effort: what cannot be removed is left.
   *
   * @param dir the directory; nothing happens if it does not exist
   * @return how many were removed
   */
  public static int removeStale(Path dir) {
    int removed = 0;
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, ".*" + TMP_SUFFIX)) {
      for (Path p : entries) {
        Matcher m = TMP.matcher(p.getFileName().toString());
        if (m.matches() && !running(m.group(1))) {
          removed += deleteTree(p);
        }
      }
    } catch (IOException | UncheckedIOException e) {
      // best effort: leftovers are harmless, and the real work should not fail because of them
    }
    return removed;
  }

  private static boolean running(String pid) {
    try {
      long p = Long.parseLong(pid);
      return p == ProcessHandle.current().pid() || ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false);
    } catch (NumberFormatException e) {
      return true;
    }
  }

  private static int deleteTree(Path p) throws IOException {
    if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      try (DirectoryStream<Path> children = Files.newDirectoryStream(p)) {
        for (Path c : children) {
          deleteTree(c);
        }
      }
    }
    return Files.deleteIfExists(p) ? 1 : 0;
  }

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
    removeStale(dir); // what a killed writer left here
    Path tmp = null;
    try {
      tmp = temporarySibling(absolute);
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
          OutputStream out = Channels.newOutputStream(ch)) {
        // The writer may close its stream (Jackson does); the channel must stay open to be forced.
        content.write(new FilterOutputStream(out) {
          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
          }

          @Override
          public void close() throws IOException {
            flush();
          }
        });
        out.flush();
        ch.force(true);
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
      Path probe = temporarySibling(dir.resolve("probe"));
      Files.newByteChannel(probe, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
      Files.delete(probe);
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

  /**
   * What went wrong, in one phrase: the message, after the exception's kind unless it is a plain
   * {@link IOException} ("No space left on device", "NoSuchFile /a/b").
   *
   * @param e the failure
   * @return the phrase
   */
  public static String describe(IOException e) {
    String kind = e.getClass() == IOException.class ? "" : e.getClass().getSimpleName().replace("Exception", "");
    String message = e.getMessage() == null ? "" : e.getMessage();
    return kind.isEmpty() || message.isEmpty() ? kind + message : kind + " " + message;
  }
}
