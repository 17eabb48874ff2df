package example;

import io.github.spectral4j.core.LayerRule;
import io.github.spectral4j.core.ModelShape;
import io.github.spectral4j.core.Optimizer;
import io.github.spectral4j.core.ParameterKind;
import io.github.spectral4j.core.ParameterSpec;
import io.github.spectral4j.core.Parametrization;
import io.github.spectral4j.core.ScalingFit;
import java.util.List;

/** The spectral rules for your own model, width transfer from a small base model, a scaling fit. */
public final class ApplyRules {
  public static void main(String[] args) {
    // Your model: an MLP 784 -> 4096 -> 4096 -> 10 without biases.
    ModelShape shape = ModelShape.of(new int[] {784, 4096, 4096, 10}, false);

    // What the spectral parametrization prescribes for each weight matrix under SGD: initialise
    // W ~ N(0, initStd^2), train with learning rate eta * multiplier, aim at ||W||* = sqrt(fanOut/fanIn).
    System.out.println("spectral, SGD:");
    for (LayerRule rule : shape.rules(Parametrization.SPECTRAL, Optimizer.SGD)) {
      System.out.printf("  %-3s %4d -> %4d  init std %.5f  lr x %8.4f  target ||W||* %.4f%n",
          rule.layer().name(), rule.layer().fanIn(), rule.layer().fanOut(),
          rule.initStd(), rule.learningRateMultiplier(), rule.targetWeightNorm());
    }

    // Width transfer: tune eta at width 256, then train width 4096 with the same eta. At the base
    // shape the rules equal the standard parametrization; away from it they scale as spectral says.
    ModelShape base = ModelShape.of(new int[] {784, 256, 256, 10}, false);
    List<LayerRule> transferred = shape.rules(Parametrization.SPECTRAL, Optimizer.ADAM, base);
    System.out.println("spectral, Adam, relative to width 256:");
    for (LayerRule rule : transferred) {
      System.out.printf("  %-3s init std %.5f  lr x %.4f%n",
          rule.layer().name(), rule.initStd(), rule.learningRateMultiplier());
    }

    // Any model, described by its parameters as PyTorch's named_parameters() lists them ([out, in]):
    // a transformer block of width 1024, with the rules relative to the same block at width 256.
    System.out.println("transformer block, spectral, Adam, relative to width 256:");
    for (LayerRule rule : block(1024).rules(Parametrization.SPECTRAL, Optimizer.ADAM, block(256))) {
      System.out.printf("  %-8s init std %.5f  lr x %.4f  weight decay x %.2f  Adam eps x %.2f%n",
          rule.layer().name(), rule.initStd(), rule.learningRateMultiplier(),
          rule.weightDecayMultiplier(), rule.epsilonMultiplier());
    }

    // How a quantity you measured scales with width: the slope of log y on log n. Feature learning
    // at every width means slope 0 for the RMS change of every layer's features.
    ScalingFit fit = ScalingFit.fit(new double[] {1024, 2048, 4096}, new double[] {0.51, 0.50, 0.52});
    System.out.printf("slope %+.3f +- %.3f over %d widths%n", fit.slope(), fit.slopeStdErr(), fit.points());
  }

  private static ModelShape block(int width) {
    int vocabulary = 256;
    return ModelShape.of(List.of(
        new ParameterSpec("wte", ParameterKind.EMBEDDING, vocabulary, width),
        new ParameterSpec("ln.gain", ParameterKind.NORM_GAIN, width),
        new ParameterSpec("attn.qkv", ParameterKind.ATTENTION_QKV, 3 * width, width),
        new ParameterSpec("attn.out", ParameterKind.ATTENTION_OUTPUT, width, width),
        new ParameterSpec("mlp.up", ParameterKind.HIDDEN, 4 * width, width),
        new ParameterSpec("mlp.down", ParameterKind.HIDDEN, width, 4 * width),
        new ParameterSpec("head", ParameterKind.OUTPUT, vocabulary, width)));
  }
}
