package io.github.spectral4j.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.spectral4j.core.ModelShape;
import io.github.spectral4j.core.Optimizer;
import io.github.spectral4j.core.Parametrization;
import io.github.spectral4j.core.ScalingFit;
import io.github.spectral4j.simd.Blas;
import io.github.spectral4j.simd.FloatMatrix;
import io.github.spectral4j.simd.Lanczos;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The design's promise, Condition 1 of arXiv 2310.17813: under the spectral parametrization weights and
 * their updates have spectral norm Θ(√(fanOut/fanIn)), measured with Lanczos over random shapes.
 */
class SpectralConditionPropertyTest {
  private static final int MIN_DIM = 16;
  private static final int MAX_DIM = 2048;
  /** Condition 1's band for ‖W‖* / √(fo/fi) at initialisation (a Gaussian matrix gives 1 to 2). */
  private static final double BAND_LOW = 0.9;
  private static final double BAND_HIGH = 2.2;
  /** Normalized updates: ‖ΔW‖* = η·√(fo/fi) to this relative error. */
  private static final double NORMALIZED_TOLERANCE = 1e-4;
  /** Largest width exponent allowed for ‖ΔW‖* / √(fo/fi) across widths. */
  private static final double MAX_SLOPE = 0.15;
  /** Largest ‖ΔW‖_F/‖ΔW‖*: an SGD update of a batch is low-rank. */
  private static final double MAX_FROBENIUS_OVER_SPECTRAL = 2.5;

  static LongStream seeds() {
    return LongStream.rangeClosed(1, 60);
  }

  /** Log-uniform in [lo, hi]: small shapes dominate, so the sweep stays fast. */
  private static int logUniform(SplittableRandom r, int lo, int hi) {
    return (int) Math.round(Math.exp(Math.log(lo) + r.nextDouble() * (Math.log(hi) - Math.log(lo))));
  }

  static double spectralNorm(FloatMatrix a, double tolerance) {
    int k = Math.min(a.rows(), a.cols());
    return new Lanczos(a.rows(), a.cols(), 1).setOptions(k, tolerance).compute(a).singularValues()[0];
  }

