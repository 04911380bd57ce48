package org.mmspec.tlb.asid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.mmspec.check.Bounds;

/**
 * The generational ASID allocator (AArch64, RISC-V) step by step, each step's one-line account
 * checked word for word: a new context, the fast path, the rollover with its reserved ASIDs and
 * pending flushes, a reserved ASID renewed, an ASID kept across a rollover, the generation bound,
 * and the shootdown's targets and count (PIT found these paths unchecked by the walks and models).
 */
class GenerationAsidsTimelineTest {

    private static AsidState state(String bounds) {
        return AsidState.initial(AsidConfig.fromBounds(Bounds.parse(bounds)));
    }

    @Test
    void aRolloverReservesEveryCpusActiveAsidAndFlushesEachCpuOnItsNextSwitch() {
        AsidState s = state("arch=aarch64,cpus=2,spaces=4,asids=3,pages=1,huge=0,ops=1,generations=2");
        assertThat(AsidKernel.switchTo(s, 0, 0)).isEqualTo("cpu0 switch to mmA: new context g1:a1; asid 1");
        assertThat(AsidKernel.switchTo(s, 1, 1)).isEqualTo("cpu1 switch to mmB: new context g1:a2; asid 2");
        assertThat(AsidKernel.switchTo(s, 0, 2)).isEqualTo("cpu0 switch to mmC: new context g1:a3; asid 3");
        assertThat(AsidModel.fill(s, 1, 0)).isNotNull();
        assertThat(AsidKernel.switchTo(s, 0, 3)).isEqualTo("cpu0 switch to mmD: ASIDs exhausted, rollover to generation 2"
                + " (flush pending {cpu0,cpu1}): new context g2:a1; rollover flush of the whole TLB (0 entries); asid 1");
        assertThat(s.generation()).isEqualTo(2);
        assertThat(s.reserved(0)).isEqualTo(1 * AsidState.CTX_SPAN + 3);
        assertThat(s.reserved(1)).isEqualTo(1 * AsidState.CTX_SPAN + 2);
        assertThat(s.flushPending(0)).isFalse();
        assertThat(s.flushPending(1)).isTrue();
        assertThat(s.asidMap()).isEqualTo(1 << 1 | 1 << 2 | 1 << 3);
        AsidKernel.enterLazy(s, 1);
        assertThat(AsidKernel.switchTo(s, 1, 1)).isEqualTo("cpu1 switch to mmB: reserved g1:a2 renewed as g2:a2;"
                + " rollover flush of the whole TLB (1 entries); asid 2");
        assertThat(s.reserved(1)).isEqualTo(2 * AsidState.CTX_SPAN + 2);
        assertThat(s.flushPending(1)).isFalse();
        assertThat(s.tlb(1)).isEmpty();
        assertThat(AsidKernel.switchTo(s, 0, 2)).isEqualTo("cpu0 switch to mmC: reserved g1:a3 renewed as g2:a3; asid 3");
        AsidState before = s.copy();
        assertThatThrownBy(() -> AsidKernel.switchTo(s, 1, 0)).isInstanceOfSatisfying(AsidError.class, e -> {
            assertThat(e.errorKind()).isEqualTo(AsidError.Kind.SCOPE);
            assertThat(e.getMessage()).contains("a rollover past generation 2 is outside the scope");
        });
        assertThat(s).isEqualTo(before);
        assertThat(AsidInvariants.ALL.violations(s)).isEmpty();
    }

    @Test
    void anAsidNobodyReservedIsKeptAcrossTheRolloverAndTheFastPathSkipsTheAllocator() {
        AsidState s = state("arch=riscv,cpus=1,spaces=4,asids=3,pages=1,huge=0,ops=1,generations=2");
        AsidKernel.switchTo(s, 0, 0);
        AsidKernel.switchTo(s, 0, 1);
        AsidKernel.switchTo(s, 0, 2);
        assertThat(AsidKernel.switchTo(s, 0, 3)).startsWith("cpu0 switch to mmD: ASIDs exhausted, rollover to generation 2"
                + " (flush pending {cpu0}): new context g2:a1");
        assertThat(s.asidMap()).isEqualTo(1 << 1 | 1 << 3);
        assertThat(AsidKernel.switchTo(s, 0, 1)).isEqualTo("cpu0 switch to mmB: keeps asid 2 in generation 2; asid 2");
        assertThat(s.context(1)).isEqualTo(2 * AsidState.CTX_SPAN + 2);
        assertThat(s.asidMap()).isEqualTo(1 << 1 | 1 << 2 | 1 << 3);
        assertThat(AsidKernel.switchTo(s, 0, 3)).isEqualTo("cpu0 switch to mmD: fast path, asid 1");
        assertThat(s.tag(0)).isEqualTo(1);
        assertThat(s.cpuMask(3)).isEqualTo(1);
        assertThat(AsidInvariants.ALL.violations(s)).isEmpty();
    }

    @Test
    void theShootdownNamesItsAsidTargetsAndHowManyEntriesWent() {
        AsidState a = state("arch=aarch64,cpus=3,spaces=2,asids=4,pages=2,huge=0,ops=1,generations=1");
        AsidKernel.switchTo(a, 0, 0);
        AsidKernel.switchTo(a, 2, 0);
        AsidModel.fill(a, 0, 1);
        AsidModel.fill(a, 2, 1);
        AsidModel.fill(a, 2, 0);
        assertThat(AsidKernel.munmap(a, 0, 1)).isEqualTo("cpu0 munmap(p1) of mmA; TLBI by asid 1 on {cpu0,cpu1,cpu2} (2 entries)");

        AsidState r = state("arch=riscv,cpus=3,spaces=2,asids=4,pages=2,huge=0,ops=1,generations=1");
        AsidKernel.switchTo(r, 0, 0);
        AsidKernel.switchTo(r, 2, 0);
        AsidModel.fill(r, 0, 1);
        AsidModel.fill(r, 2, 1);
        AsidModel.fill(r, 2, 0);
        assertThat(AsidKernel.munmap(r, 0, 1)).isEqualTo("cpu0 munmap(p1) of mmA; SFENCE.VMA by asid 1 on {cpu0,cpu2} (2 entries)");
        assertThat(r.lookup(2, r.tag(2), 0)).isNotNull();
    }

    @Test
    void theSeededMaskBugLeavesOutACpuThatSwitchedAway() {
        for (String bug : new String[] {"none", "mask-running-only"}) {
            AsidState s = state("arch=riscv,cpus=2,spaces=2,asids=3,pages=2,huge=0,ops=1,generations=1,bug=" + bug);
            AsidKernel.switchTo(s, 0, 0);
            AsidKernel.switchTo(s, 1, 0);
            AsidModel.fill(s, 1, 1);
            AsidKernel.switchTo(s, 1, 1); // cpu1 keeps mmA's tagged entry
            String log = AsidKernel.munmap(s, 0, 1);
            if (bug.equals("none")) {
                assertThat(log).endsWith("; SFENCE.VMA by asid 1 on {cpu0,cpu1} (1 entries)");
            } else {
                assertThat(log).endsWith("; SFENCE.VMA by asid 1 on {cpu0} (0 entries)");
            }
        }
    }
}
