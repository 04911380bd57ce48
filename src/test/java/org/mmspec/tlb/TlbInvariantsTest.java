package org.mmspec.tlb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmspec.tlb.TlbTestSupport.model;
import static org.mmspec.tlb.TlbTestSupport.violatedIds;
import static org.mmspec.tlb.TlbTestSupport.walk;

import org.junit.jupiter.api.Test;
import org.mmspec.tlb.hw.Mmu;
import org.mmspec.tlb.hw.Pte;

/** Each invariant, shown to fire alone on a reachable state corrupted in exactly its way. */
class TlbInvariantsTest {
    private static final String MUNMAP = "cpus=3,pages=2,tlb=2,mode=single,ops=cpu0:munmap(0)";
    private static final String MPROTECT = "cpus=3,pages=2,tlb=2,mode=single,ops=cpu0:mprotect(0)";
    private static final String RECLAIM = "cpus=3,pages=2,tlb=2,mode=single,ops=cpu0:reclaim";

    private static TlbState munmapCompleted(ShootdownModel m) {
        return walk(m, "cpu0 munmap(p0): write PTEs", "cpu0 munmap(p0): send IPIs", "cpu0 munmap(p0): invalidate locally",
                "cpu1 takes IPI", "cpu1 ack", "cpu2 takes IPI", "cpu2 ack", "cpu0 munmap(p0): all acknowledgements in");
    }

    @Test
    void reachableStatesSatisfyEveryInvariant() {
        ShootdownModel m = model(MUNMAP);
        assertThat(violatedIds(munmapCompleted(m))).isEmpty();
    }

    @Test
    void TLB_1_catchesStaleEntryAfterCompletion() {
        ShootdownModel m = model(MUNMAP);
        TlbState s = munmapCompleted(m);
        TlbState bad = s.withTlb(1, Mmu.fill(s.tlb(1), m.config().initialPageTable(), 0));
        assertThat(violatedIds(bad)).containsExactly("TLB-1");
    }

    @Test
    void TLB_2_catchesFreedTableStillInPagingStructureCache() {
        ShootdownModel m = model(RECLAIM);
        TlbState s = walk(m, "cpu0 reclaim: write PTEs", "cpu0 reclaim: send IPIs", "cpu0 reclaim: invalidate locally",
                "cpu1 takes IPI", "cpu1 ack", "cpu2 takes IPI", "cpu2 ack", "cpu0 reclaim: all acknowledgements in",
                "cpu0 reclaim: free", "cpu0 reclaim: returns");
        assertThat(violatedIds(s)).isEmpty();
        TlbState bad = s.withTlb(2, Mmu.cacheTable(s.tlb(2)));
        assertThat(violatedIds(bad)).containsExactly("TLB-2");
    }

    @Test
    void TLB_3_catchesWritableEntryAfterMprotectCompleted() {
        ShootdownModel m = model(MPROTECT);
        TlbState s = walk(m, "cpu0 mprotect(p0): write PTEs", "cpu0 mprotect(p0): send IPIs",
                "cpu0 mprotect(p0): invalidate locally", "cpu1 takes IPI", "cpu1 ack", "cpu2 takes IPI", "cpu2 ack",
                "cpu0 mprotect(p0): all acknowledgements in");
        TlbState bad = s.withTlb(1, Mmu.fill(s.tlb(1), m.config().initialPageTable(), 0));
        assertThat(Pte.writable(bad.tlb(1).entry(0))).isTrue();
        assertThat(violatedIds(bad)).containsExactly("TLB-3");
    }

    @Test
    void TLB_4_catchesUnaccountedStaleEntryAfterReturn() {
        ShootdownModel m = model(MPROTECT);
        TlbState s = walk(m, "cpu0 mprotect(p0): write PTEs", "cpu0 mprotect(p0): send IPIs",
                "cpu0 mprotect(p0): invalidate locally", "cpu1 takes IPI", "cpu1 ack", "cpu2 takes IPI", "cpu2 ack",
                "cpu0 mprotect(p0): all acknowledgements in", "cpu0 mprotect(p0): returns");
        TlbState bad = s.withTlb(2, Mmu.fill(s.tlb(2), m.config().initialPageTable(), 0));
        assertThat(violatedIds(bad)).containsExactly("TLB-4");
    }

    @Test
    void TLB_4_catchesLazyEntryOnCpuThatClaimsItFlushed() {
        ShootdownModel m = model("cpus=3,pages=2,tlb=2,mode=lazy,ops=cpu0:munmap(0)");
        TlbState s = walk(m, "hw cpu1 fills p0", "cpu0 munmap(p0): write PTEs", "cpu0 munmap(p0): invalidate locally",
                "cpu0 munmap(p0): defer", "cpu0 munmap(p0): returns");
        assertThat(violatedIds(s)).isEmpty();
        TlbState caughtUp = walk(m, "hw cpu1 fills p0", "cpu0 munmap(p0): write PTEs", "cpu0 munmap(p0): invalidate locally",
                "cpu0 munmap(p0): defer", "cpu0 munmap(p0): returns", "cpu1 lazy catch-up");
        TlbState bad = caughtUp.withTlb(1, s.tlb(1));
        assertThat(violatedIds(bad)).containsExactly("TLB-4");
    }

    @Test
    void TLB_5_catchesStuckWaitWithNoKernelStep() {
        ShootdownModel m = model("cpus=2,pages=2,tlb=2,mode=single,ops=cpu0:munmap(0);cpu1:munmap(1),bug=wait-irqs-off");
        TlbState s = walk(m, "cpu0 munmap(p0): write PTEs", "cpu1 munmap(p1): write PTEs", "cpu0 munmap(p0): send IPIs",
                "cpu1 munmap(p1): send IPIs", "cpu0 munmap(p0): invalidate locally", "cpu1 munmap(p1): invalidate locally");
        assertThat(violatedIds(s)).containsExactly("TLB-5");
    }

    @Test
    void TLB_6_catchesLostIpi() {
        ShootdownModel m = model(MUNMAP);
        TlbState s = walk(m, "cpu0 munmap(p0): write PTEs", "cpu0 munmap(p0): send IPIs");
        TlbState bad = s.withMailbox(1, 0);
        assertThat(violatedIds(bad)).containsExactly("TLB-6");
    }
}
