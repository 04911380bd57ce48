package org.mmspec.tlb.smp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.mmspec.check.Choices;
import org.mmspec.check.ModelMismatch;
import org.mmspec.check.Rule;
import org.mmspec.check.RuleDriver;
import org.mmspec.check.Step;
import org.mmspec.frames.PhysFrame;
import org.mmspec.paging.Page;
import org.mmspec.paging.PageFlags;
import org.mmspec.tlb.SeededBug;
import org.mmspec.tlb.ShootdownMode;
import org.mmspec.vm.AddressSpace;
import org.mmspec.vm.MapFlags;
import org.mmspec.vm.Prot;
import org.mmspec.vm.UserAddr;
import org.mmspec.vm.Vma;

/**
 * {@link SmpStateMachine} one rule at a time, from states drawn by replayed choices: what
 * {@code init} draws (CPUs, shootdown mode, threshold, every CPU on P0), the call each rule makes
 * and the state change it causes (mappings, TLB entries, the CPU switched, evictions, the lazy
 * catch-up and release of the deferred-free list), and that every comparison with the TLB-less
 * model is made: a model put out of step with the machine on purpose must fail the rule with a
 * model mismatch naming what disagreed.
 *
 * <p>Which target runs its IPI handler next is drawn. With a correct protocol the order leaves no
 * trace, so the tests that show the draw is used run the seeded {@link SeededBug#ACK_BEFORE_INVALIDATE}
 * protocol on three CPUs: the target that acknowledges last is the one still caching the page when
 * the shootdown completes, and the ghost log names it.
 */
class SmpMachineRulesTest {
    private static final SmpStateMachine SYNC = new SmpStateMachine(false);
    private static final SmpStateMachine LAZY = new SmpStateMachine(true);
    private static final SmpStateMachine ACK_FIRST = new SmpStateMachine(false, SmpMachine.Bug.NONE,
            SeededBug.ACK_BEFORE_INVALIDATE);

    /** init draws: CPUs ({@code 2 + d}), the shootdown mode's index, the threshold ({@code 1 + d}). */
    private static SmpStateMachine.State init(SmpStateMachine m, int cpus) {
        return m.init(Choices.replay(new long[] {cpus - 2, 0, 0}));
    }

    private static String run(SmpStateMachine m, String rule, SmpStateMachine.State s, long... draws) {
        return RuleDriver.apply(m, rule, s, draws);
    }

    private static void mismatch(SmpStateMachine m, String rule, SmpStateMachine.State s, String what, long... draws) {
        assertThatThrownBy(() -> RuleDriver.apply(m, rule, s, draws)).isInstanceOf(ModelMismatch.class)
                .hasMessageStartingWith("model mismatch on " + what + ":");
    }

    private static Rule<SmpStateMachine.State> rule(SmpStateMachine m, String name) {
        return m.rules().stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
    }

    /** mmap draws: the busy CPU's index, the page, the length in pages, the protection's index (RW, R, NONE, RWX), FIXED. */
    private static long[] mmap(int cpu, int page, int pages, int prot, boolean fixed) {
        return new long[] {cpu, page, pages, prot, fixed ? 1 : 0};
    }

    /** access draws: the busy CPU's index, the page (of 1..5), store or load. */
    private static long[] access(int cpu, int page, boolean store) {
        return new long[] {cpu, page - 1, store ? 1 : 0};
    }

    /** Page 1 mapped RW (FIXED) and stored to on cpu0, so cpu0's TLB caches it writable. */
    private static SmpStateMachine.State p1Stored(SmpStateMachine m, int cpus) {
        SmpStateMachine.State s = init(m, cpus);
        run(m, "mmap", s, mmap(0, 1, 1, 0, true));
        run(m, "access", s, access(0, 1, true));
        return s;
    }

