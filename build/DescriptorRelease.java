import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Build step, run by the toolchain's JDK 25 as a single-file program after compilation: marks a
 * module descriptor ({@code module-info.class}) as class-file version 61 (Java 17).
 *
 * <p>Why: Maven may run on JDK 17, and the jar plugin finishes every modular jar with the jar tool of
 * the JDK Maven runs on, which refuses a version-69 (Java 25) descriptor. A module descriptor holds no
 * bytecode and uses no attribute newer than Java 9, so its content is valid at version 61; the code of
 * every class stays at release 25.
 */
final class DescriptorRelease {
  private static final int MAGIC = 0xCAFEBABE;
  private static final int JAVA_17 = 61;

  public static void main(String[] args) throws IOException {
    Path descriptor = Path.of(args[0]);
    if (!Files.exists(descriptor)) {
      return;
    }
    byte[] bytes = Files.readAllBytes(descriptor);
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    if (buffer.getInt(0) != MAGIC) {
      throw new IOException(descriptor + " is not a class file");
    }
    int major = Short.toUnsignedInt(buffer.getShort(6));
    if (major > JAVA_17) {
      buffer.putShort(6, (short) JAVA_17);
      Files.write(descriptor, bytes);
    }
  }
}
