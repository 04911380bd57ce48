package org.mmspec.paging.x86_64;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.mmspec.paging.VirtAddr;
import org.mmspec.paging.x86_64.X86_64Layout.Layout;
import org.mmspec.paging.x86_64.X86_64Layout.Region;

/**
 * The exact boundaries of LAYOUT-1 and LAYOUT-2 and of {@link Region#contains}, evaluated directly
 * (the seed layout is checked once, when the class loads), and the layout's listing.
 */
class X86_64LayoutMutationTest {

    private static final long UPPER = VirtAddr.UPPER_HALF_START;

    private static String detail(org.mmspec.check.Invariant<Layout> inv, Region... regions) {
        return inv.evaluate(new Layout(List.of(regions))).map(v -> v.detail()).orElse("holds");
    }

    /** LAYOUT-1: address 0 is in the lower half; each end of a region must lie in its own half. */
    @Test
    void LAYOUT_1_placesEachEndInItsHalf() {
        assertThat(detail(X86_64Layout.LAYOUT_1, X86_64Layout.USER_SPACE)).isEqualTo("holds");
        assertThat(detail(X86_64Layout.LAYOUT_1, new Region("Byte zero", 0, 0, false))).as("ends at 0").isEqualTo("holds");
        assertThat(detail(X86_64Layout.LAYOUT_1, new Region("User", 0, UPPER + 0xfff, false)))
                .isEqualTo("User is not entirely in the lower half");
        assertThat(detail(X86_64Layout.LAYOUT_1, new Region("Kernel", 0x1000, UPPER + 0xfff, true)))
                .isEqualTo("Kernel is not entirely in the upper half");
        assertThat(detail(X86_64Layout.LAYOUT_1, new Region("Kernel", UPPER, UPPER + 0xfff, true))).isEqualTo("holds");
    }

    /** LAYOUT-2: a one-byte region is not empty; a region whose last byte precedes its first is. */
    @Test
    void LAYOUT_2_emptinessAndOrder() {
        assertThat(detail(X86_64Layout.LAYOUT_2, new Region("Byte", 0x1000, 0x1000, false))).isEqualTo("holds");
        assertThat(detail(X86_64Layout.LAYOUT_2, new Region("Nothing", 0x1000, 0xfff, false))).isEqualTo("Nothing is empty");
        assertThat(detail(X86_64Layout.LAYOUT_2, new Region("A", 0, 0xfff, false), new Region("B", 0x1000, 0x1fff, false),
                new Region("C", 0x1fff, 0x2fff, false))).isEqualTo("C overlaps or precedes B");
        assertThat(detail(X86_64Layout.LAYOUT_2, X86_64Layout.SEED.regions().toArray(Region[]::new))).isEqualTo("holds");
    }

    @Test
    void regionsContainBothEnds() {
        Region heap = X86_64Layout.KERNEL_HEAP;
        assertThat(heap.contains(VirtAddr.of(heap.first()))).isTrue();
        assertThat(heap.contains(VirtAddr.of(heap.last()))).isTrue();
        assertThat(heap.contains(VirtAddr.of(heap.first() - 1))).isFalse();
        assertThat(heap.contains(VirtAddr.of(heap.last() + 1))).isFalse();
    }

    @Test
    void theLayoutListsOneRegionPerLine() {
        assertThat(X86_64Layout.SEED.toString()).startsWith(String.format(
                "0x0000000000000000 - 0x00007fffffffffff User space%n0xffff800000000000 - 0xffff8fffffffffff Physical memory map%n"));
        assertThat(X86_64Layout.SEED.toString().lines()).hasSize(5);
    }
}