    /** {@link #p1Stored}, then every other CPU loads page 1 and caches it writable too. */
    private static SmpStateMachine.State p1CachedEverywhere(SmpStateMachine m, int cpus) {
        SmpStateMachine.State s = p1Stored(m, cpus);
        for (int c = 1; c < cpus; c++) {
            run(m, "access", s, access(c, 1, false));
        }
        for (int c = 0; c < cpus; c++) {
            assertThat(s.impl.cachedWritable(c, 1)).as("cpu%d caches p1 rw", c).isTrue();
        }
        return s;
    }

    /** The ghost entries that name {@code cpu} as still caching page 1 when a shootdown completed. */
    private static List<String> stillCaching(SmpStateMachine.State s, int cpu) {
        return s.impl.ghost().stream().filter(g -> g.contains("but cpu" + cpu + " still caches p1")).toList();
    }

    // ------------------------------------------------------------------ init, name, snapshot

    @Test
    void init_drawsTheCpusTheShootdownModeAndTheThresholdAndPutsP0OnEveryCpu() {
        SmpStateMachine.State s = SYNC.init(Choices.replay(new long[] {1, 2, 2}));
        assertThat(s.impl.cpus()).isEqualTo(3);
        assertThat(s.impl.config().mode()).isEqualTo(ShootdownMode.GLOBAL);
        assertThat(s.impl.config().threshold()).isEqualTo(3);
        assertThat(s.impl.config().lazy()).isFalse();
        assertThat(s.impl.config().pages()).isEqualTo(SmpStateMachine.PAGES);
        assertThat(s.impl.config().tlbCapacity()).isEqualTo(SmpStateMachine.TLB_CAPACITY);
        for (int c = 0; c < 3; c++) {
            assertThat(s.impl.active(c)).as("cpu%d runs P0", c).isZero();
        }
        assertThat(s.impl.vm().spaces()).hasSize(1);
        assertThat(s.model.spaces()).hasSize(1);
        assertThat(s.model.frames().allocator().freeFrames()).isEqualTo(s.impl.vm().frames().allocator().freeFrames());
        assertThat(s.nextWord).isEqualTo(1);

        SmpStateMachine.State lazy = LAZY.init(Choices.replay(new long[0]));
        assertThat(lazy.impl.cpus()).isEqualTo(2);
        assertThat(lazy.impl.config().mode()).isEqualTo(ShootdownMode.SINGLE);
        assertThat(lazy.impl.config().threshold()).isEqualTo(1);
        assertThat(lazy.impl.config().lazy()).isTrue();
        assertThat(lazy.impl.active(0)).isZero();
        assertThat(lazy.impl.active(1)).isZero();
        assertThat(ACK_FIRST.init(Choices.replay(new long[0])).impl.protocolBug()).isEqualTo(SeededBug.ACK_BEFORE_INVALIDATE);
    }

    @Test
    void name_namesLazyModeTheIntegrationBugAndTheProtocolBug() {
        assertThat(SYNC.name()).isEqualTo("tlb-smp");
        assertThat(LAZY.name()).isEqualTo("tlb-smp/lazy");
        assertThat(new SmpStateMachine(false, SmpMachine.Bug.MASK_INITIATOR_ONLY, SeededBug.NONE).name())
                .isEqualTo("tlb-smp[MASK_INITIATOR_ONLY]");
        assertThat(ACK_FIRST.name()).isEqualTo("tlb-smp[" + SeededBug.ACK_BEFORE_INVALIDATE.word() + "]");
        assertThat(new SmpStateMachine(true, SmpMachine.Bug.NO_TICK_CATCH_UP, SeededBug.LAZY_REUSE_EARLY).name())
                .isEqualTo("tlb-smp/lazy[NO_TICK_CATCH_UP][" + SeededBug.LAZY_REUSE_EARLY.word() + "]");
    }

    @Test
    void snapshotIsTheMachinesKeyThenTheModelsAndTheStatePrintsAsTheMachine() {
        SmpStateMachine.State s = p1Stored(SYNC, 2);
        assertThat(SYNC.snapshot(s)).isEqualTo(List.of(s.impl.key(), s.model.key()));
        assertThat(s).hasToString(s.impl.toString());
        assertThat(s.toString()).contains("cpu0: P0 TLB{p1=");
    }

