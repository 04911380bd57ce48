package org.mmspec.heap;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.mmspec.check.Violation;
import org.mmspec.debug.DebugInvariants;

/**
 * Negative tests of DEBUG-1..DEBUG-5 (in the heap's test package because they corrupt heap
 * internals): each stages one corruption and asserts that exactly that invariant reports it.
 */
class DebugInvariantsTest {

    private static List<String> broken(SlabAllocator h) {
        return DebugInvariants.ALL.violations(h).stream().map(Violation::invariantId).toList();
    }

    private static SlabAllocator heap(HeapDebugOptions d) {
        SlabAllocator h = HeapFixtures.small(d).heap;
        h.allocate(0, 100, CallSite.of("vfs_open", 12));
        h.free(1, h.allocate(1, 100, CallSite.of("vfs_open", 12)), 100);
        h.allocate(0, 30_000, CallSite.of("pt_alloc", 40));
        assertThat(broken(h)).isEmpty();
        assertThat(HeapFixtures.broken(h)).isEmpty();
        return h;
    }

    @Test
    void DEBUG_1_catchesAnOverflowIntoTheRedZone() {
        SlabAllocator h = heap(HeapDebugOptions.ALL);
        Allocation a = h.liveAllocations().get(0);
        h.memory().write(a.addr().plus(a.requested()), (byte) 0);
        assertThat(broken(h)).containsExactly("DEBUG-1");
    }

    @Test
    void DEBUG_2_catchesAWriteIntoAPoisonedFreeObject() {
        SlabAllocator h = heap(new HeapDebugOptions(true, true, false, false, true));
        long free = h.freeSlabObjects().get(0);
        h.memory().write(HeapAddr.ofOffset(free).plus(5), (byte) 0);
        assertThat(broken(h)).containsExactly("DEBUG-2");
    }

    @Test
    void DEBUG_3_catchesAFreeObjectWhoseChecksumChanged() {
        SlabAllocator h = heap(new HeapDebugOptions(true, false, false, true, true));
        long free = h.freeSlabObjects().get(0);
        h.memory().write(HeapAddr.ofOffset(free), (byte) 0x5A);
        assertThat(broken(h)).containsExactly("DEBUG-3");
    }

    @Test
    void DEBUG_4_catchesATrackedAllocationWithoutACallSite() {
        SlabAllocator h = heap(HeapDebugOptions.ALL);
        Allocation a = h.live.firstEntry().getValue();
        h.live.put(a.addr().offset(), new Allocation(a.addr(), a.requested(), a.sizeClass(), a.blockBytes(), a.cpu(),
                CallSite.UNKNOWN));
        assertThat(broken(h)).containsExactly("DEBUG-4");
    }

    @Test
    void DEBUG_5_catchesStatisticsThatDisagreeWithTheStructure() {
        SlabAllocator h = heap(HeapDebugOptions.ALL);
        h.allocs[0][SizeClass.B128.ordinal()]++;
        assertThat(broken(h)).containsExactly("DEBUG-5");
    }
}
