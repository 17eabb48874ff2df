package io.github.spectral4j.trainer.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.spectral4j.core.LayerRole;
import io.github.spectral4j.core.Parametrization;
import io.github.spectral4j.simd.Blas;
import io.github.spectral4j.simd.FloatMatrix;
import io.github.spectral4j.trainer.Activation;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A backward pass over the first rows of the last forward pass ({@link Module#backward} with a shorter
 * gradient: rows that rode along, excluded from the loss): the parameter gradients and the input gradient
 * are bit for bit those of a forward and backward pass of the first rows alone (at least
 * {@link Blas#rowIndependentFrom()} rows), on 1, 2 and 3 threads, for every activation, with and without
 * biases, on awkward widths — and a gradient with more rows or other columns is refused.
 */
class LeadingRowsBackwardTest {
  static Stream<Long> seeds() {
    return LongStream.range(0, 24).boxed();
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void leadingRowsBackwardIsTheBackwardOfThoseRowsAlone(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    Activation[] activations = {Activation.RELU, Activation.GELU, Activation.TANH, Activation.IDENTITY};
    Activation phi = activations[(int) (seed % activations.length)];
    boolean bias = r.nextBoolean();
    int[] widths = {1 + r.nextInt(70), 1 + r.nextInt(300), 1 + r.nextInt(70), 1 + r.nextInt(12)};
    int rows = Blas.rowIndependentFrom() + r.nextInt(100);
    int extra = 1 + r.nextInt(20);
    FloatMatrix x = FloatMatrix.gaussian(rows + extra, widths[0], 1, r.nextLong());
    FloatMatrix g = FloatMatrix.gaussian(rows, widths[3], 1, r.nextLong());
    FloatMatrix xAlone = FloatMatrix.wrap(rows, widths[0], Arrays.copyOf(x.data(), rows * widths[0]));
    long modelSeed = r.nextLong();
    int threads = Blas.parallelism();
    try {
      for (int t = 1; t <= 3; t++) {
        Blas.setParallelism(t);
        Sequential riding = network(phi, bias, widths, modelSeed);
        Sequential alone = network(phi, bias, widths, modelSeed);
        FloatMatrix out = riding.forward(x);
        assertEquals(rows + extra, out.rows());
        FloatMatrix dx = riding.backward(g);
        FloatMatrix outAlone = alone.forward(xAlone);
        FloatMatrix dxAlone = alone.backward(g);
        String what = phi + (bias ? " with biases" : "") + " " + Arrays.toString(widths) + ", " + rows + " + " + extra
            + " rows, " + t + " threads";
        assertArrayEquals(outAlone.data(), Arrays.copyOf(out.data(), rows * widths[3]), "forward rows: " + what);
        assertEquals(rows, dx.rows(), "input gradient rows");
        assertArrayEquals(dxAlone.data(), dx.data(), "input gradient: " + what);
        for (int i = 0; i < riding.parameters().size(); i++) {
          assertArrayEquals(alone.parameters().get(i).gradient().data(), riding.parameters().get(i).gradient().data(),
              riding.parameters().get(i).name() + ": " + what);
        }
        // The full pass afterwards still works on the same buffers.
        FloatMatrix full = riding.backward(FloatMatrix.gaussian(rows + extra, widths[3], 1, 3));
        assertEquals(rows + extra, full.rows());
      }
    } finally {
      Blas.setParallelism(threads);
    }
  }

  @org.junit.jupiter.api.Test
  void aGradientWithMoreRowsOrOtherColumnsIsRefused() {
    Sequential s = network(Activation.RELU, true, new int[] {5, 7, 3, 2}, 1);
    s.forward(FloatMatrix.gaussian(40, 5, 1, 2));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> s.backward(FloatMatrix.zeros(41, 2)));
    assertTrue(e.getMessage().contains("41x2") && e.getMessage().contains("40x2"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> s.backward(FloatMatrix.zeros(30, 3)));
    assertTrue(e.getMessage().contains("30x3"), e.getMessage());
  }

  /** Linear, φ, Linear, φ, Linear over the widths, the way Sequential.mlp builds an MLP. */
  private static Sequential network(Activation phi, boolean bias, int[] widths, long seed) {
    Parametrization p = Parametrization.SPECTRAL;
    Module[] modules = new Module[5];
    for (int l = 0; l < 3; l++) {
      LayerRole role = l == 0 ? LayerRole.INPUT : l == 2 ? LayerRole.OUTPUT : LayerRole.HIDDEN;
      String name = "fc" + l;
      modules[2 * l] = new Linear(name, ModuleGradientCheckTest.rule(p, name + ".weight", widths[l], widths[l + 1], role),
          bias ? ModuleGradientCheckTest.rule(p, name + ".bias", 1, widths[l + 1], LayerRole.BIAS) : null, seed + l);
      if (l < 2) {
        modules[2 * l + 1] = new Pointwise(phi, widths[l + 1]);
      }
    }
    return Sequential.of(modules);
  }
}
