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
}
