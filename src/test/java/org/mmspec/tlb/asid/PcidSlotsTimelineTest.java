package org.mmspec.tlb.asid;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.mmspec.check.Bounds;

/**
 * x86 PCID slots step by step, each step's account checked word for word: a slot recycled with its
 * flush (or, seeded, without), a slot reused without one, a lazy CPU skipped by a shootdown and
 * catching up by {@code tlb_gen} when it resumes (or, seeded, not), and the partial flush of a slot
 * one generation behind (PIT found these paths unchecked by the walks and models).
 */
class PcidSlotsTimelineTest {

    private static AsidState state(String bounds) {
        return AsidState.initial(AsidConfig.fromBounds(Bounds.parse(bounds)));
    }

    @Test
    void slotsAreRecycledRoundRobinWithAFlushAndReusedWithout() {
        for (String bug : new String[] {"none", "pcid-reuse-no-flush"}) {
            AsidState s = state("arch=x86,cpus=2,spaces=3,asids=2,pages=2,huge=0,ops=1,generations=1,bug=" + bug);
            boolean seeded = !bug.equals("none");
            assertThat(AsidKernel.switchTo(s, 0, 0))
                    .isEqualTo("cpu0 switch to mmA: recycles pcid slot 0" + (seeded ? " without a flush" : ", flush slot (0 entries)"));
            assertThat(s.cpuMask(0)).isEqualTo(1);
            AsidModel.fill(s, 0, 0);
            AsidModel.fill(s, 0, 1);
            assertThat(AsidKernel.switchTo(s, 0, 1))
                    .isEqualTo("cpu0 switch to mmB: recycles pcid slot 1" + (seeded ? " without a flush" : ", flush slot (0 entries)"));
            assertThat(s.cpuMask(0)).isZero(); // cpu0 left mmA
            assertThat(s.cpuMask(1)).isEqualTo(1);
            assertThat(AsidKernel.switchTo(s, 0, 0)).isEqualTo("cpu0 switch to mmA: reuses pcid slot 0");
            assertThat(s.tlb(0)).hasSize(2);
            assertThat(s.tag(0)).isZero();
            // mmC finds no slot: the round robin recycles slot 0, mmA's, with its two entries.
            assertThat(AsidKernel.switchTo(s, 0, 2))
                    .isEqualTo("cpu0 switch to mmC: recycles pcid slot 0" + (seeded ? " without a flush" : ", flush slot (2 entries)"));
            assertThat(s.tlb(0)).hasSize(seeded ? 2 : 0);
            assertThat(AsidKernel.switchTo(s, 0, 1)).isEqualTo("cpu0 switch to mmB: reuses pcid slot 1");
            assertThat(AsidKernel.switchTo(s, 0, 0))
                    .isEqualTo("cpu0 switch to mmA: recycles pcid slot 1" + (seeded ? " without a flush" : ", flush slot (0 entries)"));
            assertThat(s.slotSpace(0, 0)).isEqualTo(2);
            assertThat(s.slotSpace(0, 1)).isEqualTo(0);
            assertThat(s.nextSlot(0)).isZero();
            assertThat(s.cpuMask(1)).isZero();
        }
    }

