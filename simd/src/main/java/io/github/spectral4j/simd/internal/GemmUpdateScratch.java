package io.github.spectral4j.simd.internal;

/**
 * The product buffer of {@link Kernels#gemmUpdate}'s default when the caller keeps no update: one per
 * calling thread, grown and never shrunk, so that steady-state steps allocate nothing.
 */
final class GemmUpdateScratch {
  private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[][] {new float[0]});

  private GemmUpdateScratch() {}

  /** This thread's buffer of at least {@code size} floats (its contents are not cleared). */
  static float[] get(int size) {
    float[][] holder = SCRATCH.get();
    if (holder[0].length < size) {
      holder[0] = new float[size];
    }
    return holder[0];
  }
}
