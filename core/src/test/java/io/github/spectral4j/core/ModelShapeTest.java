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
}