    // ------------------------------------------------------------------ vm operations

    @Test
    void mmap_mapsTheDrawnRangeOnBothSidesFixedOrAtTheHint() {
        SmpStateMachine.State s = init(SYNC, 2);
        assertThat(run(SYNC, "mmap", s, mmap(1, 1, 2, 0, true))).isEqualTo("cpu1 P0 mmap(page 1, 8192, rw-, FIXED) -> 0x1000");
        for (AddressSpace as : List.of(s.impl.vm().space(0), s.model.space(0))) {
            assertThat(as.areaAt(1)).get().extracting(Vma::prot).isEqualTo(Prot.RW);
            assertThat(as.areaAt(2)).isPresent();
        }
        SmpStateMachine.State t = init(SYNC, 2);
        assertThat(run(SYNC, "mmap", t, mmap(0, 2, 1, 1, false))).isEqualTo("cpu0 P0 mmap(page 2, 4096, r--, hint) -> 0x2000");
        assertThat(t.impl.vm().space(0).areaAt(2)).get().extracting(Vma::prot).isEqualTo(Prot.R);
        assertThat(t.model.space(0).areaAt(2)).isPresent();
    }

    @Test
    void mmap_comparesTheOutcomeWithTheModel() {
        SmpStateMachine.State s = init(SYNC, 2);
        // The model already has page 1, so its hint placement lands elsewhere.
        s.model.space(0).mmap(UserAddr.ofPage(1), Vma.PAGE_SIZE, Prot.RW, MapFlags.PRIVATE_ANON_FIXED, null, 0);
        mismatch(SYNC, "mmap", s, "mmap(page 1, 4096, rw-, hint) outcome", mmap(0, 1, 1, 0, false));
    }

    @Test
    void munmap_unmapsThePageOnBothSidesAndShootsDownTheOtherCpus() {
        SmpStateMachine.State s = p1CachedEverywhere(SYNC, 2);
        PhysFrame f = s.impl.cachedFrame(0, 1).orElseThrow();
        assertThat(run(SYNC, "munmap", s, 0, 1, 1, 0)).isEqualTo("cpu0 P0 munmap(page 1, 0x1000) -> ok");
        assertThat(s.impl.vm().space(0).areaAt(1)).isEmpty();
        assertThat(s.impl.vm().space(0).translation(1)).isEmpty();
        assertThat(s.model.space(0).areaAt(1)).isEmpty();
        assertThat(s.impl.cachedFrame(0, 1)).isEmpty();
        assertThat(s.impl.cachedFrame(1, 1)).as("the shootdown reached cpu1").isEmpty();
        assertThat(s.impl.vm().frames().isFree(f)).isTrue();
        assertThat(s.impl.ghost()).isEmpty();
    }

    @Test
    void munmap_drawsAnUnalignedLengthOneRunInEight() {
        SmpStateMachine.State s = init(SYNC, 2);
        run(SYNC, "mmap", s, mmap(0, 1, 2, 0, true));
        assertThat(run(SYNC, "munmap", s, 0, 1, 1, 7)).isEqualTo("cpu0 P0 munmap(page 1, 0x1001) -> ok");
        assertThat(s.impl.vm().space(0).areaAt(2)).as("0x1001 bytes reach into page 2").isEmpty();
        assertThat(run(SYNC, "munmap", init(SYNC, 2), 0, 1, 3, 6)).isEqualTo("cpu0 P0 munmap(page 1, 0x3000) -> ok");
    }

    @Test
    void vmOp_drawsWhichTargetRunsItsHandlerNext() {
        SmpStateMachine.State s = p1CachedEverywhere(ACK_FIRST, 3);
        // munmap draws, then the handler order: cpu2 acknowledges, cpu2 invalidates, cpu1 acknowledges.
        run(ACK_FIRST, "munmap", s, 0, 1, 1, 0, 1, 1);
        assertThat(stillCaching(s, 1)).as("cpu1 acknowledged last, before it invalidated").isNotEmpty();
        assertThat(stillCaching(s, 2)).isEmpty();

        SmpStateMachine.State first = p1CachedEverywhere(ACK_FIRST, 3);
        run(ACK_FIRST, "munmap", first, 0, 1, 1, 0);
        assertThat(stillCaching(first, 2)).as("draws of 0: the lowest target first").isNotEmpty();
        assertThat(stillCaching(first, 1)).isEmpty();
    }

