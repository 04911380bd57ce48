package org.mmspec.vm;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Linux 6.x's transparent-huge-page placement ({@code __thp_get_unmapped_area}) at exact addresses
 * on a fresh, unrandomized x86_64 layout, whose top-down search starts at the mmap base
 * {@code B = 0x7ffff7eff} (pages): which mappings are eligible, and where the search result moves.
 */
class AddressSpaceHugePagePlacementTest {
    private static final long P = Vma.PAGE_SIZE;
    private static final long PMD = AddressSpace.PMD_PAGES;
    private static final long B = 0x7ffff7effL;
    private final FrameTable frames = VmSystem.of(Layout.small(64), 32).frames();

    private AddressSpace fresh(Layout l) {
        return new AddressSpace(l, AddressSpace.WxPolicy.ENFORCE, frames);
    }

    private AddressSpace fresh() {
        return fresh(Layout.linuxX86_64());
    }

    private static MapFlags file(boolean shared) {
        return new MapFlags(shared, false, false, false, false);
    }

    @Test
    void theMmapBaseOfTheUnrandomizedLayout() {
        assertThat(Layout.linuxX86_64().mmapBase()).isEqualTo(B);
        assertThat(fresh().mmapAnonymous(3 * P, Prot.RW).page()).isEqualTo(B - 3);
    }

    @Test
    void anAnonymousMultipleOf2MiBWithoutHintSearchesFor2MiBMoreAndMovesUpToTheNextBoundary() {
        // The search for 1536 pages ends at B, so it starts at B - 1536 = 0x7ffff78ff; the next 2 MiB boundary is 0x7ffff7a00.
        assertThat(fresh().mmapAnonymous(2 * PMD * P, Prot.RW).page()).isEqualTo(0x7ffff7a00L);
        assertThat(fresh().mmap(UserAddr.of(0), 2 * PMD * P, Prot.RW, MapFlags.PRIVATE_ANON, null, 0).page())
                .as("a hint of 0 is no hint").isEqualTo(0x7ffff7a00L);
        assertThat(fresh().mmap(null, 2 * PMD * P, Prot.RW, MapFlags.PRIVATE_ANON, null, 5 * P).page())
                .as("an anonymous mapping has no file offset to be congruent to").isEqualTo(0x7ffff7a00L);
    }

    @Test
    void anAlreadyAlignedSearchResultMovesUpAFull2MiB() {
        long m = 0x7fff00000L;
        Layout aligned = new Layout(16, Layout.LINUX_TOP_PAGE, m, Layout.LINUX_TOP_PAGE / 3, Layout.LINUX_TOP_PAGE, 33, 2048, 256,
                0x555557554L, 1L << 20);
        assertThat(fresh(aligned).mmapAnonymous(2 * PMD * P, Prot.RW).page()).isEqualTo(m - 2 * PMD);
    }

    @Test
    void sharedAnonymousMemoryAndMappingsWithAHintAreNotAligned() {
        assertThat(fresh().mmap(null, 2 * PMD * P, Prot.RW, new MapFlags(true, true, false, false, false), null, 0).page())
                .as("shmem, with shmem THP off").isEqualTo(B - 2 * PMD);
        UserAddr hint = UserAddr.ofPage(0x100000123L);
        assertThat(fresh().mmap(hint, 2 * PMD * P, Prot.RW, MapFlags.PRIVATE_ANON, null, 0)).isEqualTo(hint);
    }

    @Test
    void aFileMappingIsAlignedExactlyWhenItsRangeHoldsAWhole2MiBChunkOfTheFile() {
        // 512 pages at offset 0: exactly one whole chunk. Search for 1024 from B: 0x7ffff7aff, next boundary 0x7ffff7c00.
        assertThat(fresh().mmap(null, PMD * P, Prot.R, file(false), "/lib/a.so", 0).page()).isEqualTo(0x7ffff7c00L);
        // 600 pages at offset 5 pages: file pages 5..604 hold no whole chunk (the first starts at 512, ends at 1024).
        assertThat(fresh().mmap(null, 600 * P, Prot.R, file(false), "/lib/a.so", 5 * P).page()).isEqualTo(B - 600);
        // 1024 pages at offset 5 pages hold the chunk 512..1023; the address is congruent to the offset.
        UserAddr at = fresh().mmap(null, 2 * PMD * P, Prot.R, file(false), "/lib/a.so", 5 * P);
        assertThat(Math.floorMod(at.page() - 5, PMD)).isZero();
        assertThat(at.page()).isEqualTo(0x7ffff7a05L);
    }

    @Test
    void aFileMappingWhoseHintIsFreeIsPlacedAtTheHint() {
        UserAddr hint = UserAddr.ofPage(0x100000123L);
        assertThat(fresh().mmap(hint, 2 * PMD * P, Prot.R, file(false), "/lib/a.so", 0)).isEqualTo(hint);
        // A hint below mmap_min_addr is raised to it, and that is still taking the hint.
        assertThat(fresh().mmap(UserAddr.of(P), 2 * PMD * P, Prot.R, file(false), "/lib/a.so", 0).page()).isEqualTo(16);
    }
}
