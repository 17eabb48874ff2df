package io.github.spectral4j.trainer.optim;

import io.github.spectral4j.simd.FloatMatrix;
import io.github.spectral4j.trainer.DivergenceException;
import io.github.spectral4j.trainer.nn.Parameter;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The parameters of one optimizer with their {@link Slot}s, found by identity (a lookup allocates
 * nothing), and the checks every optimizer's constructor and step share.
 */
final class Slots {
  final List<Parameter> parameters;
  final Slot[] slots;
  private final Map<Parameter, Slot> byParameter = new IdentityHashMap<>();
  /** Scratch for {@link Slot#apply}. */
  private final double[] norms = new double[3];
  /** Name of the first parameter of the current step that became non-finite, or null. */
  private String diverged;

  /**
   * @param who the optimizer's name, for messages
   * @param allowEmpty whether an empty list is accepted (a group of a hybrid may be empty)
   */
  Slots(String who, List<Parameter> parameters, boolean allowEmpty) {
    Objects.requireNonNull(parameters, "parameters");
    if (parameters.isEmpty() && !allowEmpty) {
      throw new IllegalArgumentException(who + " needs at least one parameter");
    }
    this.parameters = List.copyOf(parameters); // also refuses null elements
    this.slots = new Slot[this.parameters.size()];
    for (int i = 0; i < slots.length; i++) {
      Parameter p = this.parameters.get(i);
      slots[i] = new Slot(p);
      if (byParameter.put(p, slots[i]) != null) {
        throw new IllegalArgumentException(who + ": parameter " + p.name() + " is listed twice");
      }
    }
  }

  Slot slot(Parameter parameter) {
    Slot s = byParameter.get(parameter);
    if (s == null) {
      throw new IllegalArgumentException(
          "parameter " + (parameter == null ? null : parameter.name()) + " is not updated by this optimizer");
    }
    return s;
  }

  boolean contains(Parameter parameter) {
    return byParameter.containsKey(parameter);
  }

  /** Starts a step: no parameter has diverged yet. */
  void begin() {
    diverged = null;
  }

  /** Applies slot {@code s}'s update, remembering the first parameter of this step that became non-finite. */
  void apply(Slot s) {
    if (!s.apply(norms)) {
      diverging(s);
    }
  }

  /**
   * Records slot {@code s}'s update as added by the optimizer's own pass ({@link Slot#applied}; no
   * products were requested), remembering a divergence as {@link #apply} does.
   */
  void applied(Slot s, double[] norms) {
    if (!s.applied(norms)) {
      diverging(s);
    }
  }

  /**
   * Sets slot {@code s}'s update to {@code α·g} and applies it in one pass ({@link Slot#applyScaled}),
   * remembering a divergence as {@link #apply} does.
   */
  void applyScaled(Slot s, float alpha, FloatMatrix g) {
    if (!s.applyScaled(alpha, g, norms)) {
      diverging(s);
    }
  }

  /**
   * Takes slot {@code s}'s step as applied by the backward pass ({@link Slot#appliedInBackward}), remembering
   * a divergence as {@link #apply} does.
   */
  void adopt(Slot s) {
    s.appliedInBackward = false;
    if (!Double.isFinite(s.valueNorm)) {
      diverging(s);
    } else {
      s.formProducts();
    }
  }

  /** Records that slot {@code s}'s parameter became non-finite, unless an earlier one of this step did. */
  private void diverging(Slot s) {
    if (diverged == null) {
      diverged = s.parameter.name();
    }
  }

  /** {@link ParameterOptimizer#attach} for an optimizer whose passes go through these slots. */
  boolean attach(FusedProducts products) {
    Objects.requireNonNull(products, "products");
    slot(products.parameter).products = products;
    return true;
  }

  /** The first parameter of the current step that became non-finite, or null. */
  String diverged() {
    return diverged;
  }

  /** Ends step {@code t}: throws if a parameter became non-finite. */
  void end(long t) {
    for (Slot s : slots) {
      if (s.products != null) {
        s.products.endStep(t);
      }
    }
    if (diverged != null) {
      throw new DivergenceException("values", diverged, t);
    }
  }

  static double requireLearningRate(String who, double eta) {
    if (!(eta > 0) || !Double.isFinite(eta)) {
      throw new IllegalArgumentException(who + ": learning rate must be finite and > 0, got " + eta);
    }
    return eta;
  }

  static double requireUnitInterval(String who, String what, double value) {
    if (!(value >= 0 && value < 1)) {
      throw new IllegalArgumentException(who + ": " + what + " must be in [0, 1), got " + value);
    }
    return value;
  }

  static double requireWeightDecay(String who, double lambda) {
    if (!(lambda >= 0) || !Double.isFinite(lambda)) {
      throw new IllegalArgumentException(who + ": weight decay must be finite and >= 0, got " + lambda);
    }
    return lambda;
  }
}
