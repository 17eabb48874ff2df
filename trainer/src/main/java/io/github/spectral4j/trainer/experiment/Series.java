package io.github.spectral4j.trainer.experiment;

import io.github.spectral4j.core.Parametrization;

/**
 * One measured curve of a coord check: a metric of one layer under one parametrization, one value per
 * width ({@code NaN} where the run diverged), with its scaling exponent fitted over the fit widths.
 *
 * @param parametrization the parametrization trained
 * @param layer weight layer name, {@code W1} … {@code WL}
 * @param metric one of {@link CoordCheckReport#METRICS}
 * @param values one value per width of the report; not copied
 * @param slope fitted exponent over the fit widths, {@code NaN} when it cannot be fitted
 * @param slopeStdErr its standard error, {@code NaN} when unknown (e.g. two points)
 */
record Series(
    Parametrization parametrization, String layer, String metric, double[] values, double slope, double slopeStdErr) {}
