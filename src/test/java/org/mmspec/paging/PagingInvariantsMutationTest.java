package org.mmspec.paging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.mmspec.frames.PhysAddr;
import org.mmspec.frames.PhysFrame;
import org.mmspec.frames.ReferenceFrameAllocator;
import org.mmspec.paging.aarch64.Aarch64Pte;
import org.mmspec.paging.x86_64.X86_64Pte;

/**
 * The boundaries of the page-table invariants and of the hardware model under them
 * ({@link TreeScan}, {@link Mmu}) that the per-invariant negative tests of
 * {@link PagingInvariantsTest} leave open: PT-1's alignment half, PT-2's root pointer and
 * duplicated root, PTE-1 and PTE-3 on table entries (not only leaves), CANON-1's probe addresses,
 * the entry addresses the scan reports, and a walk that runs past its last level.
 */
class PagingInvariantsMutationTest {

    private static PageMapper mapper(PteFormat f) {
        return new PageMapper(f, new PhysicalMemory(), new ReferenceFrameAllocator(PagingScope.tableFrames(f, 16)),
                TlbFlushSink.NONE);
    }

    /** A mapper with two base pages at the window: the second sits at index 1 of its last-level table. */
    private static PageMapper twoPages(PteFormat f) {
        PageMapper m = mapper(f);
        PageSize base = f.pageSizes().get(0);
        m.map(Page.of(PagingScope.WINDOW, base), PagingScope.frame(base, 0), PagingScope.R);
        m.map(Page.of(PagingScope.WINDOW + base.bytes(), base), PagingScope.frame(base, 1), PagingScope.R);
        assertThat(PagingInvariants.ALL.violations(m)).isEmpty();
        return m;
    }

    private static PhysAddr entryAt(Walk.StepRead s) {
        return s.table().plus((long) s.index() * PhysicalMemory.WORD_BYTES);
    }

    /** CANON-1 probes the granule-aligned addresses on each side of the 39-, 48- and 57-bit half boundaries. */
    @Test
    void CANON_1_probesEachSideOfEveryHalfBoundary() {
        long g = 4096;
        assertThat(PagingInvariants.canonicalProbes(X86_64Pte.FORMAT)).extracting(VirtAddr::value).containsExactly(
                (1L << 38) - g, 1L << 38, -(1L << 38), -(1L << 38) - g,
                (1L << 47) - g, 1L << 47, -(1L << 47), -(1L << 47) - g,
                // 2^56 and below -2^56 are canonical in no mode: no VirtAddr holds them
                (1L << 56) - g, -(1L << 56));
        assertThat(PagingInvariants.canonicalProbes(Aarch64Pte.G64K)).first().extracting(VirtAddr::value)
                .as("the 64 KiB granule below 2^38").isEqualTo((1L << 38) - (1L << 16));
    }

    /** PT-1 also requires the target aligned to the table size: an owned frame one 4 KiB frame into a 16 KiB table is not a table. */
    @Test
    void PT_1_catchesATableEntryPointingInsideAnOwnedTable() {
        boolean[] skew = {false};
        PteFormat skewed = new ForwardingPteFormat(Aarch64Pte.G16K) {
            @Override
            public Entry decode(long raw, int depth) {
                Entry e = super.decode(raw, depth);
                return skew[0] && e.isTable() ? Entry.table(e.address().plus(PhysFrame.SIZE), e.flags()) : e;
            }
        };
        PageMapper m = twoPages(skewed);
        for (PhysFrame t : List.copyOf(m.tableFrames())) {
            m.corruptAdoptTable(t.plus(1));
        }
        assertThat(PagingInvariants.PT_1.evaluate(m)).as("aligned pointers at owned tables").isEmpty();
        skew[0] = true;
        assertThat(PagingInvariants.PT_1.evaluate(m).orElseThrow().detail()).contains("which is not a table the mapper owns");
    }

    /** PT-2 names a table entry that points back at a root before it reports the revisit. */
    @Test
    void PT_2_namesAnEntryPointingBackAtTheRoot() {
        PteFormat f = X86_64Pte.FORMAT;
        PageMapper m = twoPages(f);
        PhysAddr root = m.rootTable().start();
        PhysAddr at = root.plus(5L * PhysicalMemory.WORD_BYTES);
        m.memory().write64(at, f.encodeTable(root, f.permissiveTableFlags(), 0));
        assertThat(PagingInvariants.PT_2.evaluate(m).orElseThrow().detail())
                .isEqualTo(String.format("PML4 entry @%s points back at a root %s", at, root));
    }

