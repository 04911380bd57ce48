package org.mmspec.heap;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.mmspec.frames.FrameRange;
import org.mmspec.frames.ReferenceFrameAllocator;

/**
 * The LinkedListAllocator on its own, at exact byte offsets: arena sizes, first fit (an exact fit
 * included), splitting, coalescing with either neighbour, and the return of arenas a free block
 * covers, with the free bytes before and after them kept.
 */
class LargeAllocatorTest {
    /** Frame 16's first byte: the first arena's start. */
    private static final long A = 16 * 4096;
    /** The second arena, right after a five-frame first one. */
    private static final long B = 21 * 4096;

    private final ReferenceFrameAllocator frames = new ReferenceFrameAllocator(FrameRange.of(16, 64));
    private final FrameLedger ledger = new FrameLedger(frames);
    private final LinkedListAllocator l = new LinkedListAllocator();

    private static Map.Entry<Long, Long> e(long start, long length) {
        return Map.entry(start, length);
    }

    private long alloc(long length) {
        return l.allocate(length, ledger, Bug.NONE);
    }

    private void free(long start) {
        l.free(start, ledger, Bug.NONE);
    }

    @Test
    void blocksAreWholeCacheLineGranules() {
        assertThat(LinkedListAllocator.GRANULE).isEqualTo(64);
        assertThat(LinkedListAllocator.blockFor(1)).isEqualTo(64);
        assertThat(LinkedListAllocator.blockFor(64)).isEqualTo(64);
        assertThat(LinkedListAllocator.blockFor(65)).isEqualTo(128);
        assertThat(LinkedListAllocator.blockFor(16_385)).isEqualTo(16_448);
        assertThat(LinkedListAllocator.blockFor(20_480)).isEqualTo(20_480);
    }

    @Test
    void anArenaIsTheRequestRoundedUpToWholeFramesAndItsTailStaysFree() {
        assertThat(alloc(20_480)).isEqualTo(A);
        assertThat(l.arenas).containsOnlyKeys(A);
        assertThat(l.arenas.get(A)).isEqualTo(FrameRange.of(16, 5));
        assertThat(l.free).as("an exact multiple of a frame leaves no tail").isEmpty();
        assertThat(alloc(20_544)).isEqualTo(B);
        assertThat(l.arenas.get(B)).isEqualTo(FrameRange.of(21, 6));
        assertThat(l.free).containsExactly(e(B + 20_544, 6 * 4096 - 20_544L));
        assertThat(l.used).containsExactly(e(A, 20_480L), e(B, 20_544L));
        assertThat(l.managedBytes()).isEqualTo(11 * 4096);
        assertThat(LinkedListAllocator.sum(l.used)).isEqualTo(41_024);
        assertThat(LinkedListAllocator.sum(l.free)).isEqualTo(4032);
        assertThat(l.allocs).isEqualTo(2);
        assertThat(l.frees).isZero();
        assertThat(ledger.heldFrames()).isEqualTo(11);
        assertThat(frames.freeFrames()).isEqualTo(64 - 11);
    }

    @Test
    void wholeArenasGoBackAndAnExactFitLeavesNoRemainder() {
        long x = alloc(8192); // arena [16, 18): exact
        long y = alloc(8192); // arena [18, 20): exact
        long z = alloc(8192); // arena [20, 22)
        alloc(64); // arena [22, 23): free tail of 4032 bytes
        free(x);
        assertThat(l.arenas).doesNotContainKey(x);
        free(y);
        assertThat(l.arenas).doesNotContainKeys(x, y);
        assertThat(z).isEqualTo(20 * 4096);
        assertThat(l.free).containsExactly(e(22 * 4096 + 64, 4032L));
        assertThat(alloc(4032)).isEqualTo(22 * 4096 + 64);
        assertThat(l.free).isEmpty();
        assertThat(l.arenas).hasSize(2);
    }

