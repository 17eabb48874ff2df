package io.github.spectral4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every rule against hand-computed numbers, then the properties Condition 1 promises. */
class ParametrizationTest {
  private static final double EXACT = 1e-12;

  private static final Layer INPUT = new Layer("W1", 784, 4096, LayerRole.INPUT);
  private static final Layer HIDDEN = new Layer("W2", 4096, 4096, LayerRole.HIDDEN);
  private static final Layer OUTPUT = new Layer("W3", 4096, 10, LayerRole.OUTPUT);
  private static final Layer BIAS = new Layer("b1", 1, 4096, LayerRole.BIAS);

  @Test
  void spectralByHand() {
    LayerRule in = Parametrization.SPECTRAL.rule(INPUT, Optimizer.SGD);
    assertEquals(1 / 28.0, in.initStd(), EXACT); // min(1, √(4096/784)) = 1, 1/√784
    assertEquals(4096 / 784.0, in.learningRateMultiplier(), EXACT);
    assertEquals(64 / 28.0, in.targetWeightNorm(), EXACT);
    assertEquals(1.0, in.forwardMultiplier());

    LayerRule hidden = Parametrization.SPECTRAL.rule(HIDDEN, Optimizer.SGD);
    assertEquals(1 / 64.0, hidden.initStd(), EXACT);
    assertEquals(1.0, hidden.learningRateMultiplier(), EXACT);
    assertEquals(1.0, hidden.targetUpdateNorm(), EXACT);

    LayerRule out = Parametrization.SPECTRAL.rule(OUTPUT, Optimizer.SGD);
    assertEquals(Math.sqrt(10 / 4096.0) / 64, out.initStd(), EXACT);
    assertEquals(10 / 4096.0, out.learningRateMultiplier(), EXACT);

    assertEquals(1 / 784.0, Parametrization.SPECTRAL.rule(INPUT, Optimizer.ADAM).learningRateMultiplier(), EXACT);
    assertEquals(1 / 4096.0, Parametrization.SPECTRAL.rule(OUTPUT, Optimizer.ADAM).learningRateMultiplier(), EXACT);
    assertEquals(
        Math.sqrt(10 / 4096.0),
        Parametrization.SPECTRAL.rule(OUTPUT, Optimizer.NORMALIZED).learningRateMultiplier(),
        EXACT);

    // A bias alone: zero init, the rate of a square hidden weight of its width (4096 x 4096: 1),
    // not the paper's fan-in-1 constant 4096; Condition 1's target is still the fan-in-1 matrix's.
    LayerRule bias = Parametrization.SPECTRAL.rule(BIAS, Optimizer.SGD);
    assertEquals(0.0, bias.initStd(), EXACT);
    assertEquals(0.0, bias.initMean(), EXACT);
    assertEquals(1.0, bias.learningRateMultiplier(), EXACT);
    assertEquals(1 / 4096.0, Parametrization.SPECTRAL.rule(BIAS, Optimizer.ADAM).learningRateMultiplier(), EXACT);
    assertEquals(64.0, bias.targetWeightNorm(), EXACT);
  }

  @Test
  void mupByHand() {
    assertEquals(1 / 28.0, Parametrization.MUP.rule(INPUT, Optimizer.SGD).initStd(), EXACT);
    assertEquals(1 / 64.0, Parametrization.MUP.rule(HIDDEN, Optimizer.SGD).initStd(), EXACT);
    assertEquals(1 / 4096.0, Parametrization.MUP.rule(OUTPUT, Optimizer.SGD).initStd(), EXACT);
    assertEquals(0.0, Parametrization.MUP.rule(BIAS, Optimizer.SGD).initStd(), EXACT);

    assertEquals(4096.0, Parametrization.MUP.rule(INPUT, Optimizer.SGD).learningRateMultiplier(), EXACT);
    assertEquals(1.0, Parametrization.MUP.rule(BIAS, Optimizer.SGD).learningRateMultiplier(), EXACT);
    assertEquals(1.0, Parametrization.MUP.rule(HIDDEN, Optimizer.SGD).learningRateMultiplier(), EXACT);
    assertEquals(1 / 4096.0, Parametrization.MUP.rule(OUTPUT, Optimizer.SGD).learningRateMultiplier(), EXACT);

    assertEquals(1.0, Parametrization.MUP.rule(INPUT, Optimizer.ADAM).learningRateMultiplier(), EXACT);
    assertEquals(1 / 4096.0, Parametrization.MUP.rule(BIAS, Optimizer.ADAM).learningRateMultiplier(), EXACT);
    assertEquals(1 / 4096.0, Parametrization.MUP.rule(HIDDEN, Optimizer.ADAM).learningRateMultiplier(), EXACT);
    assertEquals(1 / 4096.0, Parametrization.MUP.rule(OUTPUT, Optimizer.ADAM).learningRateMultiplier(), EXACT);
  }

