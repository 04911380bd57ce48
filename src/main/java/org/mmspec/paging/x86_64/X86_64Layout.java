package org.mmspec.paging.x86_64;

import java.util.List;
import java.util.Optional;

import org.mmspec.check.Invariant;
import org.mmspec.check.InvariantSet;
import org.mmspec.paging.VirtAddr;

/**
 * The seed's x86_64 virtual memory layout as a checked table:
 *
 * <pre>
 * 0x0000_0000_0000_0000 - 0x0000_7FFF_FFFF_FFFF  User space (128 TB)
 * 0xFFFF_8000_0000_0000 - 0xFFFF_8FFF_FFFF_FFFF  Physical memory map
 * 0xFFFF_C000_0000_0000 - 0xFFFF_CFFF_FFFF_FFFF  Kernel heap
 * 0xFFFF_E000_0000_0000 - 0xFFFF_EFFF_FFFF_FFFF  Kernel stacks
 * 0xFFFF_F000_0000_0000 - 0xFFFF_FFFF_FFFF_FFFF  MMIO regions
 * </pre>
 *
 * <p>The table is validated when this class loads (LAYOUT-1..3), so a wrong edit fails every
 * test that touches it. Holes between the kernel regions (0xFFFF_9000.. to 0xFFFF_BFFF..,
 * 0xFFFF_D000.. to 0xFFFF_DFFF..) belong to no region.
 */
public final class X86_64Layout {
    /** Bytes one PML4 entry maps: 512 GiB. Regions start and end on this boundary (LAYOUT-3). */
    public static final long PML4_ENTRY_SPAN = 1L << 39;

    /**
     * One region of the layout.
     *
     * @param name the seed's name
     * @param first first byte (unsigned)
     * @param last last byte (unsigned), inclusive as the seed writes it
     * @param kernel whether it belongs to the kernel (upper) half
     */
    public record Region(String name, long first, long last, boolean kernel) {
        /** Size in bytes (unsigned arithmetic; at most 2^47). */
        public long bytes() {
            return last - first + 1;
        }

        public boolean contains(VirtAddr va) {
            return Long.compareUnsigned(va.value(), first) >= 0 && Long.compareUnsigned(va.value(), last) <= 0;
        }
    }

    /** User space: the whole lower canonical half, 128 TiB. */
    public static final Region USER_SPACE = new Region("User space", 0x0000_0000_0000_0000L, 0x0000_7FFF_FFFF_FFFFL, false);
    /** Direct map of all physical memory (16 TiB). */
    public static final Region PHYSICAL_MAP = new Region("Physical memory map", 0xFFFF_8000_0000_0000L, 0xFFFF_8FFF_FFFF_FFFFL, true);
    /** Kernel heap (16 TiB). */
    public static final Region KERNEL_HEAP = new Region("Kernel heap", 0xFFFF_C000_0000_0000L, 0xFFFF_CFFF_FFFF_FFFFL, true);
    /** Kernel stacks (16 TiB). */
    public static final Region KERNEL_STACKS = new Region("Kernel stacks", 0xFFFF_E000_0000_0000L, 0xFFFF_EFFF_FFFF_FFFFL, true);
    /** Memory-mapped I/O (16 TiB, up to the top of the address space). */
    public static final Region MMIO = new Region("MMIO regions", 0xFFFF_F000_0000_0000L, 0xFFFF_FFFF_FFFF_FFFFL, true);

    /** A layout: regions in address order. */
    public record Layout(List<Region> regions) {
        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder();
            for (Region r : regions) {
                sb.append(String.format("0x%016x - 0x%016x %s%n", r.first(), r.last(), r.name()));
            }
            return sb.toString();
        }
    }

    /** Every region's first and last byte is canonical (48-bit), so the region never spans the non-canonical hole. */
    public static final Invariant<Layout> LAYOUT_1 = Invariant.of("LAYOUT-1",
            "every region starts and ends at a canonical address and lies in one half (user in the lower, kernel in the upper)",
            l -> {
                for (Region r : l.regions()) {
                    if (!VirtAddr.isCanonical(r.first(), VirtAddr.VA_BITS_4_LEVEL)
                            || !VirtAddr.isCanonical(r.last(), VirtAddr.VA_BITS_4_LEVEL)) {
                        return Invariant.broken("%s [0x%x, 0x%x] is not canonical at both ends", r.name(), r.first(), r.last());
                    }
                    if ((r.first() < 0) != r.kernel() || (r.last() < 0) != r.kernel()) {
                        return Invariant.broken("%s is not entirely in the %s half", r.name(), r.kernel() ? "upper" : "lower");
                    }
                }
                return Invariant.holds();
            });

    /** Sorted and disjoint. */
    public static final Invariant<Layout> LAYOUT_2 = Invariant.of("LAYOUT-2",
            "regions are non-empty, sorted by address and pairwise disjoint",
            l -> {
                for (int i = 0; i < l.regions().size(); i++) {
                    Region r = l.regions().get(i);
                    if (Long.compareUnsigned(r.first(), r.last()) > 0) {
                        return Invariant.broken("%s is empty", r.name());
                    }
                    if (i > 0 && Long.compareUnsigned(l.regions().get(i - 1).last(), r.first()) >= 0) {
                        return Invariant.broken("%s overlaps or precedes %s", r.name(), l.regions().get(i - 1).name());
                    }
                }
                return Invariant.holds();
            });

    /** Region boundaries on PML4-entry boundaries. */
    public static final Invariant<Layout> LAYOUT_3 = Invariant.of("LAYOUT-3",
            "every region starts and ends on a 512 GiB boundary, so no PML4 entry is shared by two regions",
            l -> {
                for (Region r : l.regions()) {
                    if ((r.first() & (PML4_ENTRY_SPAN - 1)) != 0 || ((r.last() + 1) & (PML4_ENTRY_SPAN - 1)) != 0) {
                        return Invariant.broken("%s [0x%x, 0x%x] is not aligned to 512 GiB", r.name(), r.first(), r.last());
                    }
                }
                return Invariant.holds();
            });

    /** The layout invariants. */
    public static final InvariantSet<Layout> ALL = InvariantSet.of("x86_64 layout", LAYOUT_1, LAYOUT_2, LAYOUT_3);

    /** The seed's layout, checked when the class loads. */
    public static final Layout SEED = new Layout(List.of(USER_SPACE, PHYSICAL_MAP, KERNEL_HEAP, KERNEL_STACKS, MMIO));

    static {
        ALL.assertHolds(SEED);
    }

    private X86_64Layout() {
    }

    /** The region holding {@code va}, or empty for the holes between kernel regions. */
    public static Optional<Region> regionOf(VirtAddr va) {
        return SEED.regions().stream().filter(r -> r.contains(va)).findFirst();
    }
}
