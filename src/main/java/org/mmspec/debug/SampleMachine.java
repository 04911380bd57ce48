package org.mmspec.debug;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.mmspec.frames.FrameAllocator;
import org.mmspec.frames.FrameError;
import org.mmspec.frames.FrameRange;
import org.mmspec.frames.PhysFrame;
import org.mmspec.heap.CallSite;
import org.mmspec.heap.HeapConfig;
import org.mmspec.heap.HeapDebugOptions;
import org.mmspec.heap.SlabAllocator;
import org.mmspec.numa.Binding;
import org.mmspec.numa.CpuSet;
import org.mmspec.numa.NodeId;
import org.mmspec.numa.NodeSpec;
import org.mmspec.numa.NumaAllocator;
import org.mmspec.numa.NumaNode;
import org.mmspec.numa.NumaRequest;
import org.mmspec.numa.NumaTopology;
import org.mmspec.paging.Page;
import org.mmspec.paging.PageFlags;
import org.mmspec.paging.PageMapper;
import org.mmspec.paging.PhysicalMemory;
import org.mmspec.paging.TlbFlushSink;
import org.mmspec.paging.VirtAddr;
import org.mmspec.paging.x86_64.X86_64Pte;
import org.mmspec.zones.WordSize;
import org.mmspec.zones.ZoneLayout;
import org.mmspec.zones.ZoneType;

/**
 * A small booted machine whose debug file answers the seed's debug commands with real figures:
 * {@code echo mem > /sys/kernel/debug/memory}, {@code echo "dump_pt 0x1000" > ...} and
 * {@code cat /sys/devices/system/node/node*}{@code /meminfo}. {@code ./mmspec debug} prints them.
 *
 * <p>The machine: x86_64 (64-bit zones), three NUMA nodes each with its own HybridAllocator —
 * node 0 (CPUs 0-1) owns 1 MiB to 128 MiB (the BIOS area below 1 MiB is reserved), node 1
 * (CPUs 2-3) owns 128 MiB to 256 MiB, and node 2 is memory-only (CXL) with 256 MiB to 320 MiB.
 * The kernel heap and the page tables draw their frames from node 0 through the NUMA allocator
 * (strictly bound), so every frame the report counts has exactly one owner. The zone section is
 * the zones' view of the same frames: each zone window's usable frames, and how many of them the
 * node allocators report free. A few heap objects, a large allocation and two mappings are made
 * at boot so the report has something to show.
 */
public final class SampleMachine {
    /** Frames below 1 MiB: the BIOS area, never handed out. */
    static final long BIOS_END_FRAME = (1L << 20) / PhysFrame.SIZE;
    /** 128 MiB in frames: the size of nodes 0 and 1. */
    static final long NODE_FRAMES = (128L << 20) / PhysFrame.SIZE;
    /** 64 MiB in frames: the CXL node. */
    static final long CXL_FRAMES = (64L << 20) / PhysFrame.SIZE;
    static final int LOCAL = NumaTopology.LOCAL_DISTANCE;
    static final int REMOTE = 20;
    static final int CXL = 30;
    /** The {@code pcp} sample's first frame and frames per node. */
    static final long PCP_SAMPLE_FIRST_FRAME = 16;
    static final long PCP_SAMPLE_NODE_FRAMES = 32;
    /** The user page the seed's {@code dump_pt 0x1000} example walks. */
    public static final VirtAddr USER_PAGE = VirtAddr.of(0x1000);
    /** A user shadow-stack page (CET: R/W=0, D=1, NX), so that {@code dump_pt 0x2000} shows the SS type. */
    public static final VirtAddr SHADOW_STACK_PAGE = VirtAddr.of(0x2000);
    /** The first page of the seed's kernel heap region. */
    public static final VirtAddr KERNEL_HEAP_PAGE = VirtAddr.of(0xFFFF_C000_0000_0000L);

    private final NumaAllocator numa;
    private final SlabAllocator heap;
    private final PageMapper kernelTables;
    private final DebugFs debugFs;

