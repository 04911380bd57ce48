package org.mmspec.tlb.asid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmspec.tlb.asid.AsidTestSupport.explore;
import static org.mmspec.tlb.asid.AsidTestSupport.model;
import static org.mmspec.tlb.asid.AsidTestSupport.violatedIds;
import static org.mmspec.tlb.asid.AsidTestSupport.walk;

import org.junit.jupiter.api.Test;
import org.mmspec.check.Counterexample;
import org.mmspec.check.ExplorationResult;

/**
 * The exhaustive ASID model: each seeded bug is found with a shortest per-CPU timeline naming the
 * right invariant, the correct kernels pass on every architecture at small scopes, and the point of
 * tagging holds: a context switch and back keeps the tagged entries without a flush.
 */
class AsidModelTest {
    private static final String ROLLOVER = "cpus=2,spaces=4,asids=3,pages=1,huge=0,ops=0,generations=2";

    private static Counterexample caught(String bounds, String id) {
        ExplorationResult r = explore(bounds);
        assertThat(r.counterexample()).as("seeded bug must be caught: " + bounds).isPresent();
        Counterexample c = r.counterexample().get();
        System.out.println(c.render());
        assertThat(c.invariantId()).isEqualTo(id);
        return c;
    }

    @Test
    void ASID_3_explorerFindsARolloverThatDoesNotFlushTheOtherCpus() {
        Counterexample c = caught("arch=aarch64," + ROLLOVER + ",bug=rollover-no-flush", "ASID-3");
        assertThat(c.length()).isEqualTo(5);
        assertThat(c.render()).contains("rollover to generation 2 (flush pending {cpu1})",
                "cpu0 caches t1:p0 f0 rw (mmA), but asid 1 now belongs to mmD and no flush is pending on cpu0");
    }

    @Test
    void ASID_3_explorerFindsTheRiscvRolloverThatDoesNotFlushTheOtherCpus() {
        Counterexample c = caught("arch=riscv," + ROLLOVER + ",bug=rollover-no-flush", "ASID-3");
        assertThat(c.length()).isEqualTo(5);
    }

    @Test
    void ASID_2_explorerFindsARolloverThatDoesNotBumpTheGeneration() {
        Counterexample c = caught("arch=aarch64," + ROLLOVER + ",bug=rollover-no-bump", "ASID-2");
        assertThat(c.length()).isEqualTo(4);
        assertThat(c.render()).contains("rollover to generation 1", "both hold asid");
    }

    @Test
    void ASID_1_explorerFindsAHugePageSplitWithoutShootdownOnAarch64() {
        Counterexample c = caught("arch=aarch64,cpus=2,spaces=2,asids=3,huge=1,ops=1,generations=1,bug=split-no-shootdown",
                "ASID-1");
        assertThat(c.length()).isEqualTo(3);
        assertThat(c.render()).contains("fills t1:2M f0 rw (mmA)", "split 2M leaf into 4K PTEs, no shootdown");
    }

    @Test
    void ASID_1_explorerFindsAHugePageSplitWithoutShootdownOnX86() {
        Counterexample c = caught("arch=x86,cpus=2,spaces=2,asids=1,huge=1,ops=1,bug=split-no-shootdown", "ASID-1");
        assertThat(c.length()).isEqualTo(3);
        assertThat(c.render()).contains("2M", "no shootdown");
    }

    @Test
    void ASID_1_explorerFindsALazyCpuResumingWithoutTheTlbGenCatchUp() {
        Counterexample c = caught("arch=x86,cpus=2,spaces=2,asids=1,pages=1,huge=0,ops=1,bug=lazy-no-catchup", "ASID-1");
        assertThat(c.length()).isEqualTo(6);
        assertThat(c.render()).contains("runs a kernel thread", "skipped", "leaves lazy mode, slot 0 kept");
    }

    @Test
    void ASID_1_explorerFindsAPcidSlotRecycledWithoutAFlush() {
        Counterexample c = caught("arch=x86,cpus=1,spaces=2,asids=1,pages=1,huge=0,ops=0,bug=pcid-reuse-no-flush", "ASID-1");
        assertThat(c.length()).isEqualTo(3);
        assertThat(c.render()).contains("recycles pcid slot 0 without a flush");
    }

    @Test
    void ASID_4_explorerFindsARiscvShootdownThatMissesACpuWhichSwitchedAway() {
        Counterexample c = caught("arch=riscv,cpus=2,spaces=2,asids=3,pages=1,huge=0,ops=1,generations=1,bug=mask-running-only",
                "ASID-4");
        assertThat(c.length()).isEqualTo(5);
        assertThat(c.render()).contains("SFENCE.VMA by asid 1 on {cpu1}", "cpu0 caches t1:p0 f0 rw (mmA), stale against mmA's page table");
    }

    @Test
    void correctKernelsPassExhaustivelyOnEveryArchitecture() {
        for (String arch : new String[] {"aarch64", "riscv"}) {
            ExplorationResult r = explore("arch=" + arch + ",cpus=1,spaces=3,asids=2,pages=1,huge=0,ops=1,generations=3")
                    .assertPassed();
            assertThat(r.complete()).isTrue();
        }
        assertThat(explore("arch=x86,cpus=2,spaces=2,asids=1,huge=1,ops=2").assertPassed().complete()).isTrue();
    }

    @Test
    void aContextSwitchAndBackKeepsTheTaggedEntriesWithoutAFlush() {
        for (String arch : new String[] {"aarch64", "x86"}) {
            AsidModel m = model("arch=" + arch + ",cpus=1,spaces=2,asids=2,pages=1,huge=0,ops=0,generations=1");
            AsidState s = walk(m, m.initial(), "cpu0 switch to mmA", "hw cpu0 fills", "cpu0 switch to mmB",
                    "hw cpu0 fills", "cpu0 switch to mmA");
            assertThat(s.tlb(0)).as(arch).hasSize(2).extracting(TaggedEntry::owner).containsExactlyInAnyOrder(0, 1);
            assertThat(violatedIds(s)).isEmpty();
        }
    }

    @Test
    void aRolloverFlushesEachCpuBeforeItsNextSwitch() {
        AsidModel m = model("arch=aarch64," + ROLLOVER);
        AsidState s = walk(m, m.initial(), "cpu1 switch to mmA", "hw cpu1 fills", "cpu1 switch to mmB",
                "cpu0 switch to mmC", "cpu0 switch to mmD");
        assertThat(s.generation()).isEqualTo(2);
        assertThat(s.flushPending(1)).isTrue();
        AsidState after = walk(m, s, "cpu1 switch to mmD");
        assertThat(after.tlb(1)).isEmpty();
        assertThat(after.flushPending(1)).isFalse();
        assertThat(violatedIds(after)).isEmpty();
    }
}
