package org.mmspec.check.store;

import java.util.Locale;

/**
 * The probability that fingerprinting merged two distinct states, estimated as TLC does, in two
 * ways.
 *
 * @param optimistic TLC's "calculated (optimistic)" figure {@code n * (g - n) / 2^64} for
 *        {@code n} stored states and {@code g} generated ones: each of the {@code g - n} lookups
 *        that found a state already stored could have matched a different state with probability
 *        about {@code n / 2^64}
 * @param observed TLC's figure "based on the actual fingerprints": {@code 1 / d} for the smallest
 *        distance {@code d} between two stored fingerprints (as unsigned numbers); random
 *        fingerprints give {@code d} near {@code 2^64 / n^2}; 0 with fewer than two states
 */
public record CollisionEstimate(double optimistic, double observed) {
    public String render() {
        return String.format(Locale.ROOT, "collision probability %.1e (optimistic n(g-n)/2^64), %.1e (1/min gap)",
                optimistic, observed);
    }

    static CollisionEstimate of(long n, long generated, long minGap) {
        double optimistic = (double) n * Math.max(0, generated - n) / 0x1p64;
        double observed = minGap == 0 ? 0 : 1.0 / unsigned(minGap);
        return new CollisionEstimate(optimistic, observed);
    }

    private static double unsigned(long v) {
        return v >= 0 ? v : (v >>> 1) * 2.0 + (v & 1);
    }
}