    public SampleMachine() {
        NodeId n0 = NodeId.of(0);
        NodeId n1 = NodeId.of(1);
        NodeId n2 = NodeId.of(2);
        long node1Start = NODE_FRAMES;
        long node2Start = 2 * NODE_FRAMES;
        numa = new NumaAllocator(NumaTopology.of(List.of(
                new NodeSpec(n0, List.of(FrameRange.of(BIOS_END_FRAME, NODE_FRAMES - BIOS_END_FRAME)), CpuSet.of(0, 1),
                        Map.of(n0, LOCAL, n1, REMOTE, n2, CXL)),
                new NodeSpec(n1, List.of(FrameRange.of(node1Start, NODE_FRAMES)), CpuSet.of(2, 3),
                        Map.of(n0, REMOTE, n1, LOCAL, n2, CXL)),
                new NodeSpec(n2, List.of(FrameRange.of(node2Start, CXL_FRAMES)), CpuSet.empty(),
                        Map.of(n0, CXL, n1, CXL, n2, LOCAL)))));
        FrameAllocator node0 = new NodeFrames(numa, 0, n0);
        heap = new SlabAllocator(node0, HeapConfig.of(4, 8, 4, 1).withDebug(HeapDebugOptions.ALL));
        kernelTables = new PageMapper(X86_64Pte.FORMAT, new PhysicalMemory(), node0, TlbFlushSink.NONE);
        boot(node0);
        MemoryReport report = new MemoryReport(this::frameStats, this::zoneStats, this::nodeStats,
                HeapStatsAdapters.slabs(heap), HeapStatsAdapters.large(heap));
        debugFs = new DebugFs(report)
                .register("dump_pt", this::dumpPt)
                .register("meminfo", args -> numa.meminfo())
                .register("arm_mte", SampleMachine::armMte)
                .register("pcp", args -> MemoryReport.pcpSection(StatsProviders.PcpStatsProvider.of(pcpSample())));
    }

    /**
     * {@code arm_mte}: the AArch64 TBI/MTE/PAC report of {@link org.mmspec.hwsec.aarch64.ArmSecDebug#sample()};
     * {@code arm_mte PTR} decodes a pointer on CPU 0 of that machine.
     */
    private static String armMte(String[] args) {
        org.mmspec.hwsec.aarch64.ArmMm arm = org.mmspec.hwsec.aarch64.ArmSecDebug.sample();
        return args.length == 0 ? org.mmspec.hwsec.aarch64.ArmSecDebug.report(arm)
                : org.mmspec.hwsec.aarch64.ArmSecDebug.dumpPointer(arm, 0, parseAddress(args));
    }