  @Test
  void standardAndNtkByHand() {
    for (Optimizer optimizer : Optimizer.values()) {
      LayerRule sp = Parametrization.STANDARD.rule(OUTPUT, optimizer);
      assertEquals(1 / 64.0, sp.initStd(), EXACT);
      assertEquals(1.0, sp.forwardMultiplier());
      assertEquals(1.0, sp.learningRateMultiplier());

      LayerRule ntk = Parametrization.NTK.rule(HIDDEN, optimizer);
      assertEquals(1.0, ntk.initStd());
      assertEquals(1 / 64.0, ntk.forwardMultiplier(), EXACT);
      assertEquals(1.0, ntk.learningRateMultiplier());
    }
    assertEquals(Math.sqrt(10 / 4096.0), Parametrization.NTK.rule(OUTPUT, Optimizer.SGD).targetWeightNorm(), EXACT);
  }

  @Test
  void parsesNamesAndRejectsUnknownOnes() {
    assertEquals(Parametrization.MUP, Parametrization.parse("muP"));
    assertEquals(Optimizer.NORMALIZED, Optimizer.parse(" normalized "));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Parametrization.parse("mu-p"));
    assertTrue(e.getMessage().contains("'mu-p'") && e.getMessage().contains("spectral"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Optimizer.parse(null));
  }