    /** Two root registers naming the same table: the scan reports the second root as a revisit, and enters it once. */
    @Test
    void PT_2_catchesTwoRootsThatAreOneTable() {
        PageMapper m = twoPages(Aarch64Pte.G4K);
        PhysFrame r0 = m.roots().get(0);
        PageMapper same = m.restore(List.of(r0, r0), m.memory(), m.allocator(), TlbFlushSink.NONE);
        assertThat(PagingInvariants.PT_2.evaluate(same).orElseThrow().detail())
                .isEqualTo(String.format("table %s is reached again from @%s", r0.start(), r0.start()));
    }

    /** PTE-1 asks the descriptor about table entries too, not only leaves and reserved entries. */
    @Test
    void PTE_1_checksTableEntries() {
        boolean[] on = {false};
        PteFormat strict = new ForwardingPteFormat(X86_64Pte.FORMAT) {
            @Override
            public Optional<Problem> problem(long raw, int depth) {
                return on[0] && depth == 0 && raw != 0 ? Optional.of(new Problem("PTE-1", "seeded: no PML4 entry is acceptable"))
                        : super.problem(raw, depth);
            }
        };
        PageMapper view = twoPages(strict);
        PageMapper m = view;
        on[0] = true;
        Walk.StepRead pml4e = m.walk(VirtAddr.of(PagingScope.WINDOW)).steps().get(0);
        assertThat(PagingInvariants.PTE_1.evaluate(view).orElseThrow().detail()).isEqualTo(String.format(
                "PML4 entry @%s = 0x%016x: seeded: no PML4 entry is acceptable", entryAt(pml4e), pml4e.raw()));
    }

    /** PTE-3 round-trips table entries too: a PML4 entry with an ignored (software) bit set re-encodes without it. */
    @Test
    void PTE_3_checksTableEntries() {
        PteFormat f = X86_64Pte.FORMAT;
        PageMapper m = twoPages(f);
        Walk.StepRead pml4e = m.walk(VirtAddr.of(PagingScope.WINDOW)).steps().get(0);
        long raw = pml4e.raw() | (1L << 52);
        m.memory().write64(entryAt(pml4e), raw);
        assertThat(PagingInvariants.PTE_3.evaluate(m).orElseThrow().detail()).isEqualTo(String.format(
                "PML4 entry @%s = 0x%016x re-encodes to 0x%016x", entryAt(pml4e), raw, pml4e.raw()));
    }

    /** The scan reports each entry at its own address: entry i of a table is 8 i bytes in. */
    @Test
    void treeDumpNamesEachEntryByItsAddress() {
        PteFormat f = X86_64Pte.FORMAT;
        PageMapper m = twoPages(f);
        Walk.StepRead second = m.walk(VirtAddr.of(PagingScope.WINDOW + 4096)).steps().get(f.levels() - 1);
        assertThat(second.index()).isEqualTo(1);
        assertThat(m.dumpTree()).contains(String.format("PT 0x%016x @%s = 0x%016x", PagingScope.WINDOW + 4096,
                entryAt(second), second.raw()));
    }

    /** The walk reads at most one entry per level: a descriptor that reads a last-level entry as a table runs out of levels. */
    @Test
    void aWalkNeverReadsPastTheLastLevel() {
        PteFormat f = X86_64Pte.FORMAT;
        PageMapper m = twoPages(f);
        PteFormat endless = new ForwardingPteFormat(f) {
            @Override
            public Entry decode(long raw, int depth) {
                Entry e = super.decode(raw, depth);
                return depth == levels() - 1 && e.isLeaf() ? Entry.table(e.address(), e.flags()) : e;
            }
        };
        assertThatThrownBy(() -> Mmu.walk(endless, m.memory(), m.roots(), VirtAddr.of(PagingScope.WINDOW)))
                .isInstanceOf(AssertionError.class).hasMessage("a walk of x86_64 ran past the last level");
    }
}
