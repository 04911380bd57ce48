package org.mmspec.tlb.asid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmspec.tlb.asid.AsidTestSupport.model;

import org.junit.jupiter.api.Test;

/**
 * The x86 PCID slot's recorded {@code tlb_gen} after a switch: a slot reused after a flush (its
 * generation was behind) is recorded at the space's current generation, and so is a recycled
 * slot, flushed or (seeded bug) not; and the shootdown IPIs the CPUs of the space's
 * {@code mm_cpumask} that run it, no others: neither a CPU outside the mask nor one left in it that
 * runs another space.
 */
class PcidSlotsEdgesTest {
    @Test
    void aSlotReusedAfterAFlushIsRecordedAtTheSpacesGeneration() {
        AsidState s = model("arch=x86,cpus=2,spaces=2,asids=2,pages=1,huge=0,ops=1").initial();
        AsidKernel.switchTo(s, 0, 0);
        AsidKernel.switchTo(s, 1, 0);
        AsidKernel.switchTo(s, 0, 1);
        assertThat(AsidKernel.munmap(s, 1, 0)).isEqualTo("cpu1 munmap(p0) of mmA; tlb_gen 1, flush on {cpu1}");
        assertThat(s.slotGen(0, 0)).as("cpu0 had switched away").isZero();
        assertThat(AsidKernel.switchTo(s, 0, 0)).isEqualTo("cpu0 switch to mmA: reuses pcid slot 0, flush slot (0 entries)");
        assertThat(s.slotGen(0, 0)).isEqualTo(1);
        assertThat(s.slotSpace(0, 0)).isZero();
        assertThat(s.tag(0)).isZero();
    }

    @Test
    void aSlotRecycledWithoutAFlushIsStillRecordedAtTheNewSpacesGeneration() {
        AsidState s = model("arch=x86,cpus=1,spaces=2,asids=1,pages=1,huge=0,ops=1,bug=pcid-reuse-no-flush").initial();
        AsidKernel.switchTo(s, 0, 0);
        AsidKernel.munmap(s, 0, 0);
        assertThat(s.slotGen(0, 0)).isEqualTo(1);
        assertThat(AsidKernel.switchTo(s, 0, 1)).isEqualTo("cpu0 switch to mmB: recycles pcid slot 0 without a flush");
        assertThat(s.slotSpace(0, 0)).isEqualTo(1);
        assertThat(s.slotGen(0, 0)).isEqualTo(s.tlbGen(1)).isZero();
    }

    @Test
    void theShootdownReachesOnlyCpusInTheSpacesMaskThatRunIt() {
        AsidState s = model("arch=x86,cpus=3,spaces=2,asids=1,pages=1,huge=0,ops=2").initial();
        AsidKernel.switchTo(s, 0, 0);
        AsidKernel.switchTo(s, 1, 0);
        AsidKernel.switchTo(s, 2, 1);
        assertThat(s.cpuMask(0)).isEqualTo(0b011);
        assertThat(AsidKernel.mprotect(s, 0, 0)).isEqualTo("cpu0 mprotect(p0) of mmA; tlb_gen 1, flush on {cpu0,cpu1}");
        // cpu1 taken out of mmA's mask while it still runs mmA: the shootdown follows the mask
        s.setCpuMask(0, 0b001);
        s.pte[0] = AsidState.encodePte(AsidState.frameOf(0, 0), true);
        assertThat(AsidKernel.munmap(s, 0, 0)).isEqualTo("cpu0 munmap(p0) of mmA; tlb_gen 2, flush on {cpu0}");
        assertThat(s.slotGen(1, 0)).isEqualTo(1);
    }

    @Test
    void aCpuLeftInTheMaskThatRunsAnotherSpaceIsNotFlushedForThisOne() {
        AsidState s = model("arch=x86,cpus=3,spaces=2,asids=1,pages=1,huge=0,ops=1").initial();
        AsidKernel.switchTo(s, 0, 0);
        AsidKernel.switchTo(s, 2, 1);
        AsidModel.fill(s, 2, 0);
        // cpu2 left in mmA's mask though it runs mmB (x86 clears mm_cpumask lazily; the IPI handler checks loaded_mm)
        s.setCpuMask(0, 0b101);
        assertThat(AsidKernel.munmap(s, 0, 0)).isEqualTo("cpu0 munmap(p0) of mmA; tlb_gen 1, flush on {cpu0}");
        assertThat(s.tlb(2)).hasSize(1);
        assertThat(s.slotGen(2, 0)).isZero();
    }
}
