package org.mmspec.pcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.mmspec.check.Violation;
import org.mmspec.frames.PhysFrame;
import org.mmspec.zones.AllocatorFactory;

/** A negative test per PCP invariant: a corrupted state that breaks exactly it, and a healthy state that keeps all. */
class PcpInvariantsTest {
    /** Node 0: frames 64-67 with CPUs 0 and 1; node 1: frames 128-129 with CPU 2. */
    static PcpAllocator machine() {
        return new PcpAllocator(PcpTopologies.of(new int[] {4, 2}, new int[] {0, 0, 1}), PcpConfig.of(3, 0, 2, 2),
                AllocatorFactory.REFERENCE, Bug.NONE);
    }

    private static List<String> broken(PcpAllocator a) {
        return PcpInvariants.ALL.violations(a).stream().map(Violation::invariantId).toList();
    }

    @Test
    void aFreshAndABusyMachineKeepEveryInvariant() {
        PcpAllocator a = machine();
        assertThat(broken(a)).isEmpty();
        PhysFrame f = a.allocate(0);
        a.allocate(2);
        a.free(1, f);
        assertThat(broken(a)).isEmpty();
    }

    @Test
    void PCP_1_aFrameMarkedFreeThatItsNodeStillHoldsIsLost() {
        PcpAllocator a = machine();
        PhysFrame f = a.allocate(0);
        a.corruptPlace(f.number(), PcpAllocator.FREE);
        assertThat(broken(a)).containsExactly("PCP-1");
        assertThat(PcpInvariants.PCP_1.evaluate(a).orElseThrow().message()).contains("lost");
    }

    @Test
    void PCP_1_anAllocatedFrameThatItsNodeHoldsFreeBreaksConservation() {
        PcpAllocator a = machine();
        a.corruptPlace(a.firstFrame() + 3, PcpAllocator.ALLOCATED);
        assertThat(broken(a)).containsExactly("PCP-1");
    }

    @Test
    void PCP_2_aFrameCachedTwiceIsADuplicate() {
        PcpAllocator a = machine();
        a.allocate(0); // refills two, hands out one; cpu0 caches the other
        long cached = a.cached(0)[0];
        a.corruptPush(1, cached);
        assertThat(broken(a)).contains("PCP-2");
        assertThat(PcpInvariants.PCP_2.evaluate(a).orElseThrow().message()).contains("cached");
    }

    @Test
    void PCP_2_aCachedFrameAlsoHandedOutIsADuplicate() {
        PcpAllocator a = machine();
        a.allocate(0);
        a.corruptPlace(a.cached(0)[0], PcpAllocator.ALLOCATED);
        assertThat(broken(a)).contains("PCP-2");
    }

    @Test
    void PCP_3_anOutOfMemoryWhileFramesWereFreeIsSpurious() {
        PcpAllocator a = machine();
        a.corruptOom(new PcpStats.OomWitness(0, 1, 3));
        assertThat(broken(a)).containsExactly("PCP-3");
        a.corruptOom(new PcpStats.OomWitness(0, 4, 3));
        assertThat(broken(a)).isEmpty();
    }

    @Test
    void PCP_4_aCacheAboveItsHighWatermarkBreaksIt() {
        PcpAllocator a = machine();
        PhysFrame[] three = a.allocateBatch(0, 3);
        for (PhysFrame f : three) {
            a.corruptPlace(f.number(), 0);
            a.corruptPush(0, f.number());
        }
        assertThat(broken(a)).containsExactly("PCP-4");
    }

    @Test
    void PCP_5_aCachedFrameOfAnotherNodeBreaksLocality() {
        PcpAllocator a = machine();
        PhysFrame remote = a.allocate(2); // node 1's frame
        a.corruptPlace(remote.number(), 0);
        a.corruptPush(0, remote.number());
        assertThat(broken(a)).containsExactly("PCP-5");
    }
}
