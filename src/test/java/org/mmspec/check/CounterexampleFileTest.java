package org.mmspec.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The saved counterexample format: it reads back what it wrote, and names the line it cannot read. */
class CounterexampleFileTest {
    private static final Counterexample CEX = new Counterexample(List.of(
            new Counterexample.TraceStep("init", "PT[p0=f0]\n  cpu0 idle\n\n  cpu1 idle"),
            new Counterexample.TraceStep("cpu0 munmap(p0)", "PT[p0=-]\n  cpu0 done")),
            "TLB-1 violated:\nstale", "TLB-1");

    @Test
    void roundTripsThroughAFile(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("a/b.txt");
        new CounterexampleFile("tlb-shootdown", CEX).write(f);
        CounterexampleFile back = CounterexampleFile.read(f);
        assertThat(back.system()).isEqualTo("tlb-shootdown");
        assertThat(back.counterexample().steps()).isEqualTo(CEX.steps());
        assertThat(back.counterexample().invariantId()).isEqualTo("TLB-1");
        assertThat(back.counterexample().failure()).isEqualTo("TLB-1 violated: stale");
        assertThat(Files.readString(f)).startsWith("mmspec-counterexample 1\nsystem: tlb-shootdown\ninvariant: TLB-1\n")
                .contains("step 1: cpu0 munmap(p0)\n  | PT[p0=-]\n  |   cpu0 done\n").endsWith("end\n");
    }

    @Test
    void aLassoKeepsWhereItsCycleStarts() {
        Counterexample lasso = new Counterexample(CEX.steps(), "TLB-L1 violated: waits for ever", "TLB-L1", 1);
        String text = new CounterexampleFile("tlb-shootdown", lasso).render();
        assertThat(text).contains("failure: TLB-L1 violated: waits for ever\ncycle: 1\nstep 0: init\n");
        assertThat(CounterexampleFile.parse("f", text).counterexample()).isEqualTo(lasso);
        assertThat(CounterexampleFile.parse("f", new CounterexampleFile("s", CEX).render()).counterexample().isLasso())
                .isFalse();
        assertThatThrownBy(() -> CounterexampleFile.parse("f", text.replace("cycle: 1", "cycle: 2")))
                .hasMessageStartingWith("f:").hasMessageContaining("the cycle starts at step 2, but the trace has steps 0..1");
        assertThatThrownBy(() -> CounterexampleFile.parse("f", text.replace("cycle: 1", "cycle: x")))
                .hasMessage("f:5: expected 'cycle: <step number>', found 'cycle: x'");
    }

    @Test
    void malformedFilesNameTheLine() {
        String ok = new CounterexampleFile("s", CEX).render();
        assertThatThrownBy(() -> CounterexampleFile.parse("f", "mmspec-counterexample 2\n"))
                .hasMessage("f:1: expected 'mmspec-counterexample 1', found 'mmspec-counterexample 2'");
        assertThatThrownBy(() -> CounterexampleFile.parse("f", ok.replace("invariant:", "broken:")))
                .hasMessage("f:3: expected 'invariant: ...', found 'broken: TLB-1'");
        assertThatThrownBy(() -> CounterexampleFile.parse("f", ok.replace("end\n", "")))
                .hasMessage("f:13: the file ends where a state line, the next step or end should be");
        assertThatThrownBy(() -> CounterexampleFile.parse("f", ok.replace("step 1:", "step 2:")))
                .hasMessageStartingWith("f:10: expected 'step 1: <label>' or 'end'");
        assertThatThrownBy(() -> CounterexampleFile.parse("f", "mmspec-counterexample 1\nsystem: s\ninvariant: I\nfailure: x\nend\n"))
                .hasMessage("f:5: no steps before 'end' (a counterexample starts with step 0: init)");
        assertThatThrownBy(() -> CounterexampleFile.read(Path.of("no/such/file")))
                .isInstanceOf(CounterexampleFile.MalformedFile.class).hasMessage("no/such/file: no such file");
    }

    @Test
    void aStateLineWhoseTrailingSpaceWasStrippedIsAnEmptyLine() {
        String ok = new CounterexampleFile("s", CEX).render();
        assertThat(ok).contains("\n  | \n");
        String stripped = ok.replace("\n  | \n", "\n  |\n");
        assertThat(CounterexampleFile.parse("f", stripped).counterexample().steps()).isEqualTo(CEX.steps());
        assertThatThrownBy(() -> CounterexampleFile.parse("f", ok.replace("\n  | \n", "\n  \n")))
                .isInstanceOf(CounterexampleFile.MalformedFile.class)
                .hasMessage("f:8: expected 'step 1: <label>' or 'end', found '  '");
    }

    @Test
    void aCycleMustStartAtAStepOfTheTrace() {
        Counterexample lasso = new Counterexample(CEX.steps(), "TLB-L1 violated: waits for ever", "TLB-L1", 1);
        String text = new CounterexampleFile("s", lasso).render();
        assertThat(CounterexampleFile.parse("f", text.replace("cycle: 1", "cycle: 0")).counterexample().cycleStart())
                .isZero();
        assertThat(CounterexampleFile.parse("f", text.replace("cycle: 1", "cycle: -1")).counterexample().isLasso())
                .isFalse();
        assertThatThrownBy(() -> CounterexampleFile.parse("f", text.replace("cycle: 1", "cycle: -2")))
                .isInstanceOf(CounterexampleFile.MalformedFile.class)
                .hasMessage("f:14: the cycle starts at step -2, but the trace has steps 0..1");
        assertThatThrownBy(() -> CounterexampleFile.parse("f", text.replace("cycle: 1", "cycle: 2")))
                .isInstanceOf(CounterexampleFile.MalformedFile.class)
                .hasMessage("f:14: the cycle starts at step 2, but the trace has steps 0..1");
    }

    @Test
    void anUnnamedSystemIsWrittenAsAnEmptyField() {
        String text = new CounterexampleFile(null, CEX).render();
        assertThat(text).startsWith("mmspec-counterexample 1\nsystem: \ninvariant: TLB-1\n");
        assertThat(CounterexampleFile.parse("f", text).system()).isEmpty();
    }
}
