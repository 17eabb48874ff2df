/**
 * Dense float32 kernels and spectral solvers. The Vector API is optional: {@code requires static}
 * means the SIMD kernels run when {@code --add-modules jdk.incubator.vector} is given and the scalar
 * kernels run otherwise.
 */
module io.github.spectral4j.simd {
  requires static jdk.incubator.vector;

  exports io.github.spectral4j.simd;
}
