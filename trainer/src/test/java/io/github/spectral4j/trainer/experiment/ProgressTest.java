package io.github.spectral4j.trainer.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The two faces of {@link Progress}: sparse lines for a log, a bar redrawn in place on a console. */
class ProgressTest {
  @Test
  void logModePrintsAtMostOneLinePerTenthOfTheWork() {
    StringWriter s = new StringWriter();
    Progress p = Progress.on(new PrintWriter(s), false, "job");
    p.start(100, 100);
    for (int i = 0; i < 100; i++) {
      p.advance(1, "task " + i);
    }
    p.finish();
    List<String> lines = s.toString().lines().toList();
    assertEquals(10, lines.size(), s.toString());
    assertTrue(lines.get(0).startsWith("job: 10/100 runs done, 10% of the work"), lines.get(0));
    assertTrue(lines.get(9).startsWith("job: 100/100 runs done, 100% of the work") && lines.get(9).endsWith("last task 99"),
        lines.get(9));
    assertFalse(s.toString().contains("\r"));
  }

  /**
   * The "32% (3/8 runs)": runs of different sizes make the work fraction differ from the run
   * fraction; the line says which number is which.
   */
  @Test
  void unequalRunsSayWhatThePercentageIsOf() {
    StringWriter s = new StringWriter();
    Progress p = Progress.on(new PrintWriter(s), false, "job");
    p.start(8, 100);
    for (int i = 0; i < 3; i++) {
      p.advance(32.0 / 3, "small " + i);
    }
    String first = s.toString().lines().reduce((a, b) -> b).orElseThrow();
    assertTrue(first.startsWith("job: 3/8 runs done, 32% of the work, "), first);
  }

  @Test
  void consoleModeRedrawsOneLineAndEndsIt() {
    StringWriter s = new StringWriter();
    Progress p = Progress.on(new PrintWriter(s), true, "job");
    p.start(3, 6);
    p.advance(1, "a");
    p.advance(2, "b");
    p.advance(3, "c");
    p.finish();
    String out = s.toString();
    assertTrue(out.startsWith("\rjob [............................]   0% of the work, 0/3 runs done"), out);
    assertTrue(out.contains("\rjob [############################] 100% of the work, 3/3 runs done"), out);
    assertEquals(1, out.chars().filter(c -> c == '\n').count(), "one line, redrawn with carriage returns: " + out);
    assertTrue(out.endsWith(System.lineSeparator()), out);
  }
}
