package io.github.spectral4j.trainer.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.function.DoubleSupplier;

/**
 * Compares a float32 analytic gradient with central differences of a double-precision reference loss.
 *
 * <p>Tolerance, per entry: {@code |analytic − numeric| ≤ REL·|numeric| + ABS·rms(numeric over the
 * tensor)}. The numeric side is accurate to ~1e-9 (double, step 1e-5: truncation h²·f'''/6 ≈ 1e-10 for the
 * Θ(1) third derivatives of softmax/GELU/RMSNorm at these sizes, rounding 1e-16/h ≈ 1e-11). The analytic
 * side is float32 (unit roundoff u = 6e-8) through chains of at most a few hundred accumulated products
 * and ~10 modules: its error is a few times 1e-6 of the terms summed into an entry, and those terms are
 * bounded by the tensor's typical gradient size, hence the ABS part (1e-4 relative to the tensor's RMS, a
 * 30× margin) and REL = 1e-3 (float evaluation of exp/tanh and the softmax normalisation, 100× u·depth).
 * A wrong gradient — a missing multiplier, a transposed head, a mask off by one — errs by the size of the
 * gradient itself, ≥ 10² times the tolerance; {@code GradientCheckSelfTest}-style cases below show that
 * one wrong entry fails.
 */
final class GradientCheck {
  static final double STEP = 1e-5;
  static final double REL = 1e-3;
  static final double ABS = 1e-4;

  private GradientCheck() {}

  /**
   * Checks every entry of {@code param} (the reference's live copy of a parameter or input) against
   * {@code analytic}; returns the number of entries checked.
   */
  static int check(String name, double[] param, float[] analytic, DoubleSupplier loss) {
    assertEquals(param.length, analytic.length, name + ": sizes");
    double[] numeric = new double[param.length];
    double sq = 0;
    for (int k = 0; k < param.length; k++) {
      double saved = param[k];
      param[k] = saved + STEP;
      double up = loss.getAsDouble();
      param[k] = saved - STEP;
      double down = loss.getAsDouble();
      param[k] = saved;
      numeric[k] = (up - down) / (2 * STEP);
      sq += numeric[k] * numeric[k];
    }
    double rms = Math.sqrt(sq / param.length);
    if (rms < 1e-9) {
      // A gradient that is exactly zero (e.g. queries and keys with a context of 1): the analytic one must be too.
      for (int k = 0; k < param.length; k++) {
        assertEquals(0.0, analytic[k], 1e-6, name + "[" + k + "] should be 0");
      }
      return param.length;
    }
    for (int k = 0; k < param.length; k++) {
      double tol = REL * Math.abs(numeric[k]) + ABS * rms;
      assertEquals(numeric[k], analytic[k], tol, name + "[" + k + "] (tensor rms " + rms + ")");
    }
    return param.length;
  }
}
