package org.mmspec.frames;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The bitmap's search at the ends of its arrays: how many words (bitmap and summary) a search
 * reads when it runs into the last word or past the last summary word, the array sizes for maps of
 * exactly one and two words, runs that jump wholly free words across summary words, a free that
 * ends at a word boundary, and the reserved frames a constructor without the region check sets.
 */
class BitmapSearchCostTest {
    private static FrameError.Kind kind(Runnable r) {
        FrameError e = catchThrowableOfType(r::run, FrameError.class);
        assertThat(e).as("a FrameError").isNotNull();
        return e.errorKind();
    }

    @Test
    void aMapOfOneWordHasOneWordAndOneMoreFrameStartsASecond() {
        assertThat(new BitmapAllocator(FrameRange.of(0, 63), List.of()).words()).isEqualTo(1);
        assertThat(new BitmapAllocator(FrameRange.of(0, 64), List.of()).words()).isEqualTo(1);
        assertThat(new BitmapAllocator(FrameRange.of(0, 65), List.of()).words()).isEqualTo(2);
    }

    @Test
    void aFailedSingleFrameSearchReadsTheFirstWordAndEverySummaryWord() {
        BitmapAllocator two = new BitmapAllocator(FrameRange.of(0, 128), List.of());
        two.allocate(128);
        assertThat(kind(() -> two.allocate(1))).isEqualTo(FrameError.Kind.OUT_OF_MEMORY);
        assertThat(two.lastSearchProbes()).isEqualTo(2); // word 0, summary word 0
        BitmapAllocator full = new BitmapAllocator(FrameRange.of(0, 4096), List.of());
        full.allocate(4096);
        assertThat(kind(() -> full.allocate(1))).isEqualTo(FrameError.Kind.OUT_OF_MEMORY);
        assertThat(full.lastSearchProbes()).isEqualTo(2); // 64 words: still one summary word
    }

    @Test
    void aRunSearchThatRunsIntoTheLastWordStopsThere() {
        // frames 64..69 free, everything else allocated: a run of 7 finds frame 70 taken and nothing after
        BitmapAllocator b = new BitmapAllocator(FrameRange.of(0, 128), List.of());
        b.allocate(64);
        FrameRange six = b.allocate(6);
        b.allocate(58);
        b.free(six);
        assertThat(kind(() -> b.allocate(7))).isEqualTo(FrameError.Kind.OUT_OF_MEMORY);
        // the search starts at searchFrom (frame 64: word 0 holds no free frame, so neither it nor
        // the summary is read): word 1; word 1 again; word 1 for the next free frame
        assertThat(b.lastSearchProbes()).isEqualTo(3);
        assertThat(b.allocate(6)).isEqualTo(six);
    }

    @Test
    void anAlignedCandidatePastTheEndEndsTheSearchWithoutReadingIt() {
        BitmapAllocator b = new BitmapAllocator(FrameRange.of(0, 8), List.of());
        b.allocate(1);
        assertThat(kind(() -> b.allocate(1, 8))).isEqualTo(FrameError.Kind.OUT_OF_MEMORY);
        assertThat(b.lastSearchProbes()).isEqualTo(1);
        FrameRange found = b.allocate(2, 2);
        assertThat(found).isEqualTo(FrameRange.of(2, 2));
        assertThat(b.lastSearchProbes()).isEqualTo(2); // word 0 for the free frame 1, word 0 again for the window [2, 4)
    }

    @Test
    void aRunThatOnlyFitsAtTheStartFailsWhenTheLastFrameOfTheMapIsTaken() {
        BitmapAllocator b = new BitmapAllocator(FrameRange.of(0, 64), List.of());
        FrameRange low = b.allocate(63);
        FrameRange last = b.allocate(1);
        assertThat(last).isEqualTo(FrameRange.of(63, 1));
        b.free(low);
        assertThat(kind(() -> b.allocate(64))).isEqualTo(FrameError.Kind.OUT_OF_MEMORY);
        b.free(last);
        assertThat(b.allocate(64)).isEqualTo(FrameRange.of(0, 64)); // a run to the last frame, freed again below
        b.free(FrameRange.of(0, 64));
        assertThat(b.freeFrames()).isEqualTo(64);
        FrameInvariants.BITMAP.assertHolds(b);
    }

    @Test
    void aLongRunJumpsWhollyFreeWordsAcrossSummaryWords() {
        BitmapAllocator b = new BitmapAllocator(FrameRange.of(0, 8192), List.of());
        assertThat(b.allocate(4200)).isEqualTo(FrameRange.of(0, 4200));
        BitmapAllocator t = new BitmapAllocator(FrameRange.of(0, 8192), List.of());
        t.allocate(1, 4096); // frame 0 taken
        assertThat(t.allocate(4100)).isEqualTo(FrameRange.of(1, 4100));
    }

    @Test
    void aBitmapOf256FramesStillRendersFrameByFrame() {
        BitmapAllocator b = new BitmapAllocator(FrameRange.of(0, 256), List.of());
        b.allocate(2);
        assertThat(b.toString()).isEqualTo("Bitmap[frame#0..256) free=254 Aa" + ".".repeat(254));
    }

    @Test
    void aReservedFreeNamesTheRegionThatHoldsTheFrame() {
        BitmapAllocator b = new BitmapAllocator(FrameRange.of(0, 16), List.of(ReservedRegion.of(2, 2, "BIOS"), ReservedRegion.of(8, 2, "ACPI")));
        FrameError e = catchThrowableOfType(() -> b.free(FrameRange.of(9, 1)), FrameError.class);
        assertThat(e.getMessage()).isEqualTo("bitmap free([frame#9..10)): frame#9 is reserved (ACPI)");
    }

    @Test
    void withoutTheRegionCheckOnlyTheManagedFramesOfARegionAreReserved() {
        BitmapAllocator below = new BitmapAllocator(FrameRange.of(4, 4), List.of(ReservedRegion.of(2, 4, "low")),
                BitmapAllocator.Bug.RESERVED_UNCHECKED);
        assertThat(below.reservedWord(0)).isEqualTo(0b0011);
        assertThat(below.freeWord(0)).isEqualTo(0b1100);
        BitmapAllocator past = new BitmapAllocator(FrameRange.of(4, 4), List.of(ReservedRegion.of(6, 4, "high")),
                BitmapAllocator.Bug.RESERVED_UNCHECKED);
        assertThat(past.reservedWord(0)).isEqualTo(0b1100);
        assertThat(past.freeWord(0)).isEqualTo(0b0011);
    }

    @Test
    void theCorruptionHooksSetAndClearExactlyOneBit() {
        BitmapAllocator b = new BitmapAllocator(FrameRange.of(0, 8), List.of());
        b.corruptFreeBit(3, false);
        assertThat(b.freeWord(0)).isEqualTo(0b11110111);
        b.corruptFreeBit(3, true);
        assertThat(b.freeWord(0)).isEqualTo(0b11111111);
        b.corruptHeadBit(5, true);
        assertThat(b.headWord(0)).isEqualTo(0b100000);
        b.corruptHeadBit(5, false);
        assertThat(b.headWord(0)).isZero();
        b.corruptHasFree(0, false);
        assertThat(b.hasFreeBit(0)).isFalse();
        b.corruptAllFree(0, false);
        assertThat(b.allFreeBit(0)).isFalse();
    }
}
