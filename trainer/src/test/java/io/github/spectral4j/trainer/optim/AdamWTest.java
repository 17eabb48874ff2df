package io.github.spectral4j.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.spectral4j.core.Layer;
import io.github.spectral4j.core.LayerRole;
import io.github.spectral4j.core.Optimizer;
import io.github.spectral4j.core.Parametrization;
import io.github.spectral4j.simd.Blas;
import io.github.spectral4j.trainer.ThreadAllocation;
import io.github.spectral4j.trainer.nn.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * AdamW's vectorised, split pass against the element-wise float loop it replaced (the formula of its
 * Javadoc, each operation rounded as written), bit for bit, on 1, 2 and 3 threads, over parameters of awkward
 * sizes — one above the size from which a parameter's pass is split between threads.
 */
class AdamWTest {
  private static List<Parameter> model(long seed) {
    Parametrization p = Parametrization.SPECTRAL;
    List<Parameter> ps = new ArrayList<>();
    ps.add(Parameter.gaussian("big", p.rule(new Layer("big", 211, 173, LayerRole.HIDDEN), Optimizer.ADAM), 173, 211, seed));
    ps.add(Parameter.gaussian("small", p.rule(new Layer("small", 7, 13, LayerRole.INPUT), Optimizer.ADAM), 13, 7, seed + 1));
    ps.add(Parameter.constant("gain", p.rule(new Layer("gain", 1, 13, LayerRole.BIAS), Optimizer.ADAM), 1, 13, 1f));
    return ps;
  }

  static Stream<Long> seeds() {
    return LongStream.range(0, 6).map(s -> 0xADA0 + s).boxed();
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void equalsTheElementwiseLoopOnAnyThreadCount(long seed) {
    int threads = Blas.parallelism();
    try {
      List<Parameter> reference = model(seed);
      float[][] m = new float[reference.size()][];
      float[][] v = new float[reference.size()][];
      for (int i = 0; i < m.length; i++) {
        m[i] = new float[reference.get(i).size()];
        v[i] = new float[reference.get(i).size()];
      }
      List<List<Parameter>> models = new ArrayList<>();
      List<AdamW> optimizers = new ArrayList<>();
      for (int t = 1; t <= 3; t++) {
        List<Parameter> ps = model(seed);
        models.add(ps);
        optimizers.add(new AdamW(ps, 0.01, 0.9, 0.95, 1e-6, 0.05));
      }
      SplittableRandom random = new SplittableRandom(seed);
      for (int step = 1; step <= 4; step++) {
        List<float[]> gradients = new ArrayList<>();
        for (Parameter p : reference) {
          float[] g = new float[p.size()];
          for (int k = 0; k < g.length; k++) {
            g[k] = (float) (random.nextGaussian() * (k % 7 == 0 ? 1e-3 : 1));
          }
          gradients.add(g);
        }
        for (int t = 1; t <= 3; t++) {
          Blas.setParallelism(t);
          List<Parameter> ps = models.get(t - 1);
          for (int i = 0; i < ps.size(); i++) {
            System.arraycopy(gradients.get(i), 0, ps.get(i).gradient().data(), 0, gradients.get(i).length);
          }
          optimizers.get(t - 1).step();
        }
        float b1 = 0.9f;
        float b2 = 0.95f;
        float c1 = (float) (1 / (1 - Math.pow(0.9, step)));
        float c2 = (float) (1 / (1 - Math.pow(0.95, step)));
        for (int i = 0; i < reference.size(); i++) {
          Parameter p = reference.get(i);
          float lr = (float) (0.01 * p.rule().learningRateMultiplier());
          float wd = (float) (0.05 * p.rule().weightDecayMultiplier());
          float eps = (float) (1e-6 * p.rule().epsilonMultiplier());
          float[] w = p.value().data();
          float[] g = gradients.get(i);
          for (int k = 0; k < w.length; k++) {
            m[i][k] = b1 * m[i][k] + (1 - b1) * g[k];
            v[i][k] = b2 * v[i][k] + (1 - b2) * g[k] * g[k];
            float d = -lr * (m[i][k] * c1 / ((float) Math.sqrt(v[i][k] * c2) + eps) + wd * w[k]);
            w[k] += d;
          }
          for (int t = 1; t <= 3; t++) {
            float[] got = models.get(t - 1).get(i).value().data();
            for (int k = 0; k < w.length; k++) {
              assertEquals(Float.floatToRawIntBits(w[k]), Float.floatToRawIntBits(got[k]),
                  p.name() + "[" + k + "] after step " + step + " on " + t + " threads");
            }
          }
        }
      }
    } finally {
      Blas.setParallelism(threads);
    }
  }

  /** A step allocates nothing, on one thread and with the large parameter split over two (simd's reused shares). */
  @org.junit.jupiter.api.Tag("allocation")
  @Test
  void aStepAllocatesNothing() {
    int threads = Blas.parallelism();
    try {
      for (int t = 1; t <= 2; t++) {
        Blas.setParallelism(t);
        List<Parameter> ps = model(7);
        SplittableRandom random = new SplittableRandom(7);
        for (Parameter p : ps) {
          float[] g = p.gradient().data();
          for (int k = 0; k < g.length; k++) {
            g[k] = (float) (random.nextGaussian() * 1e-3);
          }
        }
        AdamW adam = new AdamW(ps, 1e-4, 0.01);
        assertEquals(0, ThreadAllocation.during(2_000, adam::step), "bytes allocated by steady-state steps, " + t
            + " threads");
      }
    } finally {
      Blas.setParallelism(threads);
    }
  }
}
