package org.mmspec.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.Test;

/** The terminal progress bar of long explorations: what one frame shows, and that it redraws in place. */
class ProgressBarTest {
    @Test
    void barFillsTowardsTheRecordedStateCount() {
        String half = Progress.barLine("tlb-shootdown [lazy]", 50, 100, 7, Duration.ofMillis(1500));
        assertThat(half).contains("tlb-shootdown [lazy] [" + "#".repeat(15) + ".".repeat(15) + "]  50% 50 / 100 states",
                "depth 7", "1.5s");
        assertThat(Progress.barLine("x", 250, 100, 1, Duration.ZERO)).contains("[" + "#".repeat(30) + "] 100%");
        assertThat(Progress.barLine("x", 1234, 0, 1, Duration.ZERO)).contains("x 1,234 states").doesNotContain("[");
    }

    @Test
    void barRedrawsOneLineAndIsThrottled() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Progress p = Progress.bar("m", 10, new PrintStream(buf, true, StandardCharsets.UTF_8), Duration.ofHours(1));
        p.report("m", 5, 9, 2, 3, Duration.ofSeconds(1));
        p.report("m", 6, 9, 2, 3, Duration.ofSeconds(1)); // within the interval: not drawn
        String out = buf.toString(StandardCharsets.UTF_8);
        assertThat(out).startsWith("\r").doesNotContain("\n").contains("5 / 10 states").doesNotContain("6 / 10");
    }

    @Test
    void withoutATerminalTheBarIsQuiet() {
        // surefire's forked JVM has no console: the check command must not draw there
        assertThat(System.console()).isNull();
        assertThat(Progress.terminal("m", 10)).isSameAs(Progress.NONE);
        assertThat(Progress.recordedStates("18992")).isEqualTo(18992);
        assertThat(Progress.recordedStates("")).isZero();
    }

    @Test
    void aProgressLineGivesTheCountsTheRatesAndTheHeapInMiB() {
        String line = Progress.line("m", 12_345, 67_890, 4, 321, 1500.4, 1200.6);
        assertThat(line).startsWith("  [m] 12,345 states, 67,890 transitions, depth 4, frontier 321, 1,500 states/s (avg 1,201),");
        java.util.regex.Matcher heap = java.util.regex.Pattern.compile("heap ([\\d,]+) / ([\\d,]+) MiB$").matcher(line);
        assertThat(heap.find()).as(line).isTrue();
        long used = Long.parseLong(heap.group(1).replace(",", ""));
        long max = Long.parseLong(heap.group(2).replace(",", ""));
        assertThat(max).isEqualTo(Runtime.getRuntime().maxMemory() >> 20);
        assertThat(used).isPositive().isLessThanOrEqualTo(max);
    }

    @Test
    void progressEveryIntervalPrintsAtMostOncePerIntervalWithTheRateSinceTheLastLine() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Progress p = Progress.every(Duration.ZERO, new PrintStream(buf, true, StandardCharsets.UTF_8));
        p.report("m", 1000, 0, 1, 0, Duration.ofSeconds(1));
        p.report("m", 3000, 0, 2, 0, Duration.ofSeconds(2));
        String[] lines = buf.toString(StandardCharsets.UTF_8).split("\n");
        assertThat(lines).hasSize(2);
        assertThat(lines[0]).contains("1,000 states/s (avg 1,000)");
        assertThat(lines[1]).contains("2,000 states/s (avg 1,500)");
        ByteArrayOutputStream quiet = new ByteArrayOutputStream();
        Progress hourly = Progress.every(Duration.ofHours(1), new PrintStream(quiet, true, StandardCharsets.UTF_8));
        hourly.report("m", 1, 0, 1, 0, Duration.ofSeconds(1));
        assertThat(quiet.toString(StandardCharsets.UTF_8)).isEmpty();
    }
}
