package org.mmspec.paging.x86_64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.mmspec.check.Violation;
import org.mmspec.paging.PagingError;
import org.mmspec.paging.VirtAddr;
import org.mmspec.paging.x86_64.X86_64Layout.Layout;
import org.mmspec.paging.x86_64.X86_64Layout.Region;

/** The seed's x86_64 layout table: canonical, disjoint, PML4-aligned; and VirtAddr's canonical check. */
class X86_64LayoutTest {

    private static List<String> ids(Layout l) {
        return X86_64Layout.ALL.violations(l).stream().map(Violation::invariantId).toList();
    }

    @Test
    void seedLayoutHoldsEveryLayoutInvariant() {
        assertThat(ids(X86_64Layout.SEED)).isEmpty();
        assertThat(X86_64Layout.USER_SPACE.bytes()).isEqualTo(128L << 40);
        assertThat(X86_64Layout.PHYSICAL_MAP.bytes()).isEqualTo(16L << 40);
        assertThat(X86_64Layout.regionOf(VirtAddr.of(0x1000))).contains(X86_64Layout.USER_SPACE);
        assertThat(X86_64Layout.regionOf(VirtAddr.of(0xFFFF_C000_0000_1000L))).contains(X86_64Layout.KERNEL_HEAP);
        assertThat(X86_64Layout.regionOf(VirtAddr.of(0xFFFF_FFFF_FFFF_F000L))).contains(X86_64Layout.MMIO);
        assertThat(X86_64Layout.regionOf(VirtAddr.of(0xFFFF_9000_0000_0000L))).isEmpty();
    }

    @Test
    void LAYOUT_1_catchesANonCanonicalRegion() {
        Region bad = new Region("User space", 0, 0x0000_FFFF_FFFF_FFFFL, false);
        assertThat(ids(new Layout(List.of(bad, X86_64Layout.PHYSICAL_MAP)))).containsExactly("LAYOUT-1");
    }

    @Test
    void LAYOUT_2_catchesOverlappingRegions() {
        Region heap = new Region("Kernel heap", 0xFFFF_8800_0000_0000L, 0xFFFF_CFFF_FFFF_FFFFL, true);
        assertThat(ids(new Layout(List.of(X86_64Layout.USER_SPACE, X86_64Layout.PHYSICAL_MAP, heap))))
                .containsExactly("LAYOUT-2");
    }

    @Test
    void LAYOUT_3_catchesARegionSharingAPml4Entry() {
        Region stacks = new Region("Kernel stacks", 0xFFFF_E000_0000_0000L, 0xFFFF_E000_3FFF_FFFFL, true);
        assertThat(ids(new Layout(List.of(X86_64Layout.USER_SPACE, stacks)))).containsExactly("LAYOUT-3");
    }

    @Test
    void virtAddrRejectsNonCanonicalValues() {
        assertThat(VirtAddr.isCanonical(0x0000_7FFF_FFFF_FFFFL, 48)).isTrue();
        assertThat(VirtAddr.isCanonical(0xFFFF_8000_0000_0000L, 48)).isTrue();
        assertThat(VirtAddr.isCanonical(0x0000_8000_0000_0000L, 48)).isFalse();
        assertThat(VirtAddr.isCanonical(0xFFFF_7FFF_FFFF_FFFFL, 48)).isFalse();
        assertThat(VirtAddr.isCanonical(0x0000_0040_0000_0000L, 39)).isFalse();
        assertThat(VirtAddr.isCanonical(0x0000_8000_0000_0000L, 57)).as("LA57's lower half").isTrue();
        assertThat(VirtAddr.isCanonical(0xFF00_0000_0000_0000L, 57)).as("LA57's upper half").isTrue();
        // A VirtAddr holds any 57-bit canonical value (the widest mode); each format narrows it (CANON-1).
        assertThat(VirtAddr.of(0x0000_8000_0000_0000L).value()).isEqualTo(1L << 47);
        assertThatThrownBy(() -> VirtAddr.of(0x0100_0000_0000_0000L)).isInstanceOf(PagingError.class)
                .hasMessageContaining("not canonical");
    }
}
