package org.mmspec.debug;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.mmspec.numa.NumaInvariants;

class SampleMachineTest {
    private final SampleMachine machine = new SampleMachine();

    @Test
    void memReportShowsEverySubsystemWithConsistentFigures() {
        String mem = machine.debug("mem");
        assertThat(mem).contains("[frames]", "[zones]", "[numa]", "[slab]", "[percpu]", "[large]");
        long managed = 3 * SampleMachine.NODE_FRAMES - SampleMachine.BIOS_END_FRAME - SampleMachine.NODE_FRAMES / 2;
        assertThat(mem).contains("managed      " + managed + " frames");
        // The zones' view counts the same frames: DMA is 1 MiB..16 MiB, NORMAL the rest.
        long dma = (16L << 20) / 4096 - SampleMachine.BIOS_END_FRAME;
        assertThat(mem).containsPattern("DMA\\s+\\d+/" + dma + " frames free");
        assertThat(mem).containsPattern("NORMAL\\s+\\d+/" + (managed - dma) + " frames free");
        assertThat(mem).containsPattern("node2\\s+\\d+/" + SampleMachine.CXL_FRAMES + " frames free, cpus \\[\\]");
        // With every debug option on, red zones push 64-byte and 512-byte requests into the 128 B
        // and 1 KiB classes; the 64 KiB request goes to the large allocator.
        assertThat(mem).containsPattern("\\n  128 +6 ").containsPattern("\\n  1K +3 ");
        assertThat(mem).containsPattern("used +\\d+ bytes in 1 blocks \\(65536 requested\\)");
    }

    @Test
    void usedFramesAreThoseTheHeapAndTablesTookFromNodeZero() {
        long node0Used = machine.numa().nodes().get(0).allocatedFrames();
        assertThat(node0Used).isPositive();
        assertThat(machine.numa().nodes().get(1).allocatedFrames()).isZero();
        assertThat(NumaInvariants.ALL.violations(machine.numa())).isEmpty();
    }

    @Test
    void dumpPtWalksTheRealTables() {
        String walk = machine.debug("dump_pt 0x1000");
        assertThat(walk).containsIgnoringCase("PML4").containsIgnoringCase("PT");
        assertThat(machine.debug("meminfo")).contains("Node 0 MemTotal", "Node 2 MemFree");
    }

    @Test
    void unknownCommandsAndBadAddressesAreTypedErrors() {
        assertThatThrownBy(() -> machine.debug("frobnicate")).isInstanceOf(DebugError.class).hasMessageContaining("known:");
        assertThatThrownBy(() -> machine.debug("dump_pt zzz")).isInstanceOf(DebugError.class);
    }

    @Test
    void pcpShowsThePerCpuFrameCachesStatisticsPerCpuAndPerNode() {
        // cpu0: 5 allocations = 2 refills of 4 plus 3 hits, 2 frees kept (high watermark 6);
        // cpu2: a batch of 8 above the high watermark comes straight from node 1; cpu1 frees 3 of
        // those frames, which belong to node 1, so they go back there (remote frees)
        assertThat(machine.debug("pcp")).isEqualTo(String.join("\n",
                "[pcp]",
                "  cpu0 node0 cached 5 allocs 5 frees 2 hits 3 refills 2 drains 0 pressure-drains 0",
                "  cpu1 node0 cached 0 allocs 0 frees 3 hits 0 refills 0 drains 0 pressure-drains 0",
                "  cpu2 node1 cached 0 allocs 8 frees 0 hits 0 refills 0 drains 0 pressure-drains 0",
                "  cpu3 node1 cached 0 allocs 0 frees 0 hits 0 refills 0 drains 0 pressure-drains 0",
                "  node0 free 24 cached 5 refills 2 drains 0 direct 0 remote-frees 0 pressure-drains 0",
                "  node1 free 27 cached 0 refills 0 drains 0 direct 8 remote-frees 3 pressure-drains 0", ""));
    }
}
