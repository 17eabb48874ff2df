package io.github.spectral4j.trainer.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.spectral4j.core.LayerRole;
import io.github.spectral4j.core.Parametrization;
import io.github.spectral4j.simd.Blas;
import io.github.spectral4j.simd.FloatMatrix;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A {@link Linear} followed by {@link Gelu} in a {@link Sequential} runs GELU in the layer's GEMM write-back,
 * forward and backward ({@link Gelu#forwardAfter}, {@link Gelu#backwardThrough}): bit for bit the modules run
 * one after the other, on seeded awkward shapes (partial tiles, several k slices, thin batches), with and
 * without the bias (which takes the separate passes), on 1, 2 and 3 threads. Its gradients against finite
 * differences are {@link ModuleGradientCheckTest#residualAroundAnMlp}'s (the same composition).
 */
class GeluFusionTest {
  static Stream<Long> seeds() {
    return LongStream.range(0, 40).boxed();
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void fusedIsTheModulesOneAfterTheOther(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int rows = 1 + r.nextInt(seed % 4 == 0 ? 300 : 70);
    int in = 1 + r.nextInt(seed % 5 == 0 ? 1100 : 90);
    int hidden = 1 + r.nextInt(seed % 3 == 0 ? 1300 : 150);
    boolean bias = seed % 6 == 5;
    Parametrization p = seed % 2 == 0 ? Parametrization.NTK : Parametrization.SPECTRAL; // NTK: m ≠ 1
    FloatMatrix x = FloatMatrix.gaussian(rows, in, 2.0, r.nextLong());
    FloatMatrix g = FloatMatrix.gaussian(rows, in, 1.0, r.nextLong());
    String what = rows + " rows, " + in + " -> " + hidden + (bias ? " with bias" : "") + " " + p;
    int threads = Blas.parallelism();
    try {
      List<float[]> reference = null;
      for (int t = 1; t <= 3; t++) {
        Blas.setParallelism(t);
        for (boolean fused : new boolean[] {false, true}) {
          Linear up = new Linear("up", ModuleGradientCheckTest.rule(p, "up.weight", in, hidden, LayerRole.HIDDEN),
              bias ? ModuleGradientCheckTest.rule(p, "up.bias", 1, hidden, LayerRole.BIAS) : null, seed);
          Gelu gelu = new Gelu(hidden);
          Linear down = new Linear("down", ModuleGradientCheckTest.rule(p, "down.weight", hidden, in, LayerRole.HIDDEN),
              null, seed + 1);
          ModuleGradientCheckTest.randomize(up.parameters(), new SplittableRandom(seed));
          List<float[]> got = new ArrayList<>();
          if (fused) {
            Sequential s = Sequential.of(up, gelu, down);
            got.add(s.forward(x).data().clone());
            got.add(s.backward(g).data().clone());
          } else {
            got.add(down.forward(gelu.forward(up.forward(x))).data().clone());
            got.add(up.backward(gelu.backward(down.backward(g))).data().clone());
          }
          for (Parameter q : List.of(up.weight(), down.weight())) {
            got.add(q.gradient().data().clone());
          }
          if (bias) {
            got.add(up.bias().gradient().data().clone());
          }
          if (reference == null) {
            reference = got;
          } else {
            for (int i = 0; i < got.size(); i++) {
              assertArrayEquals(reference.get(i), got.get(i),
                  what + ": array " + i + (fused ? " fused" : " separate") + " on " + t + " threads");
            }
          }
        }
      }
    } finally {
      Blas.setParallelism(threads);
    }
  }

  @Test
  void backwardThroughAnotherLayerIsRefused() {
    Parametrization p = Parametrization.SPECTRAL;
    Linear up = new Linear("up", ModuleGradientCheckTest.rule(p, "up.weight", 3, 4, LayerRole.HIDDEN), null, 1);
    Linear down = new Linear("down", ModuleGradientCheckTest.rule(p, "down.weight", 4, 3, LayerRole.HIDDEN), null, 2);
    Gelu gelu = new Gelu(4);
    FloatMatrix x = FloatMatrix.gaussian(2, 3, 1.0, 3);
    gelu.forwardAfter(up, x);
    down.forward(FloatMatrix.gaussian(2, 4, 1.0, 4)); // not the GELU's output
    assertThrows(IllegalStateException.class, () -> gelu.backwardThrough(down, FloatMatrix.zeros(2, 3), null));
    assertThrows(IllegalArgumentException.class, () -> gelu.forwardAfter(down, FloatMatrix.zeros(2, 4)));
  }
}
