package io.github.spectral4j.trainer;

import java.util.List;
import java.util.Objects;

/**
 * One {@link Diagnostics} measurement: a {@link ParameterStats} per parameter of the model (its order)
 * and a {@link FeatureStats} per module output (forward order). The parameters are those after
 * {@code step} updates; the features are those of the weights after {@code featureStep} updates — the same
 * step when the probe ran through the model at the measurement, one less when the probe's rows rode along
 * in the last step's own forward pass ({@link Training#step(Diagnostics)}: the features before that step's
 * update, as μP's coord checks record them).
 *
 * @param step the optimizer's step count when measured
 * @param featureStep the step count of the weights the features were computed with: {@code step} or
 *     {@code step − 1}
 * @param parameters one entry per parameter; unmodifiable
 * @param features one entry per module output; unmodifiable
 */
public record Measurement(long step, long featureStep, List<ParameterStats> parameters, List<FeatureStats> features) {

  /** Copies both lists. */
  public Measurement {
    parameters = List.copyOf(parameters);
    features = List.copyOf(features);
  }

  /**
   * The parameter named {@code name}.
   *
   * @throws IllegalArgumentException if there is none
   */
  public ParameterStats parameter(String name) {
    Objects.requireNonNull(name, "name");
    for (ParameterStats p : parameters) {
      if (p.name().equals(name)) {
        return p;
      }
    }
    throw new IllegalArgumentException("no parameter named '" + name + "' was measured");
  }

  /**
   * The module output named {@code name}.
   *
   * @throws IllegalArgumentException if there is none
   */
  public FeatureStats feature(String name) {
    Objects.requireNonNull(name, "name");
    for (FeatureStats f : features) {
      if (f.name().equals(name)) {
        return f;
      }
    }
    throw new IllegalArgumentException("no module output named '" + name + "' was measured");
  }
}