    @Test
    void firstFitSplitsTheLowestBlockThatFitsAndSkipsSmallerOnes() {
        long x = alloc(4096 + 192); // arena [16, 18): tail of 3904 at A + 4288
        long a1 = alloc(1024);
        long a2 = alloc(1024);
        long a3 = alloc(1024);
        assertThat(new long[] {x, a1, a2, a3}).containsExactly(A, A + 4288, A + 5312, A + 6336);
        assertThat(l.free).containsExactly(e(A + 7360, 832L));
        free(a1);
        assertThat(l.free).containsExactly(e(A + 4288, 1024L), e(A + 7360, 832L));
        assertThat(alloc(512)).as("the lowest block that fits, split at its front").isEqualTo(A + 4288);
        assertThat(l.free).containsExactly(e(A + 4800, 512L), e(A + 7360, 832L));
        assertThat(alloc(640)).as("512 bytes are too few: the next block").isEqualTo(A + 7360);
        assertThat(l.free).containsExactly(e(A + 4800, 512L), e(A + 8000, 192L));
        assertThat(l.arenas).hasSize(1);
    }

    @Test
    void anExactFitTakesTheFreeBlockWholeAndASmallerRequestSplitsIt() {
        long x = alloc(4096 + 192); // arena of 2 frames: free tail of 3904 bytes
        assertThat(l.free).containsExactly(e(x + 4288, 3904L));
        long small = alloc(128);
        assertThat(small).as("first fit lands in the tail, not a new arena").isEqualTo(x + 4288);
        assertThat(l.free).containsExactly(e(x + 4416, 3776L));
        long exact = alloc(3776);
        assertThat(exact).isEqualTo(x + 4416);
        assertThat(l.free).isEmpty();
        assertThat(l.arenas).hasSize(1);
        long next = alloc(64);
        assertThat(l.arenas).as("nothing free: a new arena").hasSize(2);
        assertThat(next).isEqualTo(18 * 4096);
    }

    @Test
    void freeCoalescesWithTheBlockBelowAndTheBlockAbove() {
        long a = alloc(4096); // arena 1 frame... whole
        long arena = alloc(3 * 4096); // arena of 3 frames, whole
        assertThat(arena).isEqualTo(17 * 4096);
        assertThat(a).isEqualTo(A);
        free(arena); // arena covered: returned, free list empty again
        assertThat(l.free).isEmpty();
        long p = alloc(3 * 4096 + 256); // arena [17, 21): tail 3840 free
        long q = alloc(1024);
        long r = alloc(1024);
        assertThat(q).isEqualTo(p + 12_544);
        assertThat(r).isEqualTo(q + 1024);
        assertThat(l.free).containsExactly(e(r + 1024, 1792L));
        free(q);
        assertThat(l.free).containsExactly(e(q, 1024L), e(r + 1024, 1792L));
        free(r); // merges with q below and the tail above
        assertThat(l.free).containsExactly(e(q, 3840L));
        assertThat(l.frees).isEqualTo(3);
        free(p); // merges with the block above; the whole arena is free and goes back
        assertThat(l.free).isEmpty();
        assertThat(l.arenas).containsOnlyKeys(A);
        assertThat(ledger.heldFrames()).isEqualTo(1);
    }

    @Test
    void aBlockSpanningTwoAdjacentArenasAndAFreeThatReturnsOnlyTheCoveredOneKeepsTheBytesBefore() {
        long x = alloc(20_032); // arena A = [16, 21), tail [A + 20032, A + 20480) free
        assertThat(x).isEqualTo(A);
        long y = alloc(20_480); // no fit: arena B = [21, 26), adjacent, merged with A's tail; y spans both
        assertThat(l.arenas).containsOnlyKeys(A, B);
        assertThat(y).isEqualTo(A + 20_032);
        assertThat(l.free).containsExactly(e(B + 20_032, 448L));
        free(y); // merges with B's tail: [A + 20032, B + 20480) covers B but not A
        assertThat(l.arenas).containsOnlyKeys(A);
        assertThat(l.free).as("the bytes before B stay free").containsExactly(e(A + 20_032, 448L));
        assertThat(ledger.heldFrames()).isEqualTo(5);
        free(x);
        assertThat(l.arenas).isEmpty();
        assertThat(l.free).isEmpty();
        assertThat(frames.freeFrames()).isEqualTo(64);
    }

