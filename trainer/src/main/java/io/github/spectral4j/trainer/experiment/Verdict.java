package io.github.spectral4j.trainer.experiment;

import io.github.spectral4j.core.Parametrization;
import java.util.Objects;

/**
 * Whether a parametrization behaved as the paper predicts in an experiment, with a sentence that gives
 * the numbers: {@code PASS} and {@code FAIL} where a prediction applies, {@code NOT_APPLICABLE} ("n/a")
 * where none does (the sentence says why), which does not fail the run.
 *
 * @param parametrization the parametrization judged
 * @param status the outcome
 * @param reason one sentence with the measured values and what they were compared with
 */
record Verdict(Parametrization parametrization, Status status, String reason) {
  /** The outcome of a verdict. */
  enum Status {
    PASS("PASS"),
    FAIL("FAIL"),
    NOT_APPLICABLE("n/a");

    private final String label;

    Status(String label) {
      this.label = label;
    }

    /** {@code PASS}, {@code FAIL} or {@code n/a}, as printed. */
    String label() {
      return label;
    }
  }

  Verdict {
    Objects.requireNonNull(parametrization, "parametrization");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(reason, "reason");
  }

  static Verdict of(Parametrization p, boolean pass, String reason) {
    return new Verdict(p, pass ? Status.PASS : Status.FAIL, reason);
  }

  static Verdict notApplicable(Parametrization p, String reason) {
    return new Verdict(p, Status.NOT_APPLICABLE, reason);
  }

  /** Whether the prediction applied and did not hold. */
  boolean failed() {
    return status == Status.FAIL;
  }

  /** Whether the prediction applied and held. */
  boolean pass() {
    return status == Status.PASS;
  }
}
