package io.github.spectral4j.simd.internal;

import java.util.ArrayList;
import java.util.List;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Every Vector API constant and size threshold of the Panama kernels in one place: the species
 * (constant-folded by C2 because they are {@code static final}), the lane-sum shuffles, the GEMM tile
 * and cache-block sizes derived from them, and the sizes at which a kernel changes path or goes
 * parallel. (The scalar kernels keep their one threshold themselves: this class must not be loaded
 * without {@code jdk.incubator.vector}. The Gram products' row block, which fixes their summation
 * order, is {@link GramProducts#BLOCK_ROWS}.)
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

  /** The folds of {@link #FLOAT_FOLDS} as separate constants (see {@link PanamaLevel1#sumLanes(FloatVector)}). */
  static final int F_FOLDS = FLOAT_FOLDS.size();

  static final VectorShuffle<Float> F0 = F_FOLDS > 0 ? FLOAT_FOLDS.get(0) : null;
  static final VectorShuffle<Float> F1 = F_FOLDS > 1 ? FLOAT_FOLDS.get(1) : null;
  static final VectorShuffle<Float> F2 = F_FOLDS > 2 ? FLOAT_FOLDS.get(2) : null;
  static final VectorShuffle<Float> F3 = F_FOLDS > 3 ? FLOAT_FOLDS.get(3) : null;

  /** The folds of {@link #DOUBLE_FOLDS} as separate constants. */
  static final int D_FOLDS = DOUBLE_FOLDS.size();

  static final VectorShuffle<Double> D0 = D_FOLDS > 0 ? DOUBLE_FOLDS.get(0) : null;
  static final VectorShuffle<Double> D1 = D_FOLDS > 1 ? DOUBLE_FOLDS.get(1) : null;
  static final VectorShuffle<Double> D2 = D_FOLDS > 2 ? DOUBLE_FOLDS.get(2) : null;

  /** Narrower vectors (or none: 64 bits) give no gain over scalar code: the provider falls back. */
  static final int MIN_BITS = 128;

  /** Vectors per step in level-1 reductions (see {@link PanamaLevel1#dot}). */
  static final int UNROLL = 4;

  /**
   * Rows of C below which A·Bᵀ runs as dot products on unpacked B ({@link PanamaSmallGemm}); from here
   * to {@link PanamaThinGemm#MAX_M} rows it runs as the transposed product on unpacked B (measured: the
   * dot products win below 8 rows, where a panel vector would be mostly padding).
   */
  static final int SMALL_M = 8;

  /** Below this many multiply-adds a small-m product runs on the calling thread only. */
  static final long SMALL_NT_PARALLEL_THRESHOLD = 1L << 21;

  /**
   * Below this many multiply-adds a packed GEMM runs on the calling thread only. 2²⁰, not 2²¹: the
   * logits layer's backward products (128 × 1024 × 10 and 10 × 1024 × 128, 1.3·10⁶) run at a fraction of
   * the wide tile's rate (k = 10 or m = 10 leave it mostly writing back or padded), so they take tens of
   * µs, several times the cost of forking one share.
   */
  static final long GEMM_PARALLEL_THRESHOLD = 1L << 20;

  /**
   * Columns of C up to which A·Bᵀ with many rows runs as dot products on unpacked B ({@link PanamaSmallGemm}):
   * the packed GEMM would compute a whole NR-wide tile (64 or 16 columns) for each of these few columns
   * and pack B transposed into it.
   */
  static final int SMALL_N = 16;

  /** Below this many multiply-adds a few-column A·Bᵀ ({@link #SMALL_N}) runs on the calling thread only. */
  static final long THIN_N_PARALLEL_THRESHOLD = 1L << 19;

  /** Below this many multiply-adds a thin-A product runs on the calling thread only. */
  static final long THIN_PARALLEL_THRESHOLD = 1L << 21;

  /** Columns per thread from which re-packing A for each thread's share costs a few percent at most. */
  static final int WIDE_SHARE = 256;

  /**
   * Floats before the first packed panel of B. The packed B block of a large product is a humongous array
   * to G1, which places it at a region boundary, so behind the 16-byte array header its elements start 16
   * bytes past a 64-byte boundary; skipping 12 floats puts every vector the micro-kernel loads from B in
   * one cache line instead of two (measured 1.5–2.5% faster at n = 1000–1024; skipping 8 gained nothing).
   * Where that layout does not hold (small blocks, other collectors or header sizes) the panels are just as
   * misaligned as without the skip.
   */
  static final int PB_SKIP = 12;

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
   * GEMM micro-tile rows: each k step broadcasts 6 elements of A. Both tiles below hold 12 or more
   * accumulators — more than the 2 FMA pipes × 4 cycles latency = 8 FMAs in flight needed to keep both
   * pipes busy.
   */
  static final int MR = 6;

  /**
   * Whether the wide micro-tile is used: with 512-bit vectors (AVX-512, 32 registers) the tile is 6 × 4
   * vectors, 24 accumulators + 4 vectors of B + 1 broadcast = 29 registers (measured 4–7% faster than
   * 6 × 2 at n = 1000–1024 with the KC below, 10% at 2048); with 256 bits (AVX2, 16 registers) it is
   * 6 × 2 vectors, 15 registers, because 24 accumulators would spill (measured 0.6× as fast).
   */
  static final boolean WIDE_TILE = LANES >= 16;

  /** GEMM micro-tile columns: four vectors (64 floats) on AVX-512, two (16 floats) on AVX2. */
  static final int NR = (WIDE_TILE ? 4 : 2) * LANES;

  /**
   * Depth of a packed block. The wide tile does 24 FMAs per 4 vector loads of B, enough to stream both
   * the 6 × KC panel of A (24 KB) and the KC × NR panel of B (256 KB) from L2; deep slices mean C is read
   * and written once per KC of k (once in all for k ≤ 1024), which measured 4–6% faster than KC = 256.
   * The narrow tile keeps the KC × NR panel of B (32 KB) in the 48 KB L1 data cache.
   */
  static final int KC = WIDE_TILE ? 1024 : 512;

  /**
   * Rows of A packed at once (a multiple of MR): an MC × KC block (192 KB or 144 KB) lives in the 1 MB L2
   * next to the panel of B.
   */
  static final int MC = WIDE_TILE ? 48 : 72;

  /** Columns of B packed at once (a multiple of NR): a KC × NC block (12 MB, 6 MB) lives in the L3. */
  static final int NC = 3072;

  private PanamaConstants() {}
}
