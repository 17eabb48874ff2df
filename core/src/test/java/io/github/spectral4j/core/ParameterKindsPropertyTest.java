package io.github.spectral4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The promise for every parameter kind (issue 9, section 4): spectral equals μP up to width-independent
 * constants, every parametrization is standard at the base shape, each kind's measured norm on real
 * random matrices lands in a width-independent band, and replacing a kind's rule by the dense rule
 * leaves the band.
 */
class ParameterKindsPropertyTest {

  /**
   * A parameter of {@code kind} at width {@code n}: the width dimensions are multiples of {@code n},
   * the fixed ones ({@code fixed}, the vocabulary, the kernel) do not change with it.
   */
  static ParameterSpec at(ParameterKind kind, int n, int fixed, int vocab, int kernel, int variant) {
    return switch (kind) {
      case INPUT -> new ParameterSpec("p", kind, n, fixed);
      case HIDDEN -> variant == 0 ? new ParameterSpec("p", kind, 4 * n, n) : new ParameterSpec("p", kind, n, 4 * n);
      case OUTPUT -> new ParameterSpec("p", kind, fixed, n);
      case BIAS, NORM_GAIN -> new ParameterSpec("p", kind, n);
      case EMBEDDING -> new ParameterSpec("p", kind, vocab, n);
      case ATTENTION_QUERY, ATTENTION_KEY, ATTENTION_VALUE, ATTENTION_OUTPUT -> new ParameterSpec("p", kind, n, n);
      case ATTENTION_QKV -> variant == 0
          ? new ParameterSpec("p", kind, 3 * n, n)
          : new ParameterSpec("p", kind, new int[] {n, 3 * n}, true);
      case CONV -> new ParameterSpec("p", kind, n, n, kernel, kernel);
    };
  }

  /** SPECTRAL ≡ MUP up to width-independent constants, for every kind, optimizer and rule field. */
  @ParameterizedTest(name = "seed={0}")
  @MethodSource("io.github.spectral4j.core.Seeds#cases")
  void spectralEqualsMupUpToWidthIndependentConstantsForEveryKind(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int fixed = 1 + r.nextInt(64);
    int vocab = 2 + r.nextInt(60000);
    int kernel = 1 + r.nextInt(5);
    int variant = r.nextInt(2);
    // the paper's regime: widths at least the fixed dimensions (min(1, √(fo/fi)) settled)
    double[] widths = new double[4];
    widths[0] = Math.max(fixed, 1 + r.nextInt(256));
    for (int i = 1; i < widths.length; i++) {
      widths[i] = widths[i - 1] * (2 + r.nextInt(3));
    }
    for (ParameterKind kind : ParameterKind.values()) {
      for (Optimizer optimizer : Optimizer.values()) {
        for (boolean relative : new boolean[] {false, true}) {
          double[][] ratios = new double[6][widths.length];
          // with a readout beside it, so that ε's backward scale is exercised
          ModelShape base = withReadout(at(kind, (int) widths[0], fixed, vocab, kernel, variant), fixed);
          for (int w = 0; w < widths.length; w++) {
            ModelShape shape = withReadout(at(kind, (int) widths[w], fixed, vocab, kernel, variant), fixed);
            LayerRule s = (relative ? shape.rules(Parametrization.SPECTRAL, optimizer, base)
                : shape.rules(Parametrization.SPECTRAL, optimizer)).get(0);
            LayerRule m = (relative ? shape.rules(Parametrization.MUP, optimizer, base)
                : shape.rules(Parametrization.MUP, optimizer)).get(0);
            assertEquals(m.initStd() == 0, s.initStd() == 0, kind + " zero init");
            assertEquals(m.initMean(), s.initMean(), 0, kind + " init mean");
            ratios[0][w] = m.initStd() == 0 ? 1 : s.initStd() / m.initStd();
            ratios[1][w] = s.forwardMultiplier() / m.forwardMultiplier();
            ratios[2][w] = s.learningRateMultiplier() / m.learningRateMultiplier();
            ratios[3][w] = m.weightDecayMultiplier() == 0 ? 1 : s.weightDecayMultiplier() / m.weightDecayMultiplier();
            ratios[4][w] = s.epsilonMultiplier() / m.epsilonMultiplier();
            ratios[5][w] = s.targetUpdateNorm() / m.targetUpdateNorm();
          }
          String what = kind + " " + optimizer + (relative ? " relative" : " absolute") + " fixed " + fixed
              + " vocab " + vocab + " kernel " + kernel + " variant " + variant;
          String[] fields = {"initStd", "forward", "lr", "weight decay", "epsilon", "target"};
          for (int f = 0; f < ratios.length; f++) {
            assertEquals(0, ScalingFit.fit(widths, ratios[f]).slope(), 1e-9, what + " " + fields[f]);
          }
        }
      }
    }
  }

