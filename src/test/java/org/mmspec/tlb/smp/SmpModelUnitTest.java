package org.mmspec.tlb.smp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.mmspec.check.ActionSystem;
import org.mmspec.check.Bounds;
import org.mmspec.check.Liveness;
import org.mmspec.check.TransitionSystem;
import org.mmspec.frames.PhysFrame;
import org.mmspec.tlb.SeededBug;
import org.mmspec.tlb.ShootdownMode;
import org.mmspec.vm.Prot;

/**
 * {@link SmpModel} piece by piece on single states, without a search: what the bounds select (CPUs,
 * mode, lazy mode, threshold, the integration or protocol bug a word names), the initial state, the
 * exact moves offered in a state and what each does (an access faulting in and retrying, a
 * signal, the rejected zero-length munmap), the lazy moves and their processes, SMP-L1's members,
 * and the codec. {@link SmpModelTest} explores; this is fast enough for a mutation run.
 */
class SmpModelUnitTest {

    @SuppressWarnings("unchecked")
    private static TransitionSystem<SmpMachine> build(String bounds) {
        return (TransitionSystem<SmpMachine>) new SmpModel().build(Bounds.parse(bounds));
    }

    private static SmpMachine initial(String bounds) {
        List<SmpMachine> init = build(bounds).initialStates();
        assertThat(init).hasSize(1);
        return init.get(0);
    }

    /** The successors of {@code s} by label, in the order the model reports them. */
    private static Map<String, SmpMachine> successors(TransitionSystem<SmpMachine> sys, SmpMachine s) {
        Map<String, SmpMachine> out = new LinkedHashMap<>();
        sys.successors(s, (label, next) -> out.put(label.get(), next));
        return out;
    }

    private static List<String> labels(SmpMachine m, boolean fork, boolean mprotect) {
        List<String> out = new ArrayList<>();
        for (ActionSystem.Action<SmpMachine> a : SmpModel.actions(m, fork, mprotect)) {
            out.add(a.label());
        }
        return out;
    }

    private static ActionSystem.Action<SmpMachine> action(SmpMachine m, String label) {
        return SmpModel.actions(m, true).stream().filter(a -> a.label().equals(label)).findFirst().orElseThrow();
    }

    /** Applies the move {@code label} to {@code m} itself. */
    private static SmpMachine apply(SmpMachine m, String label) {
        action(m, label).effect().accept(m);
        return m;
    }

    /** The moves of one CPU running P0 over both pages, with or without mprotect. */
    private static List<String> cpuMoves(int cpu, boolean mprotect) {
        List<String> out = new ArrayList<>();
        for (int page : SmpModel.PAGES) {
            String p = "cpu" + cpu + " P0 ";
            out.add(p + "load p" + page);
            out.add(p + "store p" + page);
            out.add(p + "munmap p" + page);
            if (mprotect) {
                out.add(p + "mprotect p" + page + " r--");
                out.add(p + "mprotect p" + page + " rw-");
            }
        }
        return out;
    }

    @Test
    void theModelIsTlbSmpOfTheTlbComponent() {
        assertThat(new SmpModel().name()).isEqualTo("tlb-smp");
        assertThat(new SmpModel().component()).isEqualTo("tlb");
        assertThat(SmpModel.invariants()).isSameAs(SmpInvariants.ALL);
        assertThat(build("cpus=2").invariants()).isSameAs(SmpInvariants.ALL);
        assertThat(build("cpus=3,lazy=true").name()).isEqualTo("tlb-smp " + Bounds.parse("cpus=3,lazy=true"));
    }

