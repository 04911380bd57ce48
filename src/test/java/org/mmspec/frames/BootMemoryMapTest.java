package org.mmspec.frames;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.mmspec.frames.MemoryRegion.Kind;

/** The boot memory map, the standard reserved regions derived from it, and their validation. */
class BootMemoryMapTest {
    private static final long MIB = 1L << 20;
    private static final long GIB = 1L << 30;

    /** A PC-like map: low RAM, legacy hole, kernel at 16 MiB, boot data, ACPI, a PCI hole below 4 GiB, RAM above. */
    static BootMemoryMap pc() {
        return BootMemoryMap.of(
                MemoryRegion.of(0, 0x9F000, Kind.USABLE),
                MemoryRegion.of(0x9F000, MIB, Kind.RESERVED),
                MemoryRegion.of(MIB, 16 * MIB, Kind.USABLE),
                MemoryRegion.of(16 * MIB, 20 * MIB, Kind.KERNEL),
                MemoryRegion.of(20 * MIB, 21 * MIB, Kind.BOOT),
                MemoryRegion.of(21 * MIB, 3 * GIB - MIB, Kind.USABLE),
                MemoryRegion.of(3 * GIB - MIB, 3 * GIB, Kind.ACPI),
                MemoryRegion.of(3 * GIB + 512 * MIB, 4 * GIB, Kind.MMIO),
                MemoryRegion.of(4 * GIB, 5 * GIB, Kind.USABLE));
    }

    @Test
    void standardReservedRegionsAreDerivedFromTheMap() {
        BootMemoryMap map = pc();
        assertThat(map.managedRange()).isEqualTo(FrameRange.of(0, 5 * GIB / PhysFrame.SIZE));
        List<String> described = map.reservedRegions().stream().map(ReservedRegion::description).toList();
        assertThat(described).containsExactly(ReservedRegion.BIOS_AREA, "kernel image", "boot-time allocations", "ACPI tables",
                BootMemoryMap.HOLE, "MMIO hole");
        ReservedRegion bios = map.reservedRegions().get(0);
        assertThat(bios.range()).isEqualTo(FrameRange.of(0, MIB / PhysFrame.SIZE));
        // the PCI hole gap between ACPI and MMIO is not described by the map: it is a hole
        assertThat(map.reservedRegions().get(4).range()).isEqualTo(FrameRange.ofBytes(PhysAddr.of(3 * GIB), PhysAddr.of(3 * GIB + 512 * MIB)));
    }

    @Test
    void hybridFromBootMapNeverHandsOutReservedFrames() {
        BootMemoryMap map = BootMemoryMap.of(
                MemoryRegion.of(0, 2 * MIB, Kind.USABLE),
                MemoryRegion.of(2 * MIB, 2 * MIB + 64 * 1024, Kind.KERNEL),
                MemoryRegion.of(2 * MIB + 64 * 1024, 3 * MIB, Kind.USABLE),
                MemoryRegion.of(3 * MIB, 3 * MIB + 16 * 1024, Kind.MMIO),
                MemoryRegion.of(3 * MIB + 16 * 1024, 8 * MIB, Kind.USABLE));
        HybridAllocator h = new HybridAllocator(map.managedRange(), map.reservedRegions());
        long usable = map.usableFrames(BootMemoryMap.ALL_NODES);
        assertThat(h.freeFrames()).isEqualTo(usable);
        long got = 0;
        while (true) {
            PhysFrame f;
            try {
                f = h.allocate();
            } catch (FrameError e) {
                assertThat(e.errorKind()).isEqualTo(FrameError.Kind.OUT_OF_MEMORY);
                break;
            }
            got++;
            for (ReservedRegion r : map.reservedRegions()) {
                assertThat(r.contains(f)).as("%s handed out from %s", f, r).isFalse();
            }
        }
        assertThat(got).isEqualTo(usable);
        FrameInvariants.HYBRID.assertHolds(h);
    }

