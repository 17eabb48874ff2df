package io.github.spectral4j.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.spectral4j.core.LayerRule;
import io.github.spectral4j.core.Optimizer;
import io.github.spectral4j.core.Parametrization;
import io.github.spectral4j.simd.FloatMatrix;
import io.github.spectral4j.trainer.nn.Parameter;
import io.github.spectral4j.trainer.optim.ParameterOptimizer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The optimizer objects compute exactly what the MLP's {@link ReferenceUpdater} computes — the same float
 * arithmetic in the same order — so the MLP can move onto them with bit-identical runs: on random
 * awkward shapes, settings and gradients (scaled over many orders of magnitude), every value and every
 * update agrees to the bit after several steps.
 */
class OptimizerParityTest {

  static Stream<Long> seeds() {
    return LongStream.range(0, 240).mapToObj(s -> 0x0971_0000L + s);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void optimizerObjectsMatchTheUpdaterBitForBit(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int depth = 1 + random.nextInt(3);
    int[] dims = new int[depth + 1];
    for (int i = 0; i <= depth; i++) {
      dims[i] = 1 + random.nextInt(13);
    }
    Optimizer kind = Optimizer.values()[random.nextInt(3)];
    TrainingConfig config =
        TrainingConfig.defaults(dims)
            .withBias(random.nextBoolean())
            .withParametrization(Parametrization.values()[random.nextInt(4)])
            .withOptimizer(kind)
            .withLearningRate(Math.scalb(1.0, -random.nextInt(10)))
            .withMomentum(random.nextBoolean() ? 0 : 0.9)
            .withWeightDecay(random.nextBoolean() ? 0 : 1e-2)
            .withUpdateMode(random.nextBoolean() ? UpdateMode.EXACT : UpdateMode.NEWTON_SCHULZ)
            .withSeed(seed);
    ReferenceMlp mlp = ReferenceMlp.initialize(config.shape(), config.activation(), config.rules(), seed);
    ReferenceUpdater updater = new ReferenceUpdater(config, mlp);

    // The same values, as parameters (biases are 1 × n here, n × 1 in the ReferenceUpdater: the same floats).
    List<LayerRule> rules = mlp.rules();
    List<Parameter> parameters = new ArrayList<>();
    List<FloatMatrix> mlpValues = new ArrayList<>();
    List<FloatMatrix> mlpGradients = new ArrayList<>();
    for (int l = 0; l < depth; l++) {
      int i = config.bias() ? 2 * l : l;
      parameters.add(Parameter.of("W" + (l + 1), rules.get(i), mlp.weight(l).copy()));
      mlpValues.add(mlp.weight(l));
      mlpGradients.add(mlp.weightGradient(l));
      if (config.bias()) {
        float[] b = mlp.bias(l);
        parameters.add(Parameter.of("b" + (l + 1), rules.get(i + 1), FloatMatrix.wrap(1, b.length, b.clone())));
        mlpValues.add(FloatMatrix.wrap(1, b.length, b));
        mlpGradients.add(FloatMatrix.wrap(1, b.length, mlp.biasGradient(l)));
      }
    }
    ParameterOptimizer optimizer =
        ParameterOptimizer.of(
            kind, parameters, config.learningRate(), config.momentum(), config.weightDecay(), config.updateMode());

    for (int step = 1; step <= 4; step++) {
      for (int p = 0; p < parameters.size(); p++) {
        float[] g = parameters.get(p).gradient().data();
        double scale = Math.scalb(1.0, random.nextInt(-20, 10));
        for (int k = 0; k < g.length; k++) {
          g[k] = (float) (random.nextGaussian() * scale);
        }
        System.arraycopy(g, 0, mlpGradients.get(p).data(), 0, g.length);
      }
      assertEquals(-1, updater.apply());
      optimizer.step();
      for (int p = 0; p < parameters.size(); p++) {
        Parameter parameter = parameters.get(p);
        assertBitwiseEqual(
            updater.slots[p].update.data(), optimizer.lastUpdate(parameter).data(), parameter.name() + " update, step " + step);
        assertBitwiseEqual(
            mlpValues.get(p).data(), parameter.value().data(), parameter.name() + " value, step " + step + ", " + config);
        assertEquals(updater.slots[p].updateFrobenius, optimizer.lastUpdateNorm(parameter));
      }
    }
  }

  private static void assertBitwiseEqual(float[] expected, float[] actual, String what) {
    assertEquals(expected.length, actual.length, what);
    for (int k = 0; k < expected.length; k++) {
      assertEquals(
          Float.floatToRawIntBits(expected[k]), Float.floatToRawIntBits(actual[k]),
          what + " [" + k + "]: " + expected[k] + " vs " + actual[k]);
    }
  }
}
