package org.mmspec.heap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/**
 * The JPF scenarios' shared set-up and checks, and the seeded bugs each scenario's checks catch
 * in every schedule (so under plain Java too): a refill that takes an object twice, and empty
 * slabs whose frames are never returned.
 */
class HeapScenarioChecksTest {

    /** Runs {@code main} and returns what it printed. */
    private static String printed(ThrowingRunnable main) throws Exception {
        PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            main.run();
        } finally {
            System.setOut(saved);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void theScenarioHeapIsTwoCpusOverSixFramesWithNoSpareSlab() {
        SlabAllocator h = HeapScenarios.heap(3, Bug.STALE_SLAB_LIST);
        assertThat(h.config()).isEqualTo(new HeapConfig(2, 3, 1, 0, HeapDebugOptions.OFF));
        assertThat(h.bug).isEqualTo(Bug.STALE_SLAB_LIST);
        assertThat(h.frameAllocator().managedFrames()).isEqualTo(HeapScenarios.FRAMES).isEqualTo(6);
        assertThat(h.allocate(0, HeapScenarios.SIZE).offset()).isEqualTo(16 * 4096);
        assertThat(SizeClass.fitting(HeapScenarios.SIZE)).isEqualTo(SizeClass.B2K);
    }

    @Test
    void theBugIsTheFirstArgument() {
        assertThat(HeapScenarios.bug(new String[0], Bug.NO_COALESCE)).isEqualTo(Bug.NONE);
        assertThat(HeapScenarios.bug(new String[] {"NONE"}, Bug.NO_COALESCE)).isEqualTo(Bug.NONE);
        assertThat(HeapScenarios.bug(new String[] {"NO_COALESCE", "x"}, Bug.STALE_SLAB_LIST, Bug.NO_COALESCE))
                .isEqualTo(Bug.NO_COALESCE);
        // a bug the scenario cannot show is refused, so it is never reported as "no errors"
        assertThatThrownBy(() -> HeapScenarios.bug(new String[] {"NO_COALESCE"}, Bug.STALE_SLAB_LIST, Bug.REFILL_WITHOUT_LOCK))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bug NO_COALESCE cannot take effect in this scenario; it accepts STALE_SLAB_LIST, REFILL_WITHOUT_LOCK");
        assertThatThrownBy(() -> HeapScenarios.bug(new String[] {"NO_SUCH_BUG"}, Bug.NO_COALESCE))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aFailedCheckIsAnAssertionErrorWithItsText() {
        assertThatCode(() -> HeapScenarios.check(true, "fine")).doesNotThrowAnyException();
        assertThatThrownBy(() -> HeapScenarios.check(false, "both CPUs were handed x"))
                .isExactlyInstanceOf(AssertionError.class).hasMessage("both CPUs were handed x");
    }

    @Test
    void invariantsHoldReportsTheFirstSlabViolation() {
        SlabAllocator h = HeapScenarios.heap(1, Bug.NONE);
        HeapScenarios.invariantsHold(h);
        HeapAddr a = h.allocate(0, HeapScenarios.SIZE);
        h.free(1, a, HeapScenarios.SIZE);
        h.mags[1][SizeClass.B2K.ordinal()].count = 0; // the cached object is lost
        assertThatThrownBy(() -> HeapScenarios.invariantsHold(h)).isInstanceOf(AssertionError.class).hasMessageContaining("SLAB-6");
    }

    @Test
    void releasingEverythingFreesEveryLiveAllocationAndChecksEveryFrameCameBack() {
        SlabAllocator h = HeapScenarios.heap(1, Bug.NONE);
        h.allocate(0, HeapScenarios.SIZE);
        h.allocate(1, HeapScenarios.SIZE);
        h.allocate(1, HeapScenarios.SIZE);
        HeapScenarios.releaseAllReturnsEveryFrame(h);
        assertThat(h.liveAllocations()).isEmpty();
        assertThat(h.heldFrames()).isZero();
        SlabAllocator stolen = HeapScenarios.heap(1, Bug.NONE);
        stolen.allocate(0, HeapScenarios.SIZE);
        stolen.frameAllocator().allocate(1);
        assertThatThrownBy(() -> HeapScenarios.releaseAllReturnsEveryFrame(stolen))
                .hasMessage("the frame allocator did not get every frame back");
        SlabAllocator leaky = HeapScenarios.heap(1, Bug.LEAK_EMPTY_SLAB);
        leaky.allocate(0, HeapScenarios.SIZE);
        assertThatThrownBy(() -> HeapScenarios.releaseAllReturnsEveryFrame(leaky))
                .hasMessage("frames still held after releasing everything");
    }

    @Test
    void runBothRunsBothAndWaitsForBoth() throws InterruptedException {
        boolean[] ran = new boolean[2];
        HeapScenarios.runBoth(() -> ran[0] = true, () -> {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ran[1] = true;
        });
        assertThat(ran).containsExactly(true, true);
    }

    @Test
    void theScenariosSayOkWhenEveryCheckPasses() throws Exception {
        assertThat(printed(() -> RefillRaceScenario.main(new String[0]))).isEqualTo("RefillRaceScenario: ok" + System.lineSeparator());
        assertThat(printed(() -> CrossCpuFreeScenario.main(new String[0]))).isEqualTo("CrossCpuFreeScenario: ok" + System.lineSeparator());
    }

    @Test
    void SLAB_1_refillRaceScenarioCatchesARefillThatTakesAnObjectTwice() {
        // CPU 0's cache holds the object it just handed out a second time: its next allocation returns it again.
        assertThatThrownBy(() -> RefillRaceScenario.main(new String[] {"REFILL_TAKES_TWICE"}))
                .isInstanceOf(AssertionError.class).hasMessage("a live object was handed out again");
    }

    @Test
    void HEAP_1_bothScenariosCatchEmptySlabsWhoseFramesAreNeverReturned() {
        assertThatThrownBy(() -> RefillRaceScenario.main(new String[] {"LEAK_EMPTY_SLAB"}))
                .isInstanceOf(AssertionError.class).hasMessage("frames still held after releasing everything");
        assertThatThrownBy(() -> CrossCpuFreeScenario.main(new String[] {"LEAK_EMPTY_SLAB"}))
                .isInstanceOf(AssertionError.class).hasMessage("frames still held after releasing everything");
    }
}