    @Test
    void theDefaultsAreTwoSynchronousCpusInSingleModeWithoutBugs() {
        SmpMachine m = initial("");
        assertThat(m.cpus()).isEqualTo(2);
        assertThat(m.config().mode()).isEqualTo(ShootdownMode.SINGLE);
        assertThat(m.config().lazy()).isFalse();
        assertThat(m.config().threshold()).isEqualTo(1);
        assertThat(m.bug()).isEqualTo(SmpMachine.Bug.NONE);
        assertThat(m.protocolBug()).isEqualTo(SeededBug.NONE);
        // every CPU runs P0, whose two pages are mapped read-write and not yet faulted in
        assertThat(m.vm().spaces()).hasSize(1);
        for (int c = 0; c < 2; c++) {
            assertThat(m.active(c)).isZero();
            assertThat(m.tlb(c).size()).isZero();
        }
        assertThat(m.vm().space(0).areaAt(SmpModel.PAGES[0])).hasValueSatisfying(v -> {
            assertThat(v.start()).isEqualTo(SmpModel.PAGES[0]);
            assertThat(v.end()).isEqualTo(SmpModel.PAGES[1] + 1);
            assertThat(v.prot()).isEqualTo(Prot.RW);
        });
        assertThat(m.vm().space(0).translations()).isEmpty();
        assertThat(m.receipts()).isEmpty();
        assertThat(m.ghost()).isEmpty();
        // fork and mprotect are offered by default
        assertThat(successors(build(""), m)).containsKeys("cpu0 P0 fork", "cpu1 P0 mprotect p2 r--");
    }

    @Test
    void theBoundsChooseCpusModeLazinessAndThreshold() {
        SmpMachine m = initial("cpus=3,mode=range,lazy=true,threshold=2");
        assertThat(m.cpus()).isEqualTo(3);
        assertThat(m.config().mode()).isEqualTo(ShootdownMode.RANGE);
        assertThat(m.config().lazy()).isTrue();
        assertThat(m.config().threshold()).isEqualTo(2);
        for (int c = 0; c < 3; c++) {
            assertThat(m.active(c)).isZero();
        }
        assertThat(initial("mode=FULL").config().mode()).isEqualTo(ShootdownMode.FULL);
    }

