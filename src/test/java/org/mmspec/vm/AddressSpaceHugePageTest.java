package org.mmspec.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mmspec.check.Violation;
import org.mmspec.fault.Access;
import org.mmspec.fault.FaultAddr;
import org.mmspec.fault.PageFaultHandler;
import org.mmspec.frames.PhysFrame;
import org.mmspec.paging.PageSize;

/**
 * Transparent huge pages inside an address space: collapse of a fully populated 2 MiB range into
 * one leaf backed by an order-9 frame run, splitting on partial mprotect/munmap/mremap, copy-on-write
 * of a huge page after fork, the TLB flushes each needs, and HUGE-1.
 */
class AddressSpaceHugePageTest {
    private static final long P = Vma.PAGE_SIZE;
    private static final long H = AddressSpace.PMD_PAGES;
    /** The huge range under test: the second 2 MiB of the address space. */
    private static final long PMD = H;
    private VmSystem sys;
    private AddressSpace as;
    private final RecordingTlbPort port = new RecordingTlbPort();
    private final List<String> flushes = port.flushes;

    @BeforeEach
    void fresh() {
        sys = VmSystem.of(Layout.small(4 * H), 1700);
        as = sys.space(0);
        sys.frames().attach(port);
        as.mmap(UserAddr.ofPage(PMD), H * P, Prot.RW, MapFlags.PRIVATE_ANON_FIXED, null, 0);
    }

    private void populate(AddressSpace s, long from, long to) {
        for (long q = from; q < to; q++) {
            PageFaultHandler.access(s, FaultAddr.ofPage(q), Access.WRITE);
            s.store(q, 1000 + q);
        }
    }

    private long read(AddressSpace s, long q) {
        PageFaultHandler.access(s, FaultAddr.ofPage(q), Access.READ);
        return s.load(q);
    }

    private List<String> broken() {
        return VmInvariants.ALL.violations(sys).stream().map(Violation::invariantId).toList();
    }

    private boolean hugeLeafAt(AddressSpace s, long pmd) {
        return s.mapper().mappings().values().stream()
                .anyMatch(m -> m.page().size() == PageSize.MIB_2 && m.page().start().value() == pmd * P);
    }

    private void collapsed() {
        populate(as, PMD, PMD + H);
        as.collapseHuge(PMD);
    }

    @Test
    void HUGE_1_holdsAfterAMoveOntoAWholeHugePageWithMremapFixed() {
        // Found by the vm/huge stateful suite (seed -7046045447409557463): the target's huge page,
        // covered whole, stayed recorded while its pages were replaced 4 KiB at a time.
        collapsed();
        as.mmap(UserAddr.ofPage(2 * H), H * P, Prot.RW, MapFlags.PRIVATE_ANON_FIXED, null, 0);
        populate(as, 2 * H, 3 * H);
        as.mremap(UserAddr.ofPage(2 * H), H * P, H * P, new RemapFlags(true, true, false, false), UserAddr.ofPage(PMD));
        assertThat(broken()).isEmpty();
        assertThat(as.hugePages()).as("the target's huge page was replaced").isEmpty();
        assertThat(hugeLeafAt(as, PMD)).isFalse();
        assertThat(read(as, PMD + 7)).as("the moved page's contents").isEqualTo(1000 + 2 * H + 7);
    }

    @Test
    void aFullyPopulatedAlignedRangeCollapsesIntoOneLeafOverAnAlignedFrameRun() {
        populate(as, PMD, PMD + H);
        long freeBefore = sys.frames().allocator().freeFrames();
        flushes.clear();
        as.collapseHuge(PMD);
        assertThat(as.hugePages()).containsExactly(PMD);
        assertThat(hugeLeafAt(as, PMD)).isTrue();
        assertThat(as.translation(PMD).orElseThrow().frame().number() % H).as("an order-9 run").isZero();
        assertThat(read(as, PMD + 7)).isEqualTo(1000 + PMD + 7);
        assertThat(sys.frames().allocator().freeFrames()).as("512 small frames and the emptied PT back, 512 taken")
                .isEqualTo(freeBefore + 1);
        assertThat(flushes.stream().filter(f -> f.startsWith("UNMAP ") && f.endsWith(" " + P)))
                .as("each small leaf is shot down before the huge leaf appears").hasSize((int) H);
        assertThat(broken()).isEmpty();
    }

