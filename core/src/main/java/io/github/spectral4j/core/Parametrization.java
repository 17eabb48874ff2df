package io.github.spectral4j.core;

import java.util.Locale;
import java.util.Objects;

/**
 * How a network's initialisation scales, forward multipliers and per-layer learning rates depend on
 * its layer dimensions. With {@code fi = fanIn}, {@code fo = fanOut}:
 *
 * <ul>
 *   <li>{@link #SPECTRAL} satisfies Condition 1 of arXiv 2310.17813 directly (its Parametrization 1):
 *       {@code σ = (1/√fi)·min(1, √(fo/fi))}, so {@code ‖W‖* ≈ σ(√fi + √fo) ∈ [1, 2]·√(fo/fi)}; SGD
 *       learning rate {@code η·fo/fi}, because a batch gradient is low-rank and its spectral norm is
 *       about its Frobenius norm; Adam {@code η/fi}, because Adam's update is sign-like; normalized
 *       updates of spectral norm {@code η·√(fo/fi)}.
 *   <li>{@link #MUP} is the maximal-update parametrization of Tensor Programs V, Table 3: init
 *       variance {@code 1/fi} for input, hidden and bias weights and {@code 1/fi²} for the output
 *       layer; SGD multiplier {@code fo} (input, bias), 1 (hidden), {@code 1/fi} (output); Adam 1
 *       (input, bias) and {@code 1/fi} (hidden, output). It equals {@code SPECTRAL} up to constants
 *       that do not depend on the hidden width.
 *   <li>{@link #STANDARD}: {@code σ = 1/√fi} and one global learning rate. The output layer's update
 *       grows with width, violating Condition 1.
 *   <li>{@link #NTK}: unit-variance weights and a forward multiplier {@code 1/√fi}, one global
 *       learning rate. Hidden feature updates shrink like {@code 1/√width}: the kernel regime.
 * </ul>
 *
 * <p>Every rule's targets are Condition 1's {@code ‖W‖* = ‖ΔW‖* = √(fo/fi)}, whether or not the
 * parametrization meets them.
 */
public enum Parametrization {
  STANDARD {
    @Override
    double initStd(Layer layer) {
      return 1.0 / Math.sqrt(layer.fanIn());
    }

    @Override
    double learningRateMultiplier(Layer layer, Optimizer optimizer) {
      return 1.0;
    }
  },

  NTK {
    @Override
    double initStd(Layer layer) {
      return 1.0;
    }

    @Override
    double forwardMultiplier(Layer layer) {
      return 1.0 / Math.sqrt(layer.fanIn());
    }

    @Override
    double learningRateMultiplier(Layer layer, Optimizer optimizer) {
      return 1.0;
    }
  },

  MUP {
    @Override
    double initStd(Layer layer) {
      double fi = layer.fanIn();
      return layer.role() == LayerRole.OUTPUT ? 1.0 / fi : 1.0 / Math.sqrt(fi);
    }

    @Override
    double learningRateMultiplier(Layer layer, Optimizer optimizer) {
      double fi = layer.fanIn();
      double fo = layer.fanOut();
      return switch (optimizer) {
        case SGD -> switch (layer.role()) {
          case INPUT, BIAS -> fo;
          case HIDDEN -> 1.0;
          case OUTPUT -> 1.0 / fi;
        };
        case ADAM -> switch (layer.role()) {
          case INPUT, BIAS -> 1.0;
          case HIDDEN, OUTPUT -> 1.0 / fi;
        };
        case NORMALIZED -> layer.spectralScale();
      };
    }
  },

  SPECTRAL {
    @Override
    double initStd(Layer layer) {
      double fi = layer.fanIn();
      return Math.min(1.0, layer.spectralScale()) / Math.sqrt(fi);
    }

    @Override
    double learningRateMultiplier(Layer layer, Optimizer optimizer) {
      double fi = layer.fanIn();
      double fo = layer.fanOut();
      return switch (optimizer) {
        case SGD -> fo / fi;
        case ADAM -> 1.0 / fi;
        case NORMALIZED -> layer.spectralScale();
      };
    }
  };

  abstract double initStd(Layer layer);

  double forwardMultiplier(Layer layer) {
    return 1.0;
  }

  abstract double learningRateMultiplier(Layer layer, Optimizer optimizer);

  /**
   * The rule this parametrization prescribes for {@code layer} trained by {@code optimizer}.
   *
   * @param layer not modified
   * @param optimizer the update rule the learning-rate multiplier is for
   * @return init scale, forward multiplier, learning-rate multiplier and Condition 1's targets
   */
  public LayerRule rule(Layer layer, Optimizer optimizer) {
    Objects.requireNonNull(layer, "layer");
    Objects.requireNonNull(optimizer, "optimizer");
    double target = layer.spectralScale();
    return new LayerRule(
        layer,
        initStd(layer),
        forwardMultiplier(layer),
        learningRateMultiplier(layer, optimizer),
        target,
        target);
  }

  /** The lower-case name used on the command line and in reports, e.g. {@code spectral}. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses a name case-insensitively ({@code standard}, {@code ntk}, {@code mup}, {@code spectral}).
   *
   * @throws IllegalArgumentException naming the value and the accepted names
   */
  public static Parametrization parse(String name) {
    return Names.parse(Parametrization.class, name, "parametrization");
  }
}
