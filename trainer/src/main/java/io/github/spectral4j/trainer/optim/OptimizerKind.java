package io.github.spectral4j.trainer.optim;

import io.github.spectral4j.core.Optimizer;
import io.github.spectral4j.trainer.UpdateMode;
import io.github.spectral4j.trainer.nn.Parameter;
import java.util.List;
import java.util.Locale;

/**
 * Which {@link ParameterOptimizer} trains a model, and which {@code core} {@link Optimizer} its
 * parameters' rules are built for: {@code SGD}, {@code ADAM} (AdamW) and {@code NORMALIZED} use their
 * own rules; {@code MUON} (the hybrid {@link Muon}) uses Adam's rules for the parameters AdamW trains
 * and sets the orthogonalised matrices' scale itself.
 */
public enum OptimizerKind {
  SGD(Optimizer.SGD),
  ADAM(Optimizer.ADAM),
  NORMALIZED(Optimizer.NORMALIZED),
  MUON(Optimizer.ADAM);

  private final Optimizer rules;

  OptimizerKind(Optimizer rules) {
    this.rules = rules;
  }

  /** The {@code core} optimizer whose learning-rate rules the model's parameters should carry. */
  public Optimizer rules() {
    return rules;
  }

  /** The lower-case name used on the command line, e.g. {@code muon}. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses {@code sgd}, {@code adam} (also {@code adamw}), {@code normalized} or {@code muon},
   * ignoring case.
   *
   * @throws IllegalArgumentException naming the value and the accepted names
   */
  public static OptimizerKind parse(String name) {
    String n = name == null ? "" : name.trim().toUpperCase(Locale.ROOT);
    if (n.equals("ADAMW")) {
      return ADAM;
    }
    for (OptimizerKind k : values()) {
      if (k.name().equals(n)) {
        return k;
      }
    }
    throw new IllegalArgumentException("unknown optimizer '" + name + "' (expected one of: sgd, adam, normalized, muon)");
  }

  /**
   * A new optimizer of this kind over {@code parameters}.
   *
   * @param parameters not modified; their values are updated by the optimizer's steps
   * @param learningRate η (for {@code MUON}: the AdamW group's η)
   * @param matrixLearningRate {@code MUON} only: η of the orthogonalised matrices; ignored otherwise
   * @param momentum μ for SGD, NORMALIZED and MUON's matrices; ignored by ADAM (β1 = 0.9)
   * @param weightDecay λ (L2 for SGD, decoupled otherwise)
   * @param mode NORMALIZED only: how updates are normalised
   * @return the optimizer
   * @throws IllegalArgumentException naming an invalid setting
   */
  public ParameterOptimizer create(
      List<Parameter> parameters, double learningRate, double matrixLearningRate, double momentum, double weightDecay,
      UpdateMode mode) {
    return switch (this) {
      case SGD -> new Sgd(parameters, learningRate, momentum, weightDecay);
      case ADAM -> new AdamW(parameters, learningRate, weightDecay);
      case NORMALIZED -> new Normalized(parameters, learningRate, mode, momentum, weightDecay);
      case MUON -> new Muon(parameters, matrixLearningRate, learningRate, momentum, weightDecay);
    };
  }
}
