package io.github.spectral4j.trainer.experiment;

import io.github.spectral4j.trainer.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code --out} directory of an experiment, checked before any training starts so that a bad
 * path fails fast and leaves nothing behind: it must be a directory that takes a new file, or not
 * exist yet under an existing parent that takes a new directory (it is then created when the reports are
 * written). Both are tried rather than read off permission bits, which say nothing for root and nothing
 * about read-only or virtual file systems.
 */
public final class OutputDirectory {
  private OutputDirectory() {}

  /**
   * Checks that the reports can be written into {@code dir}; leaves nothing behind (the probe file
   * ({@link AtomicFiles#acceptsFiles}) or directory it creates is deleted at once), and removes
   * temporary files that killed runs left there ({@link AtomicFiles#removeStale}).
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
      if (!AtomicFiles.acceptsFiles(abs)) {
        throw new IllegalArgumentException("--out " + dir + " is not writable");
      }
      AtomicFiles.removeStale(abs); // what a killed run left behind
      return abs;
    }
    Path parent = abs.getParent();
    if (parent == null || !Files.isDirectory(parent)) {
      throw new IllegalArgumentException(
          "--out " + dir + ": parent directory " + parent + " does not exist");
    }
    try {
      Files.delete(Files.createDirectory(abs));
    } catch (IOException | UnsupportedOperationException e) {
      throw new IllegalArgumentException("--out " + dir + " cannot be created");
    }
    return abs;
  }

  /** Creates the checked directory if it is missing. */
  static Path create(Path dir) {
    return Files.isDirectory(dir) ? dir : AtomicFiles.createDirectories(dir);
  }
}
