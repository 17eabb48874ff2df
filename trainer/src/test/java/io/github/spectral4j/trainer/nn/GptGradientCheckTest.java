package io.github.spectral4j.trainer.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.spectral4j.core.Optimizer;
import io.github.spectral4j.core.Parametrization;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The whole GPT's backward pass against central differences of an independent double-precision forward
 * pass (built from {@link Reference}'s modules and the model's parameters by name), on awkward sizes:
 * every entry of every parameter is checked. Tolerances: {@link GradientCheck}.
 */
class GptGradientCheckTest {

  static Stream<Arguments> configs() {
    return Stream.of(
        // width, blocks, heads, context, vocabulary, parametrization, base width, base blocks, sequences, seed
        Arguments.of(6, 2, 2, 5, 7, Parametrization.SPECTRAL, 4, 0, 2, 1L),
        Arguments.of(6, 1, 3, 4, 11, Parametrization.NTK, 0, 0, 1, 2L),
        Arguments.of(4, 3, 1, 3, 5, Parametrization.MUP, 8, 1, 3, 3L), // branch multiplier √(1/3)
        Arguments.of(8, 2, 4, 2, 3, Parametrization.STANDARD, 0, 5, 2, 4L)); // branch multiplier √(5/2)
  }

  @ParameterizedTest(name = "width {0} blocks {1} heads {2} context {3} vocab {4} {5} base {6}x{7} x{8} seed {9}")
  @MethodSource("configs")
  void backwardMatchesFiniteDifferences(int width, int blocks, int heads, int context, int vocabulary,
      Parametrization p, int baseWidth, int baseBlocks, int sequences, long seed) {
    GptConfig config =
        new GptConfig(width, blocks, heads, context, vocabulary, p, Optimizer.ADAM, baseWidth, baseBlocks);
    Gpt gpt = Gpt.initialize(config, seed);
    SplittableRandom r = new SplittableRandom(seed);
    ModuleGradientCheckTest.randomize(gpt.parameters(), r);
    int n = sequences * context;
    int[] tokens = new int[n];
    int[] targets = new int[n];
    for (int i = 0; i < n; i++) {
      tokens[i] = r.nextInt(vocabulary);
      targets[i] = r.nextInt(vocabulary);
    }
    double floatLoss = gpt.forwardBackward(tokens, targets);

    Map<String, double[]> values = new HashMap<>();
    Map<String, Double> multipliers = new HashMap<>();
    for (Parameter q : gpt.parameters()) {
      values.put(q.name(), Reference.toDouble(q.value()));
      multipliers.put(q.name(), q.rule().forwardMultiplier());
    }
    Model ref = new Model(config, gpt.attentionMultiplier(), gpt.residualMultiplier(), values, multipliers);
    double refLoss = ref.loss(tokens, targets, sequences);
    assertEquals(refLoss, floatLoss, 1e-5 * Math.max(1, refLoss), "loss");
    int checked = 0;
    for (Parameter q : gpt.parameters()) {
      checked += GradientCheck.check(q.name(), values.get(q.name()), q.gradient().data(),
          () -> ref.loss(tokens, targets, sequences));
    }
    int expected = gpt.parameters().stream().mapToInt(Parameter::size).sum();
    assertEquals(expected, checked);
    assertEquals(2 + 8 * blocks + 2, gpt.parameters().size()); // 2 gains, 4 attention, 2 MLP per block
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badInputs")
  void rejectsBadTokensNamingThem(String what, int[] tokens) {
    Gpt gpt = Gpt.initialize(GptConfig.of(8).withContext(3).withVocabulary(5).withHeads(2), 1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> gpt.forward(tokens));
    assertTrue(e.getMessage().contains(what), e.getMessage());
  }

  static Stream<Arguments> badInputs() {
    return Stream.of(Arguments.of("4 ids", new int[] {1, 2, 3, 4}), Arguments.of("id 5", new int[] {1, 2, 5}),
        Arguments.of("id -1", new int[] {-1, 2, 3}));
  }

  /** The GPT of {@link Gpt}'s Javadoc, in double precision, from its parameters by name. */
  private record Model(GptConfig c, double alphaAttention, double alphaResidual, Map<String, double[]> v,
      Map<String, Double> m) {
    double loss(int[] tokens, int[] targets, int sequences) {
      int d = c.width();
      int n = tokens.length;
      double[] h = new double[n * d];
      double[] tok = v.get("embedding.token.weight");
      double[] pos = v.get("embedding.position.weight");
      double mt = m.get("embedding.token.weight");
      double mp = m.get("embedding.position.weight");
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < d; j++) {
          h[i * d + j] = mt * tok[tokens[i] * d + j] + mp * pos[(i % c.context()) * d + j];
        }
      }
      for (int l = 0; l < c.blocks(); l++) {
        String b = "blocks." + l + ".";
        double[] a = norm(h, n, b + "attention_norm.gain");
        String q = b + "attention.query.weight";
        String k = b + "attention.key.weight";
        String val = b + "attention.value.weight";
        String o = b + "attention.output.weight";
        h = Reference.add(h, alphaResidual, Reference.attention(a, n, d, c.heads(), c.context(), alphaAttention,
            v.get(q), m.get(q), v.get(k), m.get(k), v.get(val), m.get(val), v.get(o), m.get(o)));
        double[] x = norm(h, n, b + "mlp_norm.gain");
        String up = b + "mlp.up.weight";
        String down = b + "mlp.down.weight";
        double[] u = Reference.gelu(Reference.linear(x, n, d, 4 * d, v.get(up), m.get(up), null, 0));
        h = Reference.add(h, alphaResidual, Reference.linear(u, n, 4 * d, d, v.get(down), m.get(down), null, 0));
      }
      double[] z = Reference.linear(norm(h, n, "norm.gain"), n, d, c.vocabulary(), v.get("readout.weight"),
          m.get("readout.weight"), null, 0);
      return Reference.crossEntropy(z, n, c.vocabulary(), targets);
    }

    private double[] norm(double[] h, int n, String gain) {
      return Reference.rmsNorm(h, n, c.width(), v.get(gain), m.get(gain), RmsNorm.EPSILON);
    }
  }

}
