package org.mmspec.tlb.asid;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.mmspec.check.Bounds;

/**
 * The state as a counterexample shows it, line for line on each architecture (the allocator, each
 * space's page table and tag, each CPU's tag, slots and TLB), and the identity the explorer relies
 * on: equal states hash alike, a changed field changes equality (PIT found the rendering and the
 * hash unchecked).
 */
class AsidStateRenderingTest {

    private static AsidState state(String bounds) {
        return AsidState.initial(AsidConfig.fromBounds(Bounds.parse(bounds)));
    }

    private static String f(AsidState s, int space, int page) {
        return "f" + s.pteFrame(space, page);
    }

    @Test
    void aarch64ShowsTheAllocatorContextsAndReservedAsids() {
        AsidState s = state("arch=aarch64,cpus=2,spaces=2,asids=3,pages=2,huge=1,ops=1,generations=1");
        AsidKernel.switchTo(s, 0, 0);
        AsidKernel.switchTo(s, 1, 1);
        AsidKernel.enterLazy(s, 1);
        AsidKernel.munmap(s, 0, 1); // splits mmA's 2 MiB leaf
        AsidModel.fill(s, 0, 0);
        assertThat(s.toString()).isEqualTo(String.join("\n",
                "allocator: generation 1, map {1,2}, flush pending {}",
                "mmA: PT[p0 " + f(s, 0, 0) + " rw, p1 -], context g1:a1",
                "mmB: PT[2M " + f(s, 1, 0) + " rw], context g1:a2",
                "cpu0: runs mmA asid 1, active g1:a1, reserved -, TLB[t1:p0 " + f(s, 0, 0) + " rw (mmA)]",
                "cpu1: lazy on mmB asid 2, active g1:a2, reserved -, TLB[]"));
    }

    @Test
    void riscvAddsTheCpuMaskOfEachSpace() {
        AsidState s = state("arch=riscv,cpus=2,spaces=2,asids=3,pages=2,huge=0,ops=1,generations=1");
        AsidKernel.switchTo(s, 1, 1);
        AsidKernel.mprotect(s, 1, 0);
        AsidModel.fill(s, 1, 0);
        AsidModel.fill(s, 1, 1);
        assertThat(s.toString()).isEqualTo(String.join("\n",
                "allocator: generation 1, map {1}, flush pending {}",
                "mmA: PT[p0 " + f(s, 0, 0) + " rw, p1 " + f(s, 0, 1) + " rw], context -, mask {}",
                "mmB: PT[p0 " + f(s, 1, 0) + " r, p1 " + f(s, 1, 1) + " rw], context g1:a1, mask {cpu1}",
                "cpu0: idle, active -, reserved -, TLB[]",
                "cpu1: runs mmB asid 1, active g1:a1, reserved -, TLB[t1:p0 " + f(s, 1, 0) + " r (mmB), t1:p1 "
                        + f(s, 1, 1) + " rw (mmB)]"));
    }

    @Test
    void x86ShowsTlbGenerationsAndEachCpusSlots() {
        AsidState s = state("arch=x86,cpus=2,spaces=3,asids=2,pages=2,huge=0,ops=1,generations=1");
        AsidKernel.switchTo(s, 0, 2);
        AsidKernel.switchTo(s, 0, 0);
        AsidModel.fill(s, 0, 1);
        AsidKernel.mprotect(s, 0, 0);
        assertThat(s.toString()).isEqualTo(String.join("\n",
                "mmA: PT[p0 " + f(s, 0, 0) + " r, p1 " + f(s, 0, 1) + " rw], tlb_gen " + s.tlbGen(0) + ", mask {cpu0}",
                "mmB: PT[p0 " + f(s, 1, 0) + " rw, p1 " + f(s, 1, 1) + " rw], tlb_gen " + s.tlbGen(1) + ", mask {}",
                "mmC: PT[p0 " + f(s, 2, 0) + " rw, p1 " + f(s, 2, 1) + " rw], tlb_gen " + s.tlbGen(2) + ", mask {}",
                "cpu0: runs mmA pcid slot 1, slots [0: mmC @" + s.slotGen(0, 0) + ", 1: mmA @" + s.slotGen(0, 1)
                        + "], TLB[t1:p1 " + f(s, 0, 1) + " rw (mmA)]",
                "cpu1: idle, slots [0: -, 1: -], TLB[]"));
        assertThat(AsidState.spaceName(-1)).isEqualTo("-");
        assertThat(AsidState.ctxName(0)).isEqualTo("-");
        assertThat(AsidState.cpus(0b101)).isEqualTo("{cpu0,cpu2}");
    }

    @Test
    void equalStatesHashAlikeAndEveryChangeIsSeen() {
        AsidState a = state("arch=x86,cpus=2,spaces=2,asids=2,pages=2,huge=1,ops=1");
        AsidState b = a.copy();
        assertThat(b).isEqualTo(a).hasSameHashCodeAs(a);
        assertThat(b.key()).isEqualTo(a.key());
        assertThat(a).isNotEqualTo("mmA");
        AsidKernel.switchTo(b, 1, 0);
        assertThat(b).isNotEqualTo(a);
        assertThat(b.hashCode()).isNotEqualTo(a.hashCode());
        assertThat(b.key()).isNotEqualTo(a.key());
        AsidState c = b.copy();
        AsidModel.fill(c, 1, 0);
        assertThat(c).isNotEqualTo(b);
        assertThat(c.hashCode()).isNotEqualTo(b.hashCode());
        AsidState d = b.copy();
        AsidKernel.enterLazy(d, 1);
        assertThat(d).isNotEqualTo(b);
        assertThat(d.key()).isNotEqualTo(b.key());
        assertThat(d.hashCode()).isNotEqualTo(b.hashCode());
    }

    @Test
    void theTlbIsASetFillOrderDoesNotMatterAndTheMapShowsTheTopAsid() {
        AsidState a = state("arch=aarch64,cpus=2,spaces=3,asids=3,pages=2,huge=0,ops=1,generations=1");
        AsidKernel.switchTo(a, 0, 0);
        AsidState b = a.copy();
        AsidModel.fill(a, 0, 0);
        AsidModel.fill(a, 0, 1);
        AsidModel.fill(b, 0, 1);
        AsidModel.fill(b, 0, 0);
        assertThat(b).isEqualTo(a);
        assertThat(b.key()).isEqualTo(a.key());
        AsidKernel.switchTo(a, 1, 1);
        AsidKernel.switchTo(a, 0, 2);
        assertThat(a.toString()).startsWith("allocator: generation 1, map {1,2,3}, flush pending {}\n");
    }
}
