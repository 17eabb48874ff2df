package io.github.spectral4j.trainer.cli;

import io.github.spectral4j.trainer.FeatureStats;
import io.github.spectral4j.trainer.Measurement;
import io.github.spectral4j.trainer.ParameterStats;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * The table {@code train --diagnostics-every} prints for the MLP and the GPT alike: one row per parameter
 * ({@code w_spec_ratio}, {@code dw_spec_ratio}, {@code update_spec_ratio} — {@code |m|·‖·‖/√(fo/fi)} in the
 * parameter kind's norm, see {@link ParameterStats} — {@code stable_rank}, {@code alignment}) and one row per
 * module output ({@code rms_h}, {@code rms_dh}, see {@link FeatureStats}); the column names are the
 * quantities' names in the coord-check reports and in the Javadoc; {@code -} marks a value not defined
 * for that parameter (a stable rank or an alignment of a vector).
 */
final class DiagnosticsTable {
  private DiagnosticsTable() {}

  /**
   * Prints {@code m}.
   *
   * @param out where to print; modified
   * @param m the measurement
   */
  static void print(PrintWriter out, Measurement m) {
    int nameWidth = "parameter".length();
    for (ParameterStats p : m.parameters()) {
      nameWidth = Math.max(nameWidth, p.name().length());
    }
    for (FeatureStats f : m.features()) {
      nameWidth = Math.max(nameWidth, f.name().length());
    }
    String name = "%-" + nameWidth + "s";
    out.printf(Locale.ROOT,
        "  diagnostics at step %d (norms of m·W in each kind's norm over Condition 1's sqrt(fanOut/fanIn); README: Reading the output):%n",
        m.step());
    out.printf(Locale.ROOT, "  " + name + " %-16s %7s %7s %12s %13s %17s %11s %9s%n", "parameter", "kind", "fanIn",
        "fanOut", "w_spec_ratio", "dw_spec_ratio", "update_spec_ratio", "stable_rank", "alignment");
    for (ParameterStats p : m.parameters()) {
      out.printf(Locale.ROOT, "  " + name + " %-16s %7d %7d %12s %13s %17s %11s %9s%n", p.name(), p.kind().id(),
          p.fanIn(), p.fanOut(), format("%.3f", p.wSpecRatio()), format("%.3g", p.dwSpecRatio()),
          format("%.3g", p.updateSpecRatio()), format("%.2f", p.stableRank()), format("%.3f", p.alignment()));
    }
    out.printf(Locale.ROOT, "  " + name + " %7s %9s %9s%s%n", "output", "width", "rms_h", "rms_dh",
        m.featureStep() == m.step() ? ""
            : String.format(Locale.ROOT, "   (features at step %d: the probe rode along in step %d, before its update)",
                m.featureStep(), m.step()));
    for (FeatureStats f : m.features()) {
      out.printf(Locale.ROOT, "  " + name + " %7d %9.3f %9.3g%n", f.name(), f.width(), f.rmsH(), f.rmsDh());
    }
  }

  /** A value, or {@code -} where it is not defined (NaN: a stable rank of a vector, an alignment before any update). */
  private static String format(String format, double value) {
    return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, format, value);
  }
}