  private static ModelShape withReadout(ParameterSpec p, int fixed) {
    int n = p.kind() == ParameterKind.OUTPUT ? p.fanIn() : p.fanOut();
    return ModelShape.of(List.of(p, new ParameterSpec("readout", ParameterKind.OUTPUT, fixed, n)));
  }

  /** A random model of every kind, matched to itself as base: each rule is the standard one, multipliers 1. */
  @ParameterizedTest(name = "seed={0}")
  @MethodSource("io.github.spectral4j.core.Seeds#cases")
  void atTheBaseShapeEveryParametrizationIsStandard(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<ParameterSpec> specs = new ArrayList<>();
    int count = 1 + r.nextInt(12);
    for (int i = 0; i < count; i++) {
      ParameterKind kind = ParameterKind.values()[r.nextInt(ParameterKind.values().length)];
      ParameterSpec p = at(kind, 1 + r.nextInt(300), 1 + r.nextInt(50), 1 + r.nextInt(70000), 1 + r.nextInt(4),
          r.nextInt(2));
      specs.add(new ParameterSpec("p" + i + (kind == ParameterKind.BIAS ? ".bias" : ".weight"), kind, p.shape(),
          p.transposed()));
    }
    ModelShape shape = ModelShape.of(specs).withQueryZeroInit(r.nextBoolean()).withReadoutZeroInit(r.nextBoolean());
    for (Optimizer optimizer : Optimizer.values()) {
      List<LayerRule> standard = shape.rules(Parametrization.STANDARD, optimizer);
      for (Parametrization p : Parametrization.values()) {
        List<LayerRule> atBase = shape.rules(p, optimizer, shape);
        for (int i = 0; i < count; i++) {
          LayerRule s = standard.get(i);
          LayerRule t = atBase.get(i);
          String what = p + " " + optimizer + " " + specs.get(i);
          assertEquals(s.initStd(), t.initStd(), 1e-15 * s.initStd(), what);
          assertEquals(s.initMean(), t.initMean(), 0, what);
          assertEquals(1.0, t.forwardMultiplier(), 0, what);
          assertEquals(1.0, t.learningRateMultiplier(), 0, what);
          assertEquals(1.0, t.epsilonMultiplier(), 0, what);
          assertEquals(s.weightDecayMultiplier(), t.weightDecayMultiplier(), 0, what);
          assertEquals(1.0, s.learningRateMultiplier(), 0, what);
        }
      }
    }
  }

