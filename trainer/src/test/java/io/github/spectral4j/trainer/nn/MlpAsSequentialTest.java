package io.github.spectral4j.trainer.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.spectral4j.core.LayerRule;
import io.github.spectral4j.core.ModelShape;
import io.github.spectral4j.core.Optimizer;
import io.github.spectral4j.core.Parametrization;
import io.github.spectral4j.simd.FloatMatrix;
import io.github.spectral4j.trainer.Activation;
import io.github.spectral4j.trainer.ReferenceMlp;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The MLP as a composition of modules ({@link Sequential#mlp}) is the MLP as it was computed before (now {@link ReferenceMlp}): the same
 * initial parameters from the same seed, the same logits and the same gradients, bit for bit, on seeded
 * random shapes, activations, parametrizations (NTK: forward multipliers ≠ 1) and bias settings.
 */
class MlpAsSequentialTest {
  static Stream<Arguments> cases() {
    List<Arguments> list = new ArrayList<>();
    for (long seed = 0; seed < 24; seed++) {
      list.add(Arguments.of(seed));
    }
    return list.stream();
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("cases")
  void sameParametersLogitsAndGradients(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int depth = 1 + r.nextInt(4);
    int[] dims = new int[depth + 1];
    for (int i = 0; i <= depth; i++) {
      dims[i] = 1 + r.nextInt(40);
    }
    boolean bias = r.nextBoolean();
    Activation act = Activation.values()[r.nextInt(Activation.values().length)];
    Parametrization p = Parametrization.values()[r.nextInt(Parametrization.values().length)];
    ModelShape shape = ModelShape.of(dims, bias);
    List<LayerRule> rules = shape.rules(p, Optimizer.SGD);
    ReferenceMlp mlp = ReferenceMlp.initialize(shape, act, rules, seed);
    Sequential seq = Sequential.mlp(shape, act, rules, seed);
    String what = java.util.Arrays.toString(dims) + " bias=" + bias + " " + act + " " + p;

    int stride = bias ? 2 : 1;
    assertEquals(shape.layers().size(), seq.parameters().size());
    for (int l = 0; l < depth; l++) {
      Parameter w = seq.parameters().get(stride * l);
      assertEquals("W" + (l + 1), w.name());
      assertArrayEquals(mlp.weight(l).data(), w.value().data(), 0f, what);
      if (bias) {
        // a bias is zero-initialised: its value is random here, in both, so the sum is exercised
        float[] b = seq.parameters().get(stride * l + 1).value().data();
        for (int j = 0; j < b.length; j++) {
          b[j] = (float) r.nextGaussian();
          mlp.bias(l)[j] = b[j];
        }
      }
    }
    int rows = 1 + r.nextInt(9);
    FloatMatrix x = FloatMatrix.gaussian(rows, dims[0], 1.0, r.nextLong());
    FloatMatrix g = FloatMatrix.gaussian(rows, dims[depth], 1.0, r.nextLong());
    assertArrayEquals(mlp.forward(x).data(), seq.forward(x).data(), 0f, what);
    mlp.backward(g);
    seq.backward(g);
    for (int l = 0; l < depth; l++) {
      assertArrayEquals(mlp.weightGradient(l).data(), seq.parameters().get(stride * l).gradient().data(), 0f, what);
      if (bias) {
        assertArrayEquals(mlp.biasGradient(l), seq.parameters().get(stride * l + 1).gradient().data(), 0f, what);
      }
    }
  }

  static Stream<Arguments> trainingShapes() {
    List<Arguments> list = new ArrayList<>();
    for (long seed = 100; seed < 106; seed++) {
      list.add(Arguments.of(seed));
    }
    return list.stream();
  }

  /**
   * On batches above the thin-product limit (33–140 rows) and widths over several 6 × 64 tiles, the fused
   * path (ReLU and bias in the forward GEMM's write-back, the ReLU mask in the backward one, on the full
   * vector tiles) is still the reference's separate passes bit for bit, on 1 and 2 threads, through
   * {@link Sequential} and through its backward from the loss gradient down to the first layer.
   */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("trainingShapes")
  void fusedReluPathIsTheReferenceOnTrainingShapes(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int depth = 2 + r.nextInt(3);
    int[] dims = new int[depth + 1];
    for (int i = 0; i <= depth; i++) {
      dims[i] = 60 + r.nextInt(200);
    }
    boolean bias = seed % 2 == 0;
    Parametrization p = seed % 3 == 0 ? Parametrization.NTK : Parametrization.SPECTRAL;
    ModelShape shape = ModelShape.of(dims, bias);
    List<LayerRule> rules = shape.rules(p, Optimizer.SGD);
    int rows = 33 + r.nextInt(108);
    FloatMatrix x = FloatMatrix.gaussian(rows, dims[0], 1.0, r.nextLong());
    FloatMatrix g = FloatMatrix.gaussian(rows, dims[depth], 1.0, r.nextLong());
    long biasSeed = r.nextLong();
    String what = java.util.Arrays.toString(dims) + " rows=" + rows + " bias=" + bias + " " + p;
    int threads = io.github.spectral4j.simd.Blas.parallelism();
    try {
      for (int t = 1; t <= 2; t++) {
        io.github.spectral4j.simd.Blas.setParallelism(t);
        ReferenceMlp mlp = ReferenceMlp.initialize(shape, Activation.RELU, rules, seed);
        Sequential seq = Sequential.mlp(shape, Activation.RELU, rules, seed);
        int stride = bias ? 2 : 1;
        if (bias) {
          SplittableRandom br = new SplittableRandom(biasSeed);
          for (int l = 0; l < depth; l++) {
            float[] b = seq.parameters().get(stride * l + 1).value().data();
            for (int j = 0; j < b.length; j++) {
              b[j] = (float) br.nextGaussian();
              mlp.bias(l)[j] = b[j];
            }
          }
        }
        assertArrayEquals(mlp.forward(x).data(), seq.forward(x).data(), 0f, what + ", " + t + " threads");
        mlp.backward(g);
        seq.backward(g);
        for (int l = 0; l < depth; l++) {
          assertArrayEquals(mlp.weightGradient(l).data(), seq.parameters().get(stride * l).gradient().data(), 0f,
              what + " dW" + (l + 1) + ", " + t + " threads");
          if (bias) {
            assertArrayEquals(mlp.biasGradient(l), seq.parameters().get(stride * l + 1).gradient().data(), 0f,
                what + " db" + (l + 1) + ", " + t + " threads");
          }
        }
      }
    } finally {
      io.github.spectral4j.simd.Blas.setParallelism(threads);
    }
  }

  @org.junit.jupiter.api.Test
  void fusedPairsRefuseModulesThatDoNotFit() {
    ModelShape shape = ModelShape.of(new int[] {3, 4, 5, 2}, false);
    Sequential seq = Sequential.mlp(shape, Activation.RELU, shape.rules(Parametrization.SPECTRAL, Optimizer.SGD), 1);
    Linear first = (Linear) seq.modules().get(0);
    Pointwise relu1 = (Pointwise) seq.modules().get(1);
    Linear second = (Linear) seq.modules().get(2);
    Pointwise relu2 = (Pointwise) seq.modules().get(3);
    // a layer of width 4 before a ReLU of width 5
    assertThrows(IllegalArgumentException.class, () -> relu2.forwardAfter(first, FloatMatrix.zeros(2, 3)));
    FloatMatrix h = relu1.forwardAfter(first, FloatMatrix.gaussian(2, 3, 1.0, 5));
    second.forward(h.copy()); // the second layer ran on a copy, not on relu1's output
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> relu1.backwardThrough(second, FloatMatrix.zeros(2, 5)));
    org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("did not last run on the output"), e.getMessage());
    // the pre-activation of a fused forward is not stored
    assertThrows(IllegalStateException.class, first::lastOutput);
  }

  @org.junit.jupiter.api.Test
  void rejectsRulesOfAnotherShape() {
    ModelShape shape = ModelShape.of(new int[] {3, 4, 2}, true);
    List<LayerRule> other = ModelShape.of(new int[] {3, 4, 2}, false).rules(Parametrization.MUP, Optimizer.ADAM);
    assertThrows(IllegalArgumentException.class, () -> Sequential.mlp(shape, Activation.RELU, other, 1));
  }
}
