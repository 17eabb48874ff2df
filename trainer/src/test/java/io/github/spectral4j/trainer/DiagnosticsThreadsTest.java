package io.github.spectral4j.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.spectral4j.core.Optimizer;
import io.github.spectral4j.simd.Blas;
import io.github.spectral4j.simd.FloatMatrix;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An MLP's measurement shares its layers among {@link Blas#parallelism()} threads: every value of every
 * measurement is the one-thread value, bit for bit, on 2 and 3 threads — riding and plain steps, measured
 * every step (tracking), with gaps (cold), and to tolerance; with and without biases, with the factored ΔW
 * (plain SGD) and the stored one (momentum, Adam) — and a failure names the first layer in order.
 */
class DiagnosticsThreadsTest {
  private static final Dataset DATA = Dataset.mnist10k().subset(0, 1000);

  static Stream<Arguments> runs() {
    TrainingConfig sgd = TrainingConfig.defaults(new int[] {784, 96, 64, 48, 10}).withBatchSize(40);
    List<Arguments> out = new ArrayList<>();
    for (String schedule : new String[] {"riding", "plain", "gaps", "tolerance"}) {
      out.add(Arguments.of(schedule, sgd));
      out.add(Arguments.of(schedule, sgd.withBias(true).withMomentum(0.9)));
      out.add(Arguments.of(schedule, sgd.withBias(true).withOptimizer(Optimizer.ADAM).withLearningRate(1e-3)));
    }
    out.add(Arguments.of("riding", sgd.withBatchSize(16)));
    return out.stream();
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("runs")
  void measurementsAreTheSameOnAnyThreadCount(String schedule, TrainingConfig c) {
    int threads = Blas.parallelism();
    try {
      Blas.setParallelism(1);
      List<Measurement> one = run(schedule, c);
      for (int t : new int[] {2, 3}) {
        Blas.setParallelism(t);
        List<Measurement> many = run(schedule, c);
        assertEquals(one.size(), many.size());
        for (int i = 0; i < one.size(); i++) {
          // Record equality compares every double by its bits (Double.compare), NaN included.
          assertEquals(one.get(i), many.get(i), schedule + ", measurement " + i + " on " + t + " threads");
        }
      }
    } finally {
      Blas.setParallelism(threads);
    }
  }

  private static List<Measurement> run(String schedule, TrainingConfig c) {
    Training t = new Training(c, DATA);
    FloatMatrix probe = DATA.range(200, 16).inputs();
    Diagnostics d = new Diagnostics(t.model(), probe);
    List<Measurement> out = new ArrayList<>();
    for (int i = 1; i <= 7; i++) {
      switch (schedule) {
        case "riding" -> {
          t.step(d);
          out.add(d.measure(t));
        }
        case "plain" -> {
          t.step();
          out.add(d.measure(t));
        }
        case "gaps" -> {
          t.step();
          if (i % 3 == 0) {
            out.add(d.measure(t));
          }
        }
        case "tolerance" -> {
          t.step();
          if (i % 3 == 0) {
            out.add(d.measureToTolerance(t));
          }
        }
        default -> throw new IllegalArgumentException(schedule);
      }
    }
    return out;
  }

  /**
   * Two layers' features made non-finite after a riding step: the measurement names the first of them on
   * any thread count, as the one-thread measurement, which meets it first, does.
   */
  @ParameterizedTest(name = "{0} threads")
  @org.junit.jupiter.params.provider.ValueSource(ints = {1, 2, 3})
  void aFailureNamesTheFirstLayerOnAnyThreadCount(int threads) {
    int before = Blas.parallelism();
    try {
      Blas.setParallelism(threads);
      TrainingConfig c = TrainingConfig.defaults(new int[] {784, 96, 64, 48, 10}).withBatchSize(40);
      Training t = new Training(c, DATA);
      Diagnostics d = new Diagnostics(t.model(), DATA.range(200, 16).inputs());
      t.step(d);
      d.measure(t);
      t.step(d);
      // The probe's rows of layers 2 and 4 (after the batch's 40 rows).
      for (int l : new int[] {1, 3}) {
        FloatMatrix h = t.model().features(l);
        h.data()[40 * h.cols() + 5] = Float.NaN;
      }
      DivergenceException e = assertThrows(DivergenceException.class, () -> d.measure(t));
      assertEquals("layer2", e.layer());
      assertEquals(2, e.step());
    } finally {
      Blas.setParallelism(before);
    }
  }
}