    @Test
    void aLazyCpuIsSkippedByTheShootdownAndCatchesUpByTlbGenWhenItResumes() {
        for (String bug : new String[] {"none", "lazy-no-catchup"}) {
            AsidState s = state("arch=x86,cpus=2,spaces=2,asids=2,pages=2,huge=0,ops=2,generations=1,bug=" + bug);
            AsidKernel.switchTo(s, 0, 0);
            AsidKernel.switchTo(s, 1, 0);
            AsidModel.fill(s, 0, 0);
            AsidModel.fill(s, 0, 1);
            AsidModel.fill(s, 1, 0);
            AsidModel.fill(s, 1, 1);
            AsidKernel.enterLazy(s, 1);
            int before = s.tlbGen(0);
            assertThat(AsidKernel.munmap(s, 0, 1))
                    .isEqualTo("cpu0 munmap(p1) of mmA; tlb_gen " + (before + 1) + ", flush on {cpu0}, lazy {cpu1} skipped");
            assertThat(s.tlbGen(0)).isEqualTo(before + 1);
            // cpu0's slot was one generation behind: the partial flush keeps p0.
            assertThat(s.lookup(0, s.tag(0), 0)).isNotNull();
            assertThat(s.lookup(0, s.tag(0), 1)).isNull();
            assertThat(s.tlb(1)).hasSize(2);
            String resume = AsidKernel.switchTo(s, 1, 0);
            if (bug.equals("none")) {
                assertThat(resume).isEqualTo("cpu1 switch to mmA: leaves lazy mode, slot 0 at tlb_gen " + before + " < "
                        + (before + 1) + ", flush slot (2 entries)");
                assertThat(s.tlb(1)).isEmpty();
                assertThat(s.slotGen(1, 0)).isEqualTo(before + 1);
            } else {
                assertThat(resume).isEqualTo("cpu1 switch to mmA: leaves lazy mode, slot 0 kept");
                assertThat(s.tlb(1)).hasSize(2);
            }
            // Resuming once more finds the slot current.
            AsidKernel.enterLazy(s, 1);
            if (bug.equals("none")) {
                assertThat(AsidKernel.switchTo(s, 1, 0)).isEqualTo("cpu1 switch to mmA: leaves lazy mode, slot 0 kept");
            }
            // A running CPU, not lazy, takes the next shootdown.
            AsidKernel.switchTo(s, 1, 0 + 1);
            assertThat(AsidKernel.mprotect(s, 0, 0)).isEqualTo("cpu0 mprotect(p0) of mmA; tlb_gen " + (before + 2) + ", flush on {cpu0}");
        }
    }

    @Test
    void aCpuLeavingASpaceLeavesItsMaskAndEveryRunningCpuIsFlushed() {
        AsidState s = state("arch=x86,cpus=2,spaces=2,asids=2,pages=2,huge=0,ops=2,generations=1");
        AsidKernel.switchTo(s, 1, 0);
        AsidKernel.switchTo(s, 1, 1);
        assertThat(s.cpuMask(0)).isZero();
        assertThat(s.cpuMask(1)).isEqualTo(0b10);
        AsidKernel.switchTo(s, 0, 1);
        AsidModel.fill(s, 0, 0);
        AsidModel.fill(s, 0, 1);
        int gen = s.tlbGen(1);
        assertThat(AsidKernel.mprotect(s, 1, 1)).isEqualTo("cpu1 mprotect(p1) of mmB; tlb_gen " + (gen + 1) + ", flush on {cpu0,cpu1}");
        AsidModel.fill(s, 0, 1);
        // The slot was brought to the new tlb_gen, so the next change is again a partial flush: p0 stays cached.
        assertThat(AsidKernel.munmap(s, 0, 1)).isEqualTo("cpu0 munmap(p1) of mmB; tlb_gen " + (gen + 2) + ", flush on {cpu0,cpu1}");
        assertThat(s.lookup(0, s.tag(0), 0)).isNotNull();
        assertThat(s.lookup(0, s.tag(0), 1)).isNull();
    }

    @Test
    void aSlotReusedAfterItsSpaceMovedOnIsFlushedAndACatchUpFlushesOnlyItsOwnSlot() {
        AsidState s = state("arch=x86,cpus=2,spaces=2,asids=2,pages=2,huge=0,ops=2,generations=1");
        AsidKernel.switchTo(s, 0, 0);
        AsidKernel.switchTo(s, 1, 0);
        AsidModel.fill(s, 1, 0);
        AsidKernel.switchTo(s, 1, 1);
        AsidModel.fill(s, 1, 0); // cpu1 now caches one entry in each slot
        AsidKernel.munmap(s, 0, 1); // mmA's tlb_gen moves on while cpu1 runs mmB
        assertThat(AsidKernel.switchTo(s, 1, 0)).isEqualTo("cpu1 switch to mmA: reuses pcid slot 0, flush slot (1 entries)");
        assertThat(s.tlb(1)).hasSize(1);
        AsidModel.fill(s, 1, 0);
        AsidKernel.enterLazy(s, 1);
        AsidKernel.mprotect(s, 0, 0);
        assertThat(AsidKernel.switchTo(s, 1, 0)).endsWith(", flush slot (1 entries)");
        assertThat(s.tlb(1)).singleElement().satisfies(e -> assertThat(e.owner()).isEqualTo(1));
    }
}
