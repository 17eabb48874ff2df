package io.github.spectral4j.simd.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.classfile.Attributes;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.MethodModel;
import java.lang.classfile.attribute.CodeAttribute;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No method of the Panama kernels is larger than {@value #LIMIT} bytes of bytecode, read from the compiled
 * classes. C2 compiles a method with everything it inlines as one unit; when the unit's node budget runs out
 * (NodeCountInliningCutoff), the Vector API calls not yet inlined stay calls, and they run as Java code that
 * boxes every vector. PanamaGram's four-row difference Gram kernel, 2028 bytes as one method, did that in some
 * JVM histories only (3.8 KB per call; CI failed on it). The largest kernels that compiled whole in every
 * history logged since are the GEMM micro-kernels at 1500–1641 bytes, hence the limit; split a larger kernel
 * into methods that are each compiled on their own (over 325 bytes, C2's FreqInlineSize, so not inlined).
 */
class KernelMethodSizeTest {
  static final int LIMIT = 1700;

  private static final Path CLASSES = Path.of("target/classes/io/github/spectral4j/simd/internal");

  @Test
  void everyKernelMethodFitsOneCompilation() throws IOException {
    List<String> large = new ArrayList<>();
    int methods = 0;
    int largest = 0;
    try (Stream<Path> files = Files.list(CLASSES)) {
      for (Path file : files.filter(f -> f.getFileName().toString().startsWith("Panama")).sorted().toList()) {
        ClassModel model = ClassFile.of().parse(file);
        for (MethodModel method : model.methods()) {
          int size = method.findAttribute(Attributes.code())
              .map(CodeAttribute::codeLength).orElse(0);
          methods++;
          largest = Math.max(largest, size);
          if (size > LIMIT) {
            large.add(model.thisClass().asInternalName() + "." + method.methodName().stringValue() + ": " + size + " bytes");
          }
        }
      }
    }
    assertTrue(methods > 100 && largest > 1000,
        "read " + methods + " methods of at most " + largest + " bytes: was " + CLASSES + " moved?");
    assertEquals(List.of(), large, "kernel methods over " + LIMIT + " bytes of bytecode (see this test's Javadoc)");
  }
}
