package org.mmspec.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mmspec.fault.Access;
import org.mmspec.fault.FaultAddr;
import org.mmspec.fault.PageFaultHandler;
import org.mmspec.frames.FrameAllocator;
import org.mmspec.frames.FrameRange;
import org.mmspec.frames.PhysFrame;
import org.mmspec.paging.TlbFlush;

/** mremap with Linux's semantics (mm/mremap.c), case by case, on a 64-page layout. */
class AddressSpaceMremapTest extends AddressSpaceFixture {
    @BeforeEach
    void fresh() {
        sys = VmSystem.of(Layout.small(64), 24);
        as = sys.space(0);
    }

    private List<String> areas(long from, long to) {
        return as.areas().subMap(from, to).values().stream().map(v -> v.start() + "-" + v.end() + " " + v.prot()).toList();
    }

    private static RemapFlags flags(boolean mayMove, boolean fixed, boolean dontUnmap) {
        return new RemapFlags(mayMove, fixed, dontUnmap, false);
    }

    @Test
    void growsInPlaceWhenThePagesAboveAreFreeAndMergesWithTheNextArea() {
        fixed(10, 4, Prot.RW);
        write(10, 7);
        fixed(16, 2, Prot.RW);
        assertThat(remap(10, 4, 6, RemapFlags.NONE, null)).isEqualTo(UserAddr.ofPage(10));
        assertThat(areas(0, 40)).as("grown to meet [16, 18) and merged with it").containsExactly("10-18 rw-");
        assertThat(read(10)).isEqualTo(7);
        assertThat(broken()).isEmpty();
    }

    @Test
    void shrinksInPlaceByUnmappingTheTailAndFreesItsFrames() {
        fixed(10, 6, Prot.RW);
        write(14, 3);
        long free = sys.frames().allocator().freeFrames();
        assertThat(remap(10, 6, 2, RemapFlags.NONE, null)).isEqualTo(UserAddr.ofPage(10));
        assertThat(areas(0, 40)).containsExactly("10-12 rw-");
        assertThat(sys.frames().allocator().freeFrames()).as("the tail's data frame (and its emptied table) came back")
                .isGreaterThan(free);
        assertThat(broken()).isEmpty();
    }

    @Test
    void withoutMayMoveABlockedGrowthFailsWithEnomemAndChangesNothing() {
        fixed(10, 4, Prot.RW);
        fixed(14, 2, Prot.R);
        Object before = sys.key();
        assertThatThrownBy(() -> remap(10, 4, 6, RemapFlags.NONE, null)).isInstanceOfSatisfying(VmError.class, e -> {
            assertThat(e.errorKind()).isEqualTo(VmError.Kind.NO_SPACE);
            assertThat(e.errno()).isEqualTo("ENOMEM");
        });
        assertThat(sys.key()).isEqualTo(before);
    }

    @Test
    void mayMoveMovesTheFramesKeepsTheContentsAndLeavesNothingBehind() {
        fixed(10, 3, Prot.RW);
        fixed(13, 1, Prot.R);
        write(10, 11);
        write(12, 12);
        PhysFrame f = as.translation(10).orElseThrow().frame();
        UserAddr to = remap(10, 3, 5, RemapFlags.MAYMOVE, null);
        long t = to.page();
        assertThat(t).isNotEqualTo(10);
        assertThat(as.areaAt(10)).isEmpty();
        assertThat(as.translations().subMap(10L, 13L)).isEmpty();
        assertThat(as.translation(t).orElseThrow().frame()).as("the frame moves, no copy").isEqualTo(f);
        assertThat(read(t)).isEqualTo(11);
        assertThat(read(t + 2)).isEqualTo(12);
        assertThat(read(t + 4)).as("grown pages are demand-zero").isZero();
        assertThat(as.areaAt(t).orElseThrow().pgoff()).as("an anonymous area keeps its vm_pgoff").isEqualTo(10);
        assertThat(broken()).isEmpty();
    }

    @Test
    void fixedReplacesWhatIsAtTheTargetAndShrinksTheOldTail() {
        fixed(10, 4, Prot.RW);
        write(10, 5);
        write(13, 6);
        fixed(30, 6, Prot.R);
        read(32);
        UserAddr to = remap(10, 4, 2, flags(true, true, false), 32L);
        assertThat(to).isEqualTo(UserAddr.ofPage(32));
        assertThat(areas(0, 40)).containsExactly("30-32 r--", "32-34 rw-", "34-36 r--");
        assertThat(read(32)).isEqualTo(5);
        assertThat(as.areaAt(13)).as("the old tail beyond the new length is unmapped").isEmpty();
        assertThat(broken()).isEmpty();
    }