  private static double initRatio(Parametrization p, int fanIn, int fanOut, long seed) {
    ModelShape shape = ModelShape.of(new int[] {fanIn, fanOut}, false);
    Mlp mlp = Mlp.initialize(shape, Activation.RELU, shape.rules(p, Optimizer.SGD), seed);
    return spectralNorm(mlp.weight(0), 1e-4) / Math.sqrt((double) fanOut / fanIn);
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void spectralInitHasTheTargetSpectralNorm(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int fanIn = logUniform(r, MIN_DIM, MAX_DIM);
    int fanOut = logUniform(r, MIN_DIM, MAX_DIM);
    double ratio = initRatio(Parametrization.SPECTRAL, fanIn, fanOut, seed);
    assertTrue(
        ratio >= BAND_LOW && ratio <= BAND_HIGH,
        "fanIn=" + fanIn + " fanOut=" + fanOut + ": ‖W‖* / √(fo/fi) = " + ratio);
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void standardInitLeavesTheBandWhenFanOutIsMuchSmaller(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int fanIn = logUniform(r, 16 * MIN_DIM, MAX_DIM);
    int fanOut = logUniform(r, MIN_DIM, fanIn / 16);
    // σ = 1/√fi gives ‖W‖* ≈ 1 + √(fo/fi), far above √(fo/fi) when fo ≪ fi.
    double ratio = initRatio(Parametrization.STANDARD, fanIn, fanOut, seed);
    assertTrue(ratio > BAND_HIGH, "fanIn=" + fanIn + " fanOut=" + fanOut + ": ‖W‖* / √(fo/fi) = " + ratio);
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void normalizedExactUpdatesHaveSpectralNormEtaTimesTarget(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int fanIn = logUniform(r, MIN_DIM, MAX_DIM);
    int width = logUniform(r, MIN_DIM, MAX_DIM);
    int classes = 10;
    int examples = 64;
    Dataset data = randomData(fanIn, classes, examples, seed);
    TrainingConfig c =
        TrainingConfig.defaults(new int[] {fanIn, width, classes})
            .withBias(true)
            .withOptimizer(Optimizer.NORMALIZED)
            .withLearningRate(0.02)
            .withBatchSize(32)
            .withSeed(seed);
    Training t = new Training(c, data);
    t.step();
    t.step(); // the second step runs the power iteration warm
    for (int l = 0; l < 2; l++) {
      int fi = l == 0 ? fanIn : width;
      int fo = l == 0 ? width : classes;
      double target = c.learningRate() * Math.sqrt((double) fo / fi);
      double measured = spectralNorm(t.lastUpdate(l), 1e-7);
      assertEquals(target, measured, NORMALIZED_TOLERANCE * target, "W" + (l + 1) + " " + fo + "x" + fi);
      // a bias's normalized step takes its size from its weight's (core's vector rule): ‖Δb‖₂ = η·√(fo/fi)
      double biasTarget = c.learningRate() * Math.sqrt((double) fo / fi);
      double biasNorm = Blas.nrm2(t.lastBiasUpdate(l));
      assertEquals(biasTarget, biasNorm, NORMALIZED_TOLERANCE * biasTarget, "b" + (l + 1));
    }
  }

  private static Dataset randomData(int dim, int classes, int size, long seed) {
    return Dataset.teacher(dim, classes, size, seed);
  }

  /**
   * Hidden widths of the sweep, all above MNIST's input dimension 784: below it the input layer's
   * spectral init {@code σ = √(n/784)/√784} makes RMS h₁ grow like √n (the paper's asymptotics need
   * the width to dominate the fixed dimensions), which a fit over smaller widths would mistake for a
   * width dependence.
   */
  private static final int[] WIDTHS = {1024, 1448, 2048, 2896};

  @Test
  void oneSgdStepOfTheSpectralParametrizationHasWidthIndependentSpectralSize() {
    int[] widths = WIDTHS;
    Dataset mnist = Dataset.mnist10k();
    int depth = 3;
    double[][] ratio = new double[depth][widths.length];
    for (int i = 0; i < widths.length; i++) {
      int n = widths[i];
      TrainingConfig c = TrainingConfig.defaults(new int[] {784, n, n, 10}).withLearningRate(0.5);
      Training t = new Training(c, mnist);
      t.step();
      for (int l = 0; l < depth; l++) {
        FloatMatrix dw = t.lastUpdate(l);
        double spec = spectralNorm(dw, 1e-5);
        double target = t.model().weightRule(l).layer().spectralScale();
        ratio[l][i] = spec / target;
        double frobeniusOverSpectral = Blas.frobeniusNorm(dw) / spec;
        assertTrue(
            frobeniusOverSpectral <= MAX_FROBENIUS_OVER_SPECTRAL,
            "W" + (l + 1) + " width " + n + ": ‖ΔW‖_F/‖ΔW‖* = " + frobeniusOverSpectral);
      }
    }
    double[] x = java.util.Arrays.stream(widths).asDoubleStream().toArray();
    for (int l = 0; l < depth; l++) {
      ScalingFit fit = ScalingFit.fit(x, ratio[l]);
      assertTrue(
          Math.abs(fit.slope()) <= MAX_SLOPE,
          "W" + (l + 1) + ": slope " + fit.slope() + " of ‖ΔW‖* / √(fo/fi) = " + java.util.Arrays.toString(ratio[l]));
    }
  }

  @Test
  void standardSgdStepOfTheOutputLayerGrowsWithWidth() {
    // The same instrument detects a violation: under SP the output layer's update outgrows √(fo/fi).
    int[] widths = WIDTHS;
    double[] ratio = new double[widths.length];
    for (int i = 0; i < widths.length; i++) {
      int n = widths[i];
      TrainingConfig c =
          TrainingConfig.defaults(new int[] {784, n, n, 10}).withParametrization(Parametrization.STANDARD).withLearningRate(0.1);
      Training t = new Training(c, Dataset.mnist10k());
      t.step();
      ratio[i] = spectralNorm(t.lastUpdate(2), 1e-5) / Math.sqrt(10.0 / n);
    }
    double slope = ScalingFit.fit(java.util.Arrays.stream(widths).asDoubleStream().toArray(), ratio).slope();
    assertTrue(slope > 0.3, "slope " + slope + " of " + java.util.Arrays.toString(ratio));
  }
}
