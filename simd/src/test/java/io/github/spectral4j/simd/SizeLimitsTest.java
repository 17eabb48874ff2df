package io.github.spectral4j.simd;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Sizes that overflow an int or cannot be allocated are refused by the constructors and factories
 * with an IllegalArgumentException naming the sizes and the limit, before allocating — quickly, not
 * after the JVM has tried (an OutOfMemoryError or ArithmeticException would fail these tests).
 */
class SizeLimitsTest {
  private static String refused(Executable construct, String... mustContain) {
    long start = System.nanoTime();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, construct);
    assertTrue(System.nanoTime() - start < 1_000_000_000L, "refusal took over 1 s");
    for (String part : mustContain) {
      assertTrue(e.getMessage().contains(part), "missing '" + part + "' in: " + e.getMessage());
    }
    return e.getMessage();
  }

  @Test
  void floatMatrixBeyondAnArrayNamesSizesAndLimit() {
    refused(() -> FloatMatrix.zeros(100000, 100000), "100000x100000", "10000000000", "2147483639");
    refused(() -> FloatMatrix.gaussian(70000, 70000, 1, 1), "70000x70000", "2147483639");
  }

  @Test
  void floatMatrixBeyondTheHeapNamesSizesAndLimit() {
    // 2·10⁹ floats fit one array but need 7.45 GiB; refused unless this JVM may really grow that far.
    long max = Runtime.getRuntime().maxMemory();
    if (max < 8_000_000_000L) {
      refused(() -> FloatMatrix.zeros(40000, 50000), "40000x50000", "7.45 GiB", "-Xmx");
    }
  }

  @Test
  void newtonSchulzNamesSizesAndLimit() {
    refused(() -> new NewtonSchulz(100000, 100000), "NewtonSchulz", "100000x100000", "2147483639");
    if (Runtime.getRuntime().maxMemory() < 8_000_000_000L) {
      // m·n fits one array, but with the two Gram matrices the buffers need 19.4 GiB.
      refused(() -> new NewtonSchulz(40000, 50000), "NewtonSchulz", "40000x50000", "19.37 GiB", "-Xmx");
    }
  }

  @Test
  void lanczosNamesSizesAndLimit() {
    refused(() -> new Lanczos(Integer.MAX_VALUE, 2, 1), "Lanczos", Integer.MAX_VALUE + "x2", "2147483639");
    refused(() -> new Lanczos(2, Integer.MAX_VALUE, 1), "Lanczos", "2x" + Integer.MAX_VALUE);
    refused(() -> new Lanczos(100000, 100000, 1).setOptions(100000, 1e-6), "maxIterations = 100000",
        "2147483639");
  }

  @Test
  void spectralNormNamesSizesAndLimit() {
    refused(() -> new SpectralNorm(Integer.MAX_VALUE, 3), "SpectralNorm", Integer.MAX_VALUE + "x3", "2147483639");
    refused(() -> new SpectralNorm(3, Integer.MAX_VALUE), "SpectralNorm", "3x" + Integer.MAX_VALUE);
    if (Runtime.getRuntime().maxMemory() < 8_000_000_000L) {
      // Vectors of 2·10⁹ floats fit an array each, but not the heap.
      refused(() -> new SpectralNorm(2_000_000_000, 3), "SpectralNorm", "-Xmx");
    }
  }

  @Test
  void powerIterationNamesSizesAndLimit() {
    refused(() -> new PowerIteration(Integer.MAX_VALUE, 2), "PowerIteration", Integer.MAX_VALUE + "x2", "2147483639");
    refused(() -> new PowerIteration(Integer.MAX_VALUE, Integer.MAX_VALUE), "PowerIteration",
        Integer.MAX_VALUE + "x" + Integer.MAX_VALUE, "GiB");
  }
}
