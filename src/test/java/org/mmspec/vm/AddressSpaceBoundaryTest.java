package org.mmspec.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The exact edges of every mmap, mprotect, munmap and brk rule on the 64-page small layout
 * (min page 1, top page 64, mmap base 60, stack at page 63 with a one-page guard gap, heap from
 * page 2 with a limit of three pages): the last request each rule accepts and the first it
 * rejects, with the error kind, errno and message a caller sees.
 */
class AddressSpaceBoundaryTest {
    private static final long P = Vma.PAGE_SIZE;
    private VmSystem sys;
    private AddressSpace as;
    private Layout l;

    @BeforeEach
    void fresh() {
        sys = VmSystem.of(Layout.small(64), 16);
        as = sys.space(0);
        l = as.layout();
    }

    private UserAddr fixed(long page, long pages, Prot prot) {
        return as.mmap(UserAddr.ofPage(page), pages * P, prot, MapFlags.PRIVATE_ANON_FIXED, null, 0);
    }

    private List<String> areas() {
        return as.areas().values().stream().map(v -> v.start() + "-" + v.end() + " " + v.prot()).toList();
    }

    private static void rejected(Runnable call, VmError.Kind kind, String errno, String message) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(VmError.class, e -> {
            assertThat(e.errorKind()).isEqualTo(kind);
            assertThat(e.errno()).isEqualTo(errno);
            assertThat(e.getMessage()).isEqualTo(message);
        });
    }

    @Test
    void mapFixedMayEndExactlyAtTheTopOfUserSpaceButNotAPagePast() {
        assertThat(fixed(62, 2, Prot.R)).isEqualTo(UserAddr.ofPage(62));
        assertThat(areas()).containsExactly("62-64 r--");
        rejected(() -> fixed(63, 2, Prot.R), VmError.Kind.OUT_OF_RANGE, "ENOMEM", "mmap: [0x3f000, +0x2000) leaves user space");
    }

    @Test
    void mapFixedMayStartAtMmapMinAddrButNotAPageBelow() {
        assertThat(fixed(1, 1, Prot.R)).isEqualTo(UserAddr.ofPage(1));
        rejected(() -> fixed(0, 1, Prot.R), VmError.Kind.BELOW_MIN_ADDR, "EPERM", "mmap: MAP_FIXED 0x0 below mmap_min_addr");
    }

    @Test
    void aLengthOfAllUserSpaceIsNotTooLongButFindsNoGap() {
        rejected(() -> as.mmapAnonymous(64 * P, Prot.R), VmError.Kind.NO_SPACE, "ENOMEM", "mmap: 64 pages do not fit");
        rejected(() -> as.mmapAnonymous(64 * P + 1, Prot.R), VmError.Kind.OUT_OF_RANGE, "ENOMEM",
                "mmap: length 0x40001 exceeds user space");
        // MAP_FIXED at page 0 with the whole length: not too long, so the address rule speaks.
        rejected(() -> fixed(0, 64, Prot.R), VmError.Kind.BELOW_MIN_ADDR, "EPERM", "mmap: MAP_FIXED 0x0 below mmap_min_addr");
    }

    @Test
    void everyMappablePageAtOnceFitsAnEmptySpaceFromTheLegacyBase() {
        AddressSpace empty = AddressSpace.empty(l, AddressSpace.WxPolicy.ENFORCE, sys.frames());
        // 63 pages do not fit below the mmap base (60), so the bottom-up fallback places them at page 1.
        assertThat(empty.mmapAnonymous(63 * P, Prot.R)).isEqualTo(UserAddr.ofPage(1));
        AddressSpace empty2 = AddressSpace.empty(l, AddressSpace.WxPolicy.ENFORCE, sys.frames());
        rejected(() -> empty2.mmapAnonymous(64 * P, Prot.R), VmError.Kind.NO_SPACE, "ENOMEM", "mmap: 64 pages do not fit");
    }

    @Test
    void topDownTakesTheHighestGapBelowTheMmapBaseThatHoldsTheRequestExactly() {
        // Free below the mmap base (60): pages 1..3 and 57..59, three pages each.
        fixed(4, 53, Prot.R);
        assertThat(as.mmapAnonymous(3 * P, Prot.RW)).isEqualTo(UserAddr.ofPage(57));
        assertThat(as.mmapAnonymous(2 * P, Prot.RX)).as("the top of the highest gap that holds it").isEqualTo(UserAddr.ofPage(2));
    }

    @Test
    void whenTopDownFindsNoRoomTheLowestGapAboveTheLegacyBaseThatHoldsTheRequestIsTaken() {
        // Free: pages 57..61 (62 is the stack's guard gap), of which only 57..59 lie below the mmap base (60).
        fixed(1, 56, Prot.R);
        assertThat(as.mmapAnonymous(5 * P, Prot.RW)).isEqualTo(UserAddr.ofPage(57));
        rejected(() -> as.mmapAnonymous(P, Prot.RW), VmError.Kind.NO_SPACE, "ENOMEM", "mmap: no free gap of 1 pages");
    }

    @Test
    void aHintIsTakenWhenItsRangeEndsExactlyAtTheTopOfAnEmptySpace() {
        AddressSpace empty = AddressSpace.empty(l, AddressSpace.WxPolicy.ENFORCE, sys.frames());
        assertThat(empty.mmap(UserAddr.ofPage(62), 2 * P, Prot.R, MapFlags.PRIVATE_ANON, null, 0)).isEqualTo(UserAddr.ofPage(62));
        // A hint one page further would leave user space, so the search takes the top of the mmap base instead.
        assertThat(empty.mmap(UserAddr.ofPage(63), 2 * P, Prot.R, MapFlags.PRIVATE_ANON, null, 0)).isEqualTo(UserAddr.ofPage(58));
    }

    @Test
    void aHintBelowMmapMinAddrIsRaisedToIt() {
        assertThat(as.mmap(UserAddr.of(8), P, Prot.R, MapFlags.PRIVATE_ANON, null, 0)).isEqualTo(UserAddr.ofPage(1));
    }

    @Test
    void aHintRightBelowTheStackGuardGapIsTakenButNotInsideIt() {
        // Stack at 63, guard gap 62: a hint at 61 fits, a hint at 62 is moved to the top-down search.
        assertThat(as.mmap(UserAddr.ofPage(61), P, Prot.R, MapFlags.PRIVATE_ANON, null, 0)).isEqualTo(UserAddr.ofPage(61));
        assertThat(as.mmap(UserAddr.ofPage(62), P, Prot.RW, MapFlags.PRIVATE_ANON, null, 0)).isEqualTo(UserAddr.ofPage(59));
    }

    @Test
    void aHintOverlappingTheEndOfAnAreaIsNotTaken() {
        fixed(10, 4, Prot.R);
        assertThat(as.mmap(UserAddr.ofPage(13), P, Prot.RW, MapFlags.PRIVATE_ANON, null, 0)).isEqualTo(UserAddr.ofPage(59));
        assertThat(as.mmap(UserAddr.ofPage(14), P, Prot.RW, MapFlags.PRIVATE_ANON, null, 0)).isEqualTo(UserAddr.ofPage(14));
        assertThat(as.mmap(UserAddr.ofPage(9), P, Prot.RX, MapFlags.PRIVATE_ANON, null, 0)).isEqualTo(UserAddr.ofPage(9));
        assertThat(areas()).startsWith("9-10 r-x", "10-14 r--", "14-15 rw-");
    }

    @Test
    void mprotectMayEndExactlyAtTheTopOfUserSpaceButNotAPagePast() {
        fixed(62, 1, Prot.RW);
        as.mprotect(UserAddr.ofPage(62), 2 * P, Prot.R);
        assertThat(areas()).as("the stack is r-- too, and never merges with a plain area").containsExactly("62-63 r--", "63-64 r--");
        rejected(() -> as.mprotect(UserAddr.ofPage(63), 2 * P, Prot.R), VmError.Kind.OUT_OF_RANGE, "ENOMEM",
                "mprotect: [0x3f000, +0x2000) leaves user space");
        rejected(() -> as.mprotect(UserAddr.of(P + 1), P, Prot.R), VmError.Kind.MISALIGNED, "EINVAL",
                "mprotect: 0x1001 is not page-aligned");
    }

    @Test
    void mprotectNamesTheFirstUnmappedPageOfTheRange() {
        fixed(10, 2, Prot.RW);
        fixed(13, 2, Prot.RW);
        rejected(() -> as.mprotect(UserAddr.ofPage(10), 5 * P, Prot.R), VmError.Kind.NOT_MAPPED, "ENOMEM",
                "mprotect: page 12 of [10, 15) is not mapped");
        rejected(() -> as.mprotect(UserAddr.ofPage(9), 2 * P, Prot.R), VmError.Kind.NOT_MAPPED, "ENOMEM",
                "mprotect: page 9 of [9, 11) is not mapped");
        rejected(() -> as.mprotect(UserAddr.ofPage(14), 2 * P, Prot.R), VmError.Kind.NOT_MAPPED, "ENOMEM",
                "mprotect: page 15 of [14, 16) is not mapped");
        // Adjacent areas cover the range without a hole (r-- stays apart: it never had VM_ACCOUNT).
        fixed(12, 1, Prot.R);
        as.mprotect(UserAddr.ofPage(10), 5 * P, Prot.R);
        assertThat(areas()).startsWith("10-12 r--", "12-13 r--", "13-15 r--");
    }

    @Test
    void mprotectOfAPartialLastPageCoversThatWholePage() {
        fixed(10, 2, Prot.RW);
        as.mprotect(UserAddr.ofPage(10), P + 1, Prot.R);
        assertThat(areas()).startsWith("10-12 r--");
    }

    @Test
    void munmapMayEndExactlyAtTheTopOfUserSpaceButNotAPagePast() {
        as.munmap(UserAddr.ofPage(62), 2 * P);
        assertThat(areas()).isEmpty();
        rejected(() -> as.munmap(UserAddr.ofPage(63), 2 * P), VmError.Kind.OUT_OF_RANGE, "EINVAL",
                "munmap: [0x3f000, +0x2000) leaves user space");
        rejected(() -> as.munmap(UserAddr.of(P + 1), P), VmError.Kind.MISALIGNED, "EINVAL", "munmap: 0x1001 is not page-aligned");
        rejected(() -> as.munmap(UserAddr.ofPage(1), 0), VmError.Kind.ZERO_LENGTH, "EINVAL", "munmap: length 0");
    }

    @Test
    void mmapRejectsEachBadArgumentWithItsOwnKindAndMessage() {
        rejected(() -> as.mmapAnonymous(0, Prot.R), VmError.Kind.ZERO_LENGTH, "EINVAL", "mmap: length 0");
        rejected(() -> as.mmap(null, P, Prot.R, new MapFlags(false, true, false, false, false), "/lib/a.so", 0),
                VmError.Kind.BAD_FLAGS, "EBADF", "mmap: MAP_ANONYMOUS with a file");
        rejected(() -> as.mmap(null, P, Prot.R, new MapFlags(false, false, false, false, false), null, 0),
                VmError.Kind.BAD_FLAGS, "EBADF", "mmap: MAP_ANONYMOUS without a file");
        rejected(() -> as.mmap(null, P, Prot.R, new MapFlags(false, false, false, false, false), "/lib/a.so", 1),
                VmError.Kind.MISALIGNED, "EINVAL", "mmap: offset 0x1 is not page-aligned");
        rejected(() -> as.mmap(null, P, Prot.R, new MapFlags(false, false, false, false, false), "/lib/a.so", -P),
                VmError.Kind.MISALIGNED, "EINVAL", "mmap: offset 0xfffffffffffff000 is not page-aligned");
        rejected(() -> as.mmap(null, -P, Prot.R, MapFlags.PRIVATE_ANON, null, 0), VmError.Kind.OUT_OF_RANGE, "ENOMEM",
                "mmap: length 0xfffffffffffff000 exceeds user space");
        rejected(() -> as.mmapAnonymous(P, Prot.RWX), VmError.Kind.WX_VIOLATION, "EACCES",
                "mmap: rwx is writable and executable (W^X)");
        rejected(() -> as.mmap(null, P, Prot.R, MapFlags.PRIVATE_ANON_FIXED, null, 0), VmError.Kind.MISALIGNED, "EINVAL",
                "mmap: MAP_FIXED address null is not page-aligned");
        rejected(() -> as.mmap(UserAddr.of(P + 8), P, Prot.R, MapFlags.PRIVATE_ANON_FIXED, null, 0), VmError.Kind.MISALIGNED,
                "EINVAL", "mmap: MAP_FIXED address 0x1008 is not page-aligned");
    }

    @Test
    void mapFixedNoReplaceRefusesAnOverlapByOnePageAndTakesTheRangeNextToIt() {
        fixed(10, 2, Prot.R);
        MapFlags noReplace = new MapFlags(false, true, false, true, false);
        rejected(() -> as.mmap(UserAddr.ofPage(11), 2 * P, Prot.R, noReplace, null, 0), VmError.Kind.EXISTS, "EEXIST",
                "mmap: MAP_FIXED_NOREPLACE 0xb000 overlaps a mapping");
        rejected(() -> as.mmap(UserAddr.ofPage(9), 2 * P, Prot.R, noReplace, null, 0), VmError.Kind.EXISTS, "EEXIST",
                "mmap: MAP_FIXED_NOREPLACE 0x9000 overlaps a mapping");
        assertThat(as.mmap(UserAddr.ofPage(12), 2 * P, Prot.RW, noReplace, null, 0)).isEqualTo(UserAddr.ofPage(12));
        assertThat(as.mmap(UserAddr.ofPage(8), 2 * P, Prot.RW, noReplace, null, 0)).isEqualTo(UserAddr.ofPage(8));
        // MAP_FIXED together with MAP_FIXED_NOREPLACE replaces, as MAP_FIXED does.
        assertThat(as.mmap(UserAddr.ofPage(10), P, Prot.RX, new MapFlags(false, true, true, true, false), null, 0))
                .isEqualTo(UserAddr.ofPage(10));
        assertThat(areas()).startsWith("8-10 rw-", "10-11 r-x", "11-12 r--", "12-14 rw-");
    }

    @Test
    void brkGrowsToExactlyItsLimitAndNoFurther() {
        long start = l.startBrkPage();
        UserAddr limit = UserAddr.ofPage(start + l.brkLimitPages());
        assertThat(as.brk(limit)).isEqualTo(limit);
        assertThat(as.brk(UserAddr.of(limit.value() + 1))).as("one byte past the limit needs another page").isEqualTo(limit);
        assertThat(as.brk(UserAddr.ofPage(start))).as("back to an empty heap").isEqualTo(UserAddr.ofPage(start));
        assertThat(as.areaAt(start)).isEmpty();
        assertThat(as.brk(UserAddr.of(UserAddr.ofPage(start).value() - 1))).as("below start_brk").isEqualTo(UserAddr.ofPage(start));
    }

    @Test
    void brkWithinTheSamePageMovesTheEndWithoutMapping() {
        long start = l.startBrkPage();
        as.brk(UserAddr.of(UserAddr.ofPage(start).value() + 8));
        assertThat(as.areaAt(start)).isPresent();
        assertThat(as.brk(UserAddr.of(UserAddr.ofPage(start).value() + 16))).isEqualTo(UserAddr.of(UserAddr.ofPage(start).value() + 16));
        assertThat(as.brk()).isEqualTo(UserAddr.of(UserAddr.ofPage(start).value() + 16));
        assertThat(as.areaAt(start).orElseThrow().end()).isEqualTo(start + 1);
    }

    @Test
    void brkKeepsOneFreePageBelowTheNextAreaAndTheStackGuardGapBelowAStack() {
        long start = l.startBrkPage();
        fixed(start + 3, 1, Prot.R);
        assertThat(as.brk(UserAddr.ofPage(start + 2))).as("a free page left below the next area").isEqualTo(UserAddr.ofPage(start + 2));
        assertThat(as.brk(UserAddr.ofPage(start + 3))).as("no free page left").isEqualTo(UserAddr.ofPage(start + 2));
        // A grows-down area reserves its guard gap too: heap end + 1 may reach the gap's start, not pass it.
        VmSystem s2 = new VmSystem(new Layout(1, 16, 12, 1, 16, 1, 12, 2, 2, 10), AddressSpace.WxPolicy.ENFORCE, 16,
                VmSystem.Bug.NONE);
        AddressSpace a2 = s2.space(0);
        a2.expandStack(a2.areaAt(15).orElseThrow(), 8);
        // Stack from page 8, guard gap 6..7: the heap may end at page 5 (one free page, 5, before the gap).
        assertThat(a2.brk(UserAddr.ofPage(5))).isEqualTo(UserAddr.ofPage(5));
        assertThat(a2.brk(UserAddr.ofPage(6))).isEqualTo(UserAddr.ofPage(5));
    }
}
