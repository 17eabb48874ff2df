package io.github.spectral4j.trainer.nn;

import io.github.spectral4j.simd.FloatMatrix;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Composition {@code f_k ∘ … ∘ f_1}: forward runs the modules in order, backward in reverse, each
 * module's input gradient becoming the previous one's output gradient (the chain rule).
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
      h = modules.get(i).forward(h);
    }
    lastOutput = h;
    return h;
  }

  @Override
  public FloatMatrix backward(FloatMatrix outputGradient) {
    Checks.forwardDone("sequential", lastOutput);
    FloatMatrix g = outputGradient;
    for (int i = modules.size() - 1; i >= 0; i--) {
      g = modules.get(i).backward(g);
    }
    return g;
  }

  @Override
  public String toString() {
    return "Sequential" + modules;
  }
}
