package org.mmspec.heap;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.mmspec.debug.DebugInvariants;
import org.mmspec.frames.FrameRange;
import org.mmspec.frames.ReferenceFrameAllocator;

class CallSiteTrackingTest {
    private static SlabAllocator heap(HeapDebugOptions debug) {
        return new SlabAllocator(new ReferenceFrameAllocator(FrameRange.of(0, 256), List.of()),
                HeapConfig.of(2, 4, 2, 1).withDebug(debug));
    }

    @Test
    void DEBUG_4_allocationWithoutAnExplicitSiteRecordsItsCaller() {
        SlabAllocator h = heap(HeapDebugOptions.ALL);
        HeapAddr a = h.allocate(0, 100);
        assertThat(DebugInvariants.DEBUG_4.evaluate(h)).isEmpty();
        assertThat(String.valueOf(h.liveAllocations())).contains("CallSiteTrackingTest.DEBUG_4_allocationWithoutAnExplicitSiteRecordsItsCaller");
        h.free(0, a, 100);
    }
}