  @Test
  void layerRejectsBadDimensionsNamingThem() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new Layer("W2", 0, 10, LayerRole.HIDDEN));
    assertTrue(e.getMessage().contains("W2") && e.getMessage().contains("0"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new Layer("W2", 10, -1, LayerRole.HIDDEN));
    assertThrows(IllegalArgumentException.class, () -> new Layer("b1", 3, 10, LayerRole.BIAS));
    assertThrows(IllegalArgumentException.class, () -> new Layer(" ", 3, 10, LayerRole.HIDDEN));
  }

  /**
   * A Gaussian fanOut×fanIn matrix has ‖W‖* ≈ σ(√fi + √fo), so the spectral init lands in [1, 2]·√(fo/fi)
   * for every shape: min(1, r)(1 + r)/r with r = √(fo/fi) is 1 + r ≤ 2 for r ≤ 1 and 1 + 1/r ≤ 2 for r ≥ 1.
   */
  @ParameterizedTest(name = "seed={0}")
  @MethodSource("io.github.spectral4j.core.Seeds#cases")
  void spectralInitNormIsWithinOneAndTwoTargets(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    Layer layer = new Layer("W", logUniform(random, 65536), logUniform(random, 65536), LayerRole.HIDDEN);
    LayerRule rule = Parametrization.SPECTRAL.rule(layer, Optimizer.SGD);
    double ratio = rule.expectedInitSpectralNorm() / layer.spectralScale();
    assertTrue(ratio >= 1 - 1e-12 && ratio <= 2 + 1e-12, layer + ": ratio " + ratio);
  }

  /**
   * The rank-1 identity behind the SGD rule: a gradient g·xᵀ has spectral norm ‖g‖·‖x‖, so with ‖x‖ = √fi
   * (Θ(1) entries) and ‖g‖ = 1/√fo, the step η·(fo/fi)·g·xᵀ has spectral norm exactly η·√(fo/fi).
   */
  @ParameterizedTest(name = "seed={0}")
  @MethodSource("io.github.spectral4j.core.Seeds#cases")
  void rankOneSgdStepHasTargetSpectralNorm(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int fi = 1 + random.nextInt(300);
    int fo = 1 + random.nextInt(300);
    double[] x = randomVector(random, fi, Math.sqrt(fi));
    double[] g = randomVector(random, fo, 1 / Math.sqrt(fo));
    Layer layer = new Layer("W", fi, fo, LayerRole.HIDDEN);
    double lr = Parametrization.SPECTRAL.rule(layer, Optimizer.SGD).learningRateMultiplier();
    // ΔW = lr·g·xᵀ; its spectral norm by power iteration on the explicit matrix (rank 1: one step is exact).
    double[][] dw = new double[fo][fi];
    for (int i = 0; i < fo; i++) {
      for (int j = 0; j < fi; j++) {
        dw[i][j] = lr * g[i] * x[j];
      }
    }
    double spectral = rankOneSpectralNorm(dw, random);
    assertEquals(layer.spectralScale(), spectral, 1e-9 * layer.spectralScale(), layer.toString());
  }

  /** SPECTRAL ≡ MUP up to width-independent constants: the log-ratio of their rules has slope 0 in width. */
  @ParameterizedTest(name = "seed={0}")
  @MethodSource("io.github.spectral4j.core.Seeds#cases")
  void spectralEqualsMupUpToWidthIndependentConstants(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int input = 1 + random.nextInt(1024);
    int output = 1 + random.nextInt(1024);
    boolean bias = random.nextBoolean();
    int depth = 2 + random.nextInt(4);
    // The equivalence is about the regime the paper studies: width ≥ the fixed input and output
    // dimensions, where min(1, √(fo/fi)) is 1 for the input layer and √(fo/fi) for the output layer.
    double[] widths = new double[4];
    widths[0] = Math.max(Math.max(input, output), 1 + random.nextInt(2048));
    for (int i = 1; i < widths.length; i++) {
      widths[i] = widths[i - 1] * (2 + random.nextInt(3));
    }
    int layers = ModelShape.of(dims(input, (int) widths[0], depth, output), bias).layers().size();
    for (Optimizer optimizer : new Optimizer[] {Optimizer.SGD, Optimizer.ADAM}) {
      for (int l = 0; l < layers; l++) {
        double[] initRatio = new double[widths.length];
        double[] lrRatio = new double[widths.length];
        for (int w = 0; w < widths.length; w++) {
          ModelShape shape = ModelShape.of(dims(input, (int) widths[w], depth, output), bias);
          LayerRule s = shape.rules(Parametrization.SPECTRAL, optimizer).get(l);
          LayerRule m = shape.rules(Parametrization.MUP, optimizer).get(l);
          // zero-initialised vectors: both 0, and their ratio is taken as 1
          assertEquals(m.initStd() == 0, s.initStd() == 0, s.layer().toString());
          initRatio[w] = m.initStd() == 0 ? 1 : s.initStd() / m.initStd();
          lrRatio[w] = s.learningRateMultiplier() / m.learningRateMultiplier();
        }
        String what = "layer " + l + " " + optimizer + " input " + input + " output " + output;
        assertEquals(0, ScalingFit.fit(widths, initRatio).slope(), 1e-9, what);
        assertEquals(0, ScalingFit.fit(widths, lrRatio).slope(), 1e-9, what);
      }
    }
  }

  static int[] dims(int input, int width, int depth, int output) {
    int[] dims = new int[depth + 1];
    java.util.Arrays.fill(dims, width);
    dims[0] = input;
    dims[depth] = output;
    return dims;
  }

  static int logUniform(SplittableRandom random, int max) {
    return (int) Math.min(max, Math.round(Math.exp(random.nextDouble() * Math.log(max))));
  }

  private static double[] randomVector(SplittableRandom random, int n, double norm) {
    double[] v = new double[n];
    double s = 0;
    for (int i = 0; i < n; i++) {
      v[i] = random.nextDouble() - 0.5;
      s += v[i] * v[i];
    }
    if (s == 0) {
      v[0] = 1;
      s = 1;
    }
    double scale = norm / Math.sqrt(s);
    for (int i = 0; i < n; i++) {
      v[i] *= scale;
    }
    return v;
  }

  /** ‖M‖* of a rank-1 matrix: ‖M·v‖/‖v‖ for any v not orthogonal to its row space, here one of its rows. */
  private static double rankOneSpectralNorm(double[][] m, SplittableRandom random) {
    double[] v = m[random.nextInt(m.length)].clone();
    double nv = 0;
    for (double e : v) {
      nv += e * e;
    }
    double nmv = 0;
    for (double[] row : m) {
      double dot = 0;
      for (int j = 0; j < v.length; j++) {
        dot += row[j] * v[j];
      }
      nmv += dot * dot;
    }
    return Math.sqrt(nmv / nv);
  }
}
