package io.github.spectral4j.bench;

import io.github.spectral4j.simd.Blas;

/** What the simd module runs: its kernel implementation, printed once per benchmark JVM. */
final class Kernels {
  private static boolean announced;

  private Kernels() {}

  /** Sets the simd GEMM thread count and prints (once per JVM) which kernels are in use. */
  static synchronized void init(int threads) {
    Blas.setParallelism(threads);
    if (!announced) {
      announced = true;
      System.out.println(System.lineSeparator() + "# spectral4j kernels: " + describe());
    }
  }

  static String describe() {
    String name;
    try {
      // Blas.implementation() arrives with the kernels work; fall back to the selecting property.
      name = String.valueOf(Blas.class.getMethod("implementation").invoke(null));
    } catch (ReflectiveOperationException e) {
      name = System.getProperty("spectral4j.kernels", "default");
    }
    return name + ", threads=" + Blas.parallelism();
  }
}
