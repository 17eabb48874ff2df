package io.github.spectral4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ModelShapeTest {

  @Test
  void assignsRolesFromDims() {
    ModelShape shape = ModelShape.of(new int[] {784, 1024, 1024, 10}, true);
    List<Layer> layers = shape.layers();
    assertEquals(6, layers.size());
    assertEquals(new Layer("W1", 784, 1024, LayerRole.INPUT), layers.get(0));
    assertEquals(new Layer("b1", 1, 1024, LayerRole.BIAS), layers.get(1));
    assertEquals(new Layer("W2", 1024, 1024, LayerRole.HIDDEN), layers.get(2));
    assertEquals(new Layer("W3", 1024, 10, LayerRole.OUTPUT), layers.get(4));
    assertEquals(new Layer("b3", 1, 10, LayerRole.BIAS), layers.get(5));
    assertEquals(3, shape.depth());
    assertEquals(LayerRole.OUTPUT, ModelShape.of(new int[] {5, 3}, false).layers().get(0).role());
  }

  @Test
  void rejectsBadDimsNamingThem() {
    IllegalArgumentException zero =
        assertThrows(IllegalArgumentException.class, () -> ModelShape.of(new int[] {784, 0, 10}, false));
    assertTrue(zero.getMessage().contains("[784, 0, 10]") && zero.getMessage().contains("is 0"), zero.getMessage());
    IllegalArgumentException single =
        assertThrows(IllegalArgumentException.class, () -> ModelShape.of(new int[] {5}, false));
    assertTrue(single.getMessage().contains("[5]"), single.getMessage());
  }

  @Test
  void widthTransferRejectsAnotherDepth() {
    ModelShape shape = ModelShape.of(new int[] {784, 1024, 1024, 10}, false);
    ModelShape base = ModelShape.of(new int[] {784, 256, 10}, false);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> shape.rules(Parametrization.MUP, Optimizer.SGD, base));
    assertTrue(e.getMessage().contains("[784, 256, 10]"), e.getMessage());
  }

  @Test
  void widthTransferByHand() {
    ModelShape base = ModelShape.of(new int[] {784, 256, 256, 10}, false);
    ModelShape wide = ModelShape.of(new int[] {784, 1024, 1024, 10}, false);
    List<LayerRule> rules = wide.rules(Parametrization.SPECTRAL, Optimizer.ADAM, base);
    // hidden: σ_SP(base) = 1/16, times σ_spectral(1024)/σ_spectral(256) = (1/32)/(1/16) = 1/2
    assertEquals(1 / 32.0, rules.get(1).initStd(), 1e-15);
    assertEquals(0.25, rules.get(1).learningRateMultiplier(), 1e-15); // (1/1024)/(1/256)
    // output: (1/16) · (√10/1024)/(√10/256) = 1/64
    assertEquals(1 / 64.0, rules.get(2).initStd(), 1e-15);
    // input under Adam: 1/784 at every width, so the multiplier stays 1
    assertEquals(1.0, rules.get(0).learningRateMultiplier(), 1e-15);
    // NTK relative to base: unit-variance weights become σ_SP(base) and the multiplier √(256/1024)
    LayerRule ntk = wide.rules(Parametrization.NTK, Optimizer.SGD, base).get(1);
    assertEquals(1 / 16.0, ntk.initStd(), 1e-15);
    assertEquals(0.5, ntk.forwardMultiplier(), 1e-15);
  }

  /** μTransfer's promise: at the base shape every parametrization is exactly the standard one. */
  @ParameterizedTest(name = "seed={0}")
  @MethodSource("io.github.spectral4j.core.Seeds#cases")
  void widthTransferAtBaseWidthIsExactlyStandard(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int depth = 1 + random.nextInt(5);
    int[] dims = new int[depth + 1];
    for (int i = 0; i <= depth; i++) {
      dims[i] = ParametrizationTest.logUniform(random, 8192);
      dims[i] = Math.max(1, dims[i]);
    }
    ModelShape shape = ModelShape.of(dims, random.nextBoolean());
    Optimizer optimizer = Optimizer.values()[random.nextInt(Optimizer.values().length)];
    List<LayerRule> standard = shape.rules(Parametrization.STANDARD, optimizer);
    for (Parametrization p : Parametrization.values()) {
      List<LayerRule> transferred = shape.rules(p, optimizer, shape);
      for (int l = 0; l < standard.size(); l++) {
        LayerRule t = transferred.get(l);
        assertEquals(standard.get(l).initStd(), t.initStd(), 0.0, p + " " + t.layer());
        assertEquals(1.0, t.forwardMultiplier(), 0.0, p + " " + t.layer());
        assertEquals(1.0, t.learningRateMultiplier(), 0.0, p + " " + t.layer());
      }
    }
  }

  /** Away from the base, transferred rules scale exactly like the parametrization's own. */
  @ParameterizedTest(name = "seed={0}")
  @MethodSource("io.github.spectral4j.core.Seeds#cases")
  void widthTransferScalesLikeTheParametrization(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int input = 1 + random.nextInt(1000);
    int output = 1 + random.nextInt(100);
    int baseWidth = 16 + random.nextInt(512);
    int width = baseWidth * (2 + random.nextInt(8));
    ModelShape base = ModelShape.of(new int[] {input, baseWidth, baseWidth, output}, false);
    ModelShape shape = ModelShape.of(new int[] {input, width, width, output}, false);
    Parametrization p = Parametrization.values()[random.nextInt(4)];
    Optimizer optimizer = Optimizer.values()[random.nextInt(3)];
    for (int l = 0; l < 3; l++) {
      LayerRule t = shape.rules(p, optimizer, base).get(l);
      LayerRule own = shape.rules(p, optimizer).get(l);
      LayerRule ownBase = base.rules(p, optimizer).get(l);
      double expected = own.learningRateMultiplier() / ownBase.learningRateMultiplier();
      assertEquals(expected, t.learningRateMultiplier(), 1e-12 * expected);
      double effective = t.initStd() * t.forwardMultiplier();
      double ownEffective = own.initStd() * own.forwardMultiplier();
      double baseEffective = ownBase.initStd() * ownBase.forwardMultiplier();
      double sb = base.rules(Parametrization.STANDARD, optimizer).get(l).initStd();
      assertEquals(sb * ownEffective / baseEffective, effective, 1e-12 * effective);
    }
  }

  @Test
  void biasTakesItsRateFromItsWeightAndTheWidthScalingFromThePaper() {
    ModelShape wide = ModelShape.of(new int[] {784, 1024, 1024, 10}, true);
    ModelShape base = ModelShape.of(new int[] {784, 256, 256, 10}, true);
    // no base: the model is its own base, b_l trains at W_l's rate and starts at 0
    List<LayerRule> own = wide.rules(Parametrization.SPECTRAL, Optimizer.SGD);
    assertEquals(1024 / 784.0, own.get(1).learningRateMultiplier(), 1e-15); // b1 = W1's fo/fi
    assertEquals(1.0, own.get(3).learningRateMultiplier(), 1e-15); // b2 = W2's
    assertEquals(10 / 1024.0, own.get(5).learningRateMultiplier(), 1e-15); // b3 = W3's
    assertEquals(0.0, own.get(1).initStd(), 0);
    // relative to the base: 1 at the base, then the paper's scaling: SGD fo, Adam 1, normalized √fo
    assertEquals(4.0, wide.rules(Parametrization.SPECTRAL, Optimizer.SGD, base).get(3).learningRateMultiplier(), 1e-15);
    assertEquals(4.0, wide.rules(Parametrization.MUP, Optimizer.SGD, base).get(3).learningRateMultiplier(), 1e-15);
    assertEquals(1.0, wide.rules(Parametrization.SPECTRAL, Optimizer.ADAM, base).get(3).learningRateMultiplier(), 1e-15);
    assertEquals(2.0, wide.rules(Parametrization.SPECTRAL, Optimizer.NORMALIZED, base).get(3).learningRateMultiplier(), 1e-15);
    // the output bias keeps its rate: fo = 10 at every width
    assertEquals(1.0, wide.rules(Parametrization.SPECTRAL, Optimizer.SGD, base).get(5).learningRateMultiplier(), 1e-15);
  }

  @Test
  void weightDecayAndEpsilonAcrossWidthByHand() {
    ModelShape wide = ModelShape.of(new int[] {784, 1024, 1024, 10}, true);
    ModelShape base = ModelShape.of(new int[] {784, 256, 256, 10}, true);
    List<LayerRule> adam = wide.rules(Parametrization.MUP, Optimizer.ADAM, base);
    // hidden W2: lr (1/1024)/(1/256) = 1/4, so decay x4 keeps η_l·λ_l = η·λ
    assertEquals(0.25, adam.get(2).learningRateMultiplier(), 1e-15);
    assertEquals(4.0, adam.get(2).weightDecayMultiplier(), 1e-12);
    // μP readout σ ∝ 1/n: the backpropagated δ and every upstream gradient shrink 4x, and so does ε
    assertEquals(0.25, adam.get(2).epsilonMultiplier(), 1e-15);
    assertEquals(0.25, adam.get(0).epsilonMultiplier(), 1e-15);
    assertEquals(0.25, adam.get(3).epsilonMultiplier(), 1e-15); // b2
    // the readout's own gradient (∂L/∂y)·hᵀ and its bias's do not shrink
    assertEquals(1.0, adam.get(4).epsilonMultiplier(), 1e-15);
    assertEquals(1.0, adam.get(5).epsilonMultiplier(), 1e-15);
    // standard: readout σ ∝ 1/√n, gradients shrink 2x
    assertEquals(0.5, wide.rules(Parametrization.STANDARD, Optimizer.ADAM, base).get(2).epsilonMultiplier(), 1e-15);
    // no base: the model is its own base
    for (LayerRule r : wide.rules(Parametrization.MUP, Optimizer.ADAM)) {
      assertEquals(1.0, r.weightDecayMultiplier(), 0);
      assertEquals(1.0, r.epsilonMultiplier(), 0);
    }
  }

  @Test
  void transformerLikeModelRolesInferredFromTheBase() {
    List<ParameterSpec> wide = List.of(
        new ParameterSpec("wte.weight", ParameterKind.EMBEDDING, 1000, 512),
        new ParameterSpec("ln.weight", ParameterKind.NORM_GAIN, 512),
        new ParameterSpec("ln.bias", ParameterKind.BIAS, 512),
        new ParameterSpec("fc.weight", ParameterKind.HIDDEN, 2048, 512),
        new ParameterSpec("fc.bias", ParameterKind.BIAS, 2048),
        new ParameterSpec("conv.weight", ParameterKind.CONV, 512, 3, 3, 3),
        new ParameterSpec("head.weight", ParameterKind.OUTPUT, 1000, 512));
    List<ParameterSpec> narrow = List.of(
        new ParameterSpec("wte.weight", ParameterKind.EMBEDDING, 1000, 128),
        new ParameterSpec("ln.weight", ParameterKind.NORM_GAIN, 128),
        new ParameterSpec("ln.bias", ParameterKind.BIAS, 128),
        new ParameterSpec("fc.weight", ParameterKind.HIDDEN, 512, 128),
        new ParameterSpec("fc.bias", ParameterKind.BIAS, 512),
        new ParameterSpec("conv.weight", ParameterKind.CONV, 128, 3, 3, 3),
        new ParameterSpec("head.weight", ParameterKind.OUTPUT, 1000, 128));
    ModelShape model = ModelShape.of(wide);
    List<LayerRule> sgd = model.rules(Parametrization.MUP, Optimizer.SGD, ModelShape.of(narrow));
    assertEquals(LayerRole.INPUT, sgd.get(0).layer().role());
    assertEquals(4.0, sgd.get(0).learningRateMultiplier(), 1e-15); // embedding: vector-like, SGD ∝ width
    assertEquals(1.0, sgd.get(0).initStd(), 0);
    assertEquals(1.0, sgd.get(1).initMean(), 0);
    assertEquals(0.0, sgd.get(1).weightDecayMultiplier(), 0);
    assertEquals(LayerRole.HIDDEN, sgd.get(3).layer().role());
    assertEquals(1.0, sgd.get(3).learningRateMultiplier(), 1e-15);
    assertEquals(LayerRole.INPUT, sgd.get(5).layer().role()); // c_in·kh·kw = 27 fixed, c_out grows
    assertEquals(27, sgd.get(5).layer().fanIn());
    assertEquals(4.0, sgd.get(5).learningRateMultiplier(), 1e-15);
    assertEquals(LayerRole.OUTPUT, sgd.get(6).layer().role());
    assertEquals(0.25, sgd.get(6).learningRateMultiplier(), 1e-15);
    // readout zero-init is an option; a name missing from the base is refused, naming it
    assertEquals(0.0, model.withReadoutZeroInit(true).rules(Parametrization.MUP, Optimizer.SGD).get(6).initStd(), 0);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> model.rules(Parametrization.MUP, Optimizer.SGD, ModelShape.of(narrow.subList(0, 6))));
    assertTrue(e.getMessage().contains("head.weight") && e.getMessage().contains("not in the base"), e.getMessage());
    IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
        () -> ModelShape.of(List.of(wide.get(0), wide.get(0))));
    assertTrue(twice.getMessage().contains("wte.weight"), twice.getMessage());
    assertThrows(IllegalStateException.class, model::dims);
  }

  @Test
  void residualDepthByHand() {
    ResidualDepth depth = new ResidualDepth(48, 12);
    assertEquals(0.5, depth.branchMultiplier(), 1e-15);
    assertEquals(1.0, depth.learningRateMultiplier(Optimizer.SGD), 0);
    assertEquals(0.5, depth.learningRateMultiplier(Optimizer.ADAM), 1e-15);
    LayerRule hidden = Parametrization.MUP.rule(new Layer("W", 256, 256, LayerRole.HIDDEN), Optimizer.ADAM);
    LayerRule deep = depth.apply(hidden, Optimizer.ADAM);
    assertEquals(hidden.learningRateMultiplier() / 2, deep.learningRateMultiplier(), 1e-18);
    assertEquals(2.0, deep.weightDecayMultiplier(), 1e-15);
    assertEquals(0.5, deep.epsilonMultiplier(), 1e-15);
    assertEquals(hidden.initStd(), deep.initStd(), 0);
    ResidualDepth atBase = ResidualDepth.of(12);
    assertEquals(hidden, atBase.apply(hidden, Optimizer.ADAM));
    assertThrows(IllegalArgumentException.class, () -> new ResidualDepth(0, 12));
  }

  @Test
  void tiedReadoutSetsTheLogitsMultiplierAndEpsilon() {
    ModelShape wide = ModelShape.of(List.of(new ParameterSpec("wte.weight", ParameterKind.EMBEDDING, 1000, 512),
        new ParameterSpec("h.weight", ParameterKind.HIDDEN, 512, 512))).withTiedReadout("wte.weight");
    ModelShape base = ModelShape.of(List.of(new ParameterSpec("wte.weight", ParameterKind.EMBEDDING, 1000, 128),
        new ParameterSpec("h.weight", ParameterKind.HIDDEN, 128, 128))).withTiedReadout("wte.weight");
    // μP readout σ = 1/fi relative to the base: (1/√128)·(128/512); the embedding's σ is 1
    assertEquals(Math.sqrt(128) / 512, wide.tiedReadoutMultiplier(Parametrization.MUP, Optimizer.ADAM, base), 1e-15);
    assertEquals(1 / Math.sqrt(128), base.tiedReadoutMultiplier(Parametrization.MUP, Optimizer.ADAM, base), 1e-15);
    List<LayerRule> adam = wide.rules(Parametrization.MUP, Optimizer.ADAM, base);
    assertEquals(0.25, adam.get(1).epsilonMultiplier(), 1e-15); // δ ∝ readout σ ∝ 1/n
    assertEquals(0.25, adam.get(0).epsilonMultiplier(), 1e-15);
    assertThrows(IllegalArgumentException.class, () -> wide.withTiedReadout("h.weight"));
  }

  @Test
  void residualBlocksFollowDepthMupRelativeToTheBase() {
    List<ParameterSpec> deep = new java.util.ArrayList<>();
    List<ParameterSpec> shallow = new java.util.ArrayList<>();
    for (int b = 0; b < 8; b++) {
      deep.add(new ParameterSpec("h." + b + ".w", ParameterKind.HIDDEN, 64, 64));
      if (b < 2) {
        shallow.add(new ParameterSpec("h." + b + ".w", ParameterKind.HIDDEN, 64, 64));
      }
    }
    deep.add(new ParameterSpec("head", ParameterKind.OUTPUT, 10, 64));
    shallow.add(new ParameterSpec("head", ParameterKind.OUTPUT, 10, 64));
    // the names must match: compare the first two blocks' rules with a two-block base of the same names
    ModelShape model = ModelShape.of(List.of(deep.get(0), deep.get(1), deep.get(8))).withResidualBlocks(8, "h.");
    ModelShape base = ModelShape.of(shallow).withResidualBlocks(2, "h.");
    assertEquals(0.5, model.residualDepth(base).orElseThrow().branchMultiplier(), 1e-15);
    List<LayerRule> adam = model.rules(Parametrization.MUP, Optimizer.ADAM, base);
    assertEquals(0.5, adam.get(0).learningRateMultiplier(), 1e-15);
    assertEquals(1.0, adam.get(2).learningRateMultiplier(), 1e-15); // the readout is not in a block
    assertEquals(1.0, model.rules(Parametrization.MUP, Optimizer.SGD, base).get(1).learningRateMultiplier(), 1e-15);
    assertTrue(model.residualDepth(model).orElseThrow().branchMultiplier() == 1.0);
    assertThrows(IllegalArgumentException.class, () -> base.withResidualBlocks(2, "blocks."));
  }
}
