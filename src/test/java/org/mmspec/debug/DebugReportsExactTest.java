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
import org.mmspec.heap.HeapStats;
import org.mmspec.heap.SizeClass;
import org.mmspec.heap.SlabAllocator;

/**
 * The debug reports character by character: the memory report's sections and which rows it
 * leaves out, the debugfs command line, the leak report's grouping and order, and the adapters.
 */
class DebugReportsExactTest {

    private static HeapStats.ClassStats cls(SizeClass c, long objects, long allocs) {
        return new HeapStats.ClassStats(c, 1, 2, 3, 4, objects, 5, 6, 7, 8, allocs, 9);
    }

    private static HeapStats.CpuStats cpu(int id, SizeClass c, long cached, long allocs, long frees) {
        return new HeapStats.CpuStats(id, c, cached, allocs, frees, 11, 12, 13);
    }

    private static MemoryReport report(List<HeapStats.ClassStats> classes, List<HeapStats.CpuStats> cpus) {
        return new MemoryReport(() -> new StatsProviders.FrameStats(64, 40),
                HeapStatsAdapters.zones(() -> List.of(new StatsProviders.ZoneStats("DMA", 16, 4))),
                HeapStatsAdapters.nodes(() -> List.of(new StatsProviders.NodeStats(1, 64, 40, List.of(0, 1)))),
                new StatsProviders.SlabStatsProvider() {
                    @Override
                    public List<HeapStats.ClassStats> classStats() {
                        return classes;
                    }

                    @Override
                    public List<HeapStats.CpuStats> cpuStats() {
                        return cpus;
                    }
                },
                () -> new HeapStats.LargeStats(2, 53_248, 3200, 50_048, 1, 2, 3200, 50_000, 5, 3));
    }

    @Test
    void theMemoryReportSpellsOutEverySection() {
        String text = report(
                List.of(cls(SizeClass.B8, 0, 0), cls(SizeClass.B16, 0, 1), cls(SizeClass.B32, 512, 0)),
                List.of(cpu(0, SizeClass.B8, 0, 0, 0), cpu(0, SizeClass.B16, 0, 1, 0), cpu(1, SizeClass.B16, 0, 0, 1),
                        cpu(1, SizeClass.B32, 2, 0, 0))).render();
        String n = System.lineSeparator();
        assertThat(text).isEqualTo("[frames]\n"
                + "  managed      64 frames (256 KiB)" + n
                + "  free         40 frames" + n
                + "  used         24 frames" + n
                + "[zones]\n"
                + "  DMA          4/16 frames free" + n
                + "[numa]\n"
                + "  node1        40/64 frames free, cpus [0, 1]" + n
                + "[slab]\n"
                + "  class     live  cached    free objects partial    full   allocs    frees frames" + n
                + "  16           7       6       5       0       1       2        1        9      4" + n
                + "  32           7       6       5     512       1       2        0        9      4" + n
                + "[percpu]\n"
                + "  cpu0 16     cached 0 allocs 1 frees 0 hits 11 refills 12 flushes 13" + n
                + "  cpu1 16     cached 0 allocs 0 frees 1 hits 11 refills 12 flushes 13" + n
                + "  cpu1 32     cached 2 allocs 0 frees 0 hits 11 refills 12 flushes 13" + n
                + "[large]\n"
                + "  arenas       2 (53248 bytes)" + n
                + "  used         50048 bytes in 2 blocks (50000 requested)" + n
                + "  free         3200 bytes in 1 blocks, largest 3200" + n
                + "  allocs/frees 5/3" + n);
    }

    @Test
    void debugFsTakesTheFirstWordAsTheCommandAndPassesTheRest() {
        DebugFs fs = new DebugFs(report(List.of(), List.of()));
        assertThat(fs.write("  mem  ")).startsWith("[frames]");
        fs.register("echo", args -> String.join("|", args));
        assertThat(fs.write("\"echo a  b\tc\"")).isEqualTo("a|b|c");
        assertThat(fs.write("echo")).isEmpty();
        assertThatThrownBy(() -> fs.write("frob x")).isInstanceOf(DebugError.class)
                .hasMessage("unknown debug command 'frob'; known: [echo, mem]")
                .satisfies(e -> assertThat(((DebugError) e).errorKind()).isEqualTo(DebugError.Kind.UNKNOWN_COMMAND));
    }

