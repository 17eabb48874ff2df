package io.github.spectral4j.trainer.experiment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A report set is replaced all or nothing; a failed write leaves the previous set intact and complete. */
class ReportAtomicityTest {
  private static final List<String> NAMES = List.of("coord-check.json", "coord-check.csv", "coord-check.png");

  @TempDir Path dir;

  private static Map<String, byte[]> set(String run) {
    Map<String, byte[]> files = new LinkedHashMap<>();
    for (String n : NAMES) {
      files.put(n, (run + " " + n + "\n").repeat(1000).getBytes(StandardCharsets.UTF_8));
    }
    return files;
  }

  /** Fails the given operation on the given file (e.g. a full disk while writing the PNG). */
  private static ReportFiles.FileSystem failing(String op, String name) {
    return new ReportFiles.FileSystem() {
      @Override
      public void create(Path file, byte[] content) throws IOException {
        ReportFiles.FileSystem.DEFAULT.create(file, op.equals("create") && file.getFileName().toString().startsWith("." + name)
            ? java.util.Arrays.copyOf(content, content.length / 2) : content);
        if (op.equals("create") && file.getFileName().toString().startsWith("." + name)) {
          throw new IOException("No space left on device");
        }
      }

      @Override
      public void replace(Path from, Path to) throws IOException {
        if (op.equals("replace") && to.getFileName().toString().equals(name)) {
          throw new IOException("Input/output error");
        }
        ReportFiles.FileSystem.DEFAULT.replace(from, to);
      }
    };
  }

  private void assertSet(String run) throws IOException {
    Map<String, byte[]> expected = set(run);
    for (String n : NAMES) {
      assertArrayEquals(expected.get(n), Files.readAllBytes(dir.resolve(n)), n + " is run " + run + "'s");
    }
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(NAMES.stream().sorted().toList(), files.map(p -> p.getFileName().toString()).sorted().toList(),
          "nothing else, no temporary file");
    }
  }

  @Test
  void aWriteFailureLeavesThePreviousSetIntactAndComplete() throws IOException {
    ReportFiles.write(dir, set("old"));
    assertSet("old");
    for (String name : NAMES) {
      for (String op : List.of("create", "replace")) {
        UncheckedIOException e = assertThrows(
            UncheckedIOException.class, () -> ReportFiles.write(dir, set("new"), failing(op, name)));
        assertTrue(e.getMessage().contains(name) && e.getMessage().contains("unchanged"), e.getMessage());
        assertSet("old");
      }
    }
    ReportFiles.write(dir, set("new"));
    assertSet("new");
  }

  @Test
  void aFirstRunThatFailsLeavesNoReport() throws IOException {
    assertThrows(UncheckedIOException.class, () -> ReportFiles.write(dir, set("new"), failing("replace", NAMES.get(2))));
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(), files.toList());
    }
  }

  @Test
  void filesGetTheUmasksModeNotOwnerOnly() throws IOException {
    if (!FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      return;
    }
    Path plain = Files.write(dir.resolve("plain"), new byte[1]); // the umask's mode, as any program gets it
    Set<PosixFilePermission> expected = Files.getPosixFilePermissions(plain);
    Files.delete(plain);
    ReportFiles.write(dir, set("new"));
    for (String n : NAMES) {
      assertEquals(expected, Files.getPosixFilePermissions(dir.resolve(n)), n);
    }
    assertTrue(expected.contains(PosixFilePermission.OTHERS_READ) || expected.size() <= 3, expected.toString());
  }

  @Test
  void temporaryFilesOfKilledRunsAreRemovedOnTheNextStart() throws IOException {
    Path stale = Files.write(dir.resolve(".coord-check.png.2147483646-3.s4j-tmp"), new byte[100]);
    Path mine = Files.write(dir.resolve(".coord-check.png." + ProcessHandle.current().pid() + "-999999.s4j-tmp"), new byte[1]);
    Path other = Files.write(dir.resolve("notes.tmp"), new byte[1]);
    OutputDirectory.check(dir);
    assertTrue(Files.notExists(stale), "a dead process's temporary file is removed");
    assertTrue(Files.exists(other), "other files are left alone");
    assertTrue(Files.exists(mine), "a running process's temporary file is left alone");
    Files.delete(mine);
  }
}
