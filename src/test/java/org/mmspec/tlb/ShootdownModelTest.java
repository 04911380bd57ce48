package org.mmspec.tlb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmspec.tlb.TlbTestSupport.explore;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.mmspec.check.ExplorationResult;
import org.mmspec.check.Manifest;

/**
 * The exhaustive shootdown model: every ci configuration of {@code models/tlb-shootdown} matches
 * its recorded result, each seeded bug is caught with a readable timeline naming the right
 * invariant, and symmetry reduction keeps every verdict while exploring fewer states.
 */
class ShootdownModelTest {
    private static final Manifest MANIFEST = Manifest.load(TlbModels.SHOOTDOWN);

    private static final String ONE_MUNMAP = "cpus=3,pages=2,tlb=2,mode=single,ops=cpu0:munmap(0)";

    private static ExplorationResult caught(String bounds, String id) {
        ExplorationResult r = explore(bounds);
        assertThat(r.counterexample()).as("seeded bug must be caught: " + bounds).isPresent();
        assertThat(r.counterexample().get().invariantId()).isEqualTo(id);
        return r;
    }

    @Test
    void TLB_1_catchesAckBeforeInvalidate() {
        String timeline = caught(ONE_MUNMAP + ",bug=ack-before-invalidate", "TLB-1").counterexample().get().render();
        assertThat(timeline).contains("hw cpu1 fills p0 (f0 rw)", "cpu1 takes IPI from cpu0, ack cpu0",
                "cpu0 munmap(p0): all acknowledgements in", "cpu1 still caches p0 -> f0 rw (PTE -)");
    }

    @Test
    void TLB_3_ackBeforeInvalidateWithTheInitiatorGoneInvalidatesNothingAndIsCaught() {
        // cpu0 caches p1 writable, acknowledges cpu1's mprotect first, and cpu1 returns before
        // cpu0 invalidates: the request is gone, so cpu0 invalidates nothing (this threw a
        // NullPointerException inside TLB-5's progress test) and keeps the writable entry
        ShootdownModel m = TlbTestSupport.model(
                "cpus=3,pages=2,tlb=2,mode=single,ops=cpu0:munmap(0);cpu1:mprotect(1),bug=ack-before-invalidate");
        TlbState completed = TlbTestSupport.walk(m, "hw cpu0 fills p1", "cpu1 mprotect(p1): write PTEs",
                "cpu1 mprotect(p1): send IPIs", "cpu0 takes IPI from cpu1, ack", "cpu2 takes IPI from cpu1, ack",
                "cpu1 mprotect(p1): invalidate locally", "cpu2 invalidate", "cpu1 mprotect(p1): all acknowledgements in");
        assertThat(TlbTestSupport.violatedIds(completed)).contains("TLB-3");
        TlbState returned = TlbTestSupport.walkFrom(m, completed, "cpu1 mprotect(p1): returns");
        assertThat(TlbTestSupport.violatedIds(returned)).doesNotContain("TLB-5");
        TlbState late = TlbTestSupport.walkFrom(m, returned, "cpu0 invalidate nothing: cpu1 has returned");
        assertThat(late.tlb(0).holds(1)).as("cpu0 still caches p1").isTrue();
        ExplorationResult r = explore("cpus=3,pages=2,tlb=2,mode=single,ops=cpu0:munmap(0);cpu1:mprotect(1),bug=ack-before-invalidate");
        assertThat(r.counterexample()).isPresent();
        assertThat(r.counterexample().get().invariantId()).isEqualTo("TLB-3");
        assertThat(r.counterexample().get().render()).doesNotContain("Exception");
    }

    @Test
    void TLB_2_catchesFreeBeforeAllAcks() {
        String timeline = caught(ONE_MUNMAP + ",bug=free-before-acks", "TLB-2").counterexample().get().render();
        assertThat(timeline).contains("cpu0 munmap(p0): free f0 to the allocator", "f0 FREE", "f0 is free but cpu");
    }

    @Test
    void TLB_1_catchesCpuMissingFromMask() {
        ExplorationResult r = caught(ONE_MUNMAP + ",bug=missing-cpu", "TLB-1");
        assertThat(r.counterexample().get().render()).contains("request TlbShootdown{{cpu2}", "cpu1 still caches p0");
    }

    @Test
    void TLB_2_catchesLazyReuseTooEarly() {
        String timeline = caught("cpus=3,pages=2,tlb=2,mode=lazy,ops=cpu0:munmap(0),bug=lazy-reuse-early", "TLB-2")
                .counterexample().get().render();
        assertThat(timeline).contains("defer f0 at generation 1", "kernel: release deferred f0");
    }

