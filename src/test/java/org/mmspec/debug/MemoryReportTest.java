package org.mmspec.debug;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.mmspec.frames.FrameRange;
import org.mmspec.frames.ReferenceFrameAllocator;
import org.mmspec.heap.CallSite;
import org.mmspec.heap.HeapAddr;
import org.mmspec.heap.HeapConfig;
import org.mmspec.heap.HeapDebugOptions;
import org.mmspec.heap.SlabAllocator;

/** {@code echo mem > /sys/kernel/debug/memory} and the leak report, on a small heap. */
class MemoryReportTest {

    private final ReferenceFrameAllocator frames = new ReferenceFrameAllocator(FrameRange.of(16, 64));
    private final SlabAllocator heap = new SlabAllocator(frames, HeapConfig.of(2, 4, 2, 1).withDebug(HeapDebugOptions.ALL));

    private DebugFs debugFs() {
        return new DebugFs(new MemoryReport(HeapStatsAdapters.frames(frames),
                HeapStatsAdapters.zones(() -> List.of(new StatsProviders.ZoneStats("Normal", 64, frames.freeFrames()))),
                HeapStatsAdapters.nodes(() -> List.of(new StatsProviders.NodeStats(0, 64, frames.freeFrames(), List.of(0, 1)))),
                HeapStatsAdapters.slabs(heap), HeapStatsAdapters.large(heap)));
    }

    @Test
    void memReportShowsFramesZonesNodesSlabsPerCpuCachesAndTheLargeAllocator() {
        heap.allocate(0, 100);
        heap.free(1, heap.allocate(0, 100), 100);
        heap.allocate(1, 40_000);
        String text = debugFs().write("mem");
        assertThat(text).contains("[frames]", "[zones]", "[numa]", "[slab]", "[percpu]", "[large]");
        assertThat(text).containsPattern("128 +1 +1 +");
        assertThat(text).contains("cpu1 128    cached 1", "Normal", "node0");
        assertThat(text).contains("40000 requested");
        System.out.println(text);
    }

    @Test
    void anUnknownCommandIsATypedError() {
        assertThatThrownBy(() -> debugFs().write("dump_pt 0x1000")).isInstanceOf(DebugError.class)
                .hasMessageContaining("unknown debug command");
        assertThat(debugFs().register("dump_pt", args -> "pt at " + args[0]).write("\"dump_pt 0x1000\"")).isEqualTo("pt at 0x1000");
    }

    @Test
    void leaksAreReportedByCallSiteLargestFirstAndExcludeWhatWasLiveAtTheMark() {
        heap.allocate(0, 64, CallSite.of("boot", 1));
        LeakDetector.Mark mark = LeakDetector.mark(heap);
        heap.allocate(0, 64, CallSite.of("vfs_open", 10));
        heap.allocate(1, 64, CallSite.of("vfs_open", 10));
        HeapAddr freed = heap.allocate(1, 500, CallSite.of("net_rx", 7));
        heap.allocate(0, 20_000, CallSite.of("pt_alloc", 3));
        heap.free(0, freed, 500);
        List<LeakDetector.Group> groups = LeakDetector.report(heap, mark);
        assertThat(groups).extracting(g -> g.site().toString()).containsExactly("pt_alloc:3", "vfs_open:10");
        assertThat(groups.get(1).count()).isEqualTo(2);
        assertThat(groups.get(1).bytes()).isEqualTo(128);
        assertThat(LeakDetector.render(groups)).contains("unreleased: 2 allocations, 128 bytes, from vfs_open:10");
    }
}
