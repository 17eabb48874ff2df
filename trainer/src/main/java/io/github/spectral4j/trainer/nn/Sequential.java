package io.github.spectral4j.trainer.nn;

import io.github.spectral4j.core.Layer;
import io.github.spectral4j.core.LayerRule;
import io.github.spectral4j.core.ModelShape;
import io.github.spectral4j.simd.FloatMatrix;
import io.github.spectral4j.trainer.Activation;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Composition {@code f_k ∘ … ∘ f_1}: forward runs the modules in order, backward in reverse, each
 * module's input gradient becoming the previous one's output gradient (the chain rule). A {@link Linear}
 * next to a ReLU {@link Pointwise} runs with it in one GEMM ({@link Pointwise#forwardAfter},
 * {@link Pointwise#backwardThrough}): the same results bit for bit, without the activation's passes.
 */
public final class Sequential implements Module {
  private final List<Module> modules;
  private final List<Parameter> parameters;
  private FloatMatrix lastOutput;

  /**
   * @param modules at least one; each one's input width equals the previous one's output width, and no
   *     parameter name appears twice
   * @throws IllegalArgumentException naming the mismatched modules or the duplicate parameter name
   */
  public Sequential(List<? extends Module> modules) {
    Objects.requireNonNull(modules, "modules");
    if (modules.isEmpty()) {
      throw new IllegalArgumentException("a Sequential needs at least one module");
    }
    this.modules = List.copyOf(modules);
    List<Parameter> all = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < this.modules.size(); i++) {
      Module m = this.modules.get(i);
      if (i > 0 && this.modules.get(i - 1).outputWidth() != m.inputWidth()) {
        throw new IllegalArgumentException("module " + i + " (" + m + ") takes width " + m.inputWidth()
            + " but module " + (i - 1) + " (" + this.modules.get(i - 1) + ") gives " + this.modules.get(i - 1).outputWidth());
      }
      for (Parameter p : m.parameters()) {
        if (!names.add(p.name())) {
          throw new IllegalArgumentException("parameter name " + p.name() + " appears twice");
        }
        all.add(p);
      }
    }
    this.parameters = List.copyOf(all);
  }

  /** Convenience for {@code new Sequential(List.of(modules))}. */
  public static Sequential of(Module... modules) {
    return new Sequential(List.of(modules));
  }

  /**
   * The multi-layer perceptron of {@code core}'s {@link ModelShape#of(int[], boolean)} as modules:
   * {@code Linear(W1, b1), φ, Linear(W2, b2), φ, …, Linear(WL, bL)} (no φ after the last layer: logits),
   * parameters named {@code W1, b1, …} and initialised exactly as {@code Mlp.initialize} does with the same
   * seed (the same draws), so the two compute the same function.
   *
   * @param shape an MLP shape (from {@link ModelShape#of(int[], boolean)})
   * @param activation φ
   * @param rules one rule per parameter of {@code shape}, in its order
   * @param seed seeds every parameter
   * @return the MLP
   * @throws IllegalArgumentException if the shape is not an MLP's or the rules do not match it
   */
  public static Sequential mlp(ModelShape shape, Activation activation, List<LayerRule> rules, long seed) {
    Objects.requireNonNull(shape, "shape");
    Objects.requireNonNull(activation, "activation");
    Objects.requireNonNull(rules, "rules");
    if (!shape.isMlp()) {
      throw new IllegalArgumentException("not an MLP shape: " + shape);
    }
    List<Layer> layers = shape.layers();
    if (rules.size() != layers.size()) {
      throw new IllegalArgumentException("need one rule per layer: " + layers.size() + " layers, " + rules.size() + " rules");
    }
    for (int i = 0; i < layers.size(); i++) {
      if (!rules.get(i).layer().name().equals(layers.get(i).name())) {
        throw new IllegalArgumentException("rule " + i + " is for " + rules.get(i).layer().name() + " but the layer is "
            + layers.get(i).name());
      }
    }
    int depth = shape.depth();
    int stride = shape.bias() ? 2 : 1;
    List<Module> modules = new ArrayList<>();
    for (int l = 0; l < depth; l++) {
      LayerRule w = rules.get(stride * l);
      LayerRule b = shape.bias() ? rules.get(stride * l + 1) : null;
      // Mlp.initialize draws W_l from stream 2l and b_l from stream 2l + 1 of the seed.
      modules.add(new Linear("layer" + (l + 1), w, b, Seeds.derive(seed, 2L * l), Seeds.derive(seed, 2L * l + 1)));
      if (l < depth - 1) {
        modules.add(new Pointwise(activation, w.layer().fanOut()));
      }
    }
    return new Sequential(modules);
  }

  /** The modules, in order; unmodifiable. */
  public List<Module> modules() {
    return modules;
  }

  @Override
  public List<Parameter> parameters() {
    return parameters;
  }

  @Override
  public int inputWidth() {
    return modules.getFirst().inputWidth();
  }

  @Override
  public int outputWidth() {
    return modules.getLast().outputWidth();
  }

  @Override
  public FloatMatrix forward(FloatMatrix input) {
    FloatMatrix h = input;
    for (int i = 0; i < modules.size(); i++) {
      if (modules.get(i) instanceof Linear layer && i + 1 < modules.size() && modules.get(i + 1) instanceof Pointwise p) {
        h = p.forwardAfter(layer, h);
        i++;
      } else {
        h = modules.get(i).forward(h);
      }
    }
    lastOutput = h;
    return h;
  }

  @Override
  public FloatMatrix backward(FloatMatrix outputGradient) {
    return backward(outputGradient, null);
  }

  @Override
  public FloatMatrix backward(FloatMatrix outputGradient, FusedStep step) {
    Checks.forwardDone("sequential", lastOutput);
    FloatMatrix g = outputGradient;
    for (int i = modules.size() - 1; i >= 0; i--) {
      if (modules.get(i) instanceof Linear layer && i > 0 && modules.get(i - 1) instanceof Pointwise p) {
        g = p.backwardThrough(layer, g, step);
        i--;
      } else {
        g = modules.get(i).backward(g, step);
      }
    }
    return g;
  }

  @Override
  public String toString() {
    return "Sequential" + modules;
  }
}
