package io.github.spectral4j.trainer;

import io.github.spectral4j.trainer.nn.Parameter;
import java.io.IOException;
import java.util.List;

/**
 * The {@code model} section of a checkpoint: the number of parameters, then each parameter's name and
 * values in the model's order. Reading compares every name and length with the live model's before
 * writing into it, so a checkpoint of another model is refused, never half-loaded into a shape it does
 * not fit.
 */
final class ParameterSections {
  private ParameterSections() {}

  /** Writes {@code parameters}' names and values; nothing is modified. */
  static void write(Checkpoint.Output out, List<Parameter> parameters) throws IOException {
    out.writeInt(parameters.size());
    for (Parameter p : parameters) {
      out.writeUTF(p.name());
      out.writeFloats(p.value().data());
    }
  }

  /**
   * Reads what {@link #write} wrote into {@code parameters}' values (modified).
   *
   * @throws Checkpoint.Corrupt naming the first count, name or length that differs
   */
  static void read(Checkpoint.Input in, List<Parameter> parameters) throws IOException {
    int n = in.readInt();
    if (n != parameters.size()) {
      throw new Checkpoint.Corrupt(n + " parameters, the model has " + parameters.size());
    }
    for (Parameter p : parameters) {
      String name = in.readUTF();
      if (!name.equals(p.name())) {
        throw new Checkpoint.Corrupt("parameter " + name + " where the model has " + p.name());
      }
      in.readFloats(p.value().data(), name);
    }
  }
}
