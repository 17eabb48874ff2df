import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Build step (root POM, verify phase), run as a single-file program: fails the build when the
 * README's code no longer is the code of {@code examples/}, which the build compiles and runs.
 *
 * <p>A fenced code block right after a line {@code <!-- snippet: PATH -->} must be the whole file PATH,
 * verbatim; after {@code <!-- excerpt: PATH -->} it must be consecutive lines of PATH, verbatim up to a
 * common indentation. Every Java file under {@code examples/NAME/src} must be shown whole. Every
 * dependency on a spectral4j artifact in an example POM must name the version being built, so the
 * README (which shows those POMs) names it too.
 *
 * <p>Arguments: the repository root and the project version. Exit status 1 with one line per problem.
 */
final class ReadmeSnippets {
  private static final Pattern MARKER = Pattern.compile("^<!-- (snippet|excerpt): (\\S+) -->$");
  private static final Pattern SPECTRAL4J_VERSION = Pattern.compile(
      "<artifactId>(spectral4j-[a-z]+)</artifactId>\\s*<version>([^<]*)</version>");

  public static void main(String[] args) throws IOException {
    Path root = Path.of(args[0]);
    String version = args[1];
    List<String> readme = Files.readAllLines(root.resolve("README.md"));
    List<String> problems = new ArrayList<>();
    TreeSet<String> shownWhole = new TreeSet<>();

    for (int i = 0; i < readme.size(); i++) {
      Matcher m = MARKER.matcher(readme.get(i).strip());
      if (!m.matches()) {
        continue;
      }
      String kind = m.group(1);
      String path = m.group(2);
      int line = i + 1;
      if (i + 1 >= readme.size() || !readme.get(i + 1).startsWith("```")) {
        problems.add("README.md:" + line + ": " + kind + " marker not followed by a ``` block");
        continue;
      }
      int end = i + 2;
      while (end < readme.size() && !readme.get(end).startsWith("```")) {
        end++;
      }
      List<String> block = readme.subList(i + 2, end);
      Path file = root.resolve(path);
      if (!Files.isRegularFile(file)) {
        problems.add("README.md:" + line + ": " + path + " does not exist");
        continue;
      }
      List<String> lines = Files.readAllLines(file);
      if (kind.equals("snippet")) {
        shownWhole.add(path);
        if (!lines.equals(block)) {
          problems.add("README.md:" + line + ": the block differs from " + path + firstDifference(block, lines));
        }
      } else if (!containsDedented(lines, block)) {
        problems.add("README.md:" + line + ": the block is not a run of lines of " + path);
      }
      i = end;
    }

    try (Stream<Path> files = Files.walk(root.resolve("examples"))) {
      files.filter(p -> p.toString().endsWith(".java"))
          .map(p -> root.relativize(p).toString().replace('\\', '/'))
          .filter(p -> p.matches("examples/[^/]+/src/.*"))
          .filter(p -> !shownWhole.contains(p))
          .sorted()
          .forEach(p -> problems.add("README.md: " + p + " is not shown (<!-- snippet: " + p + " -->)"));
    }

    try (Stream<Path> poms = Files.list(root.resolve("examples"))) {
      for (Path pom : poms.map(d -> d.resolve("pom.xml")).filter(Files::isRegularFile).sorted().toList()) {
        Matcher m = SPECTRAL4J_VERSION.matcher(Files.readString(pom));
        while (m.find()) {
          if (!m.group(2).equals(version)) {
            problems.add(root.relativize(pom) + ": " + m.group(1) + " version " + m.group(2)
                + ", but this build is " + version);
          }
        }
      }
    }

    if (!problems.isEmpty()) {
      problems.forEach(p -> System.err.println("README snippets: " + p));
      System.exit(1);
    }
  }

  private static String firstDifference(List<String> block, List<String> file) {
    int n = Math.min(block.size(), file.size());
    for (int k = 0; k < n; k++) {
      if (!block.get(k).equals(file.get(k))) {
        return " at its line " + (k + 1) + ": README '" + block.get(k) + "', file '" + file.get(k) + "'";
      }
    }
    return " in length: README " + block.size() + " lines, file " + file.size();
  }

  private static boolean containsDedented(List<String> file, List<String> block) {
    List<String> want = dedent(block);
    for (int start = 0; start + block.size() <= file.size(); start++) {
      if (dedent(file.subList(start, start + block.size())).equals(want)) {
        return true;
      }
    }
    return false;
  }

  private static List<String> dedent(List<String> lines) {
    int indent = lines.stream().filter(s -> !s.isBlank())
        .mapToInt(s -> s.length() - s.stripLeading().length()).min().orElse(0);
    return lines.stream().map(s -> s.isBlank() ? "" : s.substring(indent)).toList();
  }
}