    @Test
    void vmOp_givesTheMachineBackTheFirstRunnableSchedulerAfterwards() {
        SmpStateMachine.State s = p1CachedEverywhere(ACK_FIRST, 3);
        // An mmap sends no shootdown, so the draws after its own are left over.
        run(ACK_FIRST, "mmap", s, 0, 3, 1, 0, 1, 1, 1);
        downgradeP1Directly(s);
        assertThat(stillCaching(s, 2)).as("the machine's own scheduler: the lowest target first").isNotEmpty();
        assertThat(stillCaching(s, 1)).isEmpty();
    }

    /** mprotect(p1, R) on cpu0 through the machine itself, not through a rule (its scheduler decides). */
    private static void downgradeP1Directly(SmpStateMachine.State s) {
        s.impl.run(0, SmpMachine.OpKind.MPROTECT, () -> {
            s.impl.vm().space(0).mprotect(UserAddr.ofPage(1), Vma.PAGE_SIZE, Prot.R);
            return null;
        });
    }

    @Test
    void mprotect_changesTheProtectionOnBothSidesAndDowngradesTheTlbs() {
        SmpStateMachine.State s = p1CachedEverywhere(SYNC, 2);
        // mprotect draws: the busy CPU's index, the page (1 + d), the length in pages, the protection (R, RW, NONE, RWX).
        assertThat(run(SYNC, "mprotect", s, 1, 0, 1, 0)).isEqualTo("cpu1 P0 mprotect(page 1, 1 pages, r--) -> ok");
        assertThat(s.impl.vm().space(0).areaAt(1)).get().extracting(Vma::prot).isEqualTo(Prot.R);
        assertThat(s.model.space(0).areaAt(1)).get().extracting(Vma::prot).isEqualTo(Prot.R);
        assertThat(s.impl.cachedWritable(0, 1)).isFalse();
        assertThat(s.impl.cachedWritable(1, 1)).isFalse();
        assertThat(run(SYNC, "mprotect", s, 0, 1, 3, 1)).isEqualTo("cpu0 P0 mprotect(page 2, 3 pages, rw-) -> rejected NOT_MAPPED");
    }

    @Test
    void brk_movesTheHeapEndOnBothSides() {
        SmpStateMachine.State s = init(SYNC, 2);
        assertThat(run(SYNC, "brk", s, 0, 2)).isEqualTo("cpu0 P0 brk(page 3) -> 0x3000");
        assertThat(s.impl.vm().space(0).brk()).isEqualTo(UserAddr.ofPage(3));
        assertThat(s.model.space(0).brk()).isEqualTo(UserAddr.ofPage(3));
        assertThat(s.impl.vm().space(0).areaAt(2)).isPresent();
    }

    // ------------------------------------------------------------------ user accesses

    @Test
    void access_storesTheNextWordFaultingItInThenLoadsIt() {
        SmpStateMachine.State s = init(SYNC, 2);
        run(SYNC, "mmap", s, mmap(0, 1, 1, 0, true));
        assertThat(run(SYNC, "access", s, access(0, 1, true))).isEqualTo("cpu0 P0 store page 1 <- 1 -> DEMAND_PAGE");
        assertThat(s.nextWord).isEqualTo(2);
        assertThat(s.impl.cachedWritable(0, 1)).isTrue();
        assertThat(s.impl.vm().space(0).load(1)).isEqualTo(1);
        assertThat(s.model.space(0).load(1)).isEqualTo(1);
        assertThat(run(SYNC, "access", s, access(1, 1, false))).isEqualTo("cpu1 P0 load page 1");
        assertThat(s.nextWord).as("a load takes no word").isEqualTo(2);
        assertThat(s.impl.cachedFrame(1, 1)).isPresent();
        assertThat(run(SYNC, "access", s, access(1, 1, true))).isEqualTo("cpu1 P0 store page 1 <- 2");
        assertThat(s.nextWord).isEqualTo(3);
        assertThat(s.model.space(0).load(1)).isEqualTo(2);
        assertThat(run(SYNC, "access", s, access(0, 2, false))).isEqualTo("cpu0 P0 load page 2 -> rejected STACK_LIMIT");
    }

