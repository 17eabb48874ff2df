package io.github.spectral4j.trainer.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.github.spectral4j.core.LayerRole;
import io.github.spectral4j.core.Parametrization;
import io.github.spectral4j.simd.Blas;
import io.github.spectral4j.simd.Elementwise;
import io.github.spectral4j.simd.FloatMatrix;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A {@link Residual} around a branch that starts with an {@link RmsNorm} (a pre-norm block) has the norm's
 * backward pass add {@code ∂Y} ({@link RmsNorm#backwardAdding}): bit for bit {@code ∂Y + f'(α·∂Y)} formed
 * by the branch's own backward pass and a separate add, with the same parameter gradients, on seeded
 * awkward shapes (rows split between threads or not, vector tails), α = 1 or not, on 1, 2 and 3 threads.
 * Its gradients against finite differences are {@link ModuleGradientCheckTest#residualAroundAnMlp}'s.
 */
class PreNormResidualTest {
  static Stream<Long> seeds() {
    return LongStream.range(0, 24).boxed();
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void normAddsTheResidualGradient(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int rows = 1 + r.nextInt(seed % 3 == 0 ? 500 : 60);
    int width = 1 + r.nextInt(seed % 2 == 0 ? 150 : 40);
    int hidden = 1 + r.nextInt(90);
    float alpha = seed % 4 == 3 ? 1f : (float) (0.2 + r.nextDouble());
    Parametrization p = Parametrization.NTK; // forward multipliers ≠ 1
    FloatMatrix x = FloatMatrix.gaussian(rows, width, 2.0, r.nextLong());
    FloatMatrix g = FloatMatrix.gaussian(rows, width, 1.0, r.nextLong());
    String what = rows + " rows, width " + width + ", hidden " + hidden + ", alpha " + alpha;
    int threads = Blas.parallelism();
    try {
      List<float[]> reference = null;
      for (int t = 1; t <= 3; t++) {
        Blas.setParallelism(t);
        for (boolean fused : new boolean[] {false, true}) {
          RmsNorm norm = new RmsNorm("norm", ModuleGradientCheckTest.gain(p, "norm.gain", width));
          Linear up = new Linear("up", ModuleGradientCheckTest.rule(p, "up.weight", width, hidden, LayerRole.HIDDEN),
              null, seed);
          Linear down = new Linear("down", ModuleGradientCheckTest.rule(p, "down.weight", hidden, width,
              LayerRole.HIDDEN), null, seed + 1);
          Sequential branch = Sequential.of(norm, up, new Gelu(hidden), down);
          ModuleGradientCheckTest.randomize(branch.parameters(), new SplittableRandom(seed));
          List<float[]> got = new ArrayList<>();
          if (fused) {
            Residual residual = new Residual(branch, alpha);
            got.add(residual.forward(x).data().clone());
            got.add(residual.backward(g).data().clone());
          } else {
            float[] f = branch.forward(x).data();
            float[] y = new float[f.length];
            Elementwise.addScaled(0, y.length, x.data(), alpha, f, y);
            got.add(y);
            FloatMatrix scaled = g;
            if (alpha != 1f) {
              scaled = FloatMatrix.zeros(rows, width);
              System.arraycopy(g.data(), 0, scaled.data(), 0, g.data().length);
              Blas.scal(alpha, scaled.data());
            }
            float[] df = branch.backward(scaled).data();
            float[] dx = new float[df.length];
            Elementwise.addScaled(0, dx.length, g.data(), 1f, df, dx);
            got.add(dx);
          }
          for (Parameter q : branch.parameters()) {
            got.add(q.gradient().data().clone());
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
}
