package io.github.spectral4j.trainer.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.spectral4j.core.LayerRule;
import io.github.spectral4j.core.ModelShape;
import io.github.spectral4j.core.Optimizer;
import io.github.spectral4j.core.Parametrization;
import io.github.spectral4j.trainer.AtomicFiles;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code spectral4j plan}: the per-layer rules of a parametrization for an MLP — init std, forward
 * multiplier, learning-rate multiplier, and Condition 1's targets {@code ‖W‖* = ‖ΔW‖* = √(fo/fi)}.
 */
@Command(
    name = "plan",
    mixinStandardHelpOptions = true,
    description = {
      "Print the per-layer scaling rules of a parametrization for an MLP.",
      "Targets are Condition 1 of arXiv 2310.17813: ‖W‖* = ‖ΔW‖* = √(fan-out/fan-in);",
      "for --optimizer normalized the target ‖ΔW‖* is per unit of learning rate."
    })
final class PlanCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--dims",
      required = true,
      split = ",",
      converter = CommaLists.PositiveInt.class,
      paramLabel = "D0,D1,…",
      hideParamSyntax = true,
      description = "MLP dimensions, input first, e.g. 784,1024,1024,10.")
  int[] dims;

  @Option(names = "--bias", description = "Give every weight layer a bias (a fan-in-1 matrix).")
  boolean bias;

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

  @Option(
      names = "--base-dims",
      split = ",",
      converter = CommaLists.PositiveInt.class,
      paramLabel = "D0,D1,…",
      hideParamSyntax = true,
      description = "Width transfer: rules relative to this base model (same depth), e.g. 784,256,256,10.")
  int[] baseDims;

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
    ModelShape shape = ModelShape.of(dims, bias);
    ModelShape base = baseDims == null ? null : ModelShape.of(baseDims, bias);
    PrintWriter out = spec.commandLine().getOut();
    for (Parametrization p : chosen) {
      List<LayerRule> rules = base == null ? shape.rules(p, opt) : shape.rules(p, opt, base);
      if (json != null) {
        AtomicFiles.write(json, stream -> mapper().writeValue(stream, toJson(p, opt, rules)));
      }
      print(out, p, opt, shape, base, rules);
    }
    if (json != null) {
      out.println("wrote " + json);
    }
    out.flush();
    return 0;
  }

  private static void print(
      PrintWriter out, Parametrization p, Optimizer opt, ModelShape shape, ModelShape base, List<LayerRule> rules) {
    out.printf(
        Locale.ROOT,
        "%s parametrization, %s, dims %s%s%n",
        p.id(),
        opt.id(),
        java.util.Arrays.toString(shape.dims()),
        base == null ? "" : ", relative to base " + java.util.Arrays.toString(base.dims()));
    String header = "%-6s %-7s %8s %8s %12s %12s %12s %12s %12s%n";
    out.printf(Locale.ROOT, header, "layer", "role", "fan-in", "fan-out", "init std", "forward mult", "lr mult",
        "target ‖W‖*", "target ‖ΔW‖*");
    for (LayerRule r : rules) {
      out.printf(
          Locale.ROOT,
          "%-6s %-7s %8d %8d %12.5g %12.5g %12.5g %12.5g %12.5g%n",
          r.layer().name(),
          r.layer().role().name().toLowerCase(Locale.ROOT),
          r.layer().fanIn(),
          r.layer().fanOut(),
          r.initStd(),
          r.forwardMultiplier(),
          r.learningRateMultiplier(),
          r.targetWeightNorm(),
          r.targetUpdateNorm());
    }
    out.println();
  }

  private static ObjectNode toJson(Parametrization p, Optimizer opt, List<LayerRule> rules) {
    ObjectMapper mapper = mapper();
    ObjectNode root = mapper.createObjectNode();
    root.put("parametrization", p.id());
    root.put("optimizer", opt.id());
    ArrayNode layers = root.putArray("layers");
    for (LayerRule r : rules) {
      ObjectNode layer = layers.addObject();
      layer.put("name", r.layer().name());
      layer.put("role", r.layer().role().name().toLowerCase(Locale.ROOT));
      layer.put("fanIn", r.layer().fanIn());
      layer.put("fanOut", r.layer().fanOut());
      layer.put("initStd", r.initStd());
      layer.put("forwardMultiplier", r.forwardMultiplier());
      layer.put("learningRateMultiplier", r.learningRateMultiplier());
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
