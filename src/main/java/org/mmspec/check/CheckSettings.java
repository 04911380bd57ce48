package org.mmspec.check;

import java.time.Duration;

/**
 * How hard a stateful check works: the master seed, how many runs, how many steps per run, and
 * how much effort shrinking may spend.
 *
 * <p>Defaults come from system properties so that a user can raise them without editing code:
 * {@code mmspec.seed} (fixed master seed; otherwise a fresh one is printed on failure),
 * {@code mmspec.runs} (runs per check, default 100) and {@code mmspec.scale} (a multiplier for
 * runs, steps and exploration bounds, default 1).
 *
 * @param seed master seed; run {@code i} draws from a seed derived from it
 * @param runs how many independent runs
 * @param steps the most steps one run takes
 * @param maxShrinkAttempts how many candidate sequences shrinking may replay
 * @param shrinkTimeLimit how long shrinking may take
 */
public record CheckSettings(long seed, int runs, int steps, int maxShrinkAttempts, Duration shrinkTimeLimit) {

    public static final int DEFAULT_RUNS = 100;
    public static final int DEFAULT_STEPS = 50;
    public static final int DEFAULT_SHRINK_ATTEMPTS = 20_000;
    public static final Duration DEFAULT_SHRINK_TIME = Duration.ofSeconds(30);

    public CheckSettings {
        if (runs < 1 || steps < 1 || maxShrinkAttempts < 0) {
            throw new IllegalArgumentException("runs and steps must be positive, shrink attempts non-negative");
        }
    }

    /** Settings from system properties, with {@code steps} steps per run before scaling. */
    public static CheckSettings fromSystemProperties(int steps) {
        int scale = scale();
        String seedProp = System.getProperty("mmspec.seed", "");
        long seed = seedProp.isBlank() ? System.nanoTime() ^ 0x9E3779B97F4A7C15L : Long.parseLong(seedProp.trim());
        int runs = Integer.getInteger("mmspec.runs", DEFAULT_RUNS);
        return new CheckSettings(seed, runs * scale, steps * scale, DEFAULT_SHRINK_ATTEMPTS, DEFAULT_SHRINK_TIME);
    }

    /** Settings from system properties with the default step count. */
    public static CheckSettings defaults() {
        return fromSystemProperties(DEFAULT_STEPS);
    }

    /** The {@code mmspec.scale} multiplier, at least 1. */
    public static int scale() {
        return Math.max(1, Integer.getInteger("mmspec.scale", 1));
    }

    public CheckSettings withSeed(long newSeed) {
        return new CheckSettings(newSeed, runs, steps, maxShrinkAttempts, shrinkTimeLimit);
    }

    public CheckSettings withRuns(int newRuns) {
        return new CheckSettings(seed, newRuns, steps, maxShrinkAttempts, shrinkTimeLimit);
    }

    public CheckSettings withSteps(int newSteps) {
        return new CheckSettings(seed, runs, newSteps, maxShrinkAttempts, shrinkTimeLimit);
    }
}
