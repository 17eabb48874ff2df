package io.github.spectral4j.trainer.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.spectral4j.core.LayerRole;
import io.github.spectral4j.core.Parametrization;
import io.github.spectral4j.simd.Blas;
import io.github.spectral4j.simd.Elementwise;
import io.github.spectral4j.simd.FloatMatrix;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A {@link Gelu} followed by a {@link Linear} in a {@link Sequential} back-propagates through the layer's
 * GEMM times the GELU's kept φ' ({@link Gelu#backwardThrough}): outputs, input gradient and every parameter
 * gradient are bit for bit those of the layers with the GELU computed by {@link Elementwise#gelu} and
 * {@link Elementwise#geluBackward} (the GELU before it kept φ'), and of the modules run one at a time, on
 * 1, 2 and 3 threads, on awkward sizes (the fused path against double-precision differences is
 * {@link ModuleGradientCheckTest}'s MLP block, which now runs it).
 */
class GeluFusionTest {
  static Stream<Arguments> shapes() {
    // rows, input width, hidden width: partial tiles, a single row, vector tails, rows past the few-rows route
    return Stream.of(Arguments.of(1, 13, 37), Arguments.of(7, 37, 130), Arguments.of(67, 24, 100),
        Arguments.of(200, 31, 64), Arguments.of(64, 40, 300));
  }

  private static Sequential block(int in, int hidden, long seed) {
    Parametrization p = Parametrization.NTK; // forward multipliers ≠ 1
    Linear up = new Linear("up", ModuleGradientCheckTest.rule(p, "up.weight", in, hidden, LayerRole.HIDDEN),
        ModuleGradientCheckTest.rule(p, "up.bias", 1, hidden, LayerRole.BIAS), seed);
    Linear down = new Linear("down", ModuleGradientCheckTest.rule(p, "down.weight", hidden, in, LayerRole.HIDDEN),
        null, seed + 1);
    return Sequential.of(up, new Gelu(hidden), down);
  }

  /**
   * Output, input gradient and parameter gradients: through the Sequential, the modules one at a time, or
   * the layers with the GELU of {@link Elementwise#gelu} and {@link Elementwise#geluBackward} in between.
   */
  private static List<float[]> run(Sequential s, FloatMatrix x, FloatMatrix c, int how) {
    List<float[]> got = new ArrayList<>();
    List<Module> m = s.modules();
    if (how == 0) {
      got.add(s.forward(x).data().clone());
      got.add(s.backward(c).data().clone());
    } else if (how == 1) {
      got.add(m.get(2).forward(m.get(1).forward(m.get(0).forward(x))).data().clone());
      got.add(m.get(0).backward(m.get(1).backward(m.get(2).backward(c))).data().clone());
    } else {
      FloatMatrix pre = m.get(0).forward(x);
      FloatMatrix h = FloatMatrix.zeros(pre.rows(), pre.cols());
      float[] keep = new float[pre.data().length];
      Elementwise.gelu(0, keep.length, pre.data(), h.data(), keep);
      got.add(m.get(2).forward(h).data().clone());
      FloatMatrix dh = m.get(2).backward(c);
      FloatMatrix dpre = FloatMatrix.zeros(pre.rows(), pre.cols());
      Elementwise.geluBackward(0, keep.length, pre.data(), keep, dh.data(), dpre.data());
      got.add(m.get(0).backward(dpre).data().clone());
    }
    for (Parameter p : s.parameters()) {
      got.add(p.gradient().data().clone());
    }
    return got;
  }

  @ParameterizedTest(name = "{0} rows, {1} -> {2}")
  @MethodSource("shapes")
  void fusedIsTheModulesOneAtATime(int rows, int in, int hidden) {
    int threads = Blas.parallelism();
    try {
      Blas.setParallelism(1);
      Sequential s = block(in, hidden, 31 + rows);
      SplittableRandom r = new SplittableRandom(rows * 1000L + hidden);
      ModuleGradientCheckTest.randomize(s.parameters(), r);
      FloatMatrix x = FloatMatrix.gaussian(rows, in, 2.0, r.nextLong());
      FloatMatrix c = FloatMatrix.gaussian(rows, in, 1.0, r.nextLong());
      List<float[]> expected = run(s, x, c, 2);
      for (int t = 1; t <= 3; t++) {
        Blas.setParallelism(t);
        for (int how = 0; how < 2; how++) {
          List<float[]> got = run(s, x, c, how);
          for (int i = 0; i < got.size(); i++) {
            assertArrayEquals(expected.get(i), got.get(i), (how == 0 ? "fused" : "one at a time") + ": array " + i
                + " on " + t + " threads");
          }
        }
      }
    } finally {
      Blas.setParallelism(threads);
    }
  }

  @Test
  void backwardThroughRefusesALayerThatDidNotReadTheOutput() {
    Sequential s = block(5, 9, 3);
    Linear up = (Linear) s.modules().get(0);
    Gelu gelu = (Gelu) s.modules().get(1);
    Linear down = (Linear) s.modules().get(2);
    FloatMatrix x = FloatMatrix.gaussian(4, 5, 1.0, 1);
    assertThrows(IllegalStateException.class, () -> gelu.backwardThrough(down, FloatMatrix.zeros(4, 5)));
    gelu.forward(up.forward(x));
    down.forward(FloatMatrix.gaussian(4, 9, 1.0, 2)); // not the GELU's output
    assertThrows(IllegalStateException.class, () -> gelu.backwardThrough(down, FloatMatrix.zeros(4, 5)));
    down.forward(gelu.forward(up.forward(x)));
    assertThrows(IllegalArgumentException.class, () -> gelu.backwardThrough(down, FloatMatrix.zeros(3, 5)));
  }
}
