package io.github.spectral4j.bench;

import io.github.spectral4j.simd.FloatMatrix;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * Writes a matrix of {@link SpectralNormBenchmark} (from {@link TestMatrices}, same spectrum, size and
 * seed) as raw little-endian float32, row-major, and prints its reference σ₁ ({@link ReferenceSigma},
 * double-precision Golub–Kahan): so the SciPy peer ({@code bench/peers/peers.py sigma1}) solves exactly
 * the matrix spectral4j solves and is checked against the same reference. Usage:
 * {@code java -cp benchmarks.jar io.github.spectral4j.bench.ExportMatrix gaussian 2048 2310 FILE}.
 */
public final class ExportMatrix {
  private ExportMatrix() {}

  public static void main(String[] args) {
    if (args.length != 4) {
      System.err.println("usage: ExportMatrix gaussian|gap099 n seed file");
      System.exit(2);
    }
    int n;
    long seed;
    try {
      n = Integer.parseInt(args[1]);
      seed = Long.parseLong(args[2]);
    } catch (NumberFormatException e) {
      System.err.println("ExportMatrix: n and seed must be integers, got " + args[1] + " and " + args[2]);
      System.exit(2);
      return;
    }
    if (n < 1 || n > 16384) {
      System.err.println("ExportMatrix: n must be in 1..16384, got " + n);
      System.exit(2);
    }
    FloatMatrix a;
    try {
      a = TestMatrices.square(args[0], n, seed);
    } catch (IllegalArgumentException e) {
      System.err.println("ExportMatrix: " + e.getMessage());
      System.exit(2);
      return;
    }
    write(a, Path.of(args[3]));
    System.out.printf(Locale.ROOT, "%.15e%n", ReferenceSigma.of(a));
  }

  /** Writes {@code a} as little-endian float32 through a temporary file moved into place. */
  static void write(FloatMatrix a, Path file) {
    Path temp = file.resolveSibling(file.getFileName() + ".tmp");
    ByteBuffer bytes = ByteBuffer.allocate(a.data().length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(a.data());
    try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      while (bytes.hasRemaining()) {
        out.write(bytes);
      }
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