    @Test
    void aFreeThatCoversOneArenaAndPartOfTheNextKeepsTheBytesAfter() {
        long x = alloc(20_032);
        long y = alloc(20_480);
        long z = alloc(448); // exactly B's tail
        assertThat(z).isEqualTo(B + 20_032);
        assertThat(l.free).isEmpty();
        free(x); // [A, A + 20032): below y, covers nothing
        assertThat(l.free).containsExactly(e(A, 20_032L));
        assertThat(l.arenas).containsOnlyKeys(A, B);
        free(y); // merged [A, B + 20032): covers A wholly, B only in part
        assertThat(l.arenas).containsOnlyKeys(B);
        assertThat(l.free).as("B's head stays free").containsExactly(e(B, 20_032L));
        assertThat(ledger.held).containsOnlyKeys(21L);
        free(z);
        assertThat(l.arenas).isEmpty();
        assertThat(l.free).isEmpty();
        assertThat(ledger.heldFrames()).isZero();
    }

    @Test
    void aFreeThatCoversTwoArenasReturnsBoth() {
        long x = alloc(20_032);
        long y = alloc(20_480);
        free(x);
        free(y);
        assertThat(l.arenas).isEmpty();
        assertThat(l.free).isEmpty();
        assertThat(frames.freeFrames()).isEqualTo(64);
        assertThat(l.allocs).isEqualTo(2);
        assertThat(l.frees).isEqualTo(2);
    }

    @Test
    void withoutCoalescingFreedNeighboursStaySeparate() {
        long x = alloc(4096 + 128); // arena of 2 frames, tail [x + 4224, x + 8192)
        long y = alloc(128);
        l.free(y, ledger, Bug.NO_COALESCE);
        assertThat(l.free).containsExactly(e(y, 128L), e(y + 128, 3840L));
        assertThat(x).isEqualTo(A);
    }

    @Test
    void containingLookupsCoverExactlyEachBlocksBytes() {
        long x = alloc(4096 + 128);
        assertThat(l.usedContaining(x)).isEqualTo(x);
        assertThat(l.usedContaining(x + 4223)).isEqualTo(x);
        assertThat(l.usedContaining(x + 4224)).isEqualTo(-1);
        assertThat(l.usedContaining(x - 1)).isEqualTo(-1);
        assertThat(l.freeContaining(x + 4223)).isEqualTo(-1);
        assertThat(l.freeContaining(x + 4224)).isEqualTo(x + 4224);
        assertThat(l.freeContaining(x + 8191)).isEqualTo(x + 4224);
        assertThat(l.freeContaining(x + 8192)).isEqualTo(-1);
        assertThat(l.freeContaining(x - 1)).isEqualTo(-1);
    }

    @Test
    void describeAndCopy() {
        long x = alloc(4096 + 128);
        assertThat(l.describe()).isEqualTo("arenas[10000+2f] free[11080+f80] used[10000+1080]");
        alloc(8192);
        assertThat(l.describe()).isEqualTo("arenas[10000+2f 12000+2f] free[13080+f80] used[10000+1080 11080+2000]");
        assertThat(LinkedListAllocator.blocksHex(Map.of())).isEqualTo("[]");
        LinkedListAllocator c = l.copy();
        free(x);
        assertThat(c.used).containsKey(x);
        assertThat(c.allocs).isEqualTo(2);
        assertThat(c.frees).isZero();
        assertThat(c.describe()).isEqualTo("arenas[10000+2f 12000+2f] free[13080+f80] used[10000+1080 11080+2000]");
    }
}
