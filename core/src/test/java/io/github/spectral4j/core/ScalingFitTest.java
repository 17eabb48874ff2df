package io.github.spectral4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ScalingFitTest {

  @Test
  void exactPowerLawByHand() {
    // y = 3·n^0.5 at n = 1, 4, 16: log-log points (0, ln3), (ln4, ln3 + ln2), (ln16, ln3 + 2 ln2)
    ScalingFit fit = ScalingFit.fit(new double[] {1, 4, 16}, new double[] {3, 6, 12});
    assertEquals(0.5, fit.slope(), 1e-12);
    assertEquals(Math.log(3), fit.intercept(), 1e-12);
    assertEquals(0.0, fit.slopeStdErr(), 1e-12);
    assertEquals(1.0, fit.rSquared(), 1e-12);
    assertEquals(24, fit.predict(64), 1e-9);
  }

  @Test
  void standardErrorByHand() {
    // x = ln(e^0, e^1, e^2) = 0, 1, 2; y = ln of e^0, e^1.5, e^2 → y = 0, 1.5, 2
    double e = Math.E;
    ScalingFit fit = ScalingFit.fit(new double[] {1, e, e * e}, new double[] {1, Math.exp(1.5), e * e});
    // slope = Σ(x-1)(y-ȳ)/Σ(x-1)² = (−1·(−7/6) + 1·(5/6))/2 = 1; intercept = ȳ − 1 = 1/6
    assertEquals(1.0, fit.slope(), 1e-12);
    assertEquals(1 / 6.0, fit.intercept(), 1e-12);
    // residuals −1/6, 1/3, −1/6: RSS = 1/6, stderr = √(RSS/1/2) = √(1/12)
    assertEquals(Math.sqrt(1 / 12.0), fit.slopeStdErr(), 1e-12);
    assertEquals(1 - (1 / 6.0) / (2.0 + 1 / 6.0 - 0.0 * 0), fit.rSquared(), 1e-12);
  }

  @Test
  void twoPointsHaveNoStandardError() {
    ScalingFit fit = ScalingFit.fit(new double[] {256, 1024}, new double[] {1, 2});
    assertEquals(0.5, fit.slope(), 1e-12);
    assertTrue(Double.isNaN(fit.slopeStdErr()));
  }

  @Test
  void refusesBadInputWithClearMessages() {
    IllegalArgumentException one =
        assertThrows(IllegalArgumentException.class, () -> ScalingFit.fit(new double[] {1}, new double[] {1}));
    assertTrue(one.getMessage().contains("at least 2"), one.getMessage());
    IllegalArgumentException zero =
        assertThrows(
            IllegalArgumentException.class, () -> ScalingFit.fit(new double[] {1, 2}, new double[] {1, 0}));
    assertTrue(zero.getMessage().contains("got 0.0"), zero.getMessage());
    assertThrows(IllegalArgumentException.class, () -> ScalingFit.fit(new double[] {-1, 2}, new double[] {1, 1}));
    assertThrows(
        IllegalArgumentException.class, () -> ScalingFit.fit(new double[] {1, 2}, new double[] {1, Double.NaN}));
    assertThrows(IllegalArgumentException.class, () -> ScalingFit.fit(new double[] {2, 2}, new double[] {1, 3}));
    assertThrows(IllegalArgumentException.class, () -> ScalingFit.fit(new double[] {1, 2}, new double[] {1}));
  }

  /**
   * Noisy power laws y = C·n^a·exp(ε): each fit recovers a within 5 standard errors (with 10 residual degrees of freedom a
   * 5e-4 event for honest errors), and {@link #threeStandardErrorsCoverTheExponent} checks the 3σ coverage.
   */
  @ParameterizedTest(name = "seed={0}")
  @MethodSource("io.github.spectral4j.core.Seeds#cases")
  void recoversKnownExponent(long seed) {
    NoisyPowerLaw law = new NoisyPowerLaw(seed);
    double z = law.zScore();
    assertTrue(z <= 5, law + " z=" + z);
    assertTrue(law.fit.slopeStdErr() > 0 && law.fit.slopeStdErr() < 0.1, law.toString());
  }

  /** Over the seeded fits, at least 98.5% lie within 3 standard errors (99.73% for an honest error). */
  @Test
  void threeStandardErrorsCoverTheExponent() {
    long within = Seeds.cases().filter(seed -> new NoisyPowerLaw(seed).zScore() <= 3).count();
    long total = Seeds.cases().count();
    assertTrue(within >= 0.985 * total, within + " of " + total + " fits within 3 standard errors");
  }

  private static final class NoisyPowerLaw {
    final double exponent;
    final ScalingFit fit;

    NoisyPowerLaw(long seed) {
      SplittableRandom random = new SplittableRandom(seed);
      exponent = random.nextDouble(-1.5, 1.5);
      double constant = Math.exp(random.nextDouble(-5, 5));
      double noise = random.nextDouble(0.01, 0.3);
      int k = 12 + random.nextInt(40);
      double[] widths = new double[k];
      double[] values = new double[k];
      for (int i = 0; i < k; i++) {
        widths[i] = Math.exp(random.nextDouble(Math.log(16), Math.log(65536)));
        values[i] = constant * Math.pow(widths[i], exponent) * Math.exp(noise * gaussian(random));
      }
      fit = ScalingFit.fit(widths, values);
    }

    double zScore() {
      return Math.abs(fit.slope() - exponent) / fit.slopeStdErr();
    }

    @Override
    public String toString() {
      return "exponent " + exponent + " fitted " + fit;
    }
  }

  private static double gaussian(SplittableRandom random) {
    return Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
  }
}