    @Test
    void dontUnmapMovesThePagesAndLeavesTheOldRangeMappedAndEmpty() {
        fixed(10, 2, Prot.RW);
        write(10, 9);
        UserAddr to = remap(10, 2, 2, flags(true, false, true), null);
        assertThat(as.areaAt(10)).as("the old range stays mapped").isPresent();
        assertThat(read(to.page())).isEqualTo(9);
        assertThat(read(10)).as("and faults in a zero page").isZero();
        assertThat(broken()).isEmpty();
    }

    @Test
    void aSharedMappingGrownOverOffsetsItShrankAwayFromShowsWhatTheObjectHolds() {
        as.mmap(UserAddr.ofPage(10), 3 * P, Prot.RW, new MapFlags(true, true, true, false, false), null, 0);
        write(12, 4);
        remap(10, 3, 1, RemapFlags.NONE, null);
        assertThat(as.areaAt(12)).isEmpty();
        remap(10, 1, 3, RemapFlags.NONE, null);
        assertThat(read(12)).as("the shmem object kept page 2 while the mapping lived").isEqualTo(4);
        UserAddr dup = remap(10, 0, 3, RemapFlags.MAYMOVE, null);
        assertThat(read(dup.page() + 2)).as("old length 0 maps the same object again").isEqualTo(4);
        assertThat(broken()).isEmpty();
    }

    @Test
    void eachRejectionHasLinuxsErrnoAndChangesNothing() {
        fixed(10, 4, Prot.RW);
        write(10, 1);
        fixed(14, 2, Prot.R);
        record Case(String what, Runnable call, VmError.Kind kind, String errno) {
        }
        List<Case> cases = List.of(
                new Case("unknown flag", () -> as.mremap(UserAddr.ofPage(10), P, P, RemapFlags.ofBits(8), null),
                        VmError.Kind.BAD_FLAGS, "EINVAL"),
                new Case("FIXED without MAYMOVE", () -> remap(10, 1, 1, flags(false, true, false), 30L), VmError.Kind.BAD_FLAGS,
                        "EINVAL"),
                new Case("DONTUNMAP resizing", () -> remap(10, 1, 2, flags(true, false, true), null), VmError.Kind.BAD_FLAGS,
                        "EINVAL"),
                new Case("unaligned", () -> as.mremap(UserAddr.of(10 * P + 8), P, P, RemapFlags.NONE, null),
                        VmError.Kind.MISALIGNED, "EINVAL"),
                new Case("new length 0", () -> remap(10, 1, 0, RemapFlags.NONE, null), VmError.Kind.ZERO_LENGTH, "EINVAL"),
                new Case("no area", () -> remap(20, 1, 2, RemapFlags.MAYMOVE, null), VmError.Kind.BAD_ADDRESS, "EFAULT"),
                new Case("past the area's end", () -> remap(14, 3, 4, RemapFlags.MAYMOVE, null), VmError.Kind.BAD_ADDRESS,
                        "EFAULT"),
                new Case("overlap", () -> remap(10, 4, 4, flags(true, true, false), 12L), VmError.Kind.OVERLAP, "EINVAL"),
                new Case("target past user space", () -> remap(10, 1, 4, flags(true, true, false), 62L),
                        VmError.Kind.OUT_OF_RANGE, "EINVAL"),
                new Case("target below mmap_min_addr", () -> remap(10, 1, 1, flags(true, true, false), 0L),
                        VmError.Kind.BELOW_MIN_ADDR, "EPERM"),
                new Case("old length 0 of a private mapping", () -> remap(10, 0, 1, RemapFlags.MAYMOVE, null),
                        VmError.Kind.ZERO_LENGTH, "EINVAL"),
                new Case("the stack", () -> remap(as.layout().stackTop() - 1, 1, 2, RemapFlags.MAYMOVE, null),
                        VmError.Kind.STACK_MOVE, "EINVAL"),
                new Case("growth blocked", () -> remap(10, 4, 5, RemapFlags.NONE, null), VmError.Kind.NO_SPACE, "ENOMEM"),
                new Case("no gap", () -> remap(10, 4, 50, RemapFlags.MAYMOVE, null), VmError.Kind.NO_SPACE, "ENOMEM"));
        for (Case c : cases) {
            Object before = sys.key();
            assertThatThrownBy(c.call()::run).as(c.what()).isInstanceOfSatisfying(VmError.class, e -> {
                assertThat(e.errorKind()).as(c.what()).isEqualTo(c.kind());
                assertThat(e.errno()).as(c.what()).isEqualTo(c.errno());
            });
            assertThat(sys.key()).as(c.what() + " changed nothing").isEqualTo(before);
        }
    }

