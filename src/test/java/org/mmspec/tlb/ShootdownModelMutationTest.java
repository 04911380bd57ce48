package org.mmspec.tlb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmspec.tlb.TlbTestSupport.model;
import static org.mmspec.tlb.TlbTestSupport.walk;
import static org.mmspec.tlb.TlbTestSupport.walkFrom;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.mmspec.check.ExhaustiveModel;
import org.mmspec.check.ExplorationResult;
import org.mmspec.check.Liveness;
import org.mmspec.check.Manifest;
import org.mmspec.check.ModelRun;
import org.mmspec.check.Progress;

/**
 * The shootdown model's moves, one at a time: the exact successors of chosen states (hardware
 * fills and evictions, the leaf-table pointer only where a reclaim runs, the page lock, a
 * copy-on-write break that waits for a frame, the release of deferred frames), the end of a run,
 * the progress test TLB-5 asks, the liveness members, the symmetry group, and the renderings a
 * counterexample shows. The small ci configurations must also still give the state and transition
 * counts their manifest records (the package's own copy of the drift check, so that a mutant of the
 * model is caught by the TLB tests).
 */
class ShootdownModelMutationTest {
    private static final String MUNMAP = "cpus=2,pages=2,tlb=2,mode=single,ops=cpu0:munmap(0)";
    private static final String LAZY = "cpus=2,pages=2,tlb=2,mode=lazy,ops=cpu0:munmap(1)";
    private static final String NL = System.lineSeparator();
    /** ci configurations cheap enough to explore for every mutant. */
    private static final long MAX_STATES = 30_000;

    private static List<String> labels(ShootdownModel m, TlbState s) {
        List<String> out = new ArrayList<>();
        m.successors(s, (l, n) -> out.add(l.get()));
        return out;
    }