    @Test
    void access_comparesTheWordLoadedWithTheModel() {
        SmpStateMachine.State s = p1Stored(SYNC, 2);
        s.model.space(0).store(1, 99);
        mismatch(SYNC, "access", s, "cpu0 load page 1", access(0, 1, false));
    }

    @Test
    void access_comparesTheStoresOutcomeWithTheModel() {
        SmpStateMachine.State s = p1Stored(SYNC, 2);
        s.model.space(0).munmap(UserAddr.ofPage(1), Vma.PAGE_SIZE);
        mismatch(SYNC, "access", s, "cpu1 store page 1", access(1, 1, true));
    }

    @Test
    void userAccess_givesUpAfterThreeFaultsThatFixNothing() {
        SmpStateMachine.State s = p1Stored(SYNC, 2);
        AddressSpace as = s.impl.vm().space(0);
        // The hardware PTE loses its user bit behind the vm's back: the handler sees a spurious fault every time.
        s.impl.run(0, SmpMachine.OpKind.MPROTECT, () -> as.mapper().updateFlags(Page.of4k(Vma.PAGE_SIZE),
                as.hwFlags(as.translation(1).orElseThrow()).without(PageFlags.USER)));
        AtomicInteger faults = new AtomicInteger();
        Step<SmpStateMachine.State> step = RuleDriver.step(s, st -> {
            faults.incrementAndGet(); // perform snapshots once before each handled fault
            return SYNC.snapshot(st);
        });
        assertThat(SmpStateMachine.userAccess(s, step, 0, 0, 1, false, 0)).isEqualTo("fault loop");
        assertThat(faults).hasValue(3);
    }

    // ------------------------------------------------------------------ fork and exit

    @Test
    void fork_addsTheChildOnBothSides() {
        SmpStateMachine.State s = p1Stored(SYNC, 2);
        assertThat(rule(SYNC, "fork").enabled(s)).isTrue();
        assertThat(run(SYNC, "fork", s, 1)).isEqualTo("cpu1 P0 fork -> 1");
        assertThat(s.impl.vm().spaces()).hasSize(2);
        assertThat(s.model.spaces()).hasSize(2);
        assertThat(s.impl.cachedWritable(0, 1)).as("the parent's pages are copy-on-write now").isFalse();
        assertThat(rule(SYNC, "fork").enabled(s)).isFalse();
    }

    @Test
    void fork_comparesTheChildsIndexWithTheModel() {
        SmpStateMachine.State s = init(SYNC, 2);
        s.model.fork(0);
        mismatch(SYNC, "fork", s, "fork", 0);
    }

    @Test
    void fork_drawsWhichTargetRunsItsHandlerNext() {
        SmpStateMachine.State s = p1CachedEverywhere(ACK_FIRST, 3);
        run(ACK_FIRST, "fork", s, 0, 1, 1);
        assertThat(stillCaching(s, 1)).isNotEmpty();
        assertThat(stillCaching(s, 2)).isEmpty();
        SmpStateMachine.State first = p1CachedEverywhere(ACK_FIRST, 3);
        run(ACK_FIRST, "fork", first, 0);
        assertThat(stillCaching(first, 2)).isNotEmpty();
        assertThat(stillCaching(first, 1)).isEmpty();
    }

