package org.mmspec.tlb.asid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmspec.tlb.asid.AsidTestSupport.model;
import static org.mmspec.tlb.asid.AsidTestSupport.violatedIds;
import static org.mmspec.tlb.asid.AsidTestSupport.walk;

import org.junit.jupiter.api.Test;

/**
 * Each of ASID-1..4 on a correct state (holds) and on a state corrupted by hand in exactly the way
 * the invariant forbids (breaks, naming the CPU and the entry).
 */
class AsidInvariantsTest {
    private static final String ARM = "arch=aarch64,cpus=2,spaces=2,asids=3,huge=1,ops=2,generations=2";
    private static final String X86 = "arch=x86,cpus=2,spaces=2,asids=2,huge=1,ops=2";

    /** cpu0 runs mmA on asid 1 and caches its 2 MiB leaf; cpu1 runs mmB on asid 2. */
    private static AsidState armBothRunning() {
        AsidModel m = model(ARM);
        AsidState s = walk(m, m.initial(), "cpu0 switch to mmA", "hw cpu0 fills", "cpu1 switch to mmB");
        assertThat(violatedIds(s)).isEmpty();
        return s;
    }

    @Test
    void ASID_1_catchesARunningCpuCachingAnEntryItsPageTableNoLongerBacks() {
        AsidState s = armBothRunning().copy();
        s.hugeLeaves &= ~1; // split mmA's leaf and unmap p1 behind the TLB's back
        s.pte[1] = 0;
        s.flushPending = 0b01; // keep ASID-4 quiet: only ASID-1 judges what a running CPU uses
        assertThat(violatedIds(s)).contains("ASID-1");
        assertThat(AsidInvariants.ASID_1.evaluate(s).orElseThrow().detail()).contains("cpu0 runs mmA under tag 1",
                "t1:2M f0 rw (mmA)");
    }

    @Test
    void ASID_1_catchesARunningCpuUsingAnotherSpacesEntryUnderItsTag() {
        AsidState s = armBothRunning().copy();
        s.insert(1, new TaggedEntry(2, 0, AsidState.frameOf(0, 0), true, 0)); // mmA's frame under mmB's asid
        assertThat(violatedIds(s)).contains("ASID-1");
    }

    @Test
    void ASID_2_catchesTwoSpacesHoldingOneAsidInAGeneration() {
        AsidState s = armBothRunning().copy();
        s.context[1] = s.context[0];
        assertThat(violatedIds(s)).contains("ASID-2");
        assertThat(AsidInvariants.ASID_2.evaluate(s).orElseThrow().detail()).contains("mmA and mmB both hold asid 1");
    }

    @Test
    void ASID_2_catchesTwoPcidSlotsOfOneCpuHoldingOneSpace() {
        AsidModel m = model(X86);
        AsidState s = walk(m, m.initial(), "cpu0 switch to mmA").copy();
        assertThat(violatedIds(s)).isEmpty();
        s.slotSpace[1] = s.slotSpace[0];
        assertThat(violatedIds(s)).containsExactly("ASID-2");
    }

    @Test
    void ASID_3_catchesAnEntryOfAnAsidThatNowNamesAnotherSpaceWithNoFlushPending() {
        AsidState s = armBothRunning().copy();
        s.running[0] = -1; // cpu0 left; mmA's asid went to mmB in this generation
        s.tag[0] = -1;
        s.context[1] = s.context[0];
        s.context[0] = 0;
        assertThat(violatedIds(s)).contains("ASID-3");
        s.flushPending = 0b01;
        assertThat(violatedIds(s)).doesNotContain("ASID-3");
    }

    @Test
    void ASID_3_catchesAnEntryLeftInARecycledPcidSlot() {
        AsidModel m = model(X86);
        AsidState s = walk(m, m.initial(), "cpu0 switch to mmA", "hw cpu0 fills").copy();
        s.slotSpace[0] = 2; // slot 0 handed to mmB without the flush
        assertThat(violatedIds(s)).contains("ASID-3");
    }

    @Test
    void ASID_4_catchesAStaleEntryThatNoFlushIsOwedFor() {
        AsidModel m = model(X86);
        AsidState s = walk(m, m.initial(), "cpu0 switch to mmA", "hw cpu0 fills", "cpu0 runs a kernel thread").copy();
        s.hugeLeaves &= ~1;
        s.pte[0] = 0; // mmA's p0 unmapped with no tlb_gen bump: the lazy CPU will never catch up
        assertThat(violatedIds(s)).containsExactly("ASID-4");
        s.tlbGen[0] = 1; // the same entry with the catch-up owed is allowed
        assertThat(violatedIds(s)).isEmpty();
    }
}
