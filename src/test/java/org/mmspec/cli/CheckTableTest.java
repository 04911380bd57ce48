package org.mmspec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.mmspec.check.CheckSuite;

class CheckTableTest {
    static CheckSuite fake(String component, boolean passes) {
        return CheckSuite.of(component, component + " suite", CheckSuite.Kind.EXHAUSTIVE, () -> List.of("DEMO-1", "DEMO-2"),
                () -> new CheckSuite.Result(1234, Duration.ofMillis(1500), passes, passes ? "ok" : "DEMO-2 violated: details"));
    }

    @Test
    void tablePrintsOneRowPerSuiteAndFailsWhenOneFails() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int code = CheckCommand.CheckTable.runAndPrint(List.of(fake("frames", true), fake("zones", false)),
                new PrintStream(buf, true, StandardCharsets.UTF_8), true);
        String out = buf.toString(StandardCharsets.UTF_8);
        assertThat(code).isEqualTo(1);
        assertThat(out).contains("COMPONENT", "INVARIANTS", "STATES/CASES", "TIME", "RESULT");
        assertThat(out).containsPattern("frames\\s+frames suite\\s+DEMO-1..2\\s+1,234 states\\s+1.50s\\s+PASS");
        assertThat(out).containsPattern("zones .*FAIL");
        assertThat(out).contains("2 suites, 1 passed, 1 failed", "DEMO-2 violated: details");
    }

    @Test
    void allPassingExitsZero() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int code = CheckCommand.CheckTable.runAndPrint(List.of(fake("frames", true)),
                new PrintStream(buf, true, StandardCharsets.UTF_8), true);
        assertThat(code).isZero();
    }

    @Test
    void idsAreCompressedIntoRuns() {
        assertThat(CheckCommand.CheckTable.compressIds(List.of("BUDDY-1", "BUDDY-2", "BUDDY-3", "FRAME-1", "BUDDY-5", "TLB-LAZY-2")))
                .isEqualTo("BUDDY-1..3 BUDDY-5 FRAME-1 TLB-LAZY-2");
    }
}
