package org.mmspec.frames;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mmspec.Catalog;
import org.mmspec.check.CodecRoundTrip;
import org.mmspec.check.ExhaustiveModel;
import org.mmspec.check.Manifest;

/**
 * The allocators' state codecs ({@code writeState}/{@code readState}, which the explorer's
 * compact visited set and the Spark module's frontier use): every reachable state of the frames
 * models reads back as the same state for the search, counters and search hints included (the
 * bytes written again are compared, not only the key). {@code StateCodecRoundTripTest} checks
 * the same from the {@code check} package; this runs with the frames package's own tests.
 */
class FrameCodecTest {

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
            "buddy-32, ci", "buddy-32, unaligned", "buddy-32, reserved",
            "bitmap-16, ci", "bitmap-16, reserved", "bitmap-16, words",
            "hybrid-16, ci", "hybrid-16, reserved", "hybrid-16, orders"})
    void everyReachableStateReadsBackAsItself(String model, String config) throws IOException {
        ExhaustiveModel m = Catalog.model(model);
        Manifest manifest = Manifest.load(m.name());
        assertThat(CodecRoundTrip.roundTrips(m.build(manifest.bounds(config)), 400)).isGreaterThan(20);
    }

    /** The reference allocator's codec (used inside the zones, paging and vm states) keeps free frames and live runs. */
    @Test
    void referenceAllocatorReadsBackItsFreeFramesAndLiveRuns() throws IOException {
        FrameRange managed = FrameRange.of(4, 12);
        List<FrameRange> reserved = List.of(FrameRange.of(6, 1));
        ReferenceFrameAllocator a = new ReferenceFrameAllocator(managed, reserved);
        FrameRange first = a.allocate(2);
        FrameRange second = a.allocate(3);
        a.allocate(1);
        a.free(first);

        ReferenceFrameAllocator back = new ReferenceFrameAllocator(managed, reserved);
        byte[] bytes = bytes(a);
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        back.readState(in);

        assertThat(in.available()).as("every byte read").isZero();
        assertThat(back.freeSet()).isEqualTo(a.freeSet());
        assertThat(back.live()).isEqualTo(a.live()).containsEntry(second.start().number(), 3L).hasSize(2);
        assertThat(back.freeFrames()).isEqualTo(a.freeFrames()).isEqualTo(12 - 1 - 4);
        assertThat(bytes(back)).isEqualTo(bytes);
        // the copy behaves as the original: the same first fit, and the same frees accepted
        assertThat(back.allocate(2)).isEqualTo(a.allocate(2));
        back.free(second);
        a.free(second);
        assertThat(bytes(back)).isEqualTo(bytes(a));
    }

    /** Reading replaces what the allocator held before: nothing of its earlier state survives. */
    @Test
    void readingOverAUsedAllocatorReplacesItsState() throws IOException {
        FrameRange managed = FrameRange.of(0, 8);
        ReferenceFrameAllocator fresh = new ReferenceFrameAllocator(managed);
        ReferenceFrameAllocator used = new ReferenceFrameAllocator(managed);
        used.allocate(3);
        used.allocate(1);
        used.readState(new DataInputStream(new ByteArrayInputStream(bytes(fresh))));
        assertThat(used.live()).isEmpty();
        assertThat(used.freeFrames()).isEqualTo(8);
        assertThat(bytes(used)).isEqualTo(bytes(fresh));
    }

    private static byte[] bytes(ReferenceFrameAllocator a) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DataOutputStream data = new DataOutputStream(out)) {
            a.writeState(data);
        }
        return out.toByteArray();
    }
}