  /**
   * Each kind's norm, measured on a real Gaussian draw of its spectral rule, divided by Condition 1's
   * target in the kind's norm, lands in one band at every width: the spectral norm for dense,
   * attention and (reshaped) convolution matrices — for a fused Q, K, V projection each block's —, the
   * row RMS of an embedding {@code [vocab, width]} (the ℓ1→RMS norm of {@code Eᵀ}). The band's bounds
   * are the Gaussian estimate {@code σ(√fi + √fo) ∈ [1, 2]·target} widened for sizes down to 8.
   */
  @ParameterizedTest(name = "seed={0}")
  @MethodSource("io.github.spectral4j.core.Seeds#cases")
  void measuredInitNormOfEveryKindLandsInAWidthIndependentBand(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    ParameterKind[] matrices = {ParameterKind.INPUT, ParameterKind.HIDDEN, ParameterKind.OUTPUT,
        ParameterKind.EMBEDDING, ParameterKind.ATTENTION_QUERY, ParameterKind.ATTENTION_OUTPUT,
        ParameterKind.ATTENTION_QKV, ParameterKind.CONV};
    ParameterKind kind = matrices[r.nextInt(matrices.length)];
    int n = 8 + r.nextInt(120);
    ParameterSpec spec = at(kind, n, 8 + r.nextInt(56), 1000 + r.nextInt(100000), 1 + r.nextInt(3), r.nextInt(2));
    LayerRule rule = ModelShape.of(List.of(spec)).rules(Parametrization.SPECTRAL, Optimizer.SGD).get(0);
    double ratio = measuredOverTarget(rule, spec, r);
    assertTrue(ratio > 0.6 && ratio < 2.3, spec + ": measured/target " + ratio);
  }

  /**
   * The band of the test above rejects the dense rule applied to what is not a dense matrix: an
   * embedding's feature size is then wrong by {@code √vocab}, a convolution read as
   * {@code [c_out, c_in]} is too large by the kernel's {@code √(kh·kw)}, a fused Q, K, V projection
   * read as one {@code [3d, d]} matrix takes SGD steps 3 times its blocks' target, and a bias with the
   * paper's fan-in-1 rate steps {@code fi} times as fast as its weight.
   */
  @ParameterizedTest(name = "seed={0}")
  @MethodSource("io.github.spectral4j.core.Seeds#cases")
  void replacingAKindsRuleByTheDenseRuleLeavesTheBand(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int n = 16 + r.nextInt(112);
    switch (r.nextInt(4)) {
      case 0 -> {
        ParameterSpec e = new ParameterSpec("e", ParameterKind.EMBEDDING, 2000 + r.nextInt(60000), n);
        LayerRule kindRule = ModelShape.of(List.of(e)).rules(Parametrization.SPECTRAL, Optimizer.ADAM).get(0);
        LayerRule dense = Parametrization.SPECTRAL.rule(
            new Layer("e", e.fanIn(), e.fanOut(), LayerRole.INPUT), Optimizer.ADAM);
        double good = measuredOverTarget(kindRule, e, r);
        double bad = measuredOverTarget(dense, e, r);
        assertTrue(good > 0.6 && good < 2.3, e + " kind rule " + good);
        assertTrue(bad < 0.6, e + " dense rule " + bad);
      }
      case 1 -> {
        int k = 3 + r.nextInt(3);
        int channels = 8 + r.nextInt(40);
        ParameterSpec c = new ParameterSpec("c", ParameterKind.CONV, channels, channels, k, k);
        LayerRule kindRule = ModelShape.of(List.of(c)).rules(Parametrization.SPECTRAL, Optimizer.SGD).get(0);
        // the dense rule on [c_out, c_in]: fan-in c_in, the kernel ignored
        LayerRule dense =
            Parametrization.SPECTRAL.rule(new Layer("c", channels, channels, LayerRole.HIDDEN), Optimizer.SGD);
        double good = measuredOverTarget(kindRule, c, r);
        double bad = measuredOverTarget(withLayer(dense, kindRule.layer()), c, r);
        assertTrue(good > 0.6 && good < 2.3, c + " kind rule " + good);
        assertTrue(bad > 2.3, c + " dense rule " + bad);
      }
      case 2 -> {
        ParameterSpec qkv = new ParameterSpec("qkv", ParameterKind.ATTENTION_QKV, 3 * n, n);
        LayerRule kindRule = ModelShape.of(List.of(qkv)).rules(Parametrization.SPECTRAL, Optimizer.SGD).get(0);
        LayerRule dense = Parametrization.SPECTRAL.rule(new Layer("qkv", n, 3 * n, LayerRole.HIDDEN), Optimizer.SGD);
        double good = rankOneStepOverTarget(kindRule, n, n, r);
        double bad = rankOneStepOverTarget(dense, n, n, r);
        assertEquals(1.0, good, 1e-9, "kind rule: each block's SGD step has Condition 1's norm");
        assertTrue(bad > 2.9, "dense rule: " + bad);
      }
      default -> {
        int fi = 16 + r.nextInt(1000);
        ModelShape mlp = ModelShape.of(new int[] {fi, n, 10}, true);
        Optimizer optimizer = r.nextBoolean() ? Optimizer.SGD : Optimizer.ADAM;
        List<LayerRule> rules = mlp.rules(Parametrization.SPECTRAL, optimizer);
        double kindRatio = rules.get(1).learningRateMultiplier() / rules.get(0).learningRateMultiplier();
        LayerRule paper = Parametrization.SPECTRAL.paperRule(rules.get(1).layer(), optimizer);
        double denseRatio = paper.learningRateMultiplier() / rules.get(0).learningRateMultiplier();
        assertEquals(1.0, kindRatio, 1e-12, "bias rate = its weight's");
        assertEquals(0.0, rules.get(1).initStd(), 0);
        assertEquals(fi, denseRatio, 1e-9 * fi, "fan-in-1 rule: fi times the weight's rate");
        assertEquals(1.0, paper.initStd(), 0, "fan-in-1 rule: σ = 1, as large as the signal");
      }
    }
  }