    static Stream<String> smallCiConfigurations() {
        Manifest manifest = Manifest.load(TlbModels.SHOOTDOWN);
        return manifest.configs().stream().filter(c -> manifest.profile(c).equals("ci"))
                .filter(c -> manifest.get(c + ".liveness", "off").equals("off"))
                .filter(c -> Long.parseLong(manifest.get(c + ".states")) <= MAX_STATES);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("smallCiConfigurations")
    void smallCiConfigurationsKeepTheirRecordedStateSpace(String config) {
        Manifest manifest = Manifest.load(TlbModels.SHOOTDOWN);
        ExhaustiveModel model = TlbModels.shootdown();
        ExplorationResult r = ModelRun.explore(model, manifest, config, Progress.NONE);
        assertThat(ModelRun.drift(manifest, config, r)).isEmpty();
    }

    @Test
    void hardwareFillsEveryPageAndEvictsWhatItHolds() {
        ShootdownModel m = model(MUNMAP);
        assertThat(m.name()).isEqualTo("tlb-shootdown");
        assertThat(labels(m, m.initial())).containsExactly("cpu0 munmap(p0): write PTEs p0: f0 rw -> -; request "
                + "TlbShootdown{{cpu1}, pages p0, SINGLE}", "hw cpu0 fills p0 (f0 rw)", "hw cpu0 fills p1 (f1 rw)",
                "hw cpu1 fills p0 (f0 rw)", "hw cpu1 fills p1 (f1 rw)");
        TlbState filled = walk(m, "hw cpu1 fills p1");
        assertThat(labels(m, filled)).contains("hw cpu1 evicts p1", "hw cpu1 fills p0 (f0 rw)")
                .doesNotContain("hw cpu1 fills p1 (f1 rw)", "hw cpu0 evicts p1", "hw cpu1 evicts p0");
        assertThat(walkFrom(m, filled, "hw cpu1 evicts p1")).isEqualTo(m.initial());
    }

    @Test
    void theLeafTablePointerIsCachedAndEvictedOnlyWhereAReclaimRuns() {
        ShootdownModel m = model("cpus=2,pages=1,tlb=1,mode=single,ops=cpu0:mprotect(0);cpu1:reclaim");
        List<String> initial = labels(m, m.initial());
        assertThat(initial).contains("hw cpu0 caches the leaf table pointer", "hw cpu1 caches the leaf table pointer")
                .doesNotContain("hw cpu0 evicts the leaf table pointer");
        TlbState cached = walk(m, "hw cpu1 caches the leaf table pointer");
        assertThat(cached.tlb(1).pwc()).isTrue();
        assertThat(labels(m, cached)).contains("hw cpu1 evicts the leaf table pointer", "hw cpu0 caches the leaf table pointer")
                .doesNotContain("hw cpu1 caches the leaf table pointer");
        assertThat(walkFrom(m, cached, "hw cpu1 evicts the leaf table pointer")).isEqualTo(m.initial());
        ShootdownModel first = model("cpus=2,pages=1,tlb=1,mode=single,ops=cpu0:reclaim;cpu1:mprotect(0)");
        assertThat(labels(first, first.initial())).contains("hw cpu0 caches the leaf table pointer");
        assertThat(labels(model(MUNMAP), model(MUNMAP).initial())).noneMatch(l -> l.contains("leaf table"));
    }

    @Test
    void aReclaimUnlinksTheLeafTableAndSaysSo() {
        ShootdownModel m = model("cpus=2,pages=2,tlb=2,mode=single,ops=cpu0:reclaim");
        assertThat(labels(m, m.initial()).get(0)).isEqualTo("cpu0 reclaim: write PTEs p0: f0 rw -> -, p1: f1 rw -> -, "
                + "unlink leaf table f2; request TlbShootdown{{cpu1}, pages p0-1, SINGLE}");
        ShootdownModel mprotect = model("cpus=2,pages=2,tlb=2,mode=single,ops=cpu0:mprotect(1)");
        assertThat(labels(mprotect, mprotect.initial()).get(0)).isEqualTo("cpu0 mprotect(p1): write PTEs p1: f1 rw -> f1 r; "
                + "request TlbShootdown{{cpu1}, pages p1, SINGLE}");
        TlbState done = walk(m, "cpu0 reclaim: write PTEs");
        ShootdownModel again = model("cpus=2,pages=2,tlb=2,mode=single,ops=cpu0:reclaim;cpu1:reclaim");
        TlbState second = walk(again, "cpu0 reclaim: write PTEs", "cpu0 reclaim: send", "cpu0 reclaim: invalidate locally",
                "cpu1 takes IPI", "cpu1 ack", "cpu0 reclaim: all", "cpu0 reclaim: free", "cpu0 reclaim: returns");
        assertThat(done.pageTable().tablePresent()).isFalse();
        assertThat(labels(again, second)).contains("cpu1 reclaim: write PTEs ; request TlbShootdown{{cpu0}, pages p0-1, SINGLE}");
    }

    @Test
    void thePageLockHoldsFromThePteWriteToTheReturn() {
        ShootdownModel m = model("cpus=2,pages=2,tlb=2,mode=single,ops=cpu0:munmap(0);cpu1:mprotect(0-1)");
        assertThat(labels(m, m.initial())).contains("cpu1 mprotect(p0-1): write PTEs p0: f0 rw -> f0 r, p1: f1 rw -> f1 r; "
                + "request TlbShootdown{{cpu0}, pages p0-1, SINGLE}");
        TlbState locked = walk(m, "cpu0 munmap(p0): write PTEs");
        assertThat(labels(m, locked)).noneMatch(l -> l.startsWith("cpu1 mprotect"));
        TlbState returning = walkFrom(m, locked, "cpu0 munmap(p0): send", "cpu0 munmap(p0): invalidate locally",
                "cpu1 takes IPI", "cpu1 ack", "cpu0 munmap(p0): all", "cpu0 munmap(p0): free");
        assertThat(labels(m, returning)).noneMatch(l -> l.startsWith("cpu1 mprotect"));
        TlbState returned = walkFrom(m, returning, "cpu0 munmap(p0): returns");
        assertThat(labels(m, returned)).anyMatch(l -> l.startsWith("cpu1 mprotect(p0-1): write PTEs"));
        ShootdownModel disjoint = model("cpus=2,pages=2,tlb=2,mode=single,ops=cpu0:munmap(0);cpu1:mprotect(1)");
        assertThat(labels(disjoint, walk(disjoint, "cpu0 munmap(p0): write PTEs")))
                .anyMatch(l -> l.startsWith("cpu1 mprotect(p1): write PTEs"));
    }

    @Test
    void aCowBreakWithNoFreeFrameOffersNoStep() {
        ShootdownModel m = model("cpus=2,pages=2,tlb=2,mode=single,ops=cpu0:cow(0)");
        TlbState s = m.initial();
        assertThat(labels(m, s)).anyMatch(l -> l.startsWith("cpu0 cow(p0): write PTEs p0: f0 r -> f2 rw"));
        TlbState starved = s.with(s.pt, s.frames.allocate(2), s.gen, s.cpus);
        assertThat(labels(m, starved)).noneMatch(l -> l.startsWith("cpu0"));
    }

    @Test
    void aRunEndsOnlyWhenEveryScriptIsDoneAndNoIpiIsPendingOrHalfServed() {
        ShootdownModel m = model(MUNMAP + ",bug=ack-before-invalidate");
        TlbState start = m.initial();
        assertThat(m.isFinal(start)).isFalse();
        TlbState returned = walk(m, "cpu0 munmap(p0): write PTEs", "cpu0 munmap(p0): send IPIs",
                "cpu1 takes IPI from cpu0, ack", "cpu0 munmap(p0): invalidate locally", "cpu0 munmap(p0): all",
                "cpu0 munmap(p0): free", "cpu0 munmap(p0): returns");
        assertThat(returned.currentOp(0)).isNull();
        assertThat(m.isFinal(returned)).as("cpu1 still serves cpu0's IPI").isFalse();
        assertThat(m.kernelCanStep(returned)).isTrue();
        TlbState end = walkFrom(m, returned, "cpu1 invalidate nothing");
        assertThat(m.isFinal(end)).isTrue();
        assertThat(m.isFinal(end.withMailbox(1, 1))).as("an IPI pending").isFalse();
        assertThat(m.kernelCanStep(end.withMailbox(1, 1))).isTrue();
    }

    @Test
    void theProgressTestSeesADeadlockAndAReleaseThatOnlyTheKernelCanRun() {
        ShootdownModel stuck = model("cpus=2,pages=2,tlb=2,mode=single,ops=cpu0:munmap(0);cpu1:munmap(1),bug=wait-irqs-off");
        TlbState s = walk(stuck, "cpu0 munmap(p0): write PTEs", "cpu1 munmap(p1): write PTEs", "cpu0 munmap(p0): send IPIs",
                "cpu1 munmap(p1): send IPIs", "cpu0 munmap(p0): invalidate locally", "cpu1 munmap(p1): invalidate locally");
        assertThat(stuck.kernelCanStep(s)).isFalse();

        ShootdownModel m = model(LAZY);
        TlbState deferred = walk(m, "cpu0 munmap(p1): write PTEs", "cpu0 munmap(p1): invalidate locally",
                "cpu0 munmap(p1): defer f1 at generation 1", "cpu0 munmap(p1): returns");
        assertThat(labels(m, deferred)).noneMatch(l -> l.startsWith("kernel: release"));
        TlbState caughtUp = walkFrom(m, deferred, "cpu1 lazy catch-up: full local flush, generation 0 -> 1");
        assertThat(labels(m, caughtUp)).contains("kernel: release deferred f1 to the allocator (CPU generations [1, 1])")
                .noneMatch(l -> l.startsWith("cpu"));
        assertThat(m.kernelCanStep(caughtUp)).as("only the release is left").isTrue();
        TlbState released = walkFrom(m, caughtUp, "kernel: release deferred f1");
        assertThat(released.frames().free(1)).isTrue();
        assertThat(m.kernelCanStep(released)).isFalse();
        assertThat(m.isFinal(released)).isTrue();
    }

    @Test
    void livenessHasOneMemberPerCpuAndPerOrderedPair() {
        ShootdownModel m = model("cpus=3,pages=2,tlb=2,mode=single,ops=cpu0:munmap(0);cpu1:munmap(1)");
        List<Liveness<TlbState>> live = m.liveness();
        assertThat(live).extracting(Liveness::instance).containsExactly("cpu0", "cpu1", "cpu2", "cpu1's IPI to cpu0",
                "cpu2's IPI to cpu0", "cpu0's IPI to cpu1", "cpu2's IPI to cpu1", "cpu0's IPI to cpu2", "cpu1's IPI to cpu2");
        assertThat(live.subList(0, 3)).extracting(Liveness::id).containsOnly("TLB-L1");
        assertThat(live.subList(3, 9)).extracting(Liveness::id).containsOnly("TLB-L2");
        TlbState start = m.initial();
        TlbState written = walk(m, "cpu0 munmap(p0): write PTEs");
        assertThat(live.get(0).p().test(start)).isFalse();
        assertThat(live.get(0).q().test(start)).isTrue();
        assertThat(live.get(0).p().test(written)).isTrue();
        assertThat(live.get(0).q().test(written)).isFalse();
        assertThat(live.get(1).p().test(written)).isFalse();
        TlbState sent = walkFrom(m, written, "cpu0 munmap(p0): send IPIs");
        // cpu0's IPI to cpu1 (index 5) and to cpu2 (index 7) are pending; cpu1's to cpu2 (index 8) is not
        assertThat(live.get(5).p().test(sent)).isTrue();
        assertThat(live.get(5).q().test(sent)).isFalse();
        assertThat(live.get(7).p().test(sent)).isTrue();
        assertThat(live.get(8).p().test(sent)).isFalse();
        assertThat(live.get(8).q().test(sent)).isTrue();
        assertThat(live.get(3).p().test(sent)).isFalse();
    }

    @Test
    void theSymmetryGroupExchangesOnlyCpusWithEqualScripts() {
        assertThat(ShootdownModel.symmetries(model("cpus=3,pages=2,tlb=2,mode=single,ops=cpu0:munmap(0)").config()))
                .isDeepEqualTo(new int[][] {{0, 1, 2}, {0, 2, 1}});
        assertThat(ShootdownModel.symmetries(model("cpus=3,pages=2,tlb=2,mode=single,ops=cpu1:munmap(0)").config()))
                .isDeepEqualTo(new int[][] {{0, 1, 2}, {2, 1, 0}});
        assertThat(ShootdownModel.permutations(3).length).isEqualTo(6);
        assertThat(model(MUNMAP).reducesSymmetry()).isFalse();
        assertThat(model("cpus=3,pages=2,tlb=2,mode=single,ops=cpu0:munmap(0)").reducesSymmetry()).isTrue();
    }

    @Test
    void frameListsNameEachFrameOnce() {
        assertThat(ShootdownModel.frameList(0)).isEqualTo("no frames");
        assertThat(ShootdownModel.frameList(0b1)).isEqualTo("f0");
        assertThat(ShootdownModel.frameList(0b1010_0110)).isEqualTo("f1,f2,f5,f7");
    }

    @Test
    void aStateRendersTheSharedPartThenOneLinePerCpu() {
        ShootdownModel m = model(MUNMAP);
        assertThat(m.initial()).hasToString("PT[p0=f0 rw, p1=f1 rw; table f2] frames{f0 used, f1 used, f2 used}" + NL
                + "  cpu0 next munmap(p0) TLB{}" + NL + "  cpu1 done TLB{}");
        TlbState serving = walk(m, "hw cpu1 fills p1", "cpu0 munmap(p0): write PTEs", "cpu0 munmap(p0): send IPIs");
        assertThat(serving).hasToString("PT[p0=-, p1=f1 rw; table f2] frames{f0 used, f1 used, f2 used}" + NL
                + "  cpu0 munmap(p0) @INVALIDATE_LOCAL acks{} of {cpu1} TLB{}" + NL
                + "  cpu1 done mailbox{cpu0} TLB{p1=f1 rw}");
        TlbState half = walkFrom(m, serving, "cpu1 takes IPI from cpu0, invalidate p0 (SINGLE)");
        assertThat(half.toString()).endsWith(NL + "  cpu1 done serving cpu0 @ACK TLB{p1=f1 rw}");
        TlbState acked = walkFrom(m, half, "cpu1 ack cpu0");
        assertThat(acked.toString()).contains("  cpu0 munmap(p0) @INVALIDATE_LOCAL acks{cpu1} of {cpu1} TLB{}" + NL
                + "  cpu1 done TLB{p1=f1 rw}");

        ShootdownModel lazy = model(LAZY);
        TlbState deferred = walk(lazy, "cpu0 munmap(p1): write PTEs", "cpu0 munmap(p1): invalidate locally",
                "cpu0 munmap(p1): defer");
        assertThat(deferred).hasToString("PT[p0=f0 rw, p1=-; table f2] frames{f0 used, f1 deferred@1, f2 used} gen 1" + NL
                + "  cpu0 munmap(p1) @RETURN gen 1 TLB{}" + NL + "  cpu1 done gen 0 TLB{}");
    }
}
