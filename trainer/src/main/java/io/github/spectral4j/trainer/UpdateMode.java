package io.github.spectral4j.trainer;

import java.util.Locale;
import java.util.Map;

/**
 * How the {@code NORMALIZED} optimizer turns a gradient {@code G} into an update of spectral norm
 * {@code η_l}: {@code EXACT} divides by the spectral norm, {@code ΔW = −η_l·G/‖G‖*}, with {@code ‖G‖*}
 * from a warm-started power iteration; {@code NEWTON_SCHULZ} orthogonalises,
 * {@code ΔW = −η_l·NS(G)} with {@code simd}'s default Newton–Schulz (Muon's quintic, 5 steps), whose
 * singular values land in about [0.7, 1.2], so {@code ‖ΔW‖*} is {@code η_l} only to that factor.
 */
public enum UpdateMode {
  EXACT,
  NEWTON_SCHULZ;

  /** The lower-case name used on the command line, e.g. {@code newton_schulz}. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses {@code exact} or {@code newton_schulz} (also {@code newton-schulz}, {@code ns}). */
  public static UpdateMode parse(String name) {
    return EnumNames.parse(UpdateMode.class, name, "update mode", Map.of("NS", NEWTON_SCHULZ));
  }
}
