package org.mmspec.tlb.asid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mmspec.tlb.asid.AsidTestSupport.model;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.mmspec.check.Choices;
import org.mmspec.check.ModelMismatch;
import org.mmspec.check.RuleDriver;
import org.mmspec.check.Violation;

/**
 * The ASID walk's rules one at a time: each records the kernel call it makes with the kernel's
 * label or rejection, and each compares the kernel's rejection with the walk's acceptance model,
 * failing with a model mismatch when they disagree (shown by putting the walk's model out of step
 * with its state: one CPU fewer). Also the walk's fixed architecture, its lifted invariants with
 * the model's detail, its snapshot and its rendering.
 */
class AsidWalkMachineTest {
    private static final AsidWalkMachine MACHINE = new AsidWalkMachine();
    private static final String TWO_CPUS = "arch=aarch64,cpus=2,spaces=2,asids=3,pages=2,huge=0,ops=1,generations=2";
    private static final String ONE_CPU = "arch=aarch64,cpus=1,spaces=2,asids=3,pages=2,huge=0,ops=1,generations=2";

    @Test
    void eachRuleRecordsTheKernelCallWithItsLabelOrRejection() {
        AsidWalkMachine.Walk w = new AsidWalkMachine.Walk(model(TWO_CPUS));
        // switch: cpu -1..2, space -1..2 (draw d is lo + d)
        assertThat(RuleDriver.apply(MACHINE, "switch", w, 1, 1)).isEqualTo("switchTo(cpu0, mmA) -> cpu0 switch to mmA: new context g1:a1; asid 1");
        assertThat(w.state.running(0)).isZero();
        assertThat(RuleDriver.apply(MACHINE, "switch", w, 1, 1)).isEqualTo("switchTo(cpu0, mmA) -> rejected ALREADY_RUNNING");
        assertThat(RuleDriver.apply(MACHINE, "switch", w, 3, 1)).isEqualTo("switchTo(cpu2, mmA) -> rejected BAD_CPU");
        // change: cpu, page -1..2, then mprotect (true) or munmap (false)
        assertThat(RuleDriver.apply(MACHINE, "change", w, 1, 1, 1)).startsWith("mprotect(cpu0, p0) -> cpu0 mprotect(p0) of mmA");
        assertThat(RuleDriver.apply(MACHINE, "change", w, 1, 2, 0)).isEqualTo("munmap(cpu0, p1) -> rejected SCOPE");
        assertThat(RuleDriver.apply(MACHINE, "change", w, 1, 1, 1)).isEqualTo("mprotect(cpu0, p0) -> rejected NO_CHANGE");
        assertThat(RuleDriver.apply(MACHINE, "kernel thread", w, 2)).isEqualTo("enterLazy(cpu1) -> rejected NOT_RUNNING");
        assertThat(RuleDriver.apply(MACHINE, "kernel thread", w, 1))
                .isEqualTo("enterLazy(cpu0) -> cpu0 runs a kernel thread, lazy on mmA");
        assertThat(w.state.lazy(0)).isTrue();
    }

    /** The walk's model has one CPU, its state two: the kernel accepts calls on cpu1 that the acceptance model rejects. */
    private static AsidWalkMachine.Walk outOfStep() {
        AsidWalkMachine.Walk w = new AsidWalkMachine.Walk(model(ONE_CPU));
        w.state = model(TWO_CPUS).initial();
        return w;
    }

    @Test
    void aSwitchTheKernelAcceptsButTheModelRejectsIsAModelMismatch() {
        assertThatThrownBy(() -> RuleDriver.apply(MACHINE, "switch", outOfStep(), 2, 1)).isInstanceOf(ModelMismatch.class)
                .hasMessage("model mismatch on rejection: implementation gave null, model gave BAD_CPU");
    }

    @Test
    void aKernelThreadTheKernelAcceptsButTheModelRejectsIsAModelMismatch() {
        AsidWalkMachine.Walk w = outOfStep();
        AsidKernel.switchTo(w.state, 1, 0);
        assertThatThrownBy(() -> RuleDriver.apply(MACHINE, "kernel thread", w, 2)).isInstanceOf(ModelMismatch.class)
                .hasMessage("model mismatch on rejection: implementation gave null, model gave BAD_CPU");
    }

    @Test
    void aChangeTheKernelAcceptsButTheModelRejectsIsAModelMismatch() {
        for (long protect = 0; protect <= 1; protect++) {
            AsidWalkMachine.Walk w = outOfStep();
            AsidKernel.switchTo(w.state, 1, 0);
            long p = protect;
            assertThatThrownBy(() -> RuleDriver.apply(MACHINE, "change", w, 2, 1, p)).isInstanceOf(ModelMismatch.class)
                    .hasMessage("model mismatch on rejection: implementation gave null, model gave BAD_CPU");
        }
    }

    @Test
    void aWalkOnOneArchitectureDrawsOnlyThatArchitecture() {
        for (AsidArch arch : AsidArch.values()) {
            AsidWalkMachine m = new AsidWalkMachine(AsidBug.NONE, arch);
            for (long seed = 0; seed < 40; seed++) {
                assertThat(m.init(Choices.random(seed)).model.config().arch()).isEqualTo(arch);
            }
        }
        Set<AsidArch> drawn = EnumSet.noneOf(AsidArch.class);
        for (long seed = 0; seed < 60; seed++) {
            drawn.add(MACHINE.init(Choices.random(seed)).model.config().arch());
        }
        assertThat(drawn).containsExactlyInAnyOrder(AsidArch.values());
    }

    @Test
    void theWalkReportsTheModelsInvariantsWithTheirDetail() {
        AsidModel m = model(TWO_CPUS);
        AsidWalkMachine.Walk w = new AsidWalkMachine.Walk(m);
        assertThat(MACHINE.invariants().violations(w)).isEmpty();
        AsidKernel.switchTo(w.state, 0, 0);
        AsidModel.fill(w.state, 0, 0);
        // unmap p0 behind the kernel's back: cpu0's entry is now stale
        w.state.pte[0] = 0;
        List<Violation> expected = AsidInvariants.ALL.violations(w.state);
        assertThat(expected).isNotEmpty();
        List<Violation> lifted = MACHINE.invariants().violations(w);
        assertThat(lifted).extracting(Violation::invariantId).isEqualTo(expected.stream().map(Violation::invariantId).toList());
        assertThat(lifted).extracting(Violation::detail).isEqualTo(expected.stream().map(Violation::detail).toList())
                .allSatisfy(d -> assertThat(d).isNotEmpty());
        assertThat(MACHINE.invariants().ids()).containsExactly("ASID-1", "ASID-2", "ASID-3", "ASID-4");
    }

    @Test
    void theSnapshotIsACopyOfTheStateAndTheRenderingTheConfigurationThenTheState() {
        AsidModel m = model(TWO_CPUS);
        AsidWalkMachine.Walk w = new AsidWalkMachine.Walk(m);
        Object before = MACHINE.snapshot(w);
        assertThat(before).isEqualTo(m.initial()).isNotSameAs(w.state);
        assertThat(w).hasToString(m.config() + "\n" + m.initial());
        AsidKernel.switchTo(w.state, 1, 1);
        assertThat(MACHINE.snapshot(w)).isEqualTo(w.state).isNotEqualTo(before);
        assertThat(MACHINE.name()).isEqualTo("tlb-asid-walk");
        assertThat(new AsidWalkMachine(AsidBug.LAZY_NO_CATCHUP, AsidArch.X86_PCID).name()).isEqualTo("tlb-asid-walk[lazy-no-catchup]");
    }
}