    @Test
    void aBugWordNamesAnIntegrationBugOrElseAProtocolBug() {
        SmpMachine integration = initial("bug=vm-frees-before-shootdown");
        assertThat(integration.bug()).isEqualTo(SmpMachine.Bug.VM_FREES_BEFORE_SHOOTDOWN);
        assertThat(integration.protocolBug()).isEqualTo(SeededBug.NONE);
        assertThat(initial("bug=no-tick-catch-up").bug()).isEqualTo(SmpMachine.Bug.NO_TICK_CATCH_UP);
        assertThat(initial("bug=mask-initiator-only").bug()).isEqualTo(SmpMachine.Bug.MASK_INITIATOR_ONLY);
        SmpMachine protocol = initial("bug=ack-before-invalidate");
        assertThat(protocol.bug()).isEqualTo(SmpMachine.Bug.NONE);
        assertThat(protocol.protocolBug()).isEqualTo(SeededBug.ACK_BEFORE_INVALIDATE);
        SmpMachine none = initial("bug=none");
        assertThat(none.bug()).isEqualTo(SmpMachine.Bug.NONE);
        assertThat(none.protocolBug()).isEqualTo(SeededBug.NONE);
        assertThatThrownBy(() -> build("bug=no-such-bug")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no-such-bug");
    }

    @Test
    void theInitialMovesAreEachCpusAccessesUnmapsMprotectsAndForkAndTheRejectedMunmap() {
        SmpMachine m = initial("");
        List<String> expected = new ArrayList<>(cpuMoves(0, true));
        expected.add("cpu0 P0 fork");
        expected.add("cpu0 P0 munmap(p1, 0) (rejected)");
        expected.addAll(cpuMoves(1, true));
        expected.add("cpu1 P0 fork");
        // nothing is mapped yet: no fill, no eviction; not lazy: no catch-up, no release
        assertThat(labels(m, true, true)).containsExactlyElementsOf(expected);
        assertThat(SmpModel.actions(m, true)).extracting(ActionSystem.Action::label).containsExactlyElementsOf(expected);
        assertThat(SmpModel.actions(m, true)).allSatisfy(a -> assertThat(a.process()).isEqualTo(ActionSystem.NO_PROCESS));
        // the rejected munmap is no transition; every other move is one
        Map<String, SmpMachine> next = successors(build(""), m);
        List<String> accepted = new ArrayList<>(expected);
        accepted.remove("cpu0 P0 munmap(p1, 0) (rejected)");
        assertThat(next.keySet()).containsExactlyElementsOf(accepted);
    }

    @Test
    void withoutForkOrMprotectNeitherIsOffered() {
        SmpMachine m = initial("");
        List<String> expected = new ArrayList<>(cpuMoves(0, false));
        expected.add("cpu0 P0 munmap(p1, 0) (rejected)");
        expected.addAll(cpuMoves(1, false));
        assertThat(labels(m, false, false)).containsExactlyElementsOf(expected);
        assertThat(successors(build("fork=0,mprotect=0"), m).keySet()).doesNotContain("cpu0 P0 fork", "cpu0 P0 mprotect p1 r--")
                .contains("cpu0 P0 store p1");
        // one fork at most: with two processes no fork is offered
        SmpMachine forked = apply(initial(""), "cpu0 P0 fork");
        assertThat(forked.vm().spaces()).hasSize(2);
        assertThat(labels(forked, true, true)).noneMatch(l -> l.endsWith("fork"));
    }

    @Test
    void anIdleCpuOffersNoMovesOfItsOwnAndTheRejectedMunmapIsCpu0s() {
        SmpMachine m = initial("");
        m.switchTo(0, SmpMachine.IDLE);
        List<String> expected = new ArrayList<>(cpuMoves(1, true));
        expected.add("cpu1 P0 fork");
        assertThat(labels(m, true, true)).containsExactlyElementsOf(expected);
    }

    @Test
    void aStoreFaultsThePageInAndRetriesThroughTheTlb() {
        SmpMachine m = apply(initial(""), "cpu0 P0 store p1");
        assertThat(m.vm().space(0).translation(1)).isPresent();
        assertThat(m.vm().space(0).load(1)).isEqualTo(1);
        assertThat(m.cachedFrame(0, 1)).contains(m.vm().space(0).translation(1).get().frame());
        assertThat(m.cachedWritable(0, 1)).isTrue();
        assertThat(m.cachedFrame(1, 1)).isEmpty();
        // now the other CPU may fill it, and cpu0 may evict it
        List<String> moves = labels(m, true, true);
        assertThat(moves).contains("hw cpu1 fills p1", "hw cpu0 evicts p1").doesNotContain("hw cpu0 fills p1",
                "hw cpu1 evicts p1", "hw cpu1 fills p2", "hw cpu0 evicts p2");
        SmpMachine filled = apply(m.copy(), "hw cpu1 fills p1");
        assertThat(filled.cachedFrame(1, 1)).isEqualTo(m.cachedFrame(0, 1));
        SmpMachine evicted = apply(m.copy(), "hw cpu0 evicts p1");
        assertThat(evicted.cachedFrame(0, 1)).isEmpty();
        // a hit needs no fault: storing again changes the value only
        SmpMachine again = apply(m.copy(), "cpu0 P0 store p1");
        assertThat(again.vm().space(0).translation(1)).isEqualTo(m.vm().space(0).translation(1));
        assertThat(again.receipts()).hasSameSizeAs(m.receipts());
    }

    @Test
    void aLoadFaultsThePageInWithoutWritingIt() {
        SmpMachine m = apply(initial(""), "cpu1 P0 load p2");
        assertThat(m.vm().space(0).translation(2)).isPresent();
        assertThat(m.vm().space(0).load(2)).isZero();
        assertThat(m.cachedFrame(1, 2)).isPresent();
        assertThat(m.cachedFrame(0, 2)).isEmpty();
    }

    @Test
    void aStoreToASharedPageAfterAForkBreaksTheCopyOnWrite() {
        SmpMachine m = apply(apply(initial(""), "cpu0 P0 store p1"), "cpu0 P0 fork");
        PhysFrame shared = m.vm().space(1).translation(1).orElseThrow().frame();
        assertThat(m.vm().space(0).translation(1).orElseThrow().frame()).isEqualTo(shared);
        apply(m, "cpu1 P0 store p1");
        PhysFrame own = m.vm().space(0).translation(1).orElseThrow().frame();
        assertThat(own).isNotEqualTo(shared);
        assertThat(m.vm().space(1).translation(1).orElseThrow().frame()).isEqualTo(shared);
        assertThat(m.cachedFrame(1, 1)).contains(own);
        assertThat(m.cachedWritable(1, 1)).isTrue();
        assertThat(m.ghost()).isEmpty();
    }

    @Test
    void anAccessThatHitsTheTlbDoesNotFaultEvenThroughAStaleEntry() {
        // lazy mode: cpu1 keeps p1's entry after the unmap until it catches up; p1 is mapped again, not faulted in
        SmpMachine m = apply(apply(apply(initial("lazy=true"), "cpu0 P0 store p1"), "cpu0 P0 store p2"), "cpu1 P0 load p1");
        PhysFrame old = m.cachedFrame(1, 1).orElseThrow();
        apply(m, "cpu0 P0 munmap p1");
        m.run(0, SmpMachine.OpKind.MMAP, () -> m.vm().space(0).mmap(org.mmspec.vm.UserAddr.ofPage(1),
                org.mmspec.vm.Vma.PAGE_SIZE, Prot.RW, org.mmspec.vm.MapFlags.PRIVATE_ANON_FIXED, null, 0));
        assertThat(m.cachedFrame(1, 1)).contains(old);
        int receipts = m.receipts().size();
        apply(m, "cpu1 P0 load p1");
        assertThat(m.vm().space(0).translation(1)).isEmpty();
        assertThat(m.receipts()).hasSize(receipts);
    }

    @Test
    void anAccessToAnUnmappedPageIsASignalThatChangesNothing() {
        TransitionSystem<SmpMachine> sys = build("");
        SmpMachine m = apply(initial(""), "cpu0 P0 munmap p1");
        Map<String, SmpMachine> next = successors(sys, m);
        for (String access : List.of("cpu0 P0 load p1", "cpu1 P0 store p1")) {
            assertThat(next).containsKey(access);
            assertThat(sys.key(next.get(access))).isEqualTo(sys.key(m));
        }
    }

    @Test
    void mprotectAndMunmapChangeTheirPageOnly() {
        SmpMachine m = apply(apply(initial(""), "cpu0 P0 store p1"), "cpu1 P0 store p2");
        SmpMachine ro = apply(m.copy(), "cpu1 P0 mprotect p1 r--");
        assertThat(ro.vm().space(0).areaAt(1).orElseThrow().prot()).isEqualTo(Prot.R);
        assertThat(ro.vm().space(0).areaAt(2).orElseThrow().prot()).isEqualTo(Prot.RW);
        assertThat(ro.cachedWritable(0, 1)).isFalse();
        SmpMachine rw = apply(ro.copy(), "cpu0 P0 mprotect p1 rw-");
        assertThat(rw.vm().space(0).areaAt(1).orElseThrow().prot()).isEqualTo(Prot.RW);
        SmpMachine gone = apply(m.copy(), "cpu1 P0 munmap p2");
        assertThat(gone.vm().space(0).translation(2)).isEmpty();
        assertThat(gone.vm().space(0).translation(1)).isPresent();
        assertThat(gone.cachedFrame(1, 2)).isEmpty();
        SmpMachine rejected = m.copy();
        assertThatThrownBy(() -> apply(rejected, "cpu0 P0 munmap(p1, 0) (rejected)"))
                .isInstanceOf(org.mmspec.check.MmException.class);
        assertThat(rejected.key()).isEqualTo(m.key());
    }

    @Test
    void lazyModeOffersEachBehindCpusCatchUpAndTheReleaseAsTheirOwnProcesses() {
        SmpMachine m = apply(apply(apply(initial("lazy=true"), "cpu0 P0 store p1"), "cpu0 P0 store p2"), "cpu0 P0 munmap p1");
        assertThat(m.deferred()).isNotEmpty();
        assertThat(m.behind(0)).isFalse();
        assertThat(m.behind(1)).isTrue();
        List<ActionSystem.Action<SmpMachine>> lazy = SmpModel.actions(m, true).stream()
                .filter(a -> a.process() != ActionSystem.NO_PROCESS).toList();
        assertThat(lazy).extracting(ActionSystem.Action::label).containsExactly("cpu1 lazy catch-up",
                "release deferred frames");
        assertThat(lazy).extracting(ActionSystem.Action::process).containsExactly(1, 2);
        SmpMachine caught = apply(m.copy(), "cpu1 lazy catch-up");
        assertThat(caught.behind(1)).isFalse();
        SmpMachine released = apply(caught, "release deferred frames");
        assertThat(released.deferred()).isEmpty();
        // the seeded tickless CPU never catches up on its own
        SmpMachine tickless = apply(apply(apply(initial("lazy=true,bug=no-tick-catch-up"), "cpu0 P0 store p1"),
                "cpu0 P0 store p2"), "cpu0 P0 munmap p1");
        assertThat(tickless.behind(1)).isTrue();
        assertThat(labels(tickless, true, true)).contains("release deferred frames").doesNotContain("cpu1 lazy catch-up");
        // the synchronous model frees at once: neither move
        SmpMachine sync = apply(apply(apply(initial(""), "cpu0 P0 store p1"), "cpu0 P0 store p2"), "cpu0 P0 munmap p1");
        assertThat(labels(sync, true, true)).noneMatch(l -> l.contains("lazy") || l.contains("release"));
    }

    @Test
    void smpL1HasOneMemberPerFrameThatLeadsFromDeferredToReleased() {
        List<Liveness<SmpMachine>> l = SmpModel.liveness();
        assertThat(l).hasSize(SmpStateMachine.FRAMES);
        assertThat(build("lazy=true").liveness()).hasSize(SmpStateMachine.FRAMES);
        for (int f = 0; f < SmpStateMachine.FRAMES; f++) {
            assertThat(l.get(f).id()).isEqualTo("SMP-L1");
            assertThat(l.get(f).statement()).isEqualTo("every deferred frame is released");
            assertThat(l.get(f).instance()).isEqualTo("frame " + f);
        }
        SmpMachine m = apply(apply(initial("lazy=true"), "cpu0 P0 store p1"), "cpu0 P0 store p2");
        long frame = m.vm().space(0).translation(1).orElseThrow().frame().number();
        apply(m, "cpu0 P0 munmap p1");
        for (int f = 0; f < SmpStateMachine.FRAMES; f++) {
            boolean deferred = f == frame;
            assertThat(l.get(f).p().test(m)).as("frame " + f).isEqualTo(deferred);
            assertThat(l.get(f).q().test(m)).as("frame " + f).isEqualTo(!deferred);
        }
    }

    @Test
    void theCodecReadsAStateBackAsItself() throws IOException {
        TransitionSystem<SmpMachine> sys = build("lazy=true");
        SmpMachine m = apply(apply(apply(initial("lazy=true"), "cpu0 P0 store p1"), "cpu0 P0 store p2"), "cpu0 P0 munmap p1");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        sys.codec().write(m, new DataOutputStream(bytes));
        SmpMachine back = sys.codec().read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        assertThat(back).isNotSameAs(m);
        assertThat(sys.key(back)).isEqualTo(sys.key(m)).isEqualTo(m.key());
        assertThat(back.deferred()).isEqualTo(m.deferred());
        assertThat(back.config().lazy()).isTrue();
        assertThat(successors(sys, back).keySet()).containsExactlyElementsOf(successors(sys, m).keySet());
    }
}
