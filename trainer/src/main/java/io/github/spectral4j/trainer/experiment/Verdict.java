package io.github.spectral4j.trainer.experiment;

import io.github.spectral4j.core.Parametrization;

/**
 * Whether a parametrization behaved as the paper predicts in a coord check, with a sentence that
 * gives the numbers.
 *
 * @param parametrization the parametrization judged
 * @param pass whether the prediction held
 * @param reason one sentence with the measured slopes and the thresholds they were compared with
 */
record Verdict(Parametrization parametrization, boolean pass, String reason) {}