  /** Issue 9's example: vocabulary 50,000 at width 1024. */
  @Test
  void embeddingOf50000TokensAtWidth1024HasUnitRmsFeaturesAndTheDenseRuleDoesNot() {
    ParameterSpec e = new ParameterSpec("wte", ParameterKind.EMBEDDING, 50_000, 1024);
    assertEquals(50_000, e.fanIn());
    assertEquals(1024, e.fanOut());
    SplittableRandom r = new SplittableRandom(9);
    for (Parametrization p : new Parametrization[] {Parametrization.SPECTRAL, Parametrization.MUP}) {
      LayerRule rule = ModelShape.of(List.of(e)).rules(p, Optimizer.SGD).get(0);
      assertEquals(1.0, rule.initStd(), 0, p + ": σ = 1, a token's feature has RMS 1");
      assertEquals(Math.sqrt(1024), rule.targetWeightNorm(), 1e-12, "ℓ1→ℓ2 target √width");
      assertEquals(1.0, measuredOverTarget(rule, e, r), 0.05);
    }
    // the dense rule reads the vocabulary as a fan-in of RMS-1 inputs: σ = √(1024/50000)/√50000
    LayerRule dense = Parametrization.SPECTRAL.rule(new Layer("wte", 50_000, 1024, LayerRole.INPUT), Optimizer.SGD);
    assertEquals(Math.sqrt(1024.0 / 50_000) / Math.sqrt(50_000), dense.initStd(), 1e-18);
    double rms = measuredOverTarget(dense, e, r);
    assertTrue(rms < 1e-3, "a token's feature RMS " + rms + ": 1,500 times too small");
  }