    @Test
    void collapseRefusesWhatCannotBeOneHugePageAndChangesNothing() {
        populate(as, PMD, PMD + H - 1);
        Object before = sys.key();
        assertThatThrownBy(() -> as.collapseHuge(PMD + 1)).isInstanceOfSatisfying(VmError.class,
                e -> assertThat(e.errorKind()).isEqualTo(VmError.Kind.MISALIGNED));
        assertThatThrownBy(() -> as.collapseHuge(PMD)).as("not fully populated").isInstanceOfSatisfying(VmError.class,
                e -> assertThat(e.errorKind()).isEqualTo(VmError.Kind.NOT_HUGE_ELIGIBLE));
        assertThatThrownBy(() -> as.collapseHuge(2 * H)).as("no area").isInstanceOfSatisfying(VmError.class,
                e -> assertThat(e.errorKind()).isEqualTo(VmError.Kind.NOT_HUGE_ELIGIBLE));
        assertThat(sys.key()).isEqualTo(before);
        populate(as, PMD + H - 1, PMD + H);
        sys.fork(0);
        Object forked = sys.key();
        assertThatThrownBy(() -> as.collapseHuge(PMD)).as("frames shared with the child").isInstanceOfSatisfying(
                VmError.class, e -> assertThat(e.errorKind()).isEqualTo(VmError.Kind.NOT_HUGE_ELIGIBLE));
        assertThat(sys.key()).isEqualTo(forked);
    }

    @Test
    void collapseWithoutAnAlignedFreeRunFailsWithOutOfMemoryAndChangesNothing() {
        populate(as, PMD, PMD + H);
        // Take every other free frame: plenty of frames, no aligned run of 512.
        List<PhysFrame> taken = new ArrayList<>();
        while (sys.frames().allocator().freeFrames() > 0) {
            taken.add(sys.frames().allocator().allocate());
        }
        for (int i = 0; i < taken.size(); i += 2) {
            sys.frames().allocator().free(taken.get(i));
        }
        Object before = sys.key();
        assertThatThrownBy(() -> as.collapseHuge(PMD)).isInstanceOfSatisfying(VmError.class,
                e -> assertThat(e.errorKind()).isEqualTo(VmError.Kind.OUT_OF_MEMORY));
        assertThat(sys.key()).isEqualTo(before);
    }

    @Test
    void aPartialMprotectSplitsTheHugePageAndAWholeOneKeepsIt() {
        collapsed();
        as.mprotect(UserAddr.ofPage(PMD), H * P, Prot.R);
        assertThat(as.hugePages()).as("the whole range: one leaf re-protected").containsExactly(PMD);
        assertThat(as.translation(PMD + 3).orElseThrow().write()).isFalse();
        flushes.clear();
        as.mprotect(UserAddr.ofPage(PMD + 10), 2 * P, Prot.RW);
        assertThat(as.hugePages()).as("part of it: split").isEmpty();
        assertThat(hugeLeafAt(as, PMD)).isFalse();
        assertThat(flushes).as("the split is flushed before the two pages change").first().asString().startsWith("SPLIT " + PMD);
        assertThat(read(as, PMD + 11)).isEqualTo(1000 + PMD + 11);
        assertThat(as.translation(PMD + 11).orElseThrow().write()).isTrue();
        assertThat(as.translation(PMD + 12).orElseThrow().write()).isFalse();
        assertThat(broken()).isEmpty();
    }

    @Test
    void aPartialMunmapSplitsAndAWholeOneReturnsTheRun() {
        collapsed();
        as.munmap(UserAddr.ofPage(PMD + 100), 3 * P);
        assertThat(as.hugePages()).isEmpty();
        assertThat(as.translation(PMD + 101)).isEmpty();
        assertThat(read(as, PMD + 103)).isEqualTo(1000 + PMD + 103);
        assertThat(broken()).isEmpty();
        fresh();
        collapsed();
        long free = sys.frames().allocator().freeFrames();
        as.munmap(UserAddr.ofPage(PMD), H * P);
        assertThat(sys.frames().allocator().freeFrames()).as("the 512 frames and the PD's emptied tables").isGreaterThanOrEqualTo(free + H);
        assertThat(broken()).isEmpty();
    }

