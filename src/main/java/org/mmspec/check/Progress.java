package org.mmspec.check;

import java.io.PrintStream;
import java.time.Duration;

/** Receives progress of a long exploration; {@link #every} prints a line at a fixed interval. */
@FunctionalInterface
public interface Progress {
    Progress NONE = (name, states, transitions, depth, frontier, elapsed) -> { };

    void report(String system, long states, long transitions, int depth, long frontier, Duration elapsed);

    /** Prints to {@code out} at most once per {@code interval}. */
    static Progress every(Duration interval, PrintStream out) {
        long[] last = {System.nanoTime()};
        return (name, states, transitions, depth, frontier, elapsed) -> {
            long now = System.nanoTime();
            if (now - last[0] >= interval.toNanos()) {
                last[0] = now;
                double secs = Math.max(1e-9, elapsed.toNanos() / 1e9);
                out.printf("  [%s] %,d states, %,d transitions, depth %d, frontier %,d, %.0f states/s%n", name, states,
                        transitions, depth, frontier, states / secs);
            }
        };
    }
}
