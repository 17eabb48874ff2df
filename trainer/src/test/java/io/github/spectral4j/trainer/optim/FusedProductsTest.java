package io.github.spectral4j.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.spectral4j.core.Layer;
import io.github.spectral4j.core.LayerRole;
import io.github.spectral4j.core.Optimizer;
import io.github.spectral4j.core.Parametrization;
import io.github.spectral4j.simd.FloatMatrix;
import io.github.spectral4j.simd.Fused;
import io.github.spectral4j.trainer.ThreadAllocation;
import io.github.spectral4j.trainer.nn.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Plain SGD's one-pass step and the {@link FusedProducts} its pass forms: the values are the bits of
 * {@code W + (−η_l·G)} with or without products, and the products those of a separate pass over the new
 * W and W₀ ({@link Fused#differenceGramTimes}; bit for bit below 64 rows, beyond to the order of the sums),
 * served for the requested step only.
 */
class FusedProductsTest {

  private static Parameter matrix(String name, int fanIn, int fanOut, long seed) {
    return Parameter.gaussian(name,
        Parametrization.SPECTRAL.rule(new Layer(name, fanIn, fanOut, LayerRole.HIDDEN), Optimizer.SGD), fanOut, fanIn,
        seed);
  }

  static LongStream seeds() {
    return LongStream.rangeClosed(1, 200);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void sgdStepIsTheElementwiseUpdateAndProductsMatchASeparatePass(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int fanIn = 1 + random.nextInt(70);
    int fanOut = 1 + random.nextInt(70);
    double lr = random.nextDouble(0.01, 1);
    Parameter p = matrix("w", fanIn, fanOut, seed);
    Parameter q = matrix("w", fanIn, fanOut, seed); // the same values, stepped without products
    FloatMatrix w0 = p.value().copy();
    Sgd fused = new Sgd(List.of(p), lr, 0, 0);
    Sgd plain = new Sgd(List.of(q), lr, 0, 0);
    FusedProducts products = new FusedProducts(p, w0);
    assertTrue(fused.attach(products));
    float[] x = gaussian(random, fanIn);
    float[] y = gaussian(random, fanIn);
    float[] ax = new float[fanOut];
    float[] aOut = new float[fanIn];
    float[] ey = new float[fanOut];
    float[] eOut = new float[fanIn];
    for (int t = 1; t <= 3; t++) {
      float[] g = gaussian(random, fanIn * fanOut);
      System.arraycopy(g, 0, p.gradient().data(), 0, g.length);
      System.arraycopy(g, 0, q.gradient().data(), 0, g.length);
      float[] expected = p.value().data().clone();
      float lrl = (float) (lr * p.rule().learningRateMultiplier());
      for (int k = 0; k < g.length; k++) {
        expected[k] += -lrl * g[k];
      }
      boolean requested = t != 2;
      if (requested) {
        products.request(x, ax, aOut, y, ey, eOut);
      }
      fused.step();
      plain.step();
      assertArrayEquals(expected, p.value().data(), "W + (−η·G) at step " + t);
      assertArrayEquals(q.value().data(), p.value().data(), "with and without products at step " + t);
      assertArrayEquals(plain.lastUpdate(q).data(), fused.lastUpdate(p).data(), "ΔW at step " + t);
      assertEquals(plain.lastUpdateNorm(q), fused.lastUpdateNorm(p), 1e-6 * plain.lastUpdateNorm(q));
      assertEquals(plain.valueNorm(q), fused.valueNorm(p), 1e-6 * plain.valueNorm(q));
      assertEquals(requested ? t : 1, products.step(), "the step that formed the products");
      if (requested) {
        float[] ax2 = new float[fanOut];
        float[] aOut2 = new float[fanIn];
        float[] ey2 = new float[fanOut];
        float[] eOut2 = new float[fanIn];
        double dSq = Fused.differenceGramTimes(p.value(), w0, x, ax2, aOut2, y, ey2, eOut2);
        assertArrayEquals(ax2, ax, 0f, "W·x");
        assertArrayEquals(ey2, ey, 0f, "E·y");
        // From 64 rows the pass sums Wᵀ·(W·x) over two halves of the rows: the same to float rounding.
        assertClose(aOut2, aOut, "WᵀW·x");
        assertClose(eOut2, eOut, "EᵀE·y");
        assertEquals(Math.sqrt(dSq), products.driftFrobenius(), 1e-9 * Math.sqrt(dSq), "‖W − W₀‖_F");
      }
    }
  }

  @Test
  void momentumSgdAlsoFormsProductsAndAnUnrequestedStepDoesNot() {
    Parameter p = matrix("w", 9, 5, 3);
    FloatMatrix w0 = p.value().copy();
    Sgd sgd = new Sgd(List.of(p), 0.1, 0.9, 0.01);
    FusedProducts products = new FusedProducts(p, w0);
    sgd.attach(products);
    p.gradient().data()[7] = 1f;
    sgd.step();
    assertEquals(-1, products.step());
    products.request(new float[9], new float[5], new float[9], ones(9), new float[5], new float[9]);
    products.cancel();
    sgd.step();
    assertEquals(-1, products.step(), "a cancelled request is not served");
    float[] ey = new float[5];
    products.request(new float[9], new float[5], new float[9], ones(9), ey, new float[9]);
    sgd.step();
    assertEquals(3, products.step());
    float[] expected = new float[5];
    double dSq = Fused.differenceGramTimes(p.value(), w0, null, null, null, ones(9), expected, new float[9]);
    assertArrayEquals(expected, ey, 0f);
    assertEquals(Math.sqrt(dSq), products.driftFrobenius(), 1e-12);
    assertTrue(dSq > 0);
  }

  @Test
  void badRequestsAndReferencesAreRefused() {
    Parameter p = matrix("hidden", 4, 3, 1);
    IllegalArgumentException shape =
        assertThrows(IllegalArgumentException.class, () -> new FusedProducts(p, FloatMatrix.zeros(4, 3)));
    assertTrue(shape.getMessage().contains("hidden (3x4)") && shape.getMessage().contains("got 4x3"), shape.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new FusedProducts(p, p.value()));
    FusedProducts products = new FusedProducts(p, p.value().copy());
    IllegalArgumentException length = assertThrows(IllegalArgumentException.class,
        () -> products.request(new float[4], new float[3], new float[4], new float[4], new float[4], new float[4]));
    assertTrue(length.getMessage().contains("hidden is 3x4"), length.getMessage());
    Sgd other = new Sgd(List.of(matrix("other", 4, 3, 2)), 0.1, 0, 0);
    assertThrows(IllegalArgumentException.class, () -> other.attach(products));
    assertFalse(new AdamW(List.of(p), 0.1, 0).attach(products), "AdamW forms no products yet");
  }

  /** Enough steps for C2 to compile the kernels: a step that serves a request allocates nothing. */
  @org.junit.jupiter.api.Tag("allocation")
  @ParameterizedTest(name = "fan-in {0}, fan-out {1}")
  @org.junit.jupiter.params.provider.CsvSource({"37, 29", "77, 97"})
  void aStepWithProductsAllocatesNothing(int fanIn, int fanOut) {
    List<Parameter> ps = new ArrayList<>();
    ps.add(matrix("a", fanIn, fanOut, 5));
    Sgd sgd = new Sgd(ps, 0.01, 0, 0);
    FusedProducts products = new FusedProducts(ps.get(0), ps.get(0).value().copy());
    sgd.attach(products);
    float[] x = ones(fanIn);
    float[] ax = new float[fanOut];
    float[] aOut = new float[fanIn];
    float[] ey = new float[fanOut];
    float[] eOut = new float[fanIn];
    Runnable step = () -> {
      products.request(x, ax, aOut, x, ey, eOut);
      sgd.step();
    };
    // On one thread (the two halves of a split pass run inline on the caller): the pass's own allocation,
    // not the fork-join pool's; OptimizerPassTest checks that two threads give the same bits.
    int threads = io.github.spectral4j.simd.Blas.parallelism();
    try {
      io.github.spectral4j.simd.Blas.setParallelism(1);
      assertEquals(0, ThreadAllocation.during(20_000, step));
    } finally {
      io.github.spectral4j.simd.Blas.setParallelism(threads);
    }
  }

  /** Equal to a few float roundings of the vector's largest entry (the sums differ only in order). */
  private static void assertClose(float[] expected, float[] actual, String what) {
    float max = 0;
    for (float v : expected) {
      max = Math.max(max, Math.abs(v));
    }
    assertArrayEquals(expected, actual, 1e-5f * max, what);
  }

  private static float[] gaussian(SplittableRandom random, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) random.nextGaussian();
    }
    return a;
  }

  private static float[] ones(int n) {
    float[] a = new float[n];
    java.util.Arrays.fill(a, 1f);
    return a;
  }
}
