package io.github.spectral4j.trainer.cli;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.spectral4j.core.LayerRule;
import io.github.spectral4j.core.ModelShape;
import io.github.spectral4j.core.Optimizer;
import io.github.spectral4j.core.ParameterKind;
import io.github.spectral4j.core.ParameterSpec;
import io.github.spectral4j.core.Parametrization;
import io.github.spectral4j.trainer.AtomicFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code spectral4j plan}: the rules of a parametrization for every parameter of a model — init std
 * and mean, forward multiplier, learning-rate, weight-decay and ε multipliers, and Condition 1's
 * targets — for an MLP given by {@code --dims} or any model given as a JSON list of named parameters
 * ({@code --model}), optionally relative to a base model (width transfer).
 *
 * <p>A model file is {@code {"parameters": [{"name": …, "kind": …, "shape": [...]}, …]}} in PyTorch's
 * {@code named_parameters()} order and shapes, with an optional {@code "layout": "in_out"} for matrices
 * stored {@code [in, out]} (Hugging Face's {@code Conv1D}) and an optional top-level {@code "headDim"}
 * (the attention logit multiplier is printed when given). A bad file is refused with one line naming
 * the parameter and the problem.
 */
@Command(
    name = "plan",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Print the per-parameter scaling rules of a parametrization for an MLP (--dims) or for any model",
      "described as JSON (--model): {\"parameters\": [{\"name\": …, \"kind\": …, \"shape\": […]}, …]},",
      "shapes as PyTorch's named_parameters() reports them; \"layout\": \"in_out\" marks a matrix stored",
      "[in, out] (Hugging Face Conv1D, e.g. GPT-2); optional top-level fields: \"headDim\" (adds the",
      "attention logit multiplier), \"tiedReadout\": \"EMBEDDING NAME\" (a readout sharing the embedding's",
      "matrix: adds its logits multiplier), \"residualBlocks\": {\"count\": L, \"prefix\": \"…\"} (depth-μP",
      "relative to the base's count).",
      "Kinds: input, hidden, output (dense [out, in]; output = readout/unembedding), bias, norm_gain",
      "([n]), embedding ([vocab, width]), attention_query, attention_key, attention_value,",
      "attention_output ([out, in]), attention_qkv (Q, K, V stacked: [3d, d]), conv ([c_out, c_in, kh, kw]).",
      "Targets are Condition 1 of arXiv 2310.17813: ‖W‖ = ‖ΔW‖ = √(fan-out/fan-in) in the kind's norm;",
      "for --optimizer normalized the target ‖ΔW‖ is per unit of learning rate."
    })
