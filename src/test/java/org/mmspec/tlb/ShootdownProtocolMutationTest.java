package org.mmspec.tlb;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.mmspec.check.Bounds;
import org.mmspec.tlb.ShootdownProtocol.InitiatorStep;
import org.mmspec.tlb.hw.PageTable;
import org.mmspec.tlb.hw.Pte;

/**
 * The protocol's decisions one by one, at their boundaries: where each step list completes, when a
 * CPU waiting with interrupts off (the seeded bug) stops taking IPIs, how a copy-on-write break
 * that cannot proceed (page gone, no frame free) is planned, whom a lazy request targets, and when
 * a deferred frame may go back to the allocator, correct and with the early-reuse bug.
 */
class ShootdownProtocolMutationTest {
    private static final String SYNC = "cpus=3,pages=2,tlb=2,mode=single,ops=cpu0:munmap(0)";
    private static final String LAZY = "cpus=3,pages=2,tlb=2,mode=lazy,ops=cpu0:munmap(0)";
    private static final KernelOp MUNMAP = KernelOp.parse("munmap(0)");
    private static final KernelOp MPROTECT = KernelOp.parse("mprotect(0)");
    private static final KernelOp COW = KernelOp.parse("cow(0)");

    private static TlbConfig config(String bounds) {
        return TlbConfig.fromBounds(Bounds.parse(bounds));
    }

    private static ShootdownProtocol protocol(String bounds) {
        return new ShootdownProtocol(config(bounds));
    }

    @Test
    void completionIsTheAcknowledgementWaitOrTheDeferral() {
        TlbConfig cfg = config(SYNC);
        ShootdownProtocol sync = new ShootdownProtocol(cfg);
        assertThat(sync.config()).isSameAs(cfg);
        assertThat(sync.initiatorSteps(MUNMAP)).containsExactly(InitiatorStep.WRITE_PTES, InitiatorStep.SEND_IPIS,
                InitiatorStep.INVALIDATE_LOCAL, InitiatorStep.WAIT_ACKS, InitiatorStep.FREE_FRAMES, InitiatorStep.RETURN);
        assertThat(sync.completionIndex(MUNMAP)).isEqualTo(3);
        assertThat(sync.completionIndex(MPROTECT)).isEqualTo(3);
        assertThat(sync.initiatorSteps(MPROTECT)).doesNotContain(InitiatorStep.FREE_FRAMES);

        ShootdownProtocol lazy = protocol(LAZY);
        assertThat(lazy.lazy(MUNMAP)).isTrue();
        assertThat(lazy.lazy(MPROTECT)).as("mprotect frees nothing: it shoots down synchronously").isFalse();
        assertThat(lazy.initiatorSteps(MUNMAP)).containsExactly(InitiatorStep.WRITE_PTES, InitiatorStep.INVALIDATE_LOCAL,
                InitiatorStep.DEFER_FREE, InitiatorStep.RETURN);
        assertThat(lazy.completionIndex(MUNMAP)).isEqualTo(2);
        assertThat(lazy.completionIndex(COW)).isEqualTo(2);
        assertThat(lazy.completionIndex(MPROTECT)).isEqualTo(3);

        ShootdownProtocol early = protocol(SYNC + ",bug=free-before-acks");
        assertThat(early.initiatorSteps(MUNMAP).indexOf(InitiatorStep.FREE_FRAMES)).isEqualTo(3);
        assertThat(early.completionIndex(MUNMAP)).isEqualTo(4);
        assertThat(early.completionIndex(MPROTECT)).isEqualTo(3);
    }

    @Test
    void waitingWithInterruptsOffBlocksIpisExactlyFromTheLocalInvalidationToTheLastAck() {
        ShootdownProtocol bad = protocol(SYNC + ",bug=wait-irqs-off");
        // munmap: WRITE_PTES 0, SEND_IPIS 1, INVALIDATE_LOCAL 2, WAIT_ACKS 3, FREE_FRAMES 4, RETURN 5
        boolean[] expected = {true, true, false, false, true, true};
        for (int pc = 0; pc < expected.length; pc++) {
            assertThat(bad.interruptible(MUNMAP, pc)).as("munmap pc %d", pc).isEqualTo(expected[pc]);
        }
        assertThat(bad.interruptible(MPROTECT, 4)).as("mprotect's RETURN").isTrue();
        assertThat(bad.interruptible(MPROTECT, 3)).as("mprotect's WAIT_ACKS").isFalse();
        assertThat(bad.interruptible(null, 2)).as("an idle CPU").isTrue();
        ShootdownProtocol good = protocol(SYNC);
        for (int pc = 0; pc < expected.length; pc++) {
            assertThat(good.interruptible(MUNMAP, pc)).isTrue();
        }
    }

