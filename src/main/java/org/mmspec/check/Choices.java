package org.mmspec.check;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The single source of every random decision in a test run, recorded as a sequence of
 * non-negative longs (Hypothesis's "choice sequence").
 *
 * <p>Encoding: draw {@code i} is the {@code i}-th entry of the sequence and is always in range for
 * the bound it was drawn with. A fresh run draws from a seeded random source and records what it
 * drew. A replay reads a given sequence instead; an entry that is too large for its bound is
 * reduced modulo the bound, and a draw past the end of the sequence yields 0, the simplest value.
 * Because every generator is built on these draws, shrinking the sequence (deleting spans,
 * lowering entries) shrinks any operation sequence and any argument without custom shrinkers.
 */
public final class Choices {
    private final long[] replay;
    private final SplittableRandom random;
    private long[] recorded = new long[64];
    private int size;

    private Choices(long[] replay, SplittableRandom random) {
        this.replay = replay;
        this.random = random;
    }

    /** A fresh run drawing from a random source seeded with {@code seed}. */
    public static Choices random(long seed) {
        return new Choices(null, new SplittableRandom(seed));
    }

    /** A replay of a recorded sequence; draws past its end yield 0. */
    public static Choices replay(long[] sequence) {
        return new Choices(sequence.clone(), null);
    }

    /** True while a replay still has recorded draws left (always true for a fresh run). */
    public boolean hasMore() {
        return replay == null || size < replay.length;
    }

    /** A value in {@code [0, bound)}; {@code bound} must be positive. */
    public long below(long bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive: " + bound);
        }
        long value;
        if (replay == null) {
            value = random.nextLong(bound);
        } else if (size < replay.length) {
            value = Math.floorMod(replay[size], bound);
        } else {
            value = 0;
        }
        record(value);
        return value;
    }

    /** An int in {@code [lo, hi]}, shrinking towards {@code lo}. */
    public int between(int lo, int hi) {
        if (hi < lo) {
            throw new IllegalArgumentException("empty range [" + lo + ", " + hi + "]");
        }
        return (int) (lo + below((long) hi - lo + 1));
    }

    /** A long in {@code [lo, hi]}, shrinking towards {@code lo}. */
    public long between(long lo, long hi) {
        if (hi < lo) {
            throw new IllegalArgumentException("empty range [" + lo + ", " + hi + "]");
        }
        return lo + below(hi - lo + 1);
    }

    /** A boolean, shrinking towards {@code false}. */
    public boolean bool() {
        return below(2) == 1;
    }

    /** True with probability roughly {@code 1/n}, shrinking towards {@code false}. */
    public boolean oneIn(int n) {
        return below(n) == n - 1;
    }

    /** One element of a non-empty list, shrinking towards the first. */
    public <T> T pick(List<T> options) {
        if (options.isEmpty()) {
            throw new IllegalArgumentException("nothing to pick from");
        }
        return options.get((int) below(options.size()));
    }

    /** One constant of an enum, shrinking towards the first declared. */
    public <E extends Enum<E>> E pick(Class<E> type) {
        return pick(Arrays.asList(type.getEnumConstants()));
    }

    /** How many draws have been made so far. */
    public int position() {
        return size;
    }

    /** The draws made so far, as a sequence that replays this run. */
    public long[] recorded() {
        return Arrays.copyOf(recorded, size);
    }

    private void record(long value) {
        if (size == recorded.length) {
            recorded = Arrays.copyOf(recorded, size * 2);
        }
        recorded[size++] = value;
    }
}
