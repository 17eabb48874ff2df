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
    return Blas.implementation() + ", threads=" + Blas.parallelism();
  }
}
