package org.mmspec.check;

import java.io.PrintStream;
import java.time.Duration;

/** Receives progress of a long exploration; {@link #every} prints a line at a fixed interval. */
@FunctionalInterface
public interface Progress {
    Progress NONE = (name, states, transitions, depth, frontier, elapsed) -> { };

    void report(String system, long states, long transitions, int depth, long frontier, Duration elapsed);

    /**
     * Prints to {@code out} at most once per {@code interval}: states, transitions, depth, the
     * frontier (states waiting to be expanded), the rate since the last line and overall, and the
     * heap in use against the heap limit.
     */
    static Progress every(Duration interval, PrintStream out) {
        long[] last = {System.nanoTime(), 0, 0}; // time, states, elapsed nanos at the last line
        return (name, states, transitions, depth, frontier, elapsed) -> {
            long now = System.nanoTime();
            if (now - last[0] >= interval.toNanos()) {
                double secs = Math.max(1e-9, elapsed.toNanos() / 1e9);
                double since = Math.max(1e-9, (elapsed.toNanos() - last[2]) / 1e9);
                double rate = (states - last[1]) / since;
                last[0] = now;
                last[1] = states;
                last[2] = elapsed.toNanos();
                out.println(line(name, states, transitions, depth, frontier, rate, states / secs));
            }
        };
    }

    /** One progress line; heap figures from {@link Runtime}. */
    static String line(String name, long states, long transitions, int depth, long frontier, double rate,
            double average) {
        Runtime rt = Runtime.getRuntime();
        long used = rt.totalMemory() - rt.freeMemory();
        return String.format("  [%s] %,d states, %,d transitions, depth %d, frontier %,d, %,.0f states/s (avg %,.0f),"
                + " heap %,d / %,d MiB", name, states, transitions, depth, frontier, rate, average, used >> 20,
                rt.maxMemory() >> 20);
    }
}