  /**
   * Attention logits: with the head dimension fixed (heads added as the width grows), every
   * parametrization's logit RMS at initialisation is Θ(1) at every width; with the head dimension
   * growing, once {@code q} and {@code k} are aligned (after learning, {@code q·k} grows like {@code d})
   * μP's and spectral's {@code √d_base/d} keep the logits at the base's size while {@code 1/√d} lets
   * them grow like {@code √(d/d_base)}. (At initialisation, with {@code q} and {@code k} independent,
   * μP's logits shrink like {@code √(d_base/d)}: Θ(1) is bounded, not constant, there.)
   */
  @ParameterizedTest(name = "seed={0}")
  @MethodSource("io.github.spectral4j.core.Seeds#cases")
  void attentionLogitsStayInABandAcrossWidth(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int baseHead = 8 << r.nextInt(3);
    int heads = 1 + r.nextInt(4);
    int baseWidth = heads * baseHead;
    Parametrization p = r.nextBoolean() ? Parametrization.SPECTRAL : Parametrization.MUP;
    // fixed head dimension: more heads
    int widthFactor = 1 + r.nextInt(4);
    int width = baseWidth * widthFactor;
    ModelShape base = ModelShape.of(List.of(new ParameterSpec("q", ParameterKind.ATTENTION_QUERY, baseWidth, baseWidth),
        new ParameterSpec("k", ParameterKind.ATTENTION_KEY, baseWidth, baseWidth)));
    ModelShape shape = ModelShape.of(List.of(new ParameterSpec("q", ParameterKind.ATTENTION_QUERY, width, width),
        new ParameterSpec("k", ParameterKind.ATTENTION_KEY, width, width)));
    List<LayerRule> rules = shape.rules(p, Optimizer.ADAM, base);
    double[][] wq = gaussian(width, width, rules.get(0).initStd(), r);
    double[][] wk = gaussian(width, width, rules.get(1).initStd(), r);
    double sum = 0;
    int count = 0;
    for (int t = 0; t < 64; t++) {
      double[] q = times(wq, gaussianVector(width, r));
      double[] k = times(wk, gaussianVector(width, r));
      for (int h = 0; h < width / baseHead; h++) {
        double dot = 0;
        for (int i = h * baseHead; i < (h + 1) * baseHead; i++) {
          dot += q[i] * k[i];
        }
        double logit = p.attentionLogitMultiplier(baseHead, baseHead) * dot;
        sum += logit * logit;
        count++;
      }
    }
    double rms = Math.sqrt(sum / count);
    assertTrue(rms > 0.5 && rms < 1.6, p + " width " + width + " head " + baseHead + ": logit RMS " + rms);
    // growing head dimension, aligned q = k of RMS 1: logit = m·|q|² = m·d
    int head = baseHead << r.nextInt(5);
    double aligned = p.attentionLogitMultiplier(head, baseHead) * head;
    double alignedAtBase = p.attentionLogitMultiplier(baseHead, baseHead) * baseHead;
    assertEquals(alignedAtBase, aligned, 1e-12 * aligned, p + " head " + head);
    double standard = Parametrization.STANDARD.attentionLogitMultiplier(head, baseHead) * head;
    assertEquals(Math.sqrt((double) head / baseHead), standard / alignedAtBase, 1e-12);
  }

  @Test
  void attentionLogitMultiplierByHand() {
    assertEquals(0.125, Parametrization.MUP.attentionLogitMultiplier(64, 64), 0);
    assertEquals(8.0 / 256, Parametrization.SPECTRAL.attentionLogitMultiplier(256, 64), 0); // 1/32, not 1/16
    assertEquals(1 / 16.0, Parametrization.STANDARD.attentionLogitMultiplier(256, 64), 0);
    assertEquals(1 / 16.0, Parametrization.NTK.attentionLogitMultiplier(256, 64), 0);
    assertThrows(IllegalArgumentException.class, () -> Parametrization.MUP.attentionLogitMultiplier(0, 64));
  }

  // --- measurements on real random matrices -------------------------------------------------------

  /** A rule of {@code rule}'s numbers for another layer (to measure a rule on a shape it was not made for). */
  private static LayerRule withLayer(LayerRule rule, Layer layer) {
    return new LayerRule(layer, rule.initStd(), rule.forwardMultiplier(), rule.learningRateMultiplier(),
        layer.spectralScale(), layer.spectralScale(), rule.initMean(), rule.weightDecayMultiplier(),
        rule.epsilonMultiplier());
  }

  /**
   * Draws the parameter from {@code rule} and measures its norm in the kind's norm over Condition 1's
   * target in that norm, computed from {@code spec}'s kind (not from the rule's layer).
   */
  static double measuredOverTarget(LayerRule rule, ParameterSpec spec, SplittableRandom r) {
    double std = rule.initStd() * rule.forwardMultiplier();
    Layer layer = spec.toLayer(spec.kind().defaultRole());
    double target = layer.spectralScale();
    return switch (spec.kind()) {
      case EMBEDDING -> {
        // rows of E are the features of single tokens; sample 32 of them (each is an independent draw)
        int width = spec.fanOut();
        double sum = 0;
        for (int t = 0; t < 32; t++) {
          double[] row = gaussianVector(width, r);
          double s = 0;
          for (double v : row) {
            s += (std * v) * (std * v);
          }
          sum += Math.sqrt(s);
        }
        yield sum / 32 / target;
      }
      case ATTENTION_QKV -> spectralNorm(gaussian(layer.ruleFanOut(), layer.fanIn(), std, r)) / target;
      default -> spectralNorm(gaussian(layer.fanOut(), layer.fanIn(), std, r)) / target;
    };
  }

