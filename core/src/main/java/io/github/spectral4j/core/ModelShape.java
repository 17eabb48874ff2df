package io.github.spectral4j.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parameters of a model — each a name, a {@link ParameterKind} and a PyTorch shape
 * ({@link ParameterSpec}) — and the rules of a parametrization for every one of them, on their own or
 * relative to a base model (μTransfer). Immutable.
 *
 * <p>Two ways to build one: {@link #of(int[], boolean)} for a multi-layer perceptron with dimensions
 * {@code [d_0, …, d_L]} (weights {@code W1 … WL}, the first {@code INPUT}, the last {@code OUTPUT}, the
 * rest {@code HIDDEN}; with biases {@code b_l} after {@code W_l}), and {@link #of(List)} for any list of
 * parameters, e.g. a transformer's {@code named_parameters()}.
 *
 * <p>Vectors take the size of their learning rate from the weight they belong to: bias {@code b_l}
 * from {@code W_l}; a parameter named {@code ….bias} from {@code ….weight} when that is a matrix; a norm
 * gain, a norm's bias, or a bias without a weight from a square hidden matrix of its width (see
 * {@link Parametrization#rule(Layer, Optimizer)} for the derivation).
 *
 * <p>Width transfer ({@link #rules(Parametrization, Optimizer, ModelShape)}) matches parameters with the
 * base model's by name and infers which dimensions are "width" by comparing the two shapes, as mup's
 * {@code set_base_shapes} does: a matrix whose fan-in and fan-out both change is hidden, one whose
 * fan-out alone changes is input-like, one whose fan-in alone changes is output-like (these are the
 * roles μP's rules depend on), and a parameter whose shape does not change is fixed — its rule is the
 * base's, the standard one. An embedding is always input-like (its vocabulary is not a width). An
 * MLP built from dims keeps its positional roles.
 */
public final class ModelShape {
  private static final Pattern MLP_BIAS = Pattern.compile("b(\\d+)");

  private final List<ParameterSpec> parameters;
  private final List<Layer> layers;
  /** For each parameter, the index of the weight a vector takes its rate from, or −1. */
  private final int[] companion;
  private final Map<String, Integer> index;
  /** The MLP dimensions when built by {@link #of(int[], boolean)}, else {@code null}. */
  private final int[] dims;
  private final boolean readoutZeroInit;
  private final boolean queryZeroInit;
  /** The embedding the readout shares its matrix with (weight tying), or {@code null}. */
  private final String tiedReadout;
  /** Residual blocks (depth-μP): their number (0: not described) and the name prefix of their parameters. */
  private final int blocks;
  private final String blockPrefix;

  private ModelShape(
      List<ParameterSpec> parameters, int[] dims, boolean readoutZeroInit, boolean queryZeroInit, String tiedReadout) {
    this(parameters, dims, readoutZeroInit, queryZeroInit, tiedReadout, 0, null);
  }

  private ModelShape(
      List<ParameterSpec> parameters, int[] dims, boolean readoutZeroInit, boolean queryZeroInit, String tiedReadout,
      int blocks, String blockPrefix) {
    this.parameters = List.copyOf(parameters);
    this.tiedReadout = tiedReadout;
    this.blocks = blocks;
    this.blockPrefix = blockPrefix;
    this.dims = dims;
    this.readoutZeroInit = readoutZeroInit;
    this.queryZeroInit = queryZeroInit;
    Map<String, Integer> names = new HashMap<>();
    List<Layer> list = new ArrayList<>(parameters.size());
    for (int i = 0; i < this.parameters.size(); i++) {
      ParameterSpec p = this.parameters.get(i);
      if (names.putIfAbsent(p.name(), i) != null) {
        throw new IllegalArgumentException("parameter " + p.name() + ": the name appears twice");
      }
      list.add(p.toLayer(p.kind().defaultRole()));
    }
    if (this.parameters.isEmpty()) {
      throw new IllegalArgumentException("a model needs at least one parameter");
    }
    this.index = Map.copyOf(names);
    this.layers = List.copyOf(list);
    this.companion = new int[this.parameters.size()];
    for (int i = 0; i < companion.length; i++) {
      companion[i] = findCompanion(this.parameters.get(i));
    }
  }

  /** The weight whose rate sizes a bias's: {@code W<l>} for {@code b<l>}, {@code x.weight} for {@code x.bias}. */
  private int findCompanion(ParameterSpec p) {
    if (p.kind() != ParameterKind.BIAS) {
      return -1;
    }
    String name = p.name();
    String weight = null;
    Matcher m = MLP_BIAS.matcher(name);
    if (m.matches()) {
      weight = "W" + m.group(1);
    } else if (name.endsWith("bias")) {
      weight = name.substring(0, name.length() - 4) + "weight";
    }
    Integer w = weight == null ? null : index.get(weight);
    return w == null || parameters.get(w).kind().vectorLike() || parameters.get(w).fanOut() != p.fanOut() ? -1 : w;
  }

  /**
   * A shape from MLP dimensions such as {@code 784, 1024, 1024, 10}.
   *
   * @param dims at least two dimensions, each ≥ 1; not modified (copied)
   * @param bias whether every weight layer has a bias
   * @return the MLP's parameters {@code W1, b1, W2, …}
   * @throws IllegalArgumentException naming the offending dimension
   */
  public static ModelShape of(int[] dims, boolean bias) {
    Objects.requireNonNull(dims, "dims");
    if (dims.length < 2) {
      throw new IllegalArgumentException(
          "dims " + Arrays.toString(dims) + ": need at least 2 dimensions (input and output)");
    }
    for (int i = 0; i < dims.length; i++) {
      if (dims[i] < 1) {
        throw new IllegalArgumentException(
            "dims " + Arrays.toString(dims) + ": dimension " + i + " is " + dims[i] + ", must be >= 1");
      }
    }
    List<ParameterSpec> list = new ArrayList<>();
    int depth = dims.length - 1;
    for (int l = 1; l <= depth; l++) {
      ParameterKind kind =
          l == depth ? ParameterKind.OUTPUT : l == 1 ? ParameterKind.INPUT : ParameterKind.HIDDEN;
      list.add(new ParameterSpec("W" + l, kind, dims[l], dims[l - 1]));
      if (bias) {
        list.add(new ParameterSpec("b" + l, ParameterKind.BIAS, dims[l]));
      }
    }
    return new ModelShape(list, dims.clone(), false, false, null);
  }

  /**
   * A model from its parameters, in order.
   *
   * @param parameters at least one, names distinct; not modified (copied)
   * @return the model
   * @throws IllegalArgumentException naming a repeated parameter name
   */
  public static ModelShape of(List<ParameterSpec> parameters) {
    Objects.requireNonNull(parameters, "parameters");
    for (ParameterSpec p : parameters) {
      Objects.requireNonNull(p, "parameter");
    }
    return new ModelShape(parameters, null, false, false, null);
  }

  /**
   * This model with its readout ({@code OUTPUT} matrices) initialised to zero, mup's practice for
   * transformers: the output starts at 0 for every width, and the readout's first step (its gradient
   * does not vanish) sets it. Off by default.
   *
   * @param zero whether {@code OUTPUT} matrices start at zero
   * @return a copy with the option set
   */
  public ModelShape withReadoutZeroInit(boolean zero) {
    return new ModelShape(parameters, dims, zero, queryZeroInit, tiedReadout, blocks, blockPrefix);
  }

  /**
   * This model with its attention queries ({@code ATTENTION_QUERY}) initialised to zero, mup's practice:
   * the attention starts uniform over the context at every width. Off by default. A fused
   * {@code ATTENTION_QKV} matrix has one σ for all three blocks: zero its first third yourself.
   *
   * @param zero whether {@code ATTENTION_QUERY} matrices start at zero
   * @return a copy with the option set
   */
  public ModelShape withQueryZeroInit(boolean zero) {
    return new ModelShape(parameters, dims, readoutZeroInit, zero, tiedReadout, blocks, blockPrefix);
  }

  /**
   * This model with its readout tied to an embedding (GPT-2's {@code lm_head}, absent from
   * {@code named_parameters()} because it is {@code transformer.wte}): logits are
   * {@code m · h·Eᵀ} with {@code m = }{@link #tiedReadoutMultiplier(Parametrization, Optimizer, ModelShape)},
   * and the readout's scale sets Adam's ε across width as an {@code OUTPUT} parameter's would.
   *
   * @param embedding the name of an {@code EMBEDDING} parameter {@code [vocab, width]}
   * @return a copy with the tie set
   * @throws IllegalArgumentException if there is no such embedding, or the model has an {@code OUTPUT} too
   */
  public ModelShape withTiedReadout(String embedding) {
    Objects.requireNonNull(embedding, "embedding");
    Integer i = index.get(embedding);
    if (i == null || parameters.get(i).kind() != ParameterKind.EMBEDDING) {
      throw new IllegalArgumentException("tied readout " + embedding + ": no embedding parameter of that name");
    }
    for (ParameterSpec p : parameters) {
      if (p.kind() == ParameterKind.OUTPUT) {
        throw new IllegalArgumentException(
            "tied readout " + embedding + ": the model already has an output parameter, " + p.name());
      }
    }
    return new ModelShape(parameters, dims, readoutZeroInit, queryZeroInit, embedding, blocks, blockPrefix);
  }

  /**
   * This model with {@code count} residual blocks whose parameters' names start with {@code prefix}
   * (e.g. 12 and {@code transformer.h.}): relative to a base with another number of blocks, their rules
   * follow {@link ResidualDepth} (depth-μP) and {@link #residualDepth(ModelShape)} gives the branch
   * multiplier. Without a base, or at the base depth, nothing changes.
   *
   * @param count the number of residual blocks ≥ 1
   * @param prefix the name prefix of the parameters inside blocks; not blank, matching at least one
   * @return a copy with the blocks set
   * @throws IllegalArgumentException for a count below 1 or a prefix no parameter has
   */
  public ModelShape withResidualBlocks(int count, String prefix) {
    Objects.requireNonNull(prefix, "prefix");
    new ResidualDepth(count, count);
    if (prefix.isBlank() || parameters.stream().noneMatch(p -> p.name().startsWith(prefix))) {
      throw new IllegalArgumentException("residual blocks: no parameter name starts with '" + prefix + "'");
    }
    return new ModelShape(parameters, dims, readoutZeroInit, queryZeroInit, tiedReadout, count, prefix);
  }

  /**
   * The depth setting of this model relative to {@code base}: {@code ResidualDepth(L, L_b)}.
   *
   * @param base the base model (this model for none); not modified
   * @return the depth setting, empty if either model does not describe its residual blocks
   */
  public java.util.Optional<ResidualDepth> residualDepth(ModelShape base) {
    Objects.requireNonNull(base, "base");
    return blocks == 0 || base.blocks == 0
        ? java.util.Optional.empty()
        : java.util.Optional.of(new ResidualDepth(blocks, base.blocks));
  }

  /** The embedding the readout is tied to, if any. */
  public java.util.Optional<String> tiedReadout() {
    return java.util.Optional.ofNullable(tiedReadout);
  }

  /** The readout as an {@code OUTPUT} matrix {@code [vocab, width]} (fan-in width): the tied embedding seen as one. */
  private ParameterSpec tiedReadoutSpec() {
    ParameterSpec e = parameters.get(index.get(tiedReadout));
    return new ParameterSpec(tiedReadout, ParameterKind.OUTPUT, e.fanIn(), e.fanOut());
  }

  /**
   * The multiplier on a tied readout's logits {@code h·Eᵀ}, so that the shared matrix, drawn and trained
   * as an embedding, acts as the readout the parametrization asks for: the readout's effective scale
   * {@code m·σ} over the embedding's, both relative to {@code base} (mup's {@code MuSharedReadout}
   * divides by the width multiplier the same way). For μP, {@code √n_b/n}: {@code 1/√n_b} at the base.
   *
   * @param parametrization the parametrization
   * @param optimizer the update rule
   * @param base the base model (this model for none); must tie the same embedding
   * @return the logits multiplier
   * @throws IllegalStateException if this model has no tied readout
   */
  public double tiedReadoutMultiplier(Parametrization parametrization, Optimizer optimizer, ModelShape base) {
    if (tiedReadout == null) {
      throw new IllegalStateException("no tied readout: " + this);
    }
    Objects.requireNonNull(base, "base");
    if (!tiedReadout.equals(base.tiedReadout)) {
      throw new IllegalArgumentException("base model does not tie its readout to " + tiedReadout);
    }
    ModelShape readout = ModelShape.of(List.of(tiedReadoutSpec()));
    ModelShape baseReadout = ModelShape.of(List.of(base.tiedReadoutSpec()));
    ModelShape embedding = ModelShape.of(List.of(parameters.get(index.get(tiedReadout))));
    ModelShape baseEmbedding = ModelShape.of(List.of(base.parameters.get(base.index.get(tiedReadout))));
    LayerRule r = readout.rules(parametrization, optimizer, baseReadout).get(0);
    LayerRule e = embedding.rules(parametrization, optimizer, baseEmbedding).get(0);
    return r.initStd() * r.forwardMultiplier() / (e.initStd() * e.forwardMultiplier());
  }

  /** Whether {@code OUTPUT} matrices are initialised to zero. */
  public boolean readoutZeroInit() {
    return readoutZeroInit;
  }

  /** Whether {@code ATTENTION_QUERY} matrices are initialised to zero. */
  public boolean queryZeroInit() {
    return queryZeroInit;
  }

  /** The parameters in order; unmodifiable. */
  public List<ParameterSpec> parameters() {
    return parameters;
  }

  /** The parameter named {@code name}, if any. */
  public java.util.Optional<ParameterSpec> parameter(String name) {
    Integer i = index.get(name);
    return i == null ? java.util.Optional.empty() : java.util.Optional.of(parameters.get(i));
  }

  /** Whether this model was built from MLP dimensions ({@link #of(int[], boolean)}). */
  public boolean isMlp() {
    return dims != null;
  }

  /**
   * Copy of the MLP dimensions {@code [d_0, …, d_L]}.
   *
   * @throws IllegalStateException if this model was not built by {@link #of(int[], boolean)}
   */
  public int[] dims() {
    return mlpDims().clone();
  }

  /**
   * Number of weight matrices {@code L} of an MLP.
   *
   * @throws IllegalStateException if this model was not built by {@link #of(int[], boolean)}
   */
  public int depth() {
    return mlpDims().length - 1;
  }

  private int[] mlpDims() {
    if (dims == null) {
      throw new IllegalStateException("not an MLP built from dims: " + this);
    }
    return dims;
  }

  /** Whether the model has a bias: for an MLP, whether each weight layer has one. */
  public boolean bias() {
    return parameters.stream().anyMatch(p -> p.kind() == ParameterKind.BIAS);
  }

  /**
   * The parameters as matrices, with the roles their kinds have when no base model says otherwise
   * (weights and biases interleaved for an MLP: {@code W1, b1, W2, …}); unmodifiable.
   */
  public List<Layer> layers() {
    return layers;
  }

  /**
   * The rule of {@code parametrization} for every parameter, in {@link #parameters()} order, the model
   * being its own base: weights get the paper's rules with the kind's dimensions, vectors the rate of
   * their weight, weight-decay and ε multipliers are 1 (see {@link LayerRule}). These do not transfer
   * across widths for vectors and ε (their constants come from the model itself): for width transfer
   * use {@link #rules(Parametrization, Optimizer, ModelShape)}.
   *
   * @param parametrization the parametrization
   * @param optimizer the update rule
   * @return one rule per parameter
   */
  public List<LayerRule> rules(Parametrization parametrization, Optimizer optimizer) {
    Objects.requireNonNull(parametrization, "parametrization");
    Objects.requireNonNull(optimizer, "optimizer");
    List<LayerRule> out = new ArrayList<>(layers.size());
    for (int i = 0; i < layers.size(); i++) {
      out.add(absoluteRule(parametrization, optimizer, i, layers));
    }
    return List.copyOf(out);
  }

  /** The rule of parameter {@code i} with its layers (and roles) taken from {@code view}. */
  private LayerRule absoluteRule(Parametrization p, Optimizer optimizer, int i, List<Layer> view) {
    Layer layer = view.get(i);
    LayerRule r;
    if (layer.kind().vectorLike()) {
      Layer weight = companion[i] >= 0 ? view.get(companion[i]) : Parametrization.squareCompanion(layer);
      r = p.vectorRule(layer, weight, optimizer);
    } else {
      r = p.paperRule(layer, optimizer);
    }
    return zeroInit(layer) ? withInitStd(r, 0) : r;
  }

  private boolean zeroInit(Layer layer) {
    return (readoutZeroInit && layer.kind() == ParameterKind.OUTPUT)
        || (queryZeroInit && layer.kind() == ParameterKind.ATTENTION_QUERY);
  }

  private static LayerRule withInitStd(LayerRule r, double std) {
    return new LayerRule(
        r.layer(), std, r.forwardMultiplier(), r.learningRateMultiplier(), r.targetWeightNorm(),
        r.targetUpdateNorm(), r.initMean(), r.weightDecayMultiplier(), r.epsilonMultiplier());
  }

  /**
   * Width transfer (μTransfer): the rules of {@code parametrization} relative to a base model, so that
   * a model tuned at the base shape keeps its hyperparameters at this shape. For every parameter
   * {@code l} with base counterpart {@code b} (same name; roles inferred from the two shapes):
   *
   * <pre>
   *   initStd = σ_STANDARD(b) · σ_P(l)/σ_P(b)     forwardMultiplier = m_P(l)/m_P(b)
   *   learningRateMultiplier = η_P(l)/η_P(b)       weightDecayMultiplier = 1/learningRateMultiplier
   *   epsilonMultiplier = RMS(∇l)/RMS(∇b)
   * </pre>
   *
   * with the paper's rules for {@code P} — for a vector the fan-in-1 matrix's: SGD {@code η·fo}, Adam
   * {@code η}, normalized {@code η·√fo}, so a bias's rate is its weight's at the base (both 1) and
   * scales as the paper says. Vectors start at 0 (biases) or 1 (gains) at every width. At the base shape
   * this is exactly the standard parametrization with every multiplier 1 — the base model is an
   * ordinary model — and away from it every quantity scales as {@code parametrization} says.
   *
   * <p>The gradient's RMS, for ε: a parameter feeding width-sized features gets the backpropagated
   * {@code δ = m_out·W_outᵀ·∂L/∂y} of entries {@code ∝ m_out·σ_out} (the readout's at initialisation,
   * ignoring readout zero-init), times its own forward multiplier; the readout and its bias see
   * {@code ∂L/∂y} directly (times {@code m_out}). Without an {@code OUTPUT} parameter, δ is taken as
   * fixed.
   *
   * @param parametrization the parametrization
   * @param optimizer the update rule
   * @param base a model with the same parameter names and kinds; not modified
   * @return one rule per parameter, in this model's order
   * @throws IllegalArgumentException naming a parameter missing from either model or of another kind
   */
  public List<LayerRule> rules(Parametrization parametrization, Optimizer optimizer, ModelShape base) {
    Objects.requireNonNull(parametrization, "parametrization");
    Objects.requireNonNull(optimizer, "optimizer");
    Objects.requireNonNull(base, "base");
    checkBase(base);
    int n = parameters.size();
    List<Layer> here = new ArrayList<>(n);
    List<Layer> there = new ArrayList<>(n);
    // base.companion is indexed in the base's order: use this model's companions on aligned views
    for (int i = 0; i < n; i++) {
      ParameterSpec p = parameters.get(i);
      ParameterSpec b = base.parameters.get(base.index.get(p.name()));
      // an MLP's roles are positional (its first layer is the input layer even if the base's input
      // dimension differs), so its layers stay those of layers(); other models infer them, as mup does
      LayerRole role = dims != null ? layers.get(i).role() : inferRole(p, b);
      here.add(p.toLayer(role));
      there.add(b.toLayer(role));
    }
    // the readout, for the backward scale δ
    int readout = -1;
    for (int i = 0; i < n && readout < 0; i++) {
      if (parameters.get(i).kind() == ParameterKind.OUTPUT) {
        readout = i;
      }
    }
    double deltaRatio = 1;
    double readoutForwardRatio = 1;
    Layer readoutHere = readout >= 0 ? here.get(readout) : null;
    Layer readoutThere = readout >= 0 ? there.get(readout) : null;
    if (readout < 0 && tiedReadout != null && base.tiedReadout != null && base.index.containsKey(tiedReadout)) {
      ParameterSpec h = tiedReadoutSpec();
      ParameterSpec t = base.tiedReadoutSpec();
      LayerRole role = inferRole(h, t);
      readoutHere = h.toLayer(role);
      readoutThere = t.toLayer(role);
    }
    if (readoutHere != null) {
      LayerRule pl = parametrization.paperRule(readoutHere, optimizer);
      LayerRule pb = parametrization.paperRule(readoutThere, optimizer);
      LayerRule sb = Parametrization.STANDARD.paperRule(readoutThere, optimizer);
      readoutForwardRatio = pl.forwardMultiplier() / pb.forwardMultiplier();
      double sigmaRel = sb.initStd() * (pl.initStd() / pb.initStd());
      deltaRatio = readoutForwardRatio * sigmaRel / sb.initStd();
    }
    List<LayerRule> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Layer layer = here.get(i);
      Layer baseLayer = there.get(i);
      LayerRule pl = parametrization.paperRule(layer, optimizer);
      LayerRule pb = parametrization.paperRule(baseLayer, optimizer);
      LayerRule sb = Parametrization.STANDARD.paperRule(baseLayer, optimizer);
      ParameterKind kind = layer.kind();
      boolean vector = kind.vectorLike();
      double forward = pl.forwardMultiplier() / pb.forwardMultiplier();
      double lr = pl.learningRateMultiplier() / pb.learningRateMultiplier();
      double initStd = vector || zeroInit(layer) ? 0 : sb.initStd() * (pl.initStd() / pb.initStd());
      double epsilon;
      if (kind == ParameterKind.OUTPUT) {
        epsilon = readoutForwardRatio; // ∂L/∂W_out = m_out·(∂L/∂y)·hᵀ, both factors Θ(1)
      } else if (kind == ParameterKind.BIAS
          && companion[i] >= 0
          && parameters.get(companion[i]).kind() == ParameterKind.OUTPUT) {
        epsilon = 1; // ∂L/∂b_out = ∂L/∂y: nothing in it depends on width
      } else {
        epsilon = forward * deltaRatio;
      }
      out.add(
          new LayerRule(
              layer,
              initStd,
              forward,
              lr,
              pl.targetWeightNorm(),
              pl.targetUpdateNorm(),
              kind == ParameterKind.NORM_GAIN ? 1 : 0,
              kind == ParameterKind.NORM_GAIN ? 0 : 1 / lr,
              epsilon));
    }
    java.util.Optional<ResidualDepth> depth = residualDepth(base);
    if (depth.isPresent()) {
      for (int i = 0; i < n; i++) {
        if (parameters.get(i).name().startsWith(blockPrefix)) {
          out.set(i, depth.get().apply(out.get(i), optimizer));
        }
      }
    }
    return List.copyOf(out);
  }

  private void checkBase(ModelShape base) {
    if (dims != null && base.dims != null) {
      if (base.dims.length != dims.length || base.bias() != bias()) {
        throw new IllegalArgumentException(
            "base dims "
                + Arrays.toString(base.dims)
                + (base.bias() ? " with bias" : "")
                + " do not match dims "
                + Arrays.toString(dims)
                + (bias() ? " with bias" : "")
                + ": need the same depth and bias setting");
      }
      return;
    }
    for (ParameterSpec p : parameters) {
      Integer j = base.index.get(p.name());
      if (j == null) {
        throw new IllegalArgumentException("parameter " + p.name() + ": not in the base model");
      }
      ParameterSpec b = base.parameters.get(j);
      if (b.kind() != p.kind()) {
        throw new IllegalArgumentException(
            "parameter " + p.name() + ": kind " + p.kind().id() + " here but " + b.kind().id() + " in the base model");
      }
      if (b.transposed() != p.transposed()) {
        throw new IllegalArgumentException("parameter " + p.name() + ": layout differs from the base model's");
      }
    }
    if (base.parameters.size() != parameters.size()) {
      Set<String> mine = new HashSet<>(index.keySet());
      for (ParameterSpec b : base.parameters) {
        if (!mine.contains(b.name())) {
          throw new IllegalArgumentException("parameter " + b.name() + ": in the base model but not in the model");
        }
      }
    }
  }

  /**
   * μP's role of {@code p} given its base {@code b}: which of fan-in and fan-out are widths. A
   * convolution's kernel size counts as part of its fan-in; a fixed parameter keeps its kind's role.
   */
  static LayerRole inferRole(ParameterSpec p, ParameterSpec b) {
    ParameterKind kind = p.kind();
    if (kind.vectorLike()) {
      return LayerRole.BIAS;
    }
    if (kind == ParameterKind.EMBEDDING) {
      return LayerRole.INPUT;
    }
    boolean in = p.fanIn() != b.fanIn();
    boolean out = p.fanOut() != b.fanOut();
    if (in && out) {
      return LayerRole.HIDDEN;
    }
    if (out) {
      return LayerRole.INPUT;
    }
    if (in) {
      return LayerRole.OUTPUT;
    }
    return kind.defaultRole();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ModelShape s
        && s.parameters.equals(parameters)
        && Arrays.equals(s.dims, dims)
        && s.readoutZeroInit == readoutZeroInit
        && s.queryZeroInit == queryZeroInit
        && Objects.equals(s.tiedReadout, tiedReadout)
        && s.blocks == blocks
        && Objects.equals(s.blockPrefix, blockPrefix);
  }

  @Override
  public int hashCode() {
    return Objects.hash(parameters, Arrays.hashCode(dims), readoutZeroInit, queryZeroInit, tiedReadout, blocks, blockPrefix);
  }

  @Override
  public String toString() {
    if (dims != null) {
      return "ModelShape" + Arrays.toString(dims) + (bias() ? " with bias" : "");
    }
    return "ModelShape of " + parameters.size() + " parameters";
  }
}