    @Test
    void TLB_1_catchesRangeFlushOffByOne() {
        String timeline = caught("cpus=3,pages=2,tlb=2,mode=range,ops=cpu0:munmap(0-1),bug=range-off-by-one", "TLB-1")
                .counterexample().get().render();
        assertThat(timeline).contains("(RANGE)", "still caches p1");
    }

    @Test
    void TLB_1_catchesGlobalFlushSkippingGlobalEntries() {
        String bounds = "cpus=3,pages=2,tlb=2,mode=global,global=1,ops=cpu0:munmap(1)";
        assertThat(explore(bounds).passed()).as("the correct protocol widens GLOBAL to FULL over a global page").isTrue();
        String timeline = caught(bounds + ",bug=global-skips-global", "TLB-1").counterexample().get().render();
        assertThat(timeline).contains("GLOBAL}", "f1 rw g");
    }

    @Test
    void TLB_5_catchesWaitingWithInterruptsOff() {
        String bounds = "cpus=3,pages=2,tlb=2,mode=single,ops=cpu0:munmap(0);cpu1:munmap(1)";
        assertThat(explore(bounds).passed()).as("CPUs that serve IPIs while waiting never deadlock").isTrue();
        String timeline = caught(bounds + ",bug=wait-irqs-off", "TLB-5").counterexample().get().render();
        assertThat(timeline).contains("cpu0 munmap(p0): send IPIs", "cpu1 munmap(p1): send IPIs");
    }

    @Test
    void rangeAboveThresholdBecomesFullFlush() {
        ShootdownModel m = TlbTestSupport.model("cpus=2,pages=2,tlb=2,mode=range,threshold=1,global=1,ops=cpu0:munmap(0-1)");
        ShootdownProtocol.Plan plan = m.protocol().plan(0, KernelOp.parse("munmap(0-1)"), m.config().initialPageTable(),
                m.config().initialFrames());
        assertThat(plan.request().mode()).isEqualTo(ShootdownMode.FULL);
        ShootdownModel linux = TlbTestSupport.model("cpus=2,pages=2,tlb=2,mode=range,ops=cpu0:munmap(0-1)");
        assertThat(linux.config().threshold()).isEqualTo(TlbConfig.LINUX_THRESHOLD);
        assertThat(linux.protocol().plan(0, KernelOp.parse("munmap(0-1)"), linux.config().initialPageTable(),
                linux.config().initialFrames()).request().mode()).isEqualTo(ShootdownMode.RANGE);
    }

    /** Configurations whose verdicts must not depend on symmetry reduction. */
    static List<String> symmetryCases() {
        return List.of(
                "cpus=4,pages=2,tlb=2,mode=single,ops=cpu0:munmap(0);cpu1:munmap(1)",
                "cpus=3,pages=2,tlb=2,mode=lazy,ops=cpu0:munmap(0)",
                "cpus=3,pages=2,tlb=2,mode=single,ops=cpu0:mprotect(0-1);cpu1:mprotect(0-1)",
                ONE_MUNMAP + ",bug=ack-before-invalidate",
                ONE_MUNMAP + ",bug=free-before-acks",
                "cpus=3,pages=2,tlb=2,mode=lazy,ops=cpu0:munmap(0),bug=lazy-reuse-early",
                "cpus=3,pages=2,tlb=2,mode=single,ops=cpu0:munmap(0);cpu1:munmap(1),bug=wait-irqs-off");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("symmetryCases")
    void symmetryReductionPreservesVerdicts(String bounds) {
        ExplorationResult reduced = explore(bounds);
        ExplorationResult full = explore(bounds + ",symmetry=off");
        assertThat(Manifest.verdict(reduced)).isEqualTo(Manifest.verdict(full));
        assertThat(reduced.counterexample().map(c -> c.length())).isEqualTo(full.counterexample().map(c -> c.length()));
        if (reduced.passed()) {
            assertThat(reduced.complete()).isTrue();
            assertThat(reduced.distinctStates()).isLessThan(full.distinctStates());
        } else {
            assertThat(reduced.distinctStates()).isLessThanOrEqualTo(full.distinctStates());
        }
    }

    @Test
    void symmetryIsOffWhenTheBugNamesCpus() {
        assertThat(TlbTestSupport.model(ONE_MUNMAP + ",bug=missing-cpu").config().symmetry()).isFalse();
    }
}