    @Test
    void theAdaptersReadTheHeapAndTheFrameAllocatorLive() {
        ReferenceFrameAllocator frames = new ReferenceFrameAllocator(FrameRange.of(16, 64));
        SlabAllocator heap = new SlabAllocator(frames, HeapConfig.of(2, 4, 2, 1));
        heap.allocate(1, 40_000);
        heap.allocate(0, 64);
        assertThat(HeapStatsAdapters.frames(frames).frameStats()).isEqualTo(new StatsProviders.FrameStats(64, 64 - 11));
        assertThat(HeapStatsAdapters.large(heap).largeStats()).isEqualTo(heap.stats().large());
        assertThat(HeapStatsAdapters.slabs(heap).classStats()).isEqualTo(heap.stats().classes());
        assertThat(HeapStatsAdapters.slabs(heap).cpuStats()).isEqualTo(heap.stats().cpus());
        assertThat(HeapStatsAdapters.noZones().zoneStats()).isEmpty();
        assertThat(HeapStatsAdapters.noNodes().nodeStats()).isEmpty();
        List<StatsProviders.ZoneStats> zones = List.of(new StatsProviders.ZoneStats("Normal", 1, 1));
        assertThat(HeapStatsAdapters.zones(() -> zones).zoneStats()).isSameAs(zones);
    }

    @Test
    void leaksAreGroupedBySiteMostBytesFirstThenBySite() {
        ReferenceFrameAllocator frames = new ReferenceFrameAllocator(FrameRange.of(16, 64));
        SlabAllocator heap = new SlabAllocator(frames, HeapConfig.of(2, 4, 2, 1));
        HeapAddr boot = heap.allocate(0, 64, CallSite.of("boot", 1));
        LeakDetector.Mark mark = LeakDetector.mark(heap);
        HeapAddr b1 = heap.allocate(0, 100, CallSite.of("b", 2));
        HeapAddr a1 = heap.allocate(0, 50, CallSite.of("a", 1));
        HeapAddr a2 = heap.allocate(1, 50, CallSite.of("a", 1));
        HeapAddr c1 = heap.allocate(1, 30, CallSite.of("c", 3));
        List<LeakDetector.Group> groups = LeakDetector.report(heap, mark);
        // Tracking is off: every allocation is under the unknown site.
        assertThat(groups).containsExactly(
                new LeakDetector.Group(CallSite.UNKNOWN, 4, 230, List.of(b1, a1, a2, c1).stream().sorted().toList()));
        assertThat(boot).isNotNull();
        assertThat(LeakDetector.report(heap, LeakDetector.empty())).singleElement()
                .satisfies(g -> assertThat(g.count()).isEqualTo(5));
        assertThat(LeakDetector.render(groups)).isEqualTo(String.format("unreleased: 4 allocations, 230 bytes, from ?:0%n"));
        assertThat(LeakDetector.render(List.of())).isEmpty();
    }

    @Test
    void trackedLeaksAreOrderedByBytesThenSite() {
        ReferenceFrameAllocator frames = new ReferenceFrameAllocator(FrameRange.of(16, 64));
        SlabAllocator heap = new SlabAllocator(frames, HeapConfig.of(2, 4, 2, 1)
                .withDebug(new org.mmspec.heap.HeapDebugOptions(false, false, false, false, true)));
        heap.allocate(0, 64, CallSite.of("boot", 1));
        LeakDetector.Mark mark = LeakDetector.mark(heap);
        HeapAddr b1 = heap.allocate(0, 100, CallSite.of("b", 2));
        HeapAddr a1 = heap.allocate(0, 50, CallSite.of("a", 1));
        HeapAddr a2 = heap.allocate(1, 50, CallSite.of("a", 1));
        HeapAddr c1 = heap.allocate(1, 30, CallSite.of("c", 3));
        HeapAddr d1 = heap.allocate(1, 200, CallSite.of("d", 4));
        List<LeakDetector.Group> groups = LeakDetector.report(heap, mark);
        assertThat(groups).containsExactly(
                new LeakDetector.Group(CallSite.of("d", 4), 1, 200, List.of(d1)),
                new LeakDetector.Group(CallSite.of("a", 1), 2, 100, List.of(a1, a2).stream().sorted().toList()),
                new LeakDetector.Group(CallSite.of("b", 2), 1, 100, List.of(b1)),
                new LeakDetector.Group(CallSite.of("c", 3), 1, 30, List.of(c1)));
        assertThat(LeakDetector.render(groups)).startsWith(String.format(
                "unreleased: 1 allocations, 200 bytes, from d:4%nunreleased: 2 allocations, 100 bytes, from a:1%n"));
    }
}
