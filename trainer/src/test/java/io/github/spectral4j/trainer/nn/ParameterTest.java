package io.github.spectral4j.trainer.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.spectral4j.core.Layer;
import io.github.spectral4j.core.LayerRole;
import io.github.spectral4j.core.LayerRule;
import io.github.spectral4j.core.Optimizer;
import io.github.spectral4j.core.Parametrization;
import io.github.spectral4j.simd.FloatMatrix;
import org.junit.jupiter.api.Test;

class ParameterTest {
  private static LayerRule rule(String name, int fanIn, int fanOut, LayerRole role) {
    return Parametrization.SPECTRAL.rule(new Layer(name, fanIn, fanOut, role), Optimizer.ADAM);
  }

  @Test
  void adoptsTheValueAndGivesAZeroGradientOfTheSameShape() {
    FloatMatrix w = FloatMatrix.of(2, 3, 1, 2, 3, 4, 5, 6);
    Parameter p = Parameter.of("w", rule("w", 3, 2, LayerRole.HIDDEN), w);
    assertSame(w, p.value());
    assertEquals(2, p.gradient().rows());
    assertEquals(3, p.gradient().cols());
    assertEquals(0.0, io.github.spectral4j.simd.Blas.frobeniusNorm(p.gradient()));
    assertFalse(p.isVectorLike());
    assertFalse(p.isEmbedding());
    assertEquals(6, p.size());
  }

  @Test
  void biasesAndGainsAreVectorLikeRows() {
    Parameter g = Parameter.constant("gain", rule("gain", 1, 5, LayerRole.BIAS), 1, 5, 1f);
    assertTrue(g.isVectorLike());
    assertEquals(5f, (float) io.github.spectral4j.simd.Blas.frobeniusNorm(g.value()) * (float) Math.sqrt(5), 1e-5f);
    assertThrows(IllegalArgumentException.class,
        () -> Parameter.of("b", rule("b", 1, 4, LayerRole.BIAS), FloatMatrix.zeros(4, 1)));
  }

  @Test
  void gaussianDrawsWithTheRulesStd() {
    LayerRule r = rule("w", 400, 300, LayerRole.HIDDEN);
    Parameter p = Parameter.gaussian("w", r, 300, 400, 7);
    double rms = io.github.spectral4j.simd.Blas.frobeniusNorm(p.value()) / Math.sqrt(p.size());
    assertEquals(r.initStd(), rms, 0.01 * r.initStd()); // 120,000 draws: relative error of RMS ~ 0.2 %
  }

  @Test
  void embeddingTablesHaveVocabularyRows() {
    LayerRule r = rule("tok", 128, 64, LayerRole.INPUT);
    assertTrue(Parameter.embedding("tok", r, FloatMatrix.zeros(128, 64)).isEmbedding());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Parameter.embedding("tok", r, FloatMatrix.zeros(64, 128)));
    assertTrue(e.getMessage().contains("tok"), e.getMessage());
  }

  @Test
  void rejectsAValueOfTheWrongSizeNamingIt() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Parameter.of("blocks.0.w", rule("w", 3, 2, LayerRole.HIDDEN), FloatMatrix.zeros(2, 4)));
    assertTrue(e.getMessage().contains("blocks.0.w") && e.getMessage().contains("2x4"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> Parameter.of(" ", rule("w", 3, 2, LayerRole.HIDDEN), FloatMatrix.zeros(2, 3)));
  }
}