    @Test
    void aCowBreakOfAPageAlreadyUnmappedChangesNothingButStillShootsDown() {
        TlbConfig cfg = config("cpus=2,pages=2,tlb=2,mode=single,ops=cpu0:cow(0)");
        ShootdownProtocol p = new ShootdownProtocol(cfg);
        PageTable gone = cfg.initialPageTable().with(0, Pte.NONE);
        FrameTable frames = cfg.initialFrames();
        ShootdownProtocol.Plan plan = p.plan(0, COW, gone, frames);
        assertThat(plan.pageTable()).isEqualTo(gone);
        assertThat(plan.frames()).isEqualTo(frames);
        assertThat(plan.toFree()).isZero();
        assertThat(plan.request()).isEqualTo(new TlbShootdown(CpuMask.of(1), 0b01, ShootdownMode.SINGLE));
    }

    @Test
    void aCowBreakWithNoFreeFrameWaits() {
        TlbConfig cfg = config("cpus=2,pages=2,tlb=2,mode=single,ops=cpu0:cow(0)");
        ShootdownProtocol p = new ShootdownProtocol(cfg);
        FrameTable frames = cfg.initialFrames();
        int spare = frames.lowestFree();
        assertThat(spare).isEqualTo(2);
        ShootdownProtocol.Plan plan = p.plan(0, COW, cfg.initialPageTable(), frames);
        assertThat(plan.frames().free(spare)).isFalse();
        assertThat(plan.pageTable().pte(0)).isEqualTo(Pte.of(spare, true, false));
        assertThat(plan.toFree()).isEqualTo(1 << 0);
        assertThat(p.plan(0, COW, cfg.initialPageTable(), frames.allocate(spare))).isNull();
    }

    @Test
    void aLazyRequestTargetsNoCpuAndASynchronousOneEveryOther() {
        ShootdownProtocol lazy = protocol(LAZY);
        TlbConfig cfg = lazy.config();
        ShootdownProtocol.Plan deferred = lazy.plan(1, MUNMAP, cfg.initialPageTable(), cfg.initialFrames());
        assertThat(deferred.request().cpuMask()).isEqualTo(CpuMask.NONE);
        assertThat(deferred.toFree()).isEqualTo(1);
        ShootdownProtocol.Plan sync = lazy.plan(1, MPROTECT, cfg.initialPageTable(), cfg.initialFrames());
        assertThat(sync.request().cpuMask()).isEqualTo(CpuMask.of(0, 2));
    }

    @Test
    void aDeferredFrameIsReleasedOnlyWhenEveryCpuReachedItsGeneration() {
        ShootdownProtocol good = protocol(LAZY);
        assertThat(good.mayRelease(2, new int[] {2, 3, 2})).isTrue();
        assertThat(good.mayRelease(2, new int[] {2, 1, 3})).isFalse();
        assertThat(good.mayRelease(1, new int[] {})).isTrue();
        ShootdownProtocol early = protocol(LAZY + ",bug=lazy-reuse-early");
        assertThat(early.mayRelease(2, new int[] {0, 2, 1})).as("one CPU that caught up is enough for the bug").isTrue();
        assertThat(early.mayRelease(2, new int[] {0, 1, 1})).as("but not none").isFalse();
        assertThat(early.mayRelease(2, new int[] {3, 0, 0})).isTrue();
    }

    @Test
    void theGenerationIsClaimedOnlyByACpuThatWasCurrent() {
        ShootdownProtocol p = protocol(LAZY);
        assertThat(p.localGenAfterDefer(1, 2)).isEqualTo(2);
        assertThat(p.localGenAfterDefer(0, 2)).isZero();
    }
}
