package io.github.spectral4j.simd.internal;

import java.util.ArrayList;
import java.util.List;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Every Vector API constant of the Panama kernels in one place: the species (constant-folded by C2
 * because they are {@code static final}) and the GEMM tile and cache-block sizes derived from them.
 */
final class PanamaConstants {
  /** The widest float species the CPU runs natively (512-bit on AVX-512, 256-bit on AVX2). */
  static final VectorSpecies<Float> FLOAT = FloatVector.SPECIES_PREFERRED;

  /** Floats per vector. */
  static final int LANES = FLOAT.length();

  /** Half-width float species: one load converts into one full-width {@link #DOUBLE} vector. */
  static final VectorSpecies<Float> FLOAT_HALF =
      VectorSpecies.of(float.class, VectorShape.forBitSize(Math.max(64, FLOAT.vectorBitSize() / 2)));

  /** Double species of the full width, for double-precision accumulation. */
  static final VectorSpecies<Double> DOUBLE = VectorSpecies.of(double.class, FLOAT.vectorShape());

  /** Shuffles that fold lane i + h onto lane i, h = LANES/2, …, 1: a fixed-order lane sum. */
  static final List<VectorShuffle<Float>> FLOAT_FOLDS = folds(FLOAT);

  /** As {@link #FLOAT_FOLDS}, for {@link #DOUBLE}. */
  static final List<VectorShuffle<Double>> DOUBLE_FOLDS = folds(DOUBLE);

  private static <E> List<VectorShuffle<E>> folds(VectorSpecies<E> species) {
    List<VectorShuffle<E>> folds = new ArrayList<>();
    for (int h = species.length() / 2; h >= 1; h /= 2) {
      folds.add(VectorShuffle.iota(species, h, 1, true));
    }
    return List.copyOf(folds);
  }

  static {
    assert DOUBLE.length() == FLOAT_HALF.length() : DOUBLE + " vs " + FLOAT_HALF;
    assert DoubleVector.SPECIES_PREFERRED.vectorBitSize() >= DOUBLE.vectorBitSize();
  }

  /**
   * GEMM micro-tile rows: each k step broadcasts 6 elements of A. With two vectors per row the tile holds
   * 6 × 2 = 12 accumulators — more than the 2 FMA pipes × 4 cycles latency = 8 FMAs in flight needed to
   * keep both pipes busy — plus 2 vectors of B and 1 broadcast: 15 of the 32 vector registers.
   */
  static final int MR = 6;

  /** The narrowest native float species with at least MR lanes: copies one step of an A panel at once. */
  static final VectorSpecies<Float> PANEL = FloatVector.SPECIES_256;

  /** Whether {@link #PANEL} is compiled to vector instructions here (false on 128-bit machines). */
  static final boolean PANEL_COPY = PANEL.length() >= MR && FLOAT.vectorBitSize() >= PANEL.vectorBitSize();

  /** GEMM micro-tile columns: two vectors (32 floats with 512-bit vectors, 16 with 256-bit). */
  static final int NR = 2 * LANES;

  /**
   * Depth of a packed block. A kc × NR panel of B (32 KB at 512 bits) stays in the 48 KB L1 data cache
   * while the micro-kernel sweeps the 6 × kc panels of A (6 KB each) over it.
   */
  static final int KC = 256;

  /** Rows of A packed at once (a multiple of MR): an MC × KC block (144 KB) lives in the 1 MB L2. */
  static final int MC = 144;

  /** Columns of B packed at once (a multiple of NR): a KC × NC block (3 MB) lives in L3. */
  static final int NC = 3072;

  private PanamaConstants() {}
}
