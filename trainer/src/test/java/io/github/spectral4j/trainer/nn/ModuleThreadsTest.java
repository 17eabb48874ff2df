package io.github.spectral4j.trainer.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.github.spectral4j.core.Parametrization;
import io.github.spectral4j.simd.Blas;
import io.github.spectral4j.simd.FloatMatrix;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The element-wise modules that split large inputs between threads (RMSNorm's rows and gain columns,
 * GELU's and the residual adds' entries) give bit-identical outputs and gradients on 1, 2 and 3 threads,
 * on inputs large enough to be split, with awkward widths (uneven shares, vector tails). Their
 * correctness is {@link ModuleGradientCheckTest}'s; this is only about the split.
 */
class ModuleThreadsTest {
  static Stream<Arguments> modules() {
    Parametrization p = Parametrization.NTK; // forward multipliers ≠ 1
    return Stream.of(
        Arguments.of("rmsnorm 515", 67, (Supplier<Module>) () ->
            new RmsNorm("norm", ModuleGradientCheckTest.gain(p, "norm.gain", 515))),
        Arguments.of("rmsnorm 97", 401, (Supplier<Module>) () ->
            new RmsNorm("norm", ModuleGradientCheckTest.gain(p, "norm.gain", 97))),
        Arguments.of("gelu 333", 111, (Supplier<Module>) () -> new Gelu(333)),
        Arguments.of("residual 0.7 gelu 301", 131, (Supplier<Module>) () -> new Residual(new Gelu(301), 0.7)),
        Arguments.of("residual 1 gelu 301", 131, (Supplier<Module>) () -> new Residual(new Gelu(301), 1)));
  }

  @ParameterizedTest(name = "{0}, {1} rows")
  @MethodSource("modules")
  void bitIdenticalForAnyThreadCount(String name, int rows, Supplier<Module> factory) {
    int threads = Blas.parallelism();
    try {
      List<float[]> reference = null;
      for (int t = 1; t <= 3; t++) {
        Blas.setParallelism(t);
        Module m = factory.get();
        SplittableRandom r = new SplittableRandom(rows);
        ModuleGradientCheckTest.randomize(m.parameters(), r);
        FloatMatrix x = FloatMatrix.gaussian(rows, m.inputWidth(), 2.0, r.nextLong());
        FloatMatrix c = FloatMatrix.gaussian(rows, m.outputWidth(), 1.0, r.nextLong());
        List<float[]> got = new ArrayList<>();
        got.add(m.forward(x).data().clone());
        got.add(m.backward(c).data().clone());
        for (Parameter p : m.parameters()) {
          got.add(p.gradient().data().clone());
        }
        if (reference == null) {
          reference = got;
        } else {
          for (int i = 0; i < got.size(); i++) {
            assertArrayEquals(reference.get(i), got.get(i), name + ": array " + i + " on " + t + " threads");
          }
        }
      }
    } finally {
      Blas.setParallelism(threads);
    }
  }
}
