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

    /** Redraws of the progress bar at most this often, so a fast exploration does not flood the terminal. */
    Duration BAR_INTERVAL = Duration.ofMillis(200);

    /** Cells of the progress bar. */
    int BAR_WIDTH = 30;

    /**
     * A progress bar on the terminal's stderr for a long exploration, or {@link #NONE} when the
     * output is not a terminal ({@code System.console() == null}: a pipe, a file, a test), so logs
     * stay quiet. With {@code expectedStates > 0} (the manifest's recorded count) the bar fills
     * towards it; without, it shows the counts alone. The bar redraws one line in place; call
     * {@link #clearTerminalLine} before printing the result.
     */
    static Progress terminal(String label, long expectedStates) {
        if (System.console() == null) {
            return NONE;
        }
        return bar(label, expectedStates, System.err, BAR_INTERVAL);
    }

    /** The bar itself, drawn on {@code out} whatever it is (tests use this). */
    static Progress bar(String label, long expectedStates, PrintStream out, Duration interval) {
        long[] last = {System.nanoTime() - interval.toNanos()};
        return (name, states, transitions, depth, frontier, elapsed) -> {
            long now = System.nanoTime();
            if (now - last[0] < interval.toNanos()) {
                return;
            }
            last[0] = now;
            out.print("\r" + barLine(label, states, expectedStates, depth, elapsed) + "\u001b[K");
            out.flush();
        };
    }

    /** One frame of the bar: label, the filled cells, percent of the expected states, counts and time. */
    static String barLine(String label, long states, long expectedStates, int depth, Duration elapsed) {
        StringBuilder sb = new StringBuilder("  ").append(label).append(' ');
        if (expectedStates > 0) {
            double done = Math.min(1.0, (double) states / expectedStates);
            int cells = (int) Math.round(done * BAR_WIDTH);
            sb.append('[').append("#".repeat(cells)).append(".".repeat(BAR_WIDTH - cells)).append(']');
            sb.append(String.format(" %3.0f%% %,d / %,d states", done * 100, states, expectedStates));
        } else {
            sb.append(String.format("%,d states", states));
        }
        sb.append(String.format(", depth %d, %.1fs", depth, elapsed.toNanos() / 1e9));
        return sb.toString();
    }

    /** Erases the bar's line on a terminal; does nothing otherwise. */
    static void clearTerminalLine() {
        if (System.console() != null) {
            System.err.print("\r\u001b[K");
            System.err.flush();
        }
    }

    /** A manifest's recorded state count, or 0 when there is none (a new configuration). */
    static long recordedStates(String recorded) {
        try {
            return Long.parseLong(recorded.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
