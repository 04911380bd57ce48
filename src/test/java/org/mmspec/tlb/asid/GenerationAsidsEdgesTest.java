package org.mmspec.tlb.asid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmspec.tlb.asid.AsidTestSupport.model;

import org.junit.jupiter.api.Test;

/**
 * A reserved ASID survives a second rollover: a CPU that has not switched since the first
 * rollover has no active ASID, so {@code flush_context} keeps its reserved one (Linux arm64
 * {@code flush_context}: {@code if (asid == 0) asid = per_cpu(reserved_asids, i)}), the new
 * generation does not hand that ASID to another space, and the CPU's space renews it when the CPU
 * next switches to it (here, back from a kernel thread).
 */
class GenerationAsidsEdgesTest {
    private static int ctx(int generation, int asid) {
        return generation * AsidState.CTX_SPAN + asid;
    }

    @Test
    void aCpuIdleSinceTheLastRolloverKeepsItsReservedAsidThroughTheNext() {
        AsidState s = model("arch=aarch64,cpus=2,spaces=4,asids=3,pages=1,huge=0,ops=0,generations=3").initial();
        AsidKernel.switchTo(s, 1, 0);
        AsidKernel.switchTo(s, 0, 1);
        AsidKernel.switchTo(s, 0, 2);
        AsidKernel.switchTo(s, 0, 3);
        assertThat(s.generation()).isEqualTo(2);
        assertThat(s.active(1)).isZero();
        assertThat(s.reserved(1)).isEqualTo(ctx(1, 1));
        AsidKernel.switchTo(s, 0, 1);
        assertThat(s.generation()).isEqualTo(3);
        assertThat(s.reserved(1)).isEqualTo(ctx(1, 1));
        assertThat(s.reserved(0)).isEqualTo(ctx(2, 2));
        assertThat(s.asidMap()).isEqualTo(0b1110);
        assertThat(s.context(1)).isEqualTo(ctx(3, 3));
        AsidKernel.enterLazy(s, 1);
        assertThat(AsidKernel.switchTo(s, 1, 0)).startsWith("cpu1 switch to mmA: reserved g1:a1 renewed as g3:a1");
        assertThat(s.context(0)).isEqualTo(ctx(3, 1));
        assertThat(AsidInvariants.ALL.violations(s)).isEmpty();
    }
}
