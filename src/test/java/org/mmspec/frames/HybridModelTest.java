package org.mmspec.frames;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * {@link HybridModel}, the model zones and NUMA nodes check their hybrids against: it predicts
 * the bitmap half's run exactly, accepts any free aligned block from the buddy half, and rejects
 * a run that breaks the hybrid's contract.
 */
class HybridModelTest {
    private static final FrameRange M = FrameRange.of(0, 16);

    private static HybridAllocator hybrid() {
        return new HybridAllocator(M, List.of(), 2, PhysFrame.of(8), 3);
    }

    @Test
    void agreesWithTheHybridOnOrderRequestsInBothHalves() {
        HybridAllocator h = hybrid();
        HybridModel m = HybridModel.of(h, M, List.of());
        for (long n : new long[] {1, 2, 1, 4, 2, 1, 8}) {
            HybridModel.Expectation e = m.expect(n, n);
            if (!e.served()) {
                continue;
            }
            FrameRange r = h.allocate(n, n);
            assertThat(m.accept(e, n, r)).as("allocate(%d, %d) = %s", n, n, r).isEmpty();
            assertThat(e.half().get()).isEqualTo(h.halfOf(r.start()));
        }
        assertThat(m.freeFrames()).isEqualTo(h.freeFrames());
    }

    @Test
    void rejectsARunTheContractDoesNotAllow() {
        HybridModel m = HybridModel.of(hybrid(), M, List.of());
        HybridModel.Expectation small = m.expect(1, 1); // bitmap half: exactly frame 0
        assertThat(m.accept(small, 1, FrameRange.of(1, 1))).get().asString().contains("aligned first fit");
        HybridModel.Expectation order1 = m.expect(2, 2); // at the threshold: buddy half, any free aligned pair
        assertThat(m.accept(order1, 2, FrameRange.of(9, 2))).get().asString().contains("aligned to 2");
        assertThat(m.accept(order1, 2, FrameRange.of(2, 2))).get().asString().contains("split");
        assertThat(m.accept(order1, 2, FrameRange.of(12, 2))).isEmpty();
        HybridModel.Expectation again = m.expect(2, 2);
        assertThat(m.accept(again, 2, FrameRange.of(12, 2))).as("no longer free in the model").isPresent();
    }

    @Test
    void firstFitModelsTheReferenceAllocator() {
        HybridModel m = HybridModel.firstFit(FrameRange.of(3, 8), List.of(FrameRange.of(4, 1)));
        HybridModel.Expectation e = m.expect(2, 2);
        assertThat(e.exactRun()).contains(FrameRange.of(6, 2));
        assertThat(m.expect(8, 8).served()).isFalse();
    }
}
