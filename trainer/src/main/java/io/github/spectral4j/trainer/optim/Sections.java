package io.github.spectral4j.trainer.optim;

import io.github.spectral4j.simd.FloatMatrix;
import io.github.spectral4j.trainer.nn.Parameter;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import io.github.spectral4j.trainer.Checkpoint.Corrupt;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * The layout every optimizer's checkpoint section shares: a header (kind, section version, step
 * count, then each parameter's name and shape) and float arrays as a length ({@code −1} for none)
 * followed by big-endian values. A reader compares each stored length with the buffer it restores
 * before reading into it, so a corrupt length never drives an allocation.
 */
final class Sections {
  /** Version of the section layout; bumped when it changes. */
  static final int VERSION = 1;
  private static final int CHUNK = 1 << 14;

  private Sections() {}

  static void writeHeader(DataOutput out, String kind, long steps, List<Parameter> parameters) throws IOException {
    out.writeUTF(kind);
    out.writeInt(VERSION);
    out.writeLong(steps);
    out.writeInt(parameters.size());
    for (Parameter p : parameters) {
      out.writeUTF(p.name());
      out.writeInt(p.value().rows());
      out.writeInt(p.value().cols());
    }
  }

  /** Reads and checks a header written for {@code kind} over {@code parameters}; returns the step count. */
  static long readHeader(DataInput in, String kind, List<Parameter> parameters) throws IOException {
    String storedKind = in.readUTF();
    if (!storedKind.equals(kind)) {
      throw new Corrupt("optimizer section is for " + storedKind + ", not " + kind);
    }
    int version = in.readInt();
    if (version != VERSION) {
      throw new Corrupt(
          kind + " section has version " + version + ", this build reads version " + VERSION);
    }
    long steps = in.readLong();
    if (steps < 0) {
      throw new Corrupt(kind + " section has a negative step count " + steps);
    }
    int n = in.readInt();
    if (n != parameters.size()) {
      throw new Corrupt(
          kind + " section holds " + n + " parameters, this optimizer has " + parameters.size());
    }
    for (Parameter p : parameters) {
      String name = in.readUTF();
      int rows = in.readInt();
      int cols = in.readInt();
      FloatMatrix v = p.value();
      if (!name.equals(p.name()) || rows != v.rows() || cols != v.cols()) {
        throw new Corrupt(
            kind + " section holds parameter " + name + " (" + rows + "×" + cols + ") where this optimizer has "
                + p.name() + " (" + v.rows() + "×" + v.cols() + ")");
      }
    }
    return steps;
  }

  static void writeFloats(DataOutput out, float[] values) throws IOException {
    if (values == null) {
      out.writeInt(-1);
      return;
    }
    out.writeInt(values.length);
    ByteBuffer buf = ByteBuffer.allocate(4 * Math.min(values.length, CHUNK)).order(ByteOrder.BIG_ENDIAN);
    for (int from = 0; from < values.length; from += CHUNK) {
      int n = Math.min(CHUNK, values.length - from);
      buf.clear();
      buf.asFloatBuffer().put(values, from, n);
      out.write(buf.array(), 0, 4 * n);
    }
  }

  /**
   * Writes a slot's last update: its values when kept, else −1 and the update's Frobenius norm (a step
   * applied in the backward pass keeps only the norm).
   */
  static void writeUpdate(DataOutput out, Slot s) throws IOException {
    if (s.updateKept) {
      writeFloats(out, s.update.data());
    } else {
      out.writeInt(-1);
      out.writeDouble(s.updateNorm);
    }
  }

  /**
   * Reads what {@link #writeUpdate} wrote into slot {@code s} (modified): the values and their norm, or the
   * norm alone, the update then marked as not kept.
   */
  static void readUpdate(DataInput in, Slot s) throws IOException {
    int n = in.readInt();
    float[] target = s.update.data();
    if (n == -1) {
      double norm = in.readDouble();
      if (!(norm >= 0)) {
        throw new Corrupt(s.parameter.name() + " last update has the norm " + norm + " in the checkpoint");
      }
      s.updateNorm = norm;
      s.updateKept = false;
      return;
    }
    if (n != target.length) {
      throw new Corrupt(s.parameter.name() + " last update has " + n + " values in the checkpoint, expected "
          + target.length + " (or -1 and its norm)");
    }
    readValues(in, target, n);
    s.updateNorm = io.github.spectral4j.simd.Blas.frobeniusNorm(s.update);
    s.updateKept = true;
  }

  /** Reads into {@code target} (modified), whose length the stored one must equal ({@code null}: −1). */
  static void readFloats(DataInput in, float[] target, String what) throws IOException {
    int n = in.readInt();
    int expected = target == null ? -1 : target.length;
    if (n != expected) {
      throw new Corrupt(
          what + " has " + n + " values in the checkpoint, expected " + (expected < 0 ? "none (-1)" : expected));
    }
    if (target == null) {
      return;
    }
    readValues(in, target, n);
  }

  private static void readValues(DataInput in, float[] target, int n) throws IOException {
    byte[] bytes = new byte[4 * Math.min(n, CHUNK)];
    for (int from = 0; from < n; from += CHUNK) {
      int k = Math.min(CHUNK, n - from);
      in.readFully(bytes, 0, 4 * k);
      ByteBuffer.wrap(bytes, 0, 4 * k).order(ByteOrder.BIG_ENDIAN).asFloatBuffer().get(target, from, k);
    }
  }
}