    @Test
    void fork_givesTheMachineBackTheFirstRunnableSchedulerAfterwards() {
        SmpStateMachine.State s = init(ACK_FIRST, 3);
        run(ACK_FIRST, "mmap", s, mmap(0, 1, 1, 0, true));
        // Nothing is present yet, so the fork sends no shootdown and its draws after the CPU are left over.
        assertThat(run(ACK_FIRST, "fork", s, 0, 1, 1, 1)).isEqualTo("cpu0 P0 fork -> 1");
        run(ACK_FIRST, "access", s, access(0, 1, true));
        run(ACK_FIRST, "access", s, access(1, 1, false));
        run(ACK_FIRST, "access", s, access(2, 1, false));
        downgradeP1Directly(s);
        assertThat(stillCaching(s, 2)).isNotEmpty();
        assertThat(stillCaching(s, 1)).isEmpty();
    }

    @Test
    void exit_isEnabledOnlyWithASecondProcessAndABusyCpu() {
        SmpStateMachine.State s = init(SYNC, 2);
        Rule<SmpStateMachine.State> exit = rule(SYNC, "exit");
        assertThat(exit.enabled(s)).as("one process").isFalse();
        run(SYNC, "fork", s, 0);
        assertThat(exit.enabled(s)).as("two processes, P0 running").isTrue();
        s.impl.switchTo(0, SmpMachine.IDLE);
        s.impl.switchTo(1, SmpMachine.IDLE);
        assertThat(exit.enabled(s)).as("two processes, every CPU idle").isFalse();
        assertThat(rule(SYNC, "fork").enabled(s)).isFalse();
    }

    @Test
    void exit_tearsDownTheProcessOnBothSides() {
        SmpStateMachine.State s = init(SYNC, 2);
        run(SYNC, "fork", s, 0);
        run(SYNC, "switch", s, 1, 2);
        assertThat(run(SYNC, "exit", s, 1)).isEqualTo("cpu1 P1 exit");
        assertThat(s.impl.vm().spaces()).hasSize(1);
        assertThat(s.model.spaces()).hasSize(1);
        assertThat(s.impl.active(1)).isEqualTo(SmpMachine.IDLE);
    }

    // ------------------------------------------------------------------ the hardware's moves and scheduling

    @Test
    void switch_putsTheDrawnSpaceOrIdleOnTheDrawnCpu() {
        SmpStateMachine.State s = p1Stored(SYNC, 2);
        assertThat(run(SYNC, "switch", s, 0, 0)).isEqualTo("cpu0 switches to idle");
        assertThat(s.impl.active(0)).isEqualTo(SmpMachine.IDLE);
        assertThat(s.impl.cachedFrame(0, 1)).as("the CR3 reload flushed the TLB").isEmpty();
        assertThat(rule(SYNC, "switch").enabled(s)).isTrue();
        assertThat(run(SYNC, "switch", s, 0, 1)).isEqualTo("cpu0 switches to P0");
        assertThat(s.impl.active(0)).isZero();
    }

    @Test
    void speculate_fillsOnlyFillablePagesTheDrawsChoose() {
        SmpStateMachine.State s = init(SYNC, 2);
        assertThat(run(SYNC, "speculate", s, 1, 1, 1, 1)).isEqualTo("hw fills nothing");
        run(SYNC, "mmap", s, mmap(0, 1, 2, 0, true));
        run(SYNC, "access", s, access(0, 1, true));
        run(SYNC, "access", s, access(0, 2, true));
        // cpu0 already holds p1 and p2; cpu1 can fill both: the first draw declines p1, the second takes p2.
        assertThat(s.impl.canFill(1, 1)).isTrue();
        assertThat(run(SYNC, "speculate", s, 0, 1)).isEqualTo("hw fills cpu1:p2");
        assertThat(s.impl.cachedFrame(1, 1)).isEmpty();
        assertThat(s.impl.cachedFrame(1, 2)).isEqualTo(s.impl.cachedFrame(0, 2));
        assertThat(run(SYNC, "speculate", s, 1)).isEqualTo("hw fills cpu1:p1");
        assertThat(s.impl.cachedFrame(1, 1)).isPresent();
    }