final class PlanCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  /** Exactly one way to give the model. */
  static final class ModelSource {
    @Option(
        names = "--dims",
        split = ",",
        converter = CommaLists.PositiveInt.class,
        paramLabel = "D0,D1,…",
        hideParamSyntax = true,
        description = "MLP dimensions, input first, e.g. 784,1024,1024,10.")
    int[] dims;

    @Option(
        names = "--model",
        paramLabel = "FILE",
        description = "Model file (JSON list of named parameters with kind and shape), e.g. docs/plan/gpt2-small.json.")
    Path model;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  ModelSource source;

  @Option(names = "--bias", description = "With --dims: give every weight layer a bias.")
  boolean bias;

  @Option(
      names = "--base-dims",
      split = ",",
      converter = CommaLists.PositiveInt.class,
      paramLabel = "D0,D1,…",
      hideParamSyntax = true,
      description = "With --dims: width transfer relative to this base MLP (same depth), e.g. 784,256,256,10.")
  int[] baseDims;

  @Option(
      names = "--base",
      paramLabel = "FILE",
      description = "With --model: width transfer relative to this base model (same parameter names and kinds).")
  Path base;

  @Option(
      names = "--optimizer",
      defaultValue = "sgd",
      paramLabel = "NAME",
      description = "sgd, adam or normalized (default: ${DEFAULT-VALUE}).")
  String optimizer;

  @Option(
      names = "--parametrization",
      defaultValue = "spectral",
      paramLabel = "NAME",
      description = "spectral, mup, ntk, standard or all (default: ${DEFAULT-VALUE}).")
  String parametrization;

  @Option(names = "--readout-zero-init", description = "Initialise output (readout) matrices to zero.")
  boolean readoutZeroInit;

  @Option(names = "--query-zero-init", description = "Initialise attention_query matrices to zero.")
  boolean queryZeroInit;

  @Option(names = "--json", paramLabel = "FILE", description = "Also write the plan as JSON (one parametrization).")
  Path json;

  @Override
  public Integer call() {
    Optimizer opt = Optimizer.parse(optimizer);
    List<Parametrization> chosen =
        parametrization.trim().equalsIgnoreCase("all")
            ? List.of(Parametrization.values())
            : List.of(Parametrization.parse(parametrization));
    if (json != null && chosen.size() != 1) {
      throw new IllegalArgumentException("--json writes one parametrization; got --parametrization " + parametrization);
    }
    Model model;
    Model baseModel = null;
    if (source.dims != null) {
      if (base != null) {
        throw new IllegalArgumentException("--base needs --model; with --dims use --base-dims");
      }
      model = new Model(ModelShape.of(source.dims, bias), 0, "dims " + Arrays.toString(source.dims));
      if (baseDims != null) {
        baseModel = new Model(ModelShape.of(baseDims, bias), 0, "base dims " + Arrays.toString(baseDims));
      }
    } else {
      if (baseDims != null || bias) {
        throw new IllegalArgumentException((bias ? "--bias" : "--base-dims") + " needs --dims; with --model use --base");
      }
      model = read(source.model);
      baseModel = base == null ? null : read(base);
      if (baseModel != null && !model.shape().tiedReadout().equals(baseModel.shape().tiedReadout())) {
        throw new IllegalArgumentException("base model " + base + ": tiedReadout "
            + baseModel.shape().tiedReadout().orElse("(none)") + " but the model has "
            + model.shape().tiedReadout().orElse("(none)"));
      }
    }
    ModelShape shape = model.shape.withReadoutZeroInit(readoutZeroInit).withQueryZeroInit(queryZeroInit);
    ModelShape baseShape = baseModel == null ? null : baseModel.shape;
    PrintWriter out = spec.commandLine().getOut();
    List<Plan> plans = new ArrayList<>();
    for (Parametrization p : chosen) {
      List<LayerRule> rules = baseShape == null ? shape.rules(p, opt) : shape.rules(p, opt, baseShape);
      plans.add(new Plan(p, rules));
    }
    if (json != null) {
      ObjectNode document = toJson(plans.get(0), opt, shape, model, baseModel);
      AtomicFiles.write(json, stream -> mapper().writeValue(stream, document));
    }
    for (Plan plan : plans) {
      print(out, plan, opt, shape, model, baseModel);
    }
    if (json != null) {
      out.println("wrote " + json);
    }
    out.flush();
    return 0;
  }

  private record Plan(Parametrization parametrization, List<LayerRule> rules) {}

  /** A model and its optional head dimension (0: none), with a label for the header. */
  private record Model(ModelShape shape, int headDim, String label) {}

  private static final Set<String> PARAMETER_FIELDS = Set.of("name", "kind", "shape", "layout");
  private static final Set<String> MODEL_FIELDS = Set.of("parameters", "headDim", "tiedReadout", "residualBlocks");

  /** Reads a model file; every problem is an {@link IllegalArgumentException} of one line. */
  static Model read(Path file) {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(Files.readString(file));
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("model " + file + ": no such file");
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      throw new IllegalArgumentException(
          "model " + file + ": malformed JSON"
              + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr())
              + ": " + e.getOriginalMessage().lines().findFirst().orElse(""));
    } catch (IOException e) {
      throw new UncheckedIOException(new IOException("cannot read model " + file + ": " + e.getMessage(), e));
    }
    String where = "model " + file + ": ";
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException(where + "expected a JSON object {\"parameters\": [...]}");
    }
    for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
      String field = names.next();
      if (!MODEL_FIELDS.contains(field)) {
        throw new IllegalArgumentException(where + "unknown field \"" + field + "\" (expected parameters, headDim, tiedReadout, residualBlocks)");
      }
    }
    JsonNode list = root.get("parameters");
    if (list == null || !list.isArray()) {
      throw new IllegalArgumentException(where + "\"parameters\" must be an array of {name, kind, shape}");
    }
    int headDim = 0;
    JsonNode head = root.get("headDim");
    if (head != null) {
      if (!head.isInt() || head.asInt() < 1) {
        throw new IllegalArgumentException(where + "\"headDim\" must be a positive integer, got " + head);
      }
      headDim = head.asInt();
    }
    List<ParameterSpec> specs = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      specs.add(parameter(list.get(i), i, where));
    }
    JsonNode tied = root.get("tiedReadout");
    if (tied != null && !tied.isTextual()) {
      throw new IllegalArgumentException(where + "\"tiedReadout\" must name an embedding parameter, got " + tied);
    }
    JsonNode blocks = root.get("residualBlocks");
    if (blocks != null && !(blocks.isObject() && blocks.path("count").isInt() && blocks.path("prefix").isTextual()
        && blocks.size() == 2)) {
      throw new IllegalArgumentException(
          where + "\"residualBlocks\" must be {\"count\": L, \"prefix\": \"…\"}, got " + blocks);
    }
    try {
      ModelShape shape = ModelShape.of(specs);
      if (tied != null) {
        shape = shape.withTiedReadout(tied.asText());
      }
      if (blocks != null) {
        shape = shape.withResidualBlocks(blocks.get("count").asInt(), blocks.get("prefix").asText());
      }
      return new Model(shape, headDim, file.toString());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + e.getMessage(), e);
    }
  }

  private static ParameterSpec parameter(JsonNode node, int i, String where) {
    String at = where + "parameter #" + (i + 1);
    if (!node.isObject()) {
      throw new IllegalArgumentException(at + ": expected {\"name\": …, \"kind\": …, \"shape\": […]}, got " + node);
    }
    JsonNode name = node.get("name");
    if (name == null || !name.isTextual() || name.asText().isBlank()) {
      throw new IllegalArgumentException(at + ": \"name\" must be a non-blank string");
    }
    at = where + "parameter " + name.asText();
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String field = names.next();
      if (!PARAMETER_FIELDS.contains(field)) {
        throw new IllegalArgumentException(at + ": unknown field \"" + field + "\" (expected name, kind, shape, layout)");
      }
    }
    JsonNode kindNode = node.get("kind");
    if (kindNode == null || !kindNode.isTextual()) {
      throw new IllegalArgumentException(at + ": \"kind\" must be a string, one of " + ParameterKind.ids());
    }
    ParameterKind kind;
    try {
      kind = ParameterKind.parse(kindNode.asText());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(at + ": " + e.getMessage(), e);
    }
    JsonNode shapeNode = node.get("shape");
    if (shapeNode == null || !shapeNode.isArray()) {
      throw new IllegalArgumentException(at + ": \"shape\" must be an array of positive integers");
    }
    int[] shape = new int[shapeNode.size()];
    for (int d = 0; d < shape.length; d++) {
      JsonNode v = shapeNode.get(d);
      if (!v.isInt()) {
        throw new IllegalArgumentException(at + ": shape " + shapeNode + " has " + v + ", not an integer");
      }
      shape[d] = v.asInt();
    }
    boolean transposed = false;
    JsonNode layout = node.get("layout");
    if (layout != null) {
      String l = layout.asText();
      if (!layout.isTextual() || !(l.equals("in_out") || l.equals("out_in"))) {
        throw new IllegalArgumentException(at + ": \"layout\" must be \"out_in\" or \"in_out\", got " + layout);
      }
      transposed = l.equals("in_out");
    }
    try {
      return new ParameterSpec(name.asText(), kind, shape, transposed);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + e.getMessage(), e);
    }
  }

  private static void print(
      PrintWriter out, Plan plan, Optimizer opt, ModelShape shape, Model model, Model base) {
    out.printf(
        Locale.ROOT,
        "%s parametrization, %s, %s%s%n",
        plan.parametrization().id(),
        opt.id(),
        model.label(),
        base == null ? "" : ", relative to " + base.label());
    if (model.headDim() > 0) {
      int baseHead = base == null || base.headDim() == 0 ? model.headDim() : base.headDim();
      out.printf(
          Locale.ROOT,
          "attention logit multiplier %.6g (head dim %d, base %d)%n",
          plan.parametrization().attentionLogitMultiplier(model.headDim(), baseHead),
          model.headDim(),
          baseHead);
    }
    java.util.Optional<io.github.spectral4j.core.ResidualDepth> depth =
        shape.residualDepth(base == null ? shape : base.shape());
    if (depth.isPresent()) {
      out.printf(
          Locale.ROOT,
          "residual branch multiplier %.6g (%d blocks, base %d)%n",
          depth.get().branchMultiplier(),
          depth.get().blocks(),
          depth.get().baseBlocks());
    }
    if (shape.tiedReadout().isPresent()) {
      out.printf(
          Locale.ROOT,
          "readout tied to %s: logits = %.6g · h·Eᵀ%n",
          shape.tiedReadout().get(),
          tiedMultiplier(plan, opt, shape, base));
    }
    int nameWidth = 5;
    int shapeWidth = 5;
    for (ParameterSpec p : shape.parameters()) {
      nameWidth = Math.max(nameWidth, p.name().length());
      shapeWidth = Math.max(shapeWidth, shapeText(p).length());
    }
    String header = "%-" + nameWidth + "s %-16s %-" + shapeWidth + "s %8s %8s %11s %11s %11s %11s %11s %11s %11s%n";
    out.printf(Locale.ROOT, header, "name", "kind", "shape", "fan-in", "fan-out", "init std", "fwd mult",
        "lr mult", "wd mult", "eps mult", "target ‖W‖", "target ‖ΔW‖");
    String row = "%-" + nameWidth + "s %-16s %-" + shapeWidth + "s %8d %8d %11s %11.5g %11.5g %11.5g %11.5g %11.5g %11.5g%n";
    List<ParameterSpec> specs = shape.parameters();
    for (int i = 0; i < specs.size(); i++) {
      ParameterSpec p = specs.get(i);
      LayerRule r = plan.rules().get(i);
      String init = r.initMean() != 0 ? String.format(Locale.ROOT, "%.4g+%.3g", r.initMean(), r.initStd())
          : String.format(Locale.ROOT, "%.5g", r.initStd());
      if (r.initMean() != 0 && r.initStd() == 0) {
        init = String.format(Locale.ROOT, "const %.4g", r.initMean());
      }
      out.printf(
          Locale.ROOT,
          row,
          p.name(),
          p.kind().id(),
          shapeText(p),
          p.fanIn(),
          p.fanOut(),
          init,
          r.forwardMultiplier(),
          r.learningRateMultiplier(),
          r.weightDecayMultiplier(),
          r.epsilonMultiplier(),
          r.targetWeightNorm(),
          r.targetUpdateNorm());
    }
    out.println();
  }

  private static double tiedMultiplier(Plan plan, Optimizer opt, ModelShape shape, Model base) {
    return shape.tiedReadoutMultiplier(plan.parametrization(), opt, base == null ? shape : base.shape());
  }

  private static String shapeText(ParameterSpec p) {
    StringBuilder b = new StringBuilder();
    int[] s = p.shape();
    for (int i = 0; i < s.length; i++) {
      b.append(i == 0 ? "" : "x").append(s[i]);
    }
    return p.transposed() ? b.append(" (in,out)").toString() : b.toString();
  }

  private static ObjectNode toJson(Plan plan, Optimizer opt, ModelShape shape, Model model, Model base) {
    ObjectMapper mapper = mapper();
    ObjectNode root = mapper.createObjectNode();
    root.put("parametrization", plan.parametrization().id());
    root.put("optimizer", opt.id());
    if (model.headDim() > 0) {
      int baseHead = base == null || base.headDim() == 0 ? model.headDim() : base.headDim();
      root.put("attentionLogitMultiplier", plan.parametrization().attentionLogitMultiplier(model.headDim(), baseHead));
    }
    shape.residualDepth(base == null ? shape : base.shape())
        .ifPresent(d -> root.put("residualBranchMultiplier", d.branchMultiplier()));
    if (shape.tiedReadout().isPresent()) {
      root.put("tiedReadout", shape.tiedReadout().get());
      root.put("tiedReadoutMultiplier", tiedMultiplier(plan, opt, shape, base));
    }
    // --dims keeps the key it always had; a model file's plan lists its parameters
    ArrayNode layers = root.putArray(shape.isMlp() ? "layers" : "parameters");
    List<ParameterSpec> specs = shape.parameters();
    for (int i = 0; i < specs.size(); i++) {
      ParameterSpec p = specs.get(i);
      LayerRule r = plan.rules().get(i);
      ObjectNode layer = layers.addObject();
      layer.put("name", p.name());
      layer.put("kind", p.kind().id());
      ArrayNode dims = layer.putArray("shape");
      for (int d : p.shape()) {
        dims.add(d);
      }
      if (p.transposed()) {
        layer.put("layout", "in_out");
      }
      layer.put("role", r.layer().role().name().toLowerCase(Locale.ROOT));
      layer.put("fanIn", p.fanIn());
      layer.put("fanOut", p.fanOut());
      layer.put("initStd", r.initStd());
      layer.put("initMean", r.initMean());
      layer.put("forwardMultiplier", r.forwardMultiplier());
      layer.put("learningRateMultiplier", r.learningRateMultiplier());
      layer.put("weightDecayMultiplier", r.weightDecayMultiplier());
      layer.put("epsilonMultiplier", r.epsilonMultiplier());
      layer.put("targetWeightNorm", r.targetWeightNorm());
      layer.put("targetUpdateNorm", r.targetUpdateNorm());
    }
    return root;
  }

  private static ObjectMapper mapper() {
    // AtomicFiles forces the channel after writing: Jackson must not close the stream first
    return new ObjectMapper()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .disable(com.fasterxml.jackson.core.JsonGenerator.Feature.AUTO_CLOSE_TARGET);
  }
}
