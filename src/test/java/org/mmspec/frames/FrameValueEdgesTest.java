package org.mmspec.frames;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * Addresses, frames, ranges, reserved regions and boot-map entries at their exact limits: the
 * last value accepted, the first rejected, with the error kind and message.
 */
class FrameValueEdgesTest {
    private static FrameError badRegion(Runnable r) {
        FrameError e = catchThrowableOfType(r::run, FrameError.class);
        assertThat(e).isNotNull();
        assertThat(e.errorKind()).isEqualTo(FrameError.Kind.BAD_REGION);
        return e;
    }

    @Test
    void addressesAndFramesStopAt2To52Bytes() {
        assertThat(PhysAddr.of(PhysAddr.LIMIT - 1).value()).isEqualTo((1L << 52) - 1);
        assertThatThrownBy(() -> PhysAddr.of(PhysAddr.LIMIT)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("physical address 0x10000000000000 outside [0, 2^52)");
        assertThatThrownBy(() -> PhysAddr.of(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(PhysFrame.LIMIT).isEqualTo(1L << 40);
        assertThat(PhysFrame.of(PhysFrame.LIMIT - 1).start()).isEqualTo(PhysAddr.of(PhysAddr.LIMIT - PhysFrame.SIZE));
        assertThatThrownBy(() -> PhysFrame.of(PhysFrame.LIMIT)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("frame number 1099511627776 outside [0, 1099511627776)");
        assertThatThrownBy(() -> PhysFrame.of(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void frameAlignmentIsTheLow12Bits() {
        assertThat(PhysAddr.of(4096).isFrameAligned()).isTrue();
        assertThat(PhysAddr.of(4095).isFrameAligned()).isFalse();
        assertThat(PhysAddr.of(4097).isFrameAligned()).isFalse();
        assertThat(PhysAddr.of(8191).frame()).isEqualTo(PhysFrame.of(1));
        assertThat(PhysAddr.of(8192).frame()).isEqualTo(PhysFrame.of(2));
        assertThat(PhysAddr.of(4096).plus(4096)).isEqualTo(PhysAddr.of(8192));
        assertThat(PhysAddr.of(255)).hasToString("0xff");
        assertThat(PhysAddr.of(1).compareTo(PhysAddr.of(2))).isNegative();
        assertThat(PhysFrame.at(PhysAddr.of(8192))).isEqualTo(PhysFrame.of(2));
        assertThatThrownBy(() -> PhysFrame.at(PhysAddr.of(8193))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("0x2001 is not 4 KiB aligned");
        assertThat(PhysFrame.of(3).plus(2)).isEqualTo(PhysFrame.of(5));
        assertThat(PhysFrame.of(3).start()).isEqualTo(PhysAddr.of(3 * 4096));
        assertThat(PhysFrame.of(3)).hasToString("frame#3");
        assertThat(PhysFrame.of(3).compareTo(PhysFrame.of(2))).isPositive();
    }

    @Test
    void rangesHoldAtLeastOneFrameAndEndAtTheLimit() {
        FrameRange top = FrameRange.of(PhysFrame.LIMIT - 2, 2);
        assertThat(top.endNumber()).isEqualTo(PhysFrame.LIMIT);
        assertThat(top.last()).isEqualTo(PhysFrame.of(PhysFrame.LIMIT - 1));
        assertThatThrownBy(() -> FrameRange.of(PhysFrame.LIMIT - 2, 3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("frame range frame#1099511627774 + 3 passes the physical limit");
        assertThatThrownBy(() -> FrameRange.of(4, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a frame range holds at least one frame, not 0");
        FrameRange r = FrameRange.of(4, 4);
        assertThat(r.contains(PhysFrame.of(4))).isTrue();
        assertThat(r.contains(PhysFrame.of(7))).isTrue();
        assertThat(r.contains(PhysFrame.of(3))).isFalse();
        assertThat(r.contains(PhysFrame.of(8))).isFalse();
        assertThat(r.contains(FrameRange.of(4, 4))).isTrue();
        assertThat(r.contains(FrameRange.of(3, 2))).isFalse();
        assertThat(r.contains(FrameRange.of(7, 2))).isFalse();
        assertThat(r.overlaps(FrameRange.of(8, 1))).isFalse();
        assertThat(r.overlaps(FrameRange.of(0, 4))).isFalse();
        assertThat(r.overlaps(FrameRange.of(7, 1))).isTrue();
        assertThat(r.overlaps(FrameRange.of(0, 5))).isTrue();
        assertThat(r.bytes()).isEqualTo(4 * 4096);
        assertThat(r.end()).isEqualTo(PhysFrame.of(8));
        assertThat(r.compareTo(FrameRange.of(4, 5))).isNegative();
        assertThat(r.compareTo(FrameRange.of(3, 9))).isPositive();
        assertThat(FrameRange.ofBytes(PhysAddr.of(4096), PhysAddr.of(3 * 4096))).isEqualTo(FrameRange.of(1, 2));
        assertThat(FrameRange.between(PhysFrame.of(2), PhysFrame.of(5))).isEqualTo(FrameRange.of(2, 3));
    }

    @Test
    void reservedRegionsAreNonEmptyDescribedAndFrameAligned() {
        assertThat(badRegion(() -> new ReservedRegion(PhysFrame.of(4), PhysFrame.of(4), "empty")).getMessage())
                .isEqualTo("reserved region 'empty' is empty or inverted: [frame#4, frame#4)");
        badRegion(() -> new ReservedRegion(PhysFrame.of(5), PhysFrame.of(4), "inverted"));
        badRegion(() -> new ReservedRegion(null, PhysFrame.of(4), "no start"));
        badRegion(() -> new ReservedRegion(PhysFrame.of(4), null, "no end"));
        assertThat(badRegion(() -> new ReservedRegion(PhysFrame.of(4), PhysFrame.of(5), " ")).getMessage())
                .isEqualTo("reserved region frame#4..frame#5 needs a description");
        badRegion(() -> new ReservedRegion(PhysFrame.of(4), PhysFrame.of(5), null));
        assertThat(badRegion(() -> ReservedRegion.of(4, 0, "none")).getMessage()).isEqualTo("reserved region 'none' at frame#4 holds 0 frames");
        assertThat(ReservedRegion.of(4, 1, "one").frames()).isEqualTo(1);
        assertThat(badRegion(() -> ReservedRegion.ofBytes(PhysAddr.of(4096), PhysAddr.of(8193), "odd")).getMessage())
                .isEqualTo("reserved region 'odd' [0x1000, 0x2001) is not 4 KiB aligned");
        badRegion(() -> ReservedRegion.ofBytes(PhysAddr.of(1), PhysAddr.of(8192), "odd"));
        assertThat(ReservedRegion.ofBytes(PhysAddr.of(4096), PhysAddr.of(8192), "page")).isEqualTo(ReservedRegion.of(1, 1, "page"));
        ReservedRegion r = ReservedRegion.of(FrameRange.of(4, 4), "MMIO");
        assertThat(r.contains(PhysFrame.of(4))).isTrue();
        assertThat(r.contains(PhysFrame.of(7))).isTrue();
        assertThat(r.contains(PhysFrame.of(3))).isFalse();
        assertThat(r.contains(PhysFrame.of(8))).isFalse();
        assertThat(r.overlaps(FrameRange.of(8, 2))).isFalse();
        assertThat(r).hasToString("MMIO[frame#4..8)");
    }

    @Test
    void clippingKeepsTheSharedFramesOrNothing() {
        ReservedRegion r = ReservedRegion.of(4, 4, "MMIO");
        assertThat(r.clip(FrameRange.of(6, 10))).isEqualTo(ReservedRegion.of(6, 2, "MMIO"));
        assertThat(r.clip(FrameRange.of(0, 5))).isEqualTo(ReservedRegion.of(4, 1, "MMIO"));
        assertThat(r.clip(FrameRange.of(8, 4))).isNull();
        assertThat(r.clip(FrameRange.of(0, 4))).isNull();
        assertThat(r.clip(FrameRange.of(5, 2))).isEqualTo(ReservedRegion.of(5, 2, "MMIO"));
    }

    @Test
    void validationSortsAcceptsAdjacentRegionsAndNamesTheProblem() {
        FrameRange m = FrameRange.of(0, 16);
        List<ReservedRegion> in = List.of(ReservedRegion.of(8, 2, "b"), ReservedRegion.of(4, 4, "a"), ReservedRegion.of(14, 2, "c"));
        assertThat(ReservedRegion.validate(m, in)).containsExactly(in.get(1), in.get(0), in.get(2));
        assertThat(ReservedRegion.totalFrames(in)).isEqualTo(8);
        assertThat(badRegion(() -> ReservedRegion.validate(m, List.of(ReservedRegion.of(15, 2, "edge")))).getMessage())
                .isEqualTo("reserved region 'edge' [frame#15..17) lies outside managed memory [frame#0..16)");
        assertThat(badRegion(() -> ReservedRegion.validate(m, List.of(ReservedRegion.of(8, 2, "b"), ReservedRegion.of(4, 5, "a"))))
                .getMessage()).isEqualTo("reserved regions 'a' [frame#4..9) and 'b' [frame#8..10) overlap at frame#8");
        List<ReservedRegion> withNull = new ArrayList<>();
        withNull.add(null);
        assertThat(badRegion(() -> ReservedRegion.validate(m, withNull)).getMessage()).isEqualTo("null reserved region in [null]");
        assertThat(ReservedRegion.of(4, 2, "x").compareTo(ReservedRegion.of(4, 3, "y"))).isNegative();
        assertThat(ReservedRegion.of(5, 2, "x").compareTo(ReservedRegion.of(4, 3, "y"))).isPositive();
        assertThat(ReservedRegion.of(4, 2, "x").compareTo(ReservedRegion.of(4, 2, "y"))).isZero();
    }

    @Test
    void bootMapEntriesAreAlignedNonEmptyAndOnANodeUpTo255() {
        assertThat(MemoryRegion.of(0, 4096, MemoryRegion.Kind.USABLE, 255).node()).isEqualTo(MemoryRegion.MAX_NODE);
        assertThat(badRegion(() -> MemoryRegion.of(0, 4096, MemoryRegion.Kind.USABLE, 256)).getMessage())
                .isEqualTo("memory region USABLE [0x0, 0x1000) names node 256 outside [0, 255]");
        badRegion(() -> MemoryRegion.of(0, 4096, MemoryRegion.Kind.USABLE, -1));
        assertThat(badRegion(() -> MemoryRegion.of(4096, 4096, MemoryRegion.Kind.MMIO)).getMessage())
                .isEqualTo("memory region MMIO [0x1000, 0x1000) is empty or inverted");
        assertThat(badRegion(() -> MemoryRegion.of(4096, 4097, MemoryRegion.Kind.MMIO)).getMessage())
                .isEqualTo("memory region MMIO [0x1000, 0x1001) is not 4 KiB aligned");
        badRegion(() -> MemoryRegion.of(1, 4096, MemoryRegion.Kind.MMIO));
        assertThat(badRegion(() -> MemoryRegion.of(0, PhysAddr.LIMIT, MemoryRegion.Kind.USABLE)).getMessage())
                .isEqualTo("memory region USABLE [0x0, 0x10000000000000) lies outside physical memory [0, 0xfffffffffffff)");
        badRegion(() -> MemoryRegion.of(PhysAddr.LIMIT, 0, MemoryRegion.Kind.USABLE, 0));
        badRegion(() -> MemoryRegion.of(-4096, 4096, MemoryRegion.Kind.USABLE, 0));
        badRegion(() -> MemoryRegion.of(0, -4096, MemoryRegion.Kind.USABLE, 0));
        badRegion(() -> new MemoryRegion(null, PhysAddr.of(4096), MemoryRegion.Kind.USABLE, 0));
        badRegion(() -> new MemoryRegion(PhysAddr.of(0), null, MemoryRegion.Kind.USABLE, 0));
        badRegion(() -> new MemoryRegion(PhysAddr.of(0), PhysAddr.of(4096), null, 0));
        MemoryRegion top = MemoryRegion.of(PhysAddr.LIMIT - 8192, PhysAddr.LIMIT - 4096, MemoryRegion.Kind.ACPI);
        assertThat(top.frames()).isEqualTo(FrameRange.of(PhysFrame.LIMIT - 2, 1));
        assertThat(top.usable()).isFalse();
        assertThat(top).hasToString("ACPI[0xfffffffffe000, 0xffffffffff000)@node0");
        assertThat(MemoryRegion.Kind.KERNEL.description()).isEqualTo("kernel image");
        assertThat(MemoryRegion.of(0, 4096, MemoryRegion.Kind.USABLE).compareTo(MemoryRegion.of(4096, 8192, MemoryRegion.Kind.USABLE)))
                .isNegative();
    }

    private static final long MIB = 1L << 20;

    @Test
    void aNodeThatOwnsNoUsableMemoryHasNoManagedRange() {
        BootMemoryMap map = BootMemoryMap.of(MemoryRegion.of(0, 2 * MIB, MemoryRegion.Kind.USABLE, 0),
                MemoryRegion.of(2 * MIB, 3 * MIB, MemoryRegion.Kind.MMIO, 1));
        assertThat(map.nodes()).containsExactly(0);
        assertThat(badRegion(() -> map.managedRange(1)).getMessage()).startsWith("node 1 owns no usable memory in [");
        assertThat(map.managedRange(BootMemoryMap.ALL_NODES)).isEqualTo(FrameRange.of(0, 512));
        assertThat(map.usableFrames(0)).isEqualTo(256);
        assertThat(map.toString()).startsWith("BootMemoryMap[USABLE[0x0, 0x200000)@node0");
    }

    @Test
    void aManagedRangeBelow1MiBIsAllBios() {
        BootMemoryMap map = BootMemoryMap.of(MemoryRegion.of(0, 64 * 4096, MemoryRegion.Kind.USABLE));
        assertThat(map.managedRange()).isEqualTo(FrameRange.of(0, 64));
        assertThat(map.reservedRegions()).containsExactly(ReservedRegion.of(0, 64, ReservedRegion.BIOS_AREA));
        assertThat(map.usableFrames(BootMemoryMap.ALL_NODES)).isZero();
        BootMemoryMap high = BootMemoryMap.of(MemoryRegion.of(2 * MIB, 3 * MIB, MemoryRegion.Kind.USABLE),
                MemoryRegion.of(4 * MIB, 5 * MIB, MemoryRegion.Kind.USABLE));
        assertThat(high.managedRange()).isEqualTo(FrameRange.of(512, 768));
        assertThat(high.reservedRegions()).containsExactly(ReservedRegion.of(768, 256, BootMemoryMap.HOLE));
        assertThat(high.usableFrames(BootMemoryMap.ALL_NODES)).isEqualTo(512);
    }

    @Test
    void aBootMapNeedsUsableMemoryAndNoNullEntry() {
        assertThat(badRegion(() -> BootMemoryMap.of(MemoryRegion.of(0, 4096, MemoryRegion.Kind.MMIO))).getMessage())
                .isEqualTo("boot memory map holds no usable memory: [MMIO[0x0, 0x1000)@node0]");
        List<MemoryRegion> withNull = new ArrayList<>();
        withNull.add(null);
        assertThat(badRegion(() -> new BootMemoryMap(withNull)).getMessage()).isEqualTo("null entry in the boot memory map");
        BootMemoryMap adjacent = BootMemoryMap.of(MemoryRegion.of(4096, 8192, MemoryRegion.Kind.USABLE),
                MemoryRegion.of(0, 4096, MemoryRegion.Kind.ACPI));
        assertThat(adjacent.regions()).extracting(MemoryRegion::kind).containsExactly(MemoryRegion.Kind.ACPI, MemoryRegion.Kind.USABLE);
        assertThat(badRegion(() -> BootMemoryMap.of(MemoryRegion.of(0, 8192, MemoryRegion.Kind.USABLE),
                MemoryRegion.of(4096, 12288, MemoryRegion.Kind.ACPI))).getMessage()).contains("overlap at 0x1000");
    }
}