  /**
   * The spectral norm of one {@code fo × fi} block of an SGD step {@code η_l·g·xᵀ} with {@code ‖x‖ = √fi}
   * and {@code ‖g‖ = 1/√fo} (Θ(1) input entries, Θ(1/fo) gradient entries), over Condition 1's target
   * for that block, {@code √(fo/fi)}: exactly {@code η_l·fi/fo}'s ratio to the spectral rate.
   */
  static double rankOneStepOverTarget(LayerRule rule, int fo, int fi, SplittableRandom r) {
    double[] x = unit(gaussianVector(fi, r), Math.sqrt(fi));
    double[] g = unit(gaussianVector(fo, r), 1 / Math.sqrt(fo));
    double[][] step = new double[fo][fi];
    for (int i = 0; i < fo; i++) {
      for (int j = 0; j < fi; j++) {
        step[i][j] = rule.learningRateMultiplier() * g[i] * x[j];
      }
    }
    return spectralNorm(step) / Math.sqrt((double) fo / fi);
  }

  private static double[] unit(double[] v, double norm) {
    double s = 0;
    for (double x : v) {
      s += x * x;
    }
    double f = norm / Math.sqrt(s);
    for (int i = 0; i < v.length; i++) {
      v[i] *= f;
    }
    return v;
  }

  static double[][] gaussian(int rows, int cols, double std, SplittableRandom r) {
    double[][] a = new double[rows][];
    for (int i = 0; i < rows; i++) {
      a[i] = gaussianVector(cols, r);
      for (int j = 0; j < cols; j++) {
        a[i][j] *= std;
      }
    }
    return a;
  }

  static double[] gaussianVector(int n, SplittableRandom r) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      double u1 = 1.0 - r.nextDouble();
      v[i] = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * r.nextDouble());
    }
    return v;
  }

  static double[] times(double[][] a, double[] x) {
    double[] y = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      double s = 0;
      for (int j = 0; j < x.length; j++) {
        s += a[i][j] * x[j];
      }
      y[i] = s;
    }
    return y;
  }

  /**
   * Largest singular value by power iteration on {@code AᵀA} in double, from a fixed start, until the
   * estimate changes by less than 1e-5 relative (at most 300 steps). A lower bound that converges from
   * below; Gaussian matrices' top singular values are close, so it is good to a few percent, which the
   * bands allow for.
   */
  static double spectralNorm(double[][] a) {
    int rows = a.length;
    int cols = a[0].length;
    double[] v = new double[cols];
    for (int j = 0; j < cols; j++) {
      v[j] = 1 + 0.01 * j;
    }
    double sigma = 0;
    double[] u = new double[rows];
    for (int it = 0; it < 300; it++) {
      double nv = 0;
      for (double x : v) {
        nv += x * x;
      }
      nv = Math.sqrt(nv);
      if (nv == 0) {
        return 0;
      }
      for (int j = 0; j < cols; j++) {
        v[j] /= nv;
      }
      double nu = 0;
      for (int i = 0; i < rows; i++) {
        double s = 0;
        for (int j = 0; j < cols; j++) {
          s += a[i][j] * v[j];
        }
        u[i] = s;
        nu += s * s;
      }
      double next = Math.sqrt(nu);
      java.util.Arrays.fill(v, 0);
      for (int i = 0; i < rows; i++) {
        for (int j = 0; j < cols; j++) {
          v[j] += a[i][j] * u[i];
        }
      }
      if (Math.abs(next - sigma) <= 1e-5 * next) {
        return next;
      }
      sigma = next;
    }
    return sigma;
  }
}