    /**
     * {@code pcp}: the per-CPU frame caches of a small sample of their own (the sample machine's
     * frames all belong to its NUMA allocator, which has no per-CPU layer): two nodes of 32 frames,
     * CPUs 0-1 on node 0 and 2-3 on node 1, watermarks 2 and 6, batches of 4; CPU 0 allocates five
     * frames and frees two, CPU 2 allocates a batch of eight, and CPU 1 frees three of those (a
     * remote free, straight back to node 1).
     */
    static org.mmspec.pcp.PcpAllocator pcpSample() {
        NodeId n0 = NodeId.of(0);
        NodeId n1 = NodeId.of(1);
        org.mmspec.pcp.PcpAllocator pcp = new org.mmspec.pcp.PcpAllocator(NumaTopology.of(List.of(
                new NodeSpec(n0, List.of(FrameRange.of(PCP_SAMPLE_FIRST_FRAME, PCP_SAMPLE_NODE_FRAMES)), CpuSet.of(0, 1),
                        Map.of(n0, LOCAL, n1, REMOTE)),
                new NodeSpec(n1, List.of(FrameRange.of(PCP_SAMPLE_FIRST_FRAME + PCP_SAMPLE_NODE_FRAMES, PCP_SAMPLE_NODE_FRAMES)),
                        CpuSet.of(2, 3), Map.of(n0, REMOTE, n1, LOCAL)))),
                org.mmspec.pcp.PcpConfig.of(4, 2, 6, 4));
        List<PhysFrame> cpu0 = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            cpu0.add(pcp.allocate(0));
        }
        pcp.free(0, cpu0.get(0));
        pcp.free(0, cpu0.get(1));
        PhysFrame[] batch = pcp.allocateBatch(2, 8);
        pcp.freeBatch(1, new PhysFrame[] {batch[0], batch[1], batch[2]});
        return pcp;
    }

    /** Boot-time work, so the report shows live objects, cached objects, a large block and mappings. */
    private void boot(FrameAllocator node0) {
        CallSite vfs = CallSite.of("vfs_alloc_inode", 212);
        CallSite net = CallSite.of("sk_alloc", 2101);
        List<org.mmspec.heap.HeapAddr> freed = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            heap.allocate(i % 4, 64, vfs);
            freed.add(heap.allocate(i % 4, 512, net));
        }
        for (int i = 0; i < freed.size(); i += 2) {
            heap.free(i % 4, freed.get(i), 512);
        }
        heap.allocate(0, 64 * 1024, CallSite.of("vmalloc_area", 77));
        kernelTables.map(Page.containing(USER_PAGE), node0.allocate(), PageFlags.PRESENT.with(PageFlags.USER)
                .with(PageFlags.NO_EXECUTE));
        kernelTables.map(Page.containing(SHADOW_STACK_PAGE), node0.allocate(), PageFlags.of(PageFlags.PRESENT,
                PageFlags.USER, PageFlags.ACCESSED, PageFlags.DIRTY, PageFlags.NO_EXECUTE));
        kernelTables.map(Page.containing(KERNEL_HEAP_PAGE), node0.allocate(), PageFlags.PRESENT
                .with(PageFlags.WRITABLE).with(PageFlags.GLOBAL).with(PageFlags.NO_EXECUTE));
    }

    /** {@code echo <line> > /sys/kernel/debug/memory}. */
    public String debug(String line) {
        return debugFs.write(line);
    }

    public NumaAllocator numa() {
        return numa;
    }

    public SlabAllocator heap() {
        return heap;
    }

    StatsProviders.FrameStats frameStats() {
        long managed = 0;
        long free = 0;
        for (NumaNode n : numa.nodes()) {
            managed += n.totalFrames();
            free += n.freeFrames();
        }
        return new StatsProviders.FrameStats(managed, free);
    }

    List<StatsProviders.ZoneStats> zoneStats() {
        List<StatsProviders.ZoneStats> out = new ArrayList<>();
        for (ZoneType type : ZoneLayout.zones(WordSize.BITS_64)) {
            FrameRange window = ZoneLayout.window(WordSize.BITS_64, type).orElseThrow();
            long managed = 0;
            long free = 0;
            for (NumaNode n : numa.nodes()) {
                FrameAllocator a = n.pool().orElseThrow().allocator();
                for (FrameRange usable : n.pool().orElseThrow().usable()) {
                    long from = Math.max(usable.start().number(), window.start().number());
                    long to = Math.min(usable.endNumber(), window.endNumber());
                    for (long f = from; f < to; f++) {
                        managed++;
                        if (a.isFree(PhysFrame.of(f))) {
                            free++;
                        }
                    }
                }
            }
            out.add(new StatsProviders.ZoneStats(type.name(), managed, free));
        }
        return out;
    }

    List<StatsProviders.NodeStats> nodeStats() {
        List<StatsProviders.NodeStats> out = new ArrayList<>();
        for (NumaNode n : numa.nodes()) {
            out.add(new StatsProviders.NodeStats(n.id().value(), n.totalFrames(), n.freeFrames(), n.preferredCpus().cpus()));
        }
        return out;
    }

    /**
     * {@code dump_pt ADDR [sev[:cbit]|tdx[:gpaw]]}: the walk, and with a confidential-computing mode
     * the leaf's encryption bit decoded (SEV C-bit or TDX shared bit, spec/hardware-security.md).
     */
    private String dumpPt(String[] args) {
        if (args.length == 2) {
            VirtAddr va = VirtAddr.of(parseAddress(new String[] {args[0]}));
            org.mmspec.hwsec.x86_64.CcMode mode;
            try {
                mode = org.mmspec.hwsec.x86_64.CcMode.parse(args[1]);
            } catch (IllegalArgumentException e) {
                throw new DebugError(DebugError.Kind.UNKNOWN_COMMAND, "dump_pt: " + e.getMessage());
            }
            String walk = kernelTables.dumpPt(va);
            return walk + kernelTables.translate(va)
                    .map(t -> String.format("  encryption: %s, frame %s%n", mode.describe(t.leafRaw()), mode.frame(t.leafRaw())))
                    .orElse("  encryption: no leaf\n");
        }
        return kernelTables.dumpPt(VirtAddr.of(parseAddress(args)));
    }

    private static long parseAddress(String[] args) {
        if (args.length != 1) {
            throw new DebugError(DebugError.Kind.UNKNOWN_COMMAND,
                    "dump_pt takes one address and optionally sev[:cbit] or tdx[:gpaw], e.g. dump_pt 0x1000");
        }
        String a = args[0].toLowerCase(java.util.Locale.ROOT).replace("_", "");
        try {
            return a.startsWith("0x") ? Long.parseUnsignedLong(a.substring(2), 16) : Long.parseUnsignedLong(a);
        } catch (NumberFormatException e) {
            throw new DebugError(DebugError.Kind.UNKNOWN_COMMAND, "dump_pt: not an address: " + args[0]);
        }
    }

    /**
     * One node's frames as a {@link FrameAllocator}, drawn through the NUMA allocator with a
     * strict binding so that NUMA's accounting sees every frame handed out. NUMA hands out whole
     * orders, so a request of {@code n} frames takes the block of order {@code ceil(log2 n)} and
     * returns its first {@code n} frames; {@code blocks} remembers the whole block for the free.
     */
    static final class NodeFrames implements FrameAllocator {
        private final NumaAllocator numa;
        private final int cpu;
        private final NodeId node;
        private final Map<Long, FrameRange> blocks = new java.util.HashMap<>();

        NodeFrames(NumaAllocator numa, int cpu, NodeId node) {
            this.numa = numa;
            this.cpu = cpu;
            this.node = node;
        }

        @Override
        public FrameRange allocate(long count) {
            if (count < 1) {
                throw FrameError.of(FrameError.Kind.ZERO_SIZE, "allocate(%d): at least one frame", count);
            }
            int order = 64 - Long.numberOfLeadingZeros(count - 1);
            FrameRange block = numa.allocate(new NumaRequest(cpu, order, Binding.strict(node))).run();
            blocks.put(block.start().number(), block);
            return new FrameRange(block.start(), count);
        }

        @Override
        public FrameRange allocate(long count, long alignFrames) {
            if (alignFrames > 0 && Long.bitCount(alignFrames) == 1 && alignFrames <= Long.highestOneBit(Math.max(1, count))) {
                return allocate(count); // a block of order k is aligned to 2^k (NUMA-7)
            }
            return FrameAllocator.super.allocate(count, alignFrames);
        }

        @Override
        public void free(FrameRange run) {
            FrameRange block = blocks.get(run.start().number());
            if (block == null || run.count() > block.count()) {
                throw FrameError.of(FrameError.Kind.NOT_ALLOCATED, "free(%s): not a run this node handed out", run);
            }
            numa.free(block);
            blocks.remove(run.start().number());
        }

        @Override
        public long freeFrames() {
            return numa.node(node).freeFrames();
        }

        @Override
        public long managedFrames() {
            return numa.node(node).totalFrames();
        }
    }
}