    @Test
    void aPartialMunmapWithoutAFrameForTheSplitFailsAndChangesNothing() {
        collapsed();
        while (sys.frames().allocator().freeFrames() > 0) {
            sys.frames().allocator().allocate();
        }
        Object before = sys.key();
        assertThatThrownBy(() -> as.munmap(UserAddr.ofPage(PMD + 1), P)).isInstanceOfSatisfying(VmError.class,
                e -> assertThat(e.errorKind()).isEqualTo(VmError.Kind.OUT_OF_MEMORY));
        assertThat(sys.key()).isEqualTo(before);
    }

    @Test
    void copyOnWriteOfAHugePageSplitsItAndCopiesOnePage() {
        collapsed();
        int child = sys.fork(0);
        AddressSpace c = sys.space(child);
        assertThat(as.hugePages()).as("the parent keeps its leaf, write-protected").containsExactly(PMD);
        assertThat(as.translation(PMD).orElseThrow().write()).isFalse();
        assertThat(broken()).isEmpty();
        PageFaultHandler.access(as, FaultAddr.ofPage(PMD + 5), Access.WRITE);
        as.store(PMD + 5, 77);
        assertThat(as.hugePages()).as("a shared huge page is split, then one page copied").isEmpty();
        assertThat(read(c, PMD + 5)).isEqualTo(1000 + PMD + 5);
        assertThat(read(as, PMD + 5)).isEqualTo(77);
        assertThat(as.translation(PMD + 6).orElseThrow().frame()).isEqualTo(c.translation(PMD + 6).orElseThrow().frame());
        assertThat(broken()).isEmpty();
    }

    @Test
    void anExclusiveWriteProtectedHugePageRegainsWriteAsAWhole() {
        collapsed();
        int child = sys.fork(0);
        sys.exit(child);
        PageFaultHandler.access(as, FaultAddr.ofPage(PMD + 5), Access.WRITE);
        as.store(PMD + 5, 78);
        assertThat(as.hugePages()).containsExactly(PMD);
        assertThat(as.translation(PMD + 400).orElseThrow().write()).isTrue();
        assertThat(broken()).isEmpty();
    }

    @Test
    void mremapMovesAHugePageAsSmallPagesWithItsContents() {
        collapsed();
        UserAddr to = as.mremap(UserAddr.ofPage(PMD), H * P, H * P, new RemapFlags(true, true, false, false),
                UserAddr.ofPage(2 * H));
        assertThat(as.hugePages()).isEmpty();
        assertThat(read(as, to.page() + 9)).isEqualTo(1000 + PMD + 9);
        assertThat(broken()).isEmpty();
    }

    @Test
    void HUGE_1_catchesARecordedHugePageWithNoLeaf() {
        populate(as, PMD, PMD + 2);
        as.corruptMarkHuge(PMD);
        assertThat(broken()).contains("HUGE-1");
    }

    @Test
    void HUGE_1_catchesTheSeededCollapseAcrossAreas() {
        VmSystem bad = new VmSystem(Layout.small(4 * H), AddressSpace.WxPolicy.ENFORCE, 1700, VmSystem.Bug.COLLAPSE_ACROSS_AREAS);
        AddressSpace s = bad.space(0);
        s.mmap(UserAddr.ofPage(PMD), 100 * P, Prot.RW, MapFlags.PRIVATE_ANON_FIXED, null, 0);
        // MAP_NORESERVE: the same rights, other vm flags, so the two areas never merge.
        s.mmap(UserAddr.ofPage(PMD + 100), (H - 100) * P, Prot.RW, new MapFlags(false, true, true, false, true), null, 0);
        populate(s, PMD, PMD + H);
        assertThat(s.areas()).hasSize(3);
        s.collapseHuge(PMD);
        assertThat(VmInvariants.ALL.violations(bad).stream().map(Violation::invariantId).toList()).contains("HUGE-1");
    }
}