    @Test
    void aMoveWithoutFramesForTheTargetsTablesFailsAndChangesNothing() {
        // Root + 3 tables + 2 data frames + the stack's: the target, in another 2 MiB region, needs a fresh PT.
        VmSystem small = VmSystem.of(Layout.small(1024), 7);
        AddressSpace s = small.space(0);
        s.mmap(UserAddr.ofPage(10), 2 * P, Prot.RW, MapFlags.PRIVATE_ANON_FIXED, null, 0);
        PageFaultHandler.access(s, FaultAddr.ofPage(10), Access.WRITE);
        s.store(10, 3);
        PageFaultHandler.access(s, FaultAddr.ofPage(11), Access.WRITE);
        while (small.frames().allocator().freeFrames() > 0) {
            small.frames().allocator().allocate();
        }
        Object before = small.key();
        assertThatThrownBy(() -> s.mremap(UserAddr.ofPage(10), 2 * P, 2 * P, flags(true, true, false), UserAddr.ofPage(600)))
                .isInstanceOfSatisfying(VmError.class, e -> assertThat(e.errorKind()).isEqualTo(VmError.Kind.OUT_OF_MEMORY));
        assertThat(small.key()).isEqualTo(before);
    }

    @Test
    void everyMovedTranslationIsShotDownThroughTheMachinesTlbPort() {
        List<String> seen = new ArrayList<>();
        sys.frames().attach(new TlbPort() {
            @Override
            public void flush(AddressSpace space, TlbFlush flush) {
                seen.add(flush.reason() + " " + (flush.start().value() >>> Vma.PAGE_SHIFT));
            }

            @Override
            public void freeTable(AddressSpace space, FrameRange run, FrameAllocator allocator) {
                allocator.free(run);
            }

            @Override
            public void freeFrame(PhysFrame frame, FrameAllocator allocator) {
                allocator.free(frame);
            }

            @Override
            public java.util.Set<Long> withheld() {
                return java.util.Set.of();
            }
        });
        fixed(10, 3, Prot.RW);
        write(10, 1);
        write(12, 2);
        fixed(30, 2, Prot.R);
        read(30);
        seen.clear();
        remap(10, 3, 3, flags(true, true, false), 30L);
        assertThat(seen).as("the replaced target page and both moved pages' old addresses")
                .contains("REMAP 30", "UNMAP 10", "UNMAP 12");
        seen.clear();
        remap(30, 3, 3, flags(true, false, true), null);
        assertThat(seen).as("MREMAP_DONTUNMAP moves the pages too").contains("UNMAP 30", "UNMAP 32");
        assertThat(broken()).isEmpty();
    }

    /** ATOMIC-1 as a property: random mremaps on random spaces; every rejection leaves the system's key unchanged. */
    @Test
    void failedMremapsChangeNothingOnRandomSpaces() {
        Random r = new Random(13);
        int rejected = 0;
        for (int run = 0; run < 300; run++) {
            fresh();
            for (int i = 0; i < 4; i++) {
                try {
                    fixed(2 + r.nextInt(50), 1 + r.nextInt(5), r.nextBoolean() ? Prot.RW : Prot.R);
                    long q = 2 + r.nextInt(55);
                    if (as.areaAt(q).isPresent()) {
                        PageFaultHandler.access(as, FaultAddr.ofPage(q), Access.READ);
                    }
                } catch (VmError e) {
                    // a layout the random draw could not make; the next draw goes on
                }
            }
            Object before = sys.key();
            RemapFlags f = RemapFlags.ofBits(r.nextInt(8) | (r.nextInt(10) == 0 ? 8 : 0));
            long old = r.nextInt(6);
            long nw = f.dontUnmap() && r.nextBoolean() ? old : r.nextInt(6);
            try {
                remap(r.nextInt(64), old, nw, f, r.nextBoolean() ? (long) r.nextInt(64) : null);
            } catch (VmError e) {
                rejected++;
                assertThat(sys.key()).as("run %d: %s", run, e.getMessage()).isEqualTo(before);
            }
            assertThat(broken()).as("run %d", run).isEmpty();
        }
        assertThat(rejected).as("the draw rejects often enough to mean something").isGreaterThan(100);
    }
}
