package io.github.spectral4j.simd.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The rule of {@link PanamaLevel1#FLOAT_VECTOR}, checked on the Panama kernels' sources: every vector made by a
 * load, a zero or a broadcast is cast to its exact class where it is made, and every {@link PanamaLevel1#widen}
 * result where it is used. An uncast one reaches C2 typed only FloatVector and binds its operations through the
 * receiver profile that every species in the JVM shares, which allocated in steady-state steps (see
 * trainer/pom.xml). The casts change no result; what they prevent shows only in some JVM histories, so a kernel
 * test can miss a missing one, and this check does not.
 */
class VectorCastsTest {
  private static final Path SOURCES = Path.of("src/main/java/io/github/spectral4j/simd/internal");

  /** A static vector factory: a load, a zero, a broadcast. */
  private static final Pattern FACTORY =
      Pattern.compile("\\b(?:Float|Double|Int)Vector\\.(?:fromArray|fromMemorySegment|zero|broadcast)\\(");

  private static final Pattern WIDEN = Pattern.compile("(?<![\\w.])widen\\(");

  @Test
  void everyFreshVectorIsCastToItsClass() throws IOException {
    List<String> uncast = new ArrayList<>();
    int checked = 0;
    try (Stream<Path> files = Files.list(SOURCES)) {
      for (Path file : files.filter(f -> f.getFileName().toString().startsWith("Panama")).sorted().toList()) {
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
          String line = lines.get(i);
          String code = line.strip();
          if (code.startsWith("*") || code.startsWith("/**") || code.startsWith("//") || line.contains(".getClass()")) {
            continue; // comments, and the class constants themselves (made from a zero)
          }
          checked += collect(FACTORY, line, "_VECTOR.cast(", file, i, uncast);
          if (!line.contains("static Vector<Double> widen(")) {
            checked += collect(WIDEN, line, "DOUBLE_VECTOR.cast(", file, i, uncast);
          }
        }
      }
    }
    assertTrue(checked > 500, "found only " + checked + " vector factories: was " + SOURCES + " moved?");
    assertEquals(List.of(), uncast, "vectors not cast to their class where made (see PanamaLevel1.FLOAT_VECTOR)");
  }

  /** Counts the matches on a line, adding to uncast those not directly inside a call ending in castPrefix. */
  private static int collect(Pattern pattern, String line, String castPrefix, Path file, int i, List<String> uncast) {
    Matcher m = pattern.matcher(line);
    int n = 0;
    while (m.find()) {
      n++;
      if (!line.substring(0, m.start()).endsWith(castPrefix)) {
        uncast.add(file.getFileName() + ":" + (i + 1) + ": " + line.strip());
      }
    }
    return n;
  }
}
