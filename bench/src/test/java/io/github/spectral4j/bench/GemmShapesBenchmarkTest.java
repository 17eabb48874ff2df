package io.github.spectral4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.openjdk.jmh.annotations.Param;

class GemmShapesBenchmarkTest {
  /** Every default shape has a role in the report, and every role is a default shape. */
  @Test
  void defaultShapesAndRolesAgree() throws NoSuchFieldException {
    String[] defaults = GemmShapesBenchmark.class.getField("shape").getAnnotation(Param.class).value();
    assertEquals(List.copyOf(GemmShapesBenchmark.ROLES.keySet()), Arrays.asList(defaults));
    for (String shape : defaults) {
      GemmShapesBenchmark.Shape.parse(shape);
    }
  }

  /**
   * A default run covers every product of both training steps at their benchmarks' default width and batch,
   * so that the report can add up a step's products alone.
   */
  @Test
  void defaultShapesCoverTheSteps() throws NoSuchFieldException {
    List<String> defaults = Arrays.asList(GemmShapesBenchmark.class.getField("shape").getAnnotation(Param.class).value());
    for (Class<?> step : List.of(TrainStepBenchmark.class, GptStepBenchmark.class)) {
      String[] widths = step.getField("width").getAnnotation(Param.class).value();
      String[] batches = step.getField("batch").getAnnotation(Param.class).value();
      assertEquals(1, widths.length * batches.length, step.getSimpleName());
      var products = Report.stepProducts(step.getSimpleName(), Integer.parseInt(widths[0]), Integer.parseInt(batches[0]));
      assertTrue(products.size() >= 8, step.getSimpleName() + " " + products);
      for (String shape : products.keySet()) {
        assertTrue(defaults.contains(shape), step.getSimpleName() + " needs " + shape);
      }
    }
  }

  /** bench/run's subset names only shapes the report can label, and every product of the two steps. */
  @Test
  void benchRunShapesHaveRoles() throws IOException {
    Path run = Path.of("run");
    String script = Files.readString(Files.exists(run) ? run : Path.of("bench", "run"));
    Matcher m = Pattern.compile("SHAPES\\+?=,?([A-Z0-9x,-]+)").matcher(script);
    List<String> shapes = new ArrayList<>();
    while (m.find()) {
      shapes.addAll(Arrays.asList(m.group(1).split(",")));
    }
    assertTrue(shapes.size() >= 13, "found " + shapes);
    for (String shape : shapes) {
      assertTrue(GemmShapesBenchmark.ROLES.containsKey(shape), shape + " has no role");
    }
    // The default run holds every product of both steps, so that its report can add them up.
    for (String shape : Report.stepProducts("TrainStepBenchmark", 1024, 128).keySet()) {
      assertTrue(shapes.contains(shape), "bench/run's default run lacks " + shape);
    }
    for (String shape : Report.stepProducts("GptStepBenchmark", 512, 16).keySet()) {
      assertTrue(shapes.contains(shape), "bench/run's default run lacks " + shape);
    }
  }

  static Stream<Arguments> shapes() {
    List<Arguments> cases = new ArrayList<>();
    SplittableRandom random = new SplittableRandom(20261201);
    int[] sizes = {1, 2, 3, 7, 13, 31};
    for (int c = 0; c < 200; c++) {
      String op = new String[] {"NN", "NT", "TN", "TT"}[random.nextInt(4)];
      cases.add(Arguments.of(op + "-" + sizes[random.nextInt(sizes.length)] + "x" + sizes[random.nextInt(sizes.length)]
          + "x" + sizes[random.nextInt(sizes.length)], random.nextLong()));
    }
    return cases.stream();
  }

  /**
   * The benchmark's self-check accepts op(A)·op(B) computed by the definition and rejects it when one
   * entry is off by 1e-3 of the sum of |terms| (float rounding is far below that at these sizes).
   */
  @ParameterizedTest(name = "{0} seed {1}")
  @MethodSource("shapes")
  void selfCheckAcceptsTheProductAndRejectsAWrongEntry(String shape, long seed) {
    GemmShapesBenchmark.Shape s = GemmShapesBenchmark.Shape.parse(shape);
    SplittableRandom random = new SplittableRandom(seed);
    float[] a = new float[s.aRows() * s.aCols()];
    float[] b = new float[s.bRows() * s.bCols()];
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) random.nextDouble(-1, 1);
    }
    for (int i = 0; i < b.length; i++) {
      b[i] = (float) random.nextDouble(-1, 1);
    }
    float[] c = new float[s.m() * s.n()];
    double[] magnitude = new double[c.length];
    for (int i = 0; i < s.m(); i++) {
      for (int j = 0; j < s.n(); j++) {
        double sum = 0;
        for (int p = 0; p < s.k(); p++) {
          double x = s.transA() ? a[p * s.m() + i] : a[i * s.k() + p];
          double y = s.transB() ? b[j * s.k() + p] : b[p * s.n() + j];
          sum += x * y;
          magnitude[i * s.n() + j] += Math.abs(x * y);
        }
        c[i * s.n() + j] = (float) sum;
      }
    }
    GemmShapesBenchmark.check(shape, s, a, b, c);
    // With 64 samples of at most 31·31 entries some entries go unchecked; corrupt them all instead.
    float[] wrong = c.clone();
    for (int i = 0; i < wrong.length; i++) {
      wrong[i] += (float) (1e-3 * magnitude[i] + 1e-3);
    }
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> GemmShapesBenchmark.check(shape, s, a, b, wrong));
    assertTrue(e.getMessage().startsWith(shape), e.getMessage());
  }
}
