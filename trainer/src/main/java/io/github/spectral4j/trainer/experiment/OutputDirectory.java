package io.github.spectral4j.trainer.experiment;

import io.github.spectral4j.trainer.AtomicFiles;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code --out} directory of an experiment, checked before any training starts so that a bad
 * path fails fast and leaves nothing behind: it must be a writable directory, or not exist yet under a
 * writable existing parent (it is then created when the reports are written).
 */
public final class OutputDirectory {
  private OutputDirectory() {}

  /**
   * Checks that the reports can be written into {@code dir}; creates nothing.
   *
   * @return {@code dir}, absolute
   * @throws IllegalArgumentException naming the path and what is wrong with it
   */
  public static Path check(Path dir) {
    Path abs = dir.toAbsolutePath().normalize();
    if (Files.exists(abs)) {
      if (!Files.isDirectory(abs)) {
        throw new IllegalArgumentException("--out " + dir + " is not a directory");
      }
      if (!Files.isWritable(abs)) {
        throw new IllegalArgumentException("--out " + dir + " is not writable");
      }
      return abs;
    }
    Path parent = abs.getParent();
    if (parent == null || !Files.isDirectory(parent)) {
      throw new IllegalArgumentException(
          "--out " + dir + ": parent directory " + parent + " does not exist");
    }
    if (!Files.isWritable(parent)) {
      throw new IllegalArgumentException(
          "--out " + dir + ": parent directory " + parent + " is not writable");
    }
    return abs;
  }

  /** Creates the checked directory if it is missing. */
  static Path create(Path dir) {
    return Files.isDirectory(dir) ? dir : AtomicFiles.createDirectories(dir);
  }
}
