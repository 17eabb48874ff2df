package io.github.spectral4j.trainer;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Binary helpers for {@link Checkpoint} sections: float arrays as a length (−1 for none) and big-endian values. */
final class Checkpoints {
  private Checkpoints() {}


  static void writeFloats(DataOutputStream out, float[] values) throws IOException {
    if (values == null) {
      out.writeInt(-1);
      return;
    }
    out.writeInt(values.length);
    ByteBuffer buf = ByteBuffer.allocate(4 * Math.min(values.length, 1 << 16)).order(ByteOrder.BIG_ENDIAN);
    for (int from = 0; from < values.length; from += 1 << 16) {
      int n = Math.min(1 << 16, values.length - from);
      buf.clear();
      buf.asFloatBuffer().put(values, from, n);
      out.write(buf.array(), 0, 4 * n);
    }
  }

  /** Reads into {@code target} (modified), which must have the stored length ({@code null} for none). */
  static void readFloats(DataInputStream in, float[] target, String what) throws IOException {
    int n = in.readInt();
    int expected = target == null ? -1 : target.length;
    if (n != expected) {
      throw new Checkpoint.Corrupt(what + " has " + n + " values, expected " + expected);
    }
    if (target == null) {
      return;
    }
    byte[] bytes = new byte[4 * Math.min(n, 1 << 16)];
    for (int from = 0; from < n; from += 1 << 16) {
      int k = Math.min(1 << 16, n - from);
      in.readFully(bytes, 0, 4 * k);
      ByteBuffer.wrap(bytes, 0, 4 * k).order(ByteOrder.BIG_ENDIAN).asFloatBuffer().get(target, from, k);
    }
  }

  static void writeInts(DataOutputStream out, int[] values) throws IOException {
    if (values == null) {
      out.writeInt(-1);
      return;
    }
    out.writeInt(values.length);
    for (int v : values) {
      out.writeInt(v);
    }
  }

  static int[] readInts(DataInputStream in, String what, int maxLength) throws IOException {
    int n = in.readInt();
    if (n == -1) {
      return null;
    }
    if (n < 0 || n > maxLength) {
      throw new Checkpoint.Corrupt(what + ": implausible length " + n);
    }
    int[] v = new int[n];
    for (int i = 0; i < n; i++) {
      v[i] = in.readInt();
    }
    return v;
  }
}
