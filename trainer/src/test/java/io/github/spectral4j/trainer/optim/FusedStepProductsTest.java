package io.github.spectral4j.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.spectral4j.core.Layer;
import io.github.spectral4j.core.LayerRole;
import io.github.spectral4j.core.Optimizer;
import io.github.spectral4j.core.Parametrization;
import io.github.spectral4j.simd.Blas;
import io.github.spectral4j.simd.FloatMatrix;
import io.github.spectral4j.simd.Fused;
import io.github.spectral4j.trainer.ThreadAllocation;
import io.github.spectral4j.trainer.nn.FusedStep;
import io.github.spectral4j.trainer.nn.Parameter;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Plain SGD's step applied by the weight gradient's GEMM ({@link FusedStep#gemmUpdate}, as a {@code Linear}'s
 * backward pass calls it) with {@link FusedProducts} requested and ΔW not kept: W and the norms the bits of the
 * same step without products, the products formed in that GEMM's write-back and served at that step (no pass
 * after it), equal to the read-only pass over the new W and W₀ ({@link Fused#differenceGramTimes}): W·x and E·y
 * bit for bit, the column sums and ‖E‖ to their sums' rounding; the same on 1, 2 and 3 threads.
 */
class FusedStepProductsTest {

  private static Parameter matrix(int fanIn, int fanOut, long seed) {
    return Parameter.gaussian("w",
        Parametrization.SPECTRAL.rule(new Layer("w", fanIn, fanOut, LayerRole.HIDDEN), Optimizer.SGD), fanOut, fanIn,
        seed);
  }

  static LongStream seeds() {
    return LongStream.rangeClosed(1, 40);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void productsAreFormedByTheGemmThatAppliesTheStep(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    // fan-outs above 192 take the write-back's row blocks; smaller ones the pass after the product
    int fanIn = 1 + random.nextInt(seed % 3 == 0 ? 300 : 60);
    int fanOut = 1 + random.nextInt(seed % 3 == 0 ? 400 : 60);
    int batch = 1 + random.nextInt(130);
    int rows = batch + random.nextInt(3); // rows past the batch ride along, as a probe's
    double lr = random.nextDouble(0.01, 1);
    float gamma = (float) random.nextDouble(0.5, 2);
    FloatMatrix delta = FloatMatrix.gaussian(rows, fanOut, 1.0, random.nextLong());
    FloatMatrix in = FloatMatrix.gaussian(rows, fanIn, 1.0, random.nextLong());
    float[] x = FloatMatrix.gaussian(1, fanIn, 1.0, random.nextLong()).data();
    float[] y = FloatMatrix.gaussian(1, fanIn, 1.0, random.nextLong()).data();
    int threads = Blas.parallelism();
    try {
      float[] firstAOut = null;
      for (int t = 1; t <= 3; t++) {
        Blas.setParallelism(t);
        String how = fanOut + "x" + fanIn + " from " + batch + " rows on " + t + " threads";
        Parameter p = matrix(fanIn, fanOut, seed);
        Parameter q = matrix(fanIn, fanOut, seed); // the same values, stepped without products
        FloatMatrix w0 = p.value().copy();
        for (int i = 0; i < w0.data().length; i++) {
          w0.data()[i] += (float) (0.01 * random.nextGaussian()); // W − W₀ not only the step
        }
        Sgd watched = new Sgd(List.of(p), lr, 0, 0);
        Sgd plain = new Sgd(List.of(q), lr, 0, 0);
        FusedProducts products = new FusedProducts(p, w0);
        assertTrue(watched.attach(products));
        float[] ax = new float[fanOut];
        float[] aOut = new float[fanIn];
        float[] ey = new float[fanOut];
        float[] eOut = new float[fanIn];
        products.keepUpdate(false);
        products.request(x, ax, aOut, y, ey, eOut);
        FusedStep fp = watched.fusedStep();
        FusedStep fq = plain.fusedStep();
        float alpha = fp.scale(p);
        assertEquals(fq.scale(q), alpha, "α");
        assertFalse(Float.isNaN(alpha), "a request without ΔW kept leaves the step to the GEMM");
        fp.gemmUpdate(p, alpha, true, false, fanOut, fanIn, batch, gamma, delta, in, new double[2]);
        fq.gemmUpdate(q, alpha, true, false, fanOut, fanIn, batch, gamma, delta, in, new double[2]);
        assertEquals(-1, products.step(), how + ": stamped only when the step ends");
        watched.step();
        plain.step();
        assertArrayEquals(q.value().data(), p.value().data(), how + ": W with and without products");
        assertEquals(plain.lastUpdateNorm(q), watched.lastUpdateNorm(p), 0, how + ": ‖ΔW‖");
        assertEquals(plain.valueNorm(q), watched.valueNorm(p), 0, how + ": ‖W‖");
        assertEquals(1, products.step(), how + ": the products of step 1");
        float[] ax2 = new float[fanOut];
        float[] aOut2 = new float[fanIn];
        float[] ey2 = new float[fanOut];
        float[] eOut2 = new float[fanIn];
        double dSq = Fused.differenceGramTimes(p.value(), w0, x, ax2, aOut2, y, ey2, eOut2);
        assertArrayEquals(ax2, ax, 0f, how + ": W·x");
        assertArrayEquals(ey2, ey, 0f, how + ": E·y");
        assertClose(aOut2, aOut, fanOut, how + ": WᵀW·x");
        assertClose(eOut2, eOut, fanOut, how + ": EᵀE·y");
        assertEquals(Math.sqrt(dSq), products.driftFrobenius(), 1e-6 * Math.sqrt(dSq), how + ": ‖W − W₀‖_F");
        if (firstAOut == null) {
          firstAOut = aOut;
        } else {
          assertArrayEquals(firstAOut, aOut, 0f, how + ": WᵀW·x on another thread count");
        }
      }
    } finally {
      Blas.setParallelism(threads);
    }
  }

  /** Enough steps for C2 to compile the kernels: a GEMM step that serves a request allocates nothing. */
  @Tag("allocation")
  @Test
  void aGemmStepWithProductsAllocatesNothing() {
    int fanIn = 300;
    int fanOut = 250;
    Parameter p = matrix(fanIn, fanOut, 3);
    Sgd sgd = new Sgd(List.of(p), 1e-6, 0, 0);
    FusedProducts products = new FusedProducts(p, p.value().copy());
    sgd.attach(products);
    products.keepUpdate(false);
    FloatMatrix delta = FloatMatrix.gaussian(64, fanOut, 1.0, 4);
    FloatMatrix in = FloatMatrix.gaussian(64, fanIn, 1.0, 5);
    float[] x = FloatMatrix.gaussian(1, fanIn, 1.0, 6).data();
    float[] ax = new float[fanOut];
    float[] aOut = new float[fanIn];
    float[] ey = new float[fanOut];
    float[] eOut = new float[fanIn];
    double[] norms = new double[2];
    FusedStep f = sgd.fusedStep();
    Runnable step = () -> {
      products.request(x, ax, aOut, x, ey, eOut);
      f.gemmUpdate(p, f.scale(p), true, false, fanOut, fanIn, 64, 1f, delta, in, norms);
      sgd.step();
    };
    int threads = Blas.parallelism();
    try {
      for (int t : new int[] {1, 2}) {
        Blas.setParallelism(t);
        assertEquals(0, ThreadAllocation.during(2_000, step), "on " + t + " threads");
      }
    } finally {
      Blas.setParallelism(threads);
    }
  }

  /** Equal to float rounding of sums of {@code terms} products (the sums differ only in order). */
  private static void assertClose(float[] expected, float[] actual, int terms, String what) {
    float max = 0;
    for (float v : expected) {
      max = Math.max(max, Math.abs(v));
    }
    assertArrayEquals(expected, actual, 4 * terms * 0x1p-24f * max + Float.MIN_NORMAL, what);
  }
}