    @Test
    void nodesGetTheirOwnManagedRangeAndReservedRegions() {
        BootMemoryMap map = BootMemoryMap.of(
                MemoryRegion.of(0, 64 * MIB, Kind.USABLE, 0),
                MemoryRegion.of(64 * MIB, 65 * MIB, Kind.MMIO, 0),
                MemoryRegion.of(65 * MIB, 128 * MIB, Kind.USABLE, 0),
                MemoryRegion.of(128 * MIB, 256 * MIB, Kind.USABLE, 1));
        assertThat(map.nodes()).containsExactly(0, 1);
        assertThat(map.managedRange(1)).isEqualTo(FrameRange.ofBytes(PhysAddr.of(128 * MIB), PhysAddr.of(256 * MIB)));
        assertThat(map.reservedRegions(1)).isEmpty();
        assertThat(map.reservedRegions(0)).extracting(ReservedRegion::description).containsExactly(ReservedRegion.BIOS_AREA, "MMIO hole");
        assertThatThrownBy(() -> map.managedRange(7)).isInstanceOfSatisfying(FrameError.class,
                e -> assertThat(e.errorKind()).isEqualTo(FrameError.Kind.BAD_REGION));
    }

    @Test
    void overlappingEntriesAreRejected() {
        assertThatThrownBy(() -> BootMemoryMap.of(MemoryRegion.of(0, 2 * MIB, Kind.USABLE), MemoryRegion.of(MIB, 3 * MIB, Kind.ACPI)))
                .isInstanceOfSatisfying(FrameError.class, e -> {
                    assertThat(e.errorKind()).isEqualTo(FrameError.Kind.BAD_REGION);
                    assertThat(e).hasMessageContaining("overlap");
                });
    }

    @Test
    void misalignedEmptyAndOutOfRangeEntriesAreRejected() {
        for (Runnable bad : List.<Runnable>of(
                () -> MemoryRegion.of(0x9FC00, MIB, Kind.RESERVED),
                () -> MemoryRegion.of(MIB, MIB, Kind.USABLE),
                () -> MemoryRegion.of(2 * MIB, MIB, Kind.USABLE),
                () -> MemoryRegion.of(0, MIB, Kind.USABLE, -1),
                () -> MemoryRegion.of(0, PhysAddr.LIMIT, Kind.USABLE),
                () -> BootMemoryMap.of(MemoryRegion.of(0, MIB, Kind.MMIO)))) {
            assertThatThrownBy(bad::run).isInstanceOfSatisfying(FrameError.class,
                    e -> assertThat(e.errorKind()).isEqualTo(FrameError.Kind.BAD_REGION));
        }
    }

    @Test
    void malformedOrOverlappingReservedRegionsAreRejected() {
        FrameRange m = FrameRange.of(0, 64);
        assertThatThrownBy(() -> ReservedRegion.of(5, 0, "empty")).isInstanceOf(FrameError.class);
        assertThatThrownBy(() -> new ReservedRegion(PhysFrame.of(9), PhysFrame.of(3), "inverted")).isInstanceOf(FrameError.class)
                .hasMessageContaining("inverted");
        assertThatThrownBy(() -> new ReservedRegion(PhysFrame.of(1), PhysFrame.of(3), " ")).isInstanceOf(FrameError.class);
        assertThatThrownBy(() -> ReservedRegion.ofBytes(PhysAddr.of(100), PhysAddr.of(8192), "misaligned")).isInstanceOf(FrameError.class)
                .hasMessageContaining("aligned");
        assertThatThrownBy(() -> new HybridAllocator(m, List.of(ReservedRegion.of(0, 8, "BIOS"), ReservedRegion.of(7, 2, "ACPI"))))
                .isInstanceOfSatisfying(FrameError.class, e -> {
                    assertThat(e.errorKind()).isEqualTo(FrameError.Kind.BAD_REGION);
                    assertThat(e).hasMessageContaining("overlap").hasMessageContaining("BIOS").hasMessageContaining("ACPI");
                });
        assertThatThrownBy(() -> new BuddyAllocator(m, List.of(ReservedRegion.of(60, 8, "past the end")), 3))
                .isInstanceOfSatisfying(FrameError.class, e -> assertThat(e).hasMessageContaining("outside"));
    }
}
