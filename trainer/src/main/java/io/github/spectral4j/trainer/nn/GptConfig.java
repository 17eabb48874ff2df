package io.github.spectral4j.trainer.nn;

import io.github.spectral4j.core.LayerRule;
import io.github.spectral4j.core.ModelShape;
import io.github.spectral4j.core.Optimizer;
import io.github.spectral4j.core.ParameterKind;
import io.github.spectral4j.core.ParameterSpec;
import io.github.spectral4j.core.Parametrization;
import io.github.spectral4j.core.ResidualDepth;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The shape and rules of a {@link Gpt}: a character-level transformer of {@code blocks} pre-norm blocks at
 * {@code width}, {@code heads} attention heads of width {@code width/heads}, sequences of {@code context}
 * tokens over a vocabulary of {@code vocabulary} byte values; every parameter's rule from
 * {@code parametrization} for {@code optimizer}, relative to a model of width {@code baseWidth} (width
 * transfer: at the base width every rule is the standard parametrization's) or, with {@code baseWidth = 0},
 * the parametrization's own rules; and, with {@code baseBlocks ≠ 0}, depth-μP relative to a model of
 * {@code baseBlocks} blocks ({@code core}'s {@link ResidualDepth}: branch multiplier {@code √(L_b/L)}, block
 * parameters' Adam and normalized rates {@code ×√(L_b/L)}).
 *
 * @param width the residual stream's width d, ≥ 1, divisible by {@code heads}
 * @param blocks number of transformer blocks L, ≥ 1
 * @param heads attention heads per block, ≥ 1
 * @param context sequence length T, ≥ 1
 * @param vocabulary number of token values, ≥ 2
 * @param parametrization how initialisation, multipliers and learning rates scale with width
 * @param optimizer the update rule the learning-rate multipliers are for
 * @param baseWidth width of the base model for transfer, divisible by {@code heads}; 0 for none
 * @param baseBlocks number of blocks of the base model for depth transfer, ≥ 1; 0 for none (the model is
 *     its own base depth: every depth factor 1)
 */
public record GptConfig(
    int width,
    int blocks,
    int heads,
    int context,
    int vocabulary,
    Parametrization parametrization,
    Optimizer optimizer,
    int baseWidth,
    int baseBlocks) {

  /** Default number of blocks. */
  public static final int BLOCKS = 2;
  /** Default number of heads. */
  public static final int HEADS = 4;
  /** Default context length. */
  public static final int CONTEXT = 64;
  /** Default vocabulary: 7-bit byte values. */
  public static final int VOCABULARY = 128;

  /** Validates every field; throws {@link IllegalArgumentException} naming the offending value. */
  public GptConfig {
    Objects.requireNonNull(parametrization, "parametrization");
    Objects.requireNonNull(optimizer, "optimizer");
    Checks.positive("width", width);
    Checks.positive("blocks", blocks);
    Checks.positive("heads", heads);
    Checks.positive("context", context);
    if (vocabulary < 2) {
      throw new IllegalArgumentException("vocabulary must be >= 2, got " + vocabulary);
    }
    if (width % heads != 0) {
      throw new IllegalArgumentException("heads " + heads + " must divide the width " + width);
    }
    if (baseWidth < 0 || baseWidth % heads != 0) {
      throw new IllegalArgumentException(
          "base width " + baseWidth + " must be 0 (none) or a positive multiple of heads " + heads);
    }
    if (baseBlocks < 0) {
      throw new IllegalArgumentException("base blocks " + baseBlocks + " must be 0 (none) or >= 1");
    }
  }

  /**
   * A config without depth transfer ({@code baseBlocks = 0}).
   *
   * @param width the residual stream's width
   * @param blocks number of blocks
   * @param heads attention heads per block
   * @param context sequence length
   * @param vocabulary number of token values
   * @param parametrization how rules scale with width
   * @param optimizer the update rule the rules are for
   * @param baseWidth base width for transfer, 0 for none
   */
  public GptConfig(int width, int blocks, int heads, int context, int vocabulary, Parametrization parametrization,
      Optimizer optimizer, int baseWidth) {
    this(width, blocks, heads, context, vocabulary, parametrization, optimizer, baseWidth, 0);
  }

  /** {@code core}'s depth rule of this model: {@code L = blocks} against {@code L_b = baseBlocks} (or itself). */
  public ResidualDepth depth() {
    return new ResidualDepth(blocks, baseBlocks == 0 ? blocks : baseBlocks);
  }

  /**
   * The defaults at {@code width}: {@value #BLOCKS} blocks, {@value #HEADS} heads, context {@value #CONTEXT},
   * vocabulary {@value #VOCABULARY}, spectral parametrization for Adam, no base width.
   */
  public static GptConfig of(int width) {
    return new GptConfig(width, BLOCKS, HEADS, CONTEXT, VOCABULARY, Parametrization.SPECTRAL, Optimizer.ADAM, 0, 0);
  }

  /**
   * The model's parameters as {@code core} describes a model (names, kinds, PyTorch shapes), in
   * {@link Gpt#parameters()} order: {@code embedding.token.weight [vocabulary, d]},
   * {@code embedding.position.weight [context, d]}, per block {@code blocks.l.attention_norm.gain [d]},
   * {@code blocks.l.attention.{query,key,value,output}.weight [d, d]}, {@code blocks.l.mlp_norm.gain [d]},
   * {@code blocks.l.mlp.up.weight [4d, d]}, {@code blocks.l.mlp.down.weight [d, 4d]}, then
   * {@code norm.gain [d]} and {@code readout.weight [vocabulary, d]}.
   *
   * @return the description, e.g. for {@code plan --model}
   */
  public ModelShape shape() {
    List<ParameterSpec> list = new ArrayList<>();
    int d = width;
    list.add(new ParameterSpec("embedding.token.weight", ParameterKind.EMBEDDING, vocabulary, d));
    list.add(new ParameterSpec("embedding.position.weight", ParameterKind.EMBEDDING, context, d));
    for (int l = 0; l < blocks; l++) {
      String b = "blocks." + l + ".";
      list.add(new ParameterSpec(b + "attention_norm.gain", ParameterKind.NORM_GAIN, d));
      list.add(new ParameterSpec(b + "attention.query.weight", ParameterKind.ATTENTION_QUERY, d, d));
      list.add(new ParameterSpec(b + "attention.key.weight", ParameterKind.ATTENTION_KEY, d, d));
      list.add(new ParameterSpec(b + "attention.value.weight", ParameterKind.ATTENTION_VALUE, d, d));
      list.add(new ParameterSpec(b + "attention.output.weight", ParameterKind.ATTENTION_OUTPUT, d, d));
      list.add(new ParameterSpec(b + "mlp_norm.gain", ParameterKind.NORM_GAIN, d));
      list.add(new ParameterSpec(b + "mlp.up.weight", ParameterKind.HIDDEN, 4 * d, d));
      list.add(new ParameterSpec(b + "mlp.down.weight", ParameterKind.HIDDEN, d, 4 * d));
    }
    list.add(new ParameterSpec("norm.gain", ParameterKind.NORM_GAIN, d));
    list.add(new ParameterSpec("readout.weight", ParameterKind.OUTPUT, vocabulary, d));
    return ModelShape.of(list);
  }

  /**
   * Every parameter's rule, in {@link #shape()} order: {@code core}'s rules of the parametrization for
   * the optimizer, relative to this model at {@code baseWidth} (width transfer) when one is given, and
   * for the parameters inside blocks {@link #depth()}'s factors ({@link ResidualDepth#apply}).
   *
   * @return one rule per parameter
   */
  public List<LayerRule> rules() {
    ModelShape shape = shape();
    List<LayerRule> width = baseWidth == 0
        ? shape.rules(parametrization, optimizer)
        : shape.rules(parametrization, optimizer, withWidth(baseWidth).withBaseWidth(0).shape());
    ResidualDepth depth = depth();
    return width.stream()
        .map(r -> r.layer().name().startsWith("blocks.") ? depth.apply(r, optimizer) : r)
        .toList();
  }

  /** The attention logit multiplier, {@code core}'s, for head width {@code width/heads} against the base's. */
  public double attentionMultiplier() {
    int base = baseWidth == 0 ? headWidth() : baseWidth / heads;
    return parametrization.attentionLogitMultiplier(headWidth(), base);
  }

  /** Width of one head, {@code width/heads}. */
  public int headWidth() {
    return width / heads;
  }

  /** This config with {@code width} replaced; validated as the constructor does. */
  public GptConfig withWidth(int v) {
    return new GptConfig(v, blocks, heads, context, vocabulary, parametrization, optimizer, baseWidth, baseBlocks);
  }

  /** This config with {@code blocks} replaced; validated as the constructor does. */
  public GptConfig withBlocks(int v) {
    return new GptConfig(width, v, heads, context, vocabulary, parametrization, optimizer, baseWidth, baseBlocks);
  }

  /** This config with {@code heads} replaced; validated as the constructor does. */
  public GptConfig withHeads(int v) {
    return new GptConfig(width, blocks, v, context, vocabulary, parametrization, optimizer, baseWidth, baseBlocks);
  }

  /** This config with {@code context} replaced; validated as the constructor does. */
  public GptConfig withContext(int v) {
    return new GptConfig(width, blocks, heads, v, vocabulary, parametrization, optimizer, baseWidth, baseBlocks);
  }

  /** This config with {@code vocabulary} replaced; validated as the constructor does. */
  public GptConfig withVocabulary(int v) {
    return new GptConfig(width, blocks, heads, context, v, parametrization, optimizer, baseWidth, baseBlocks);
  }

  /** This config with {@code parametrization} replaced; validated as the constructor does. */
  public GptConfig withParametrization(Parametrization v) {
    return new GptConfig(width, blocks, heads, context, vocabulary, v, optimizer, baseWidth, baseBlocks);
  }

  /** This config with {@code optimizer} replaced; validated as the constructor does. */
  public GptConfig withOptimizer(Optimizer v) {
    return new GptConfig(width, blocks, heads, context, vocabulary, parametrization, v, baseWidth, baseBlocks);
  }

  /** This config with {@code baseBlocks} replaced; validated as the constructor does. */
  public GptConfig withBaseBlocks(int v) {
    return new GptConfig(width, blocks, heads, context, vocabulary, parametrization, optimizer, baseWidth, v);
  }

  /** This config with {@code baseWidth} replaced; validated as the constructor does. */
  public GptConfig withBaseWidth(int v) {
    return new GptConfig(width, blocks, heads, context, vocabulary, parametrization, optimizer, v, baseBlocks);
  }
}