    @Test
    void speculate_reportsOnlyTheFillsThatHappened() {
        SmpStateMachine.State s = p1Stored(SYNC, 4);
        for (int c : new int[] {0, 2, 3}) {
            s.impl.switchTo(c, SmpMachine.IDLE);
        }
        // Idle CPUs 2 and 3 hold eight planted entries: every frame alias is in use, so no fill finds one.
        for (int i = 0; i < SmpMachine.ALIASES; i++) {
            s.impl.corruptCache(2 + i / SmpStateMachine.TLB_CAPACITY, i % SmpStateMachine.TLB_CAPACITY,
                    PhysFrame.of(100 + i), false);
        }
        assertThat(s.impl.canFill(1, 1)).isTrue();
        assertThat(run(SYNC, "speculate", s, 1)).isEqualTo("hw fills nothing");
        assertThat(s.impl.cachedFrame(1, 1)).isEmpty();
    }

    @Test
    void evict_dropsTheDrawnCpusEntryForTheDrawnPage() {
        SmpStateMachine.State s = p1CachedEverywhere(SYNC, 2);
        assertThat(run(SYNC, "evict", s, 1, 1)).isEqualTo("hw cpu1 evicts p1");
        assertThat(s.impl.cachedFrame(1, 1)).isEmpty();
        assertThat(s.impl.cachedFrame(0, 1)).isPresent();
    }

    // ------------------------------------------------------------------ lazy mode

    @Test
    void catchUpAndRelease_areEnabledInLazyModeOnly() {
        SmpStateMachine.State sync = init(SYNC, 2);
        SmpStateMachine.State lazy = init(LAZY, 2);
        for (String name : List.of("catch-up", "release")) {
            assertThat(rule(SYNC, name).enabled(sync)).as(name).isFalse();
            assertThat(rule(LAZY, name).enabled(lazy)).as(name).isTrue();
        }
    }

    @Test
    void lazyMunmap_defersTheFramesUntilTheOtherCpuCatchesUpThenReleaseFreesThem() {
        SmpStateMachine.State s = p1CachedEverywhere(LAZY, 2);
        PhysFrame f = s.impl.cachedFrame(0, 1).orElseThrow();
        assertThat(run(LAZY, "munmap", s, 0, 1, 1, 0)).isEqualTo("cpu0 P0 munmap(page 1, 0x1000) -> ok");
        assertThat(s.impl.deferred()).isNotEmpty();
        assertThat(s.impl.behind(1)).isTrue();
        assertThat(s.impl.cachedFrame(1, 1)).as("lazily stale").contains(f);
        assertThat(run(LAZY, "release", s)).isEqualTo("release deferred frames -> 0");
        assertThat(s.impl.deferred()).isNotEmpty();

        assertThat(run(LAZY, "catch-up", s, 1)).isEqualTo("cpu1 lazy catch-up");
        assertThat(s.impl.behind(1)).isFalse();
        assertThat(s.impl.localGen(1)).isEqualTo(s.impl.gen());
        assertThat(s.impl.cachedFrame(1, 1)).isEmpty();
        int deferred = s.impl.deferred().keySet().stream().mapToInt(r -> (int) r.count()).sum();
        assertThat(deferred).isPositive();
        assertThat(run(LAZY, "release", s)).isEqualTo("release deferred frames -> " + deferred);
        assertThat(s.impl.deferred()).isEmpty();
        assertThat(s.impl.vm().frames().isFree(f)).isTrue();
    }

    @Test
    void lazyAccess_throughAStaleEntryLeavesTheModelOut() {
        SmpStateMachine.State s = p1CachedEverywhere(LAZY, 2);
        run(LAZY, "munmap", s, 0, 1, 1, 0);
        assertThat(s.impl.staleness(1, 1)).isPresent();
        // The model has no page 1 any more; through the stale entry cpu1 still reaches the deferred frame.
        assertThat(run(LAZY, "access", s, access(1, 1, false))).isEqualTo("cpu1 P0 load page 1");
        assertThat(run(LAZY, "access", s, access(1, 1, true))).isEqualTo("cpu1 P0 store page 1 <- 2");
        assertThat(s.impl.staleness(1, 1)).isPresent();
        assertThat(s.nextWord).isEqualTo(3);
    }
}
