package org.mmspec.tlb.smp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.mmspec.fault.FaultAddr;
import org.mmspec.fault.PageFaultError;
import org.mmspec.fault.PageFaultHandler;
import org.mmspec.frames.FrameRange;
import org.mmspec.frames.PhysFrame;
import org.mmspec.paging.TlbFlush;
import org.mmspec.paging.VirtAddr;
import org.mmspec.tlb.CostModel;
import org.mmspec.tlb.CpuMask;
import org.mmspec.tlb.KernelOp;
import org.mmspec.tlb.SeededBug;
import org.mmspec.tlb.ShootdownMode;
import org.mmspec.tlb.TlbConfig;
import org.mmspec.tlb.TlbShootdown;
import org.mmspec.vm.AddressSpace;
import org.mmspec.vm.MapFlags;
import org.mmspec.vm.Prot;
import org.mmspec.vm.UserAddr;
import org.mmspec.vm.Vma;
import org.mmspec.vm.VmSystem;

/**
 * The integration's rules one by one, each at its exact boundary: the argument checks and their
 * messages, the quiescence rule, the gather (which pages a flush names), the receipts window, the
 * alias table of the abstract TLB encoding, the lazy list's watermark and release, the staleness
 * words the invariants read, and the rendering that goes into every counterexample (PIT found each
 * of these unchecked by the scenario tests).
 */
class SmpMachineMutationTest {

    private static VmSystem system() {
        return new VmSystem(SmpStateMachine.layout(), AddressSpace.WxPolicy.ENFORCE, SmpStateMachine.FRAMES,
                VmSystem.Bug.NONE);
    }

    /** {@code cpus} CPUs all running P0, which maps p1 and p2 read-write (not yet faulted in). */
    private static SmpMachine machine(int cpus, boolean lazy, SmpMachine.Bug bug) {
        return machine(cpus, lazy, bug, ShootdownMode.SINGLE, SeededBug.NONE, 1);
    }

    private static SmpMachine machine(int cpus, boolean lazy, SmpMachine.Bug bug, ShootdownMode mode, SeededBug protocolBug,
            int threshold) {
        VmSystem sys = system();
        SmpMachine m = new SmpMachine(sys, SmpStateMachine.config(cpus, mode, lazy, threshold, protocolBug), bug);
        for (int c = 0; c < cpus; c++) {
            m.switchTo(c, 0);
        }
        m.run(0, SmpMachine.OpKind.MMAP, () -> sys.space(0).mmap(UserAddr.ofPage(1), 2 * Vma.PAGE_SIZE, Prot.RW,
                MapFlags.PRIVATE_ANON_FIXED, null, 0));
        return m;
    }

    /** {@code cpu} stores {@code value} to {@code page} of the space it runs, faulting it in first if needed. */
    private static void store(SmpMachine m, int cpu, int page, long value) {
        if (m.access(cpu, page, true, value).isEmpty()) {
            AddressSpace as = m.vm().space(m.active(cpu));
            m.run(cpu, SmpMachine.OpKind.FAULT, () -> PageFaultHandler.handle(as, FaultAddr.ofPage(page),
                    PageFaultError.user(false, org.mmspec.fault.Access.WRITE)));
            assertThat(m.access(cpu, page, true, value)).contains(value);
        }
    }

    private static void munmap(SmpMachine m, int cpu, int space, int page) {
        m.run(cpu, SmpMachine.OpKind.MUNMAP, () -> {
            m.vm().space(space).munmap(UserAddr.ofPage(page), Vma.PAGE_SIZE);
            return null;
        });
    }

    private static void mprotect(SmpMachine m, int cpu, int page, Prot prot) {
        m.run(cpu, SmpMachine.OpKind.MPROTECT, () -> {
            m.vm().space(0).mprotect(UserAddr.ofPage(page), Vma.PAGE_SIZE, prot);
            return null;
        });
    }

    /** The request of the most recent shootdown. */
    private static TlbShootdown last(SmpMachine m) {
        return m.receipts().get(m.receipts().size() - 1).request();
    }

    /** The leaf table's frame that the walk to {@code page} of space 0 ends in. */
    private static long leafTable(SmpMachine m, int page) {
        var w = m.vm().space(0).mapper().walk(VirtAddr.of((long) page << Vma.PAGE_SHIFT));
        return PhysFrame.containing(w.steps().get(w.steps().size() - 1).table()).number();
    }

    // ------------------------------------------------------------------ construction and arguments

    @Test
    void theWindowMustCoverTheWholeUserSpace() {
        TlbConfig narrow = new TlbConfig(2, SmpStateMachine.PAGES - 1, SmpStateMachine.TLB_CAPACITY, ShootdownMode.SINGLE,
                false, 1, 0, new KernelOp[2][0], SeededBug.NONE, false, CostModel.SEED);
        assertThatThrownBy(() -> new SmpMachine(system(), narrow, SmpMachine.Bug.NONE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the TLB window of 5 pages must cover user space (6 pages)");
    }

    @Test
    void aNewMachineHasEveryCpuIdleNothingCachedAndNoAliasInUse() {
        SmpMachine m = new SmpMachine(system(), SmpStateMachine.config(2, ShootdownMode.SINGLE, true, 1, SeededBug.NONE),
                SmpMachine.Bug.NONE);
        for (int c = 0; c < 2; c++) {
            assertThat(m.active(c)).isEqualTo(SmpMachine.IDLE);
            assertThat(m.renderTlb(c)).isEqualTo("{}");
            assertThat(m.behind(c)).isFalse();
            assertThat(m.localGen(c)).isZero();
        }
        // No alias names a frame yet: deferring every alias defers nothing and opens no generation.
        m.deferFree(0, (1 << SmpMachine.ALIASES) - 1);
        assertThat(m.deferred()).isEmpty();
        assertThat(m.gen()).isZero();
        assertThat(m.mask(0)).isEqualTo(CpuMask.NONE);
        assertThat(m.config().cpus()).isEqualTo(2);
        assertThat(m.protocol()).isNotNull();
        assertThat(m.bug()).isEqualTo(SmpMachine.Bug.NONE);
        assertThat(m.protocolBug()).isEqualTo(SeededBug.NONE);
        assertThat(m.tlb(0).size()).isZero();
    }

    @Test
    void cpuPageAndSpaceArgumentsAreCheckedAtTheirBounds() {
        SmpMachine m = machine(2, false, SmpMachine.Bug.NONE);
        assertThatThrownBy(() -> m.switchTo(2, 0)).isInstanceOf(IllegalArgumentException.class).hasMessage("no cpu2");
        assertThatThrownBy(() -> m.switchTo(-1, 0)).isInstanceOf(IllegalArgumentException.class).hasMessage("no cpu-1");
        assertThatThrownBy(() -> m.switchTo(0, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no address space 1");
        assertThatThrownBy(() -> m.switchTo(0, -2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no address space -2");
        assertThatThrownBy(() -> m.run(2, SmpMachine.OpKind.MMAP, () -> null)).hasMessage("no cpu2");
        assertThatThrownBy(() -> m.fill(2, 1)).hasMessage("no cpu2");
        assertThatThrownBy(() -> m.fill(0, 6)).hasMessage("page 6 outside the window of 6");
        assertThatThrownBy(() -> m.fill(0, -1)).hasMessage("page -1 outside the window of 6");
        assertThat(m.fill(0, 0)).isFalse(); // page 0 is inside the window, just never mapped
        assertThatThrownBy(() -> m.access(2, 1, false, 0)).hasMessage("no cpu2");
        assertThatThrownBy(() -> m.access(0, 6, false, 0)).hasMessage("page 6 outside the window of 6");
        assertThatThrownBy(() -> m.catchUp(2)).hasMessage("no cpu2");
        m.switchTo(1, SmpMachine.IDLE);
        assertThat(m.active(1)).isEqualTo(SmpMachine.IDLE);
        assertThatThrownBy(() -> m.access(1, 1, false, 0)).isInstanceOf(IllegalStateException.class)
                .hasMessage("cpu1 runs no address space");
        assertThat(m.fill(1, 1)).isFalse();
        assertThat(m.canFill(1, 1)).isFalse();
        assertThat(m.mask(SmpMachine.IDLE)).isEqualTo(CpuMask.NONE);
        assertThat(m.mask(0)).isEqualTo(CpuMask.of(0));
    }

    @Test
    void nothingElseMayRunWhileAnOperationIsInProgress() {
        SmpMachine m = machine(2, true, SmpMachine.Bug.NONE);
        String busy = "an operation is in progress on cpu1";
        assertThatThrownBy(() -> m.run(1, SmpMachine.OpKind.MMAP, () -> {
            m.switchTo(0, SmpMachine.IDLE);
            return null;
        })).isInstanceOf(IllegalStateException.class).hasMessage(busy);
        assertThatThrownBy(() -> m.run(1, SmpMachine.OpKind.MMAP, () -> m.run(0, SmpMachine.OpKind.MMAP, () -> null)))
                .hasMessage(busy);
        assertThatThrownBy(() -> m.run(1, SmpMachine.OpKind.MMAP, () -> m.access(0, 1, false, 0))).hasMessage(busy);
        assertThatThrownBy(() -> m.run(1, SmpMachine.OpKind.MMAP, () -> {
            m.catchUp(0);
            return null;
        })).hasMessage(busy);
        assertThatThrownBy(() -> m.run(1, SmpMachine.OpKind.MMAP, m::releaseDeferred)).hasMessage(busy);
        assertThatThrownBy(() -> m.run(1, SmpMachine.OpKind.MMAP,
                () -> m.shootdown(0, new TlbShootdown(CpuMask.of(1), 1 << 1, ShootdownMode.SINGLE)))).hasMessage(busy);
        assertThatThrownBy(() -> m.run(1, SmpMachine.OpKind.MMAP, m::copy)).hasMessage("copy during an operation");
        // Each refusal left the machine quiescent, and the CPUs where they were.
        assertThat(m.active(0)).isZero();
        m.switchTo(0, SmpMachine.IDLE);
        assertThat(m.active(0)).isEqualTo(SmpMachine.IDLE);
    }

    @Test
    void pteChangesAndFreesOutsideAnOperationOrFromAnotherAllocatorAreRefused() {
        SmpMachine m = machine(2, false, SmpMachine.Bug.NONE);
        AddressSpace as = m.vm().space(0);
        TlbFlush flush = new TlbFlush(VirtAddr.of(Vma.PAGE_SIZE), Vma.PAGE_SIZE, TlbFlush.Reason.UNMAP);
        assertThatThrownBy(() -> m.flush(as, flush)).isInstanceOf(IllegalStateException.class)
                .hasMessage("a PTE changed outside SmpMachine.run: " + flush);
        FrameRange one = new FrameRange(PhysFrame.of(3), 1);
        assertThatThrownBy(() -> m.freeFrame(PhysFrame.of(3), m.vm().frames().allocator()))
                .isInstanceOf(IllegalStateException.class).hasMessage("a frame freed outside SmpMachine.run: " + one);
        assertThatThrownBy(() -> m.freeTable(as, one, system().frames().allocator()))
                .isInstanceOf(IllegalStateException.class).hasMessage("a frame of another allocator: " + one);
    }

    // ------------------------------------------------------------------ switching, copying, fork and exit

    @Test
    void switchingToTheSameSpaceKeepsTheTlbAndSwitchingAwayDropsIt() {
        SmpMachine m = machine(2, false, SmpMachine.Bug.NONE);
        store(m, 1, 1, 5);
        PhysFrame f = m.cachedFrame(1, 1).orElseThrow();
        long table = leafTable(m, 1);
        assertThat(m.reaches(1, f.number())).isTrue();
        assertThat(m.reaches(1, table)).isEqualTo(m.tlb(1).pwc());
        assertThat(m.reaches(1, f.number() + 100)).isFalse();
        m.switchTo(1, 0);
        assertThat(m.cachedFrame(1, 1)).contains(f);
        m.switchTo(1, SmpMachine.IDLE);
        assertThat(m.cachedFrame(1, 1)).isEmpty();
        assertThat(m.reaches(1, f.number())).isFalse();
        assertThat(m.reaches(1, table)).isFalse();
        assertThat(m.renderTlb(1)).isEqualTo("{}");
    }

    @Test
    void aCopyIsIndependentAndServesItsOwnFrames() {
        SmpMachine m = machine(2, true, SmpMachine.Bug.NONE);
        store(m, 0, 1, 5);
        store(m, 1, 1, 6);
        munmap(m, 0, 0, 1); // lazily: the frame waits on the deferred-free list
        Object before = m.key();
        SmpMachine c = m.copy();
        assertThat(c.key()).isEqualTo(before);
        assertThat(c.deferred()).isEqualTo(m.deferred()).isNotEmpty();
        assertThat(c.vm().frames().port()).isSameAs(c);
        assertThat(m.vm().frames().port()).isSameAs(m);
        c.drain();
        assertThat(c.deferred()).isEmpty();
        assertThat(m.key()).isEqualTo(before);
        assertThat(c.key()).isNotEqualTo(before);
    }

    @Test
    void forkReturnsTheChildsIndexAndRunsTheParentsShootdownOnTheOtherCpus() {
        SmpMachine m = machine(3, false, SmpMachine.Bug.NONE);
        store(m, 0, 1, 5);
        store(m, 1, 1, 5);
        assertThat(m.fork(2, 0)).isEqualTo(1);
        assertThat(m.vm().spaces()).hasSize(2);
        assertThat(m.mask(1)).isEqualTo(CpuMask.NONE);
        assertThat(m.cachedWritable(0, 1)).isFalse();
        assertThat(m.cachedWritable(1, 1)).isFalse();
        assertThat(SmpInvariants.ALL.violations(m)).isEmpty();
        assertThat(m.fork(2, 1)).isEqualTo(2);
    }

    @Test
    void aShootdownGoesToTheCpusOfTheSpaceItChanged() {
        SmpMachine m = machine(3, false, SmpMachine.Bug.NONE);
        store(m, 0, 1, 5);
        m.fork(0, 0);
        m.switchTo(0, 1);
        m.switchTo(1, 1);
        store(m, 1, 1, 9); // cpu1 breaks the copy-on-write in the child and caches it
        store(m, 0, 2, 9);
        int receipts = m.receipts().size();
        munmap(m, 0, 1, 1);
        assertThat(m.receipts()).hasSize(receipts + 1);
        assertThat(last(m).cpuMask()).isEqualTo(CpuMask.of(1));
        assertThat(m.cachedFrame(1, 1)).isEmpty();
        assertThat(SmpInvariants.ALL.violations(m)).isEmpty();
    }

    @Test
    void exitDeschedulesTheSpaceEverywhereAndRenumbersTheLaterSpaces() {
        SmpMachine m = machine(3, false, SmpMachine.Bug.NONE);
        store(m, 0, 1, 5);
        store(m, 1, 1, 5);
        m.fork(0, 0);
        m.switchTo(2, 1);
        store(m, 2, 2, 8);
        assertThatThrownBy(() -> m.exit(2, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cpu2 does not run P0");
        int receipts = m.receipts().size();
        long free = m.vm().frames().allocator().freeFrames();
        m.exit(0, 0);
        assertThat(m.vm().spaces()).hasSize(1);
        assertThat(m.active(0)).isEqualTo(SmpMachine.IDLE);
        assertThat(m.active(1)).isEqualTo(SmpMachine.IDLE);
        assertThat(m.active(2)).isZero();
        assertThat(m.cachedFrame(0, 1)).isEmpty();
        assertThat(m.cachedFrame(1, 1)).isEmpty();
        assertThat(m.cachedFrame(2, 2)).isPresent();
        assertThat(m.receipts()).hasSize(receipts); // nobody could cache the exited space: no shootdown
        assertThat(m.vm().frames().allocator().freeFrames()).isGreaterThan(free);
        assertThat(SmpInvariants.ALL.violations(m)).isEmpty();
    }

    // ------------------------------------------------------------------ the gather and the executor

    @Test
    void aOnePageUnmapNamesExactlyThatPageAndFreesItsFrameOnce() {
        SmpMachine m = machine(2, false, SmpMachine.Bug.NONE);
        store(m, 0, 1, 5);
        store(m, 0, 2, 6); // p2 keeps the leaf table alive: no table is freed by the unmap of p1
        store(m, 1, 1, 5);
        PhysFrame f = m.cachedFrame(1, 1).orElseThrow();
        long free = m.vm().frames().allocator().freeFrames();
        munmap(m, 0, 0, 1);
        assertThat(last(m).pages()).isEqualTo(1 << 1);
        assertThat(last(m).cpuMask()).isEqualTo(CpuMask.of(1));
        assertThat(m.vm().frames().allocator().freeFrames()).isEqualTo(free + 1);
        assertThat(m.vm().frames().isFree(f)).isTrue();
        assertThat(m.ghost()).isEmpty();
        // An operation that writes no PTE sends nothing, not even what the previous one gathered.
        int receipts = m.receipts().size();
        m.run(0, SmpMachine.OpKind.MMAP, () -> m.vm().space(0).mmap(UserAddr.ofPage(3), Vma.PAGE_SIZE, Prot.RW,
                MapFlags.PRIVATE_ANON_FIXED, null, 0));
        assertThat(m.receipts()).hasSize(receipts);
        assertThat(m.vm().frames().allocator().freeFrames()).isEqualTo(free + 1);
    }

    @Test
    void framesGatheredWithoutAnyPteChangeAreWithheldDuringTheOperationThenFreed() {
        SmpMachine m = machine(2, false, SmpMachine.Bug.NONE);
        FrameRange run = m.vm().frames().allocator().allocate(2);
        long free = m.vm().frames().allocator().freeFrames();
        int receipts = m.receipts().size();
        Set<Long> during = m.run(0, SmpMachine.OpKind.MUNMAP, () -> {
            m.freeTable(m.vm().space(0), run, m.vm().frames().allocator());
            return Set.copyOf(m.withheld());
        });
        long first = run.start().number();
        assertThat(during).containsExactlyInAnyOrder(first, first + 1);
        assertThat(m.ghost()).isEmpty();
        assertThat(m.withheld()).isEmpty();
        assertThat(m.vm().frames().allocator().freeFrames()).isEqualTo(free + 2);
        assertThat(m.receipts()).hasSize(receipts);
        // The same again with the run's second frame still cached (wrongly): the free is recorded for TLB-2.
        FrameRange again = m.vm().frames().allocator().allocate(2);
        long second = again.start().number() + 1;
        m.corruptCache(1, 3, PhysFrame.of(second), false);
        m.run(0, SmpMachine.OpKind.MUNMAP, () -> {
            m.freeTable(m.vm().space(0), again, m.vm().frames().allocator());
            return null;
        });
        assertThat(m.ghost()).singleElement().asString().startsWith("TLB-2|freed frame " + second + " while cpu1 ");
    }

    @Test
    void onlyTheLast64ReceiptsAreKeptAndTheirCostIsSummed() {
        SmpMachine m = machine(2, false, SmpMachine.Bug.NONE);
        long each = 0;
        for (int i = 0; i < SmpMachine.RECEIPTS_KEPT + 3; i++) {
            store(m, 1, 1, i);
            var r = m.shootdown(0, new TlbShootdown(CpuMask.of(1), 1 << 1, ShootdownMode.SINGLE));
            assertThat(m.cachedFrame(1, 1)).isEmpty();
            assertThat(r).isSameAs(m.receipts().get(m.receipts().size() - 1));
            each = r.modelledNanos();
        }
        assertThat(each).isPositive();
        assertThat(m.receipts()).hasSize(SmpMachine.RECEIPTS_KEPT);
        assertThat(m.modelledNanos()).isEqualTo(SmpMachine.RECEIPTS_KEPT * each);
    }

    @Test
    void aSeededMaskWithoutTheOtherCpusIsReportedAtCompletion() {
        SmpMachine m = machine(2, false, SmpMachine.Bug.MASK_INITIATOR_ONLY);
        store(m, 0, 1, 5);
        store(m, 0, 2, 5);
        store(m, 1, 1, 5);
        long f = m.cachedFrame(1, 1).orElseThrow().number();
        munmap(m, 0, 0, 1);
        assertThat(last(m).cpuMask()).isEqualTo(CpuMask.NONE);
        // Completion checks the initiator only (no target was named), so the free is what gets caught.
        assertThat(m.ghost()).singleElement().asString()
                .startsWith("TLB-2|freed frame " + f + " while cpu1 still caches a translation to it: {p1=" + f + " rw");
    }

    @Test
    void aSeededEarlyFreeIsRecordedForEveryCpuThatStillReachesTheFrame() {
        SmpMachine m = machine(3, false, SmpMachine.Bug.VM_FREES_BEFORE_SHOOTDOWN);
        for (int c = 0; c < 3; c++) {
            store(m, c, 1, 5);
        }
        store(m, 0, 2, 5);
        long f = m.cachedFrame(0, 1).orElseThrow().number();
        munmap(m, 0, 0, 1);
        for (int c = 0; c < 3; c++) {
            String prefix = "TLB-2|freed frame " + f + " while cpu" + c + " still caches a translation to it: {p1=" + f;
            assertThat(m.ghost()).anyMatch(g -> g.startsWith(prefix));
        }
        assertThat(m.ghost()).hasSize(3);
    }

    @Test
    void theSeededMprotectBugSkipsOnlyTheMprotectShootdown() {
        SmpMachine m = machine(2, false, SmpMachine.Bug.MPROTECT_SKIPS_SHOOTDOWN);
        store(m, 0, 1, 5);
        store(m, 0, 2, 5);
        store(m, 1, 1, 5);
        store(m, 1, 2, 5);
        int receipts = m.receipts().size();
        mprotect(m, 0, 1, Prot.R);
        assertThat(m.receipts()).hasSize(receipts);
        assertThat(m.cachedWritable(1, 1)).isTrue();
        munmap(m, 0, 0, 2);
        assertThat(m.receipts()).hasSize(receipts + 1);
        assertThat(m.cachedFrame(1, 2)).isEmpty();
    }

    @Test
    void theSeededCowBugLeavesMprotectAndMunmapAlone() {
        SmpMachine m = machine(2, false, SmpMachine.Bug.COW_BREAK_WITHOUT_FLUSH);
        store(m, 0, 1, 5);
        store(m, 0, 2, 5);
        store(m, 1, 1, 5);
        store(m, 1, 2, 5);
        mprotect(m, 0, 1, Prot.R);
        assertThat(m.cachedWritable(1, 1)).isFalse();
        munmap(m, 0, 0, 2);
        assertThat(m.cachedFrame(1, 2)).isEmpty();
        assertThat(SmpInvariants.ALL.violations(m)).isEmpty();
    }

    @Test
    void theSeededCowBugSkipsOnlyTheCopyOnWriteFlush() {
        for (SmpMachine.Bug bug : new SmpMachine.Bug[] {SmpMachine.Bug.NONE, SmpMachine.Bug.COW_BREAK_WITHOUT_FLUSH}) {
            SmpMachine m = machine(2, false, bug);
            store(m, 0, 1, 5);
            store(m, 0, 2, 5);
            m.fork(0, 0);
            assertThat(m.access(1, 1, false, 0)).contains(5L); // cpu1 caches the shared, read-only p1
            PhysFrame shared = m.cachedFrame(1, 1).orElseThrow();
            store(m, 0, 1, 6); // the parent's write breaks the copy-on-write: p1 now maps a copy
            PhysFrame copy = m.vm().space(0).translation(1).orElseThrow().frame();
            assertThat(copy).isNotEqualTo(shared);
            if (bug == SmpMachine.Bug.NONE) {
                assertThat(m.cachedFrame(1, 1)).isEmpty();
                assertThat(SmpInvariants.ALL.violations(m)).isEmpty();
            } else {
                assertThat(m.staleness(1, 1)).contains("frame-stale: TLB " + shared + " r, PTE " + copy);
            }
        }
    }

    // ------------------------------------------------------------------ lazy mode

    @Test
    void deferFreeNamesFramesByAliasBits() {
        SmpMachine m = machine(2, true, SmpMachine.Bug.NONE);
        store(m, 0, 1, 5); // the first fill takes alias 0
        PhysFrame f = m.cachedFrame(0, 1).orElseThrow();
        m.deferFree(0, ~1 & ((1 << SmpMachine.ALIASES) - 1) | 1 << SmpMachine.ALIASES); // bits past the aliases mean nothing
        assertThat(m.deferred()).isEmpty();
        assertThat(m.gen()).isZero();
        m.deferFree(0, 1);
        assertThat(m.deferred()).containsExactly(java.util.Map.entry(new FrameRange(f, 1), 1));
        assertThat(m.gen()).isEqualTo(1);
        assertThat(m.deferredTag(f.number())).contains(1);
        assertThat(m.deferredTag(f.number() + 1)).isEmpty();
        assertThat(m.deferredTag(f.number() - 1)).isEmpty();
        assertThat(m.behind(1)).isTrue();
        assertThat(m.localGen(1)).isZero();
        store(m, 0, 2, 6); // the second frame cached takes alias 1
        PhysFrame g = m.cachedFrame(0, 2).orElseThrow();
        m.deferFree(0, 1 << 1);
        assertThat(m.deferred()).containsEntry(new FrameRange(g, 1), 2).hasSize(2);
    }

    @Test
    void aFillThatFindsEveryAliasInUseDoesNotHappen() {
        SmpMachine m = machine(3, false, SmpMachine.Bug.NONE);
        store(m, 2, 1, 5);
        m.evict(2, 1); // its alias is free again
        int frame = 100;
        for (int c = 0; c < 2; c++) {
            for (int p : new int[] {0, 3, 4, 5}) {
                m.corruptCache(c, p, PhysFrame.of(frame++), false);
            }
        }
        assertThat(m.canFill(2, 1)).isTrue();
        assertThat(m.fill(2, 1)).isFalse(); // the hardware may always decline a fill
        assertThat(m.cachedFrame(2, 1)).isEmpty();
        m.evict(0, 0);
        assertThat(m.fill(2, 1)).isTrue();
        assertThat(m.cachedFrame(2, 1)).isPresent();
    }

    @Test
    void aLazyShootdownWhoseLocalInvalidateMissesThePageIsReportedWhenItDefers() {
        SmpMachine m = machine(2, true, SmpMachine.Bug.NONE, ShootdownMode.RANGE, SeededBug.RANGE_OFF_BY_ONE, 3);
        store(m, 0, 1, 5);
        store(m, 0, 2, 5);
        long f = m.cachedFrame(0, 1).orElseThrow().number();
        munmap(m, 0, 0, 1);
        assertThat(last(m).mode()).isEqualTo(ShootdownMode.RANGE);
        assertThat(m.ghost()).singleElement().asString().startsWith("TLB-1|cpu0's munmap shootdown " + last(m)
                + " completed, but cpu0 still caches p1 (frame-stale: TLB " + PhysFrame.of(f) + " rw, PTE -)");
    }

    @Test
    void aSynchronousShootdownThatLeavesATargetCachingIsReportedForEachStalePage() {
        SmpMachine m = machine(3, false, SmpMachine.Bug.NONE, ShootdownMode.SINGLE, SeededBug.ACK_BEFORE_INVALIDATE, 1);
        store(m, 0, 1, 5);
        store(m, 0, 2, 5);
        for (int c = 1; c < 3; c++) {
            assertThat(m.access(c, 1, false, 0)).contains(5L);
            assertThat(m.access(c, 2, false, 0)).contains(5L);
        }
        m.run(0, SmpMachine.OpKind.MPROTECT, () -> {
            m.vm().space(0).mprotect(UserAddr.ofPage(1), Vma.PAGE_SIZE, Prot.R);
            return null;
        });
        // The lowest-first scheduler runs cpu1's handler (ack, then invalidate) before cpu2 acknowledges,
        // so at completion only cpu2 still holds p1 writable; p2 was not covered and is not reported.
        assertThat(m.ghost()).singleElement().asString().isEqualTo("TLB-3|cpu0's mprotect shootdown " + last(m)
                + " completed, but cpu2 still caches p1 (permission-stale: TLB " + m.vm().space(0).translation(1).orElseThrow().frame()
                + " rw, PTE read-only)");
        // The handlers still running when the initiator went on finish before the operation returns.
        assertThat(m.cachedWritable(2, 1)).isFalse();
        assertThat(m.cachedFrame(2, 2)).isPresent();
        assertThat(m.staleness(2, 1)).isEmpty();
    }

    @Test
    void aReleasedFrameThatACpuCachedAgainIsRecordedForTlb2() {
        SmpMachine m = machine(2, true, SmpMachine.Bug.NONE);
        store(m, 0, 1, 5);
        long f = m.cachedFrame(0, 1).orElseThrow().number();
        m.deferFree(0, 1); // a frame still mapped, wrongly deferred: the release must notice the TLBs reaching it
        m.catchUp(0);
        m.catchUp(1);
        assertThat(m.fill(1, 1)).isTrue();
        assertThat(m.releaseDeferred()).isEqualTo(1);
        assertThat(m.ghost()).anyMatch(g -> g.startsWith("TLB-2|released deferred frame " + f + " while cpu1 still caches"));
    }

    @Test
    void pressureDrainsTheDeferredListOnlyBelowTheLowWatermark() {
        SmpMachine m = machine(2, true, SmpMachine.Bug.NONE);
        assertThat(m.relievePressure()).isFalse(); // nothing deferred
        store(m, 0, 1, 5);
        store(m, 0, 2, 5);
        store(m, 1, 1, 5);
        PhysFrame f = m.cachedFrame(1, 1).orElseThrow();
        munmap(m, 0, 0, 1);
        assertThat(m.deferredTag(f.number())).isPresent();
        assertThat(m.behind(1)).isTrue();
        var allocator = m.vm().frames().allocator();
        long spare = allocator.freeFrames() - SmpMachine.LOW_WATERMARK;
        if (spare > 0) {
            allocator.allocate(spare);
        }
        assertThat(allocator.freeFrames()).isEqualTo(SmpMachine.LOW_WATERMARK);
        assertThat(m.relievePressure()).isFalse();
        assertThat(m.deferred()).isNotEmpty();
        allocator.allocate(1);
        assertThat(m.relievePressure()).isTrue();
        assertThat(m.deferred()).isEmpty();
        assertThat(m.behind(0)).isFalse();
        assertThat(m.behind(1)).isFalse();
        assertThat(m.localGen(1)).isEqualTo(m.gen());
        assertThat(m.cachedFrame(1, 1)).isEmpty();
        assertThat(m.vm().frames().isFree(f)).isTrue();
        assertThat(m.toString()).contains("\n  cpu1: P0 TLB{").contains(" gen 1").contains("\n  gen 1, deferred {}");
    }

    // ------------------------------------------------------------------ the hardware's moves

    @Test
    void fillCachesWhatThePageTableGrantsAndNothingElse() {
        SmpMachine m = machine(2, false, SmpMachine.Bug.NONE);
        assertThat(m.fill(1, 1)).isFalse(); // mapped but not faulted in: no PTE
        assertThat(m.canFill(1, 1)).isFalse();
        assertThat(m.fill(1, 3)).isFalse(); // not mapped at all
        store(m, 0, 1, 5);
        assertThat(m.canFill(1, 1)).isTrue();
        assertThat(m.fill(1, 1)).isTrue();
        assertThat(m.cachedWritable(1, 1)).isTrue();
        assertThat(m.canFill(1, 1)).isFalse(); // already held
        assertThat(m.fill(1, 1)).isFalse();
        assertThat(m.tlb(1).pwc()).isTrue();
        assertThat(m.renderTlb(1)).isEqualTo("{p1=" + m.cachedFrame(1, 1).orElseThrow().number() + " rw; pwc="
                + leafTable(m, 1) + "}");
        m.evict(1, 1);
        assertThat(m.cachedFrame(1, 1)).isEmpty();
        assertThat(m.renderTlb(1)).isEqualTo("{pwc=" + leafTable(m, 1) + "}"); // the walk's table stays cached
        mprotect(m, 0, 1, Prot.R);
        assertThat(m.fill(1, 1)).isTrue();
        assertThat(m.cachedWritable(1, 1)).isFalse();
        mprotect(m, 0, 1, Prot.NONE);
        m.evict(1, 1);
        assertThat(m.canFill(1, 1)).isFalse(); // PROT_NONE grants the user nothing to cache
        assertThat(m.fill(1, 1)).isFalse();
    }

    @Test
    void aStoreThroughAReadOnlyEntryDropsItAndFaults() {
        SmpMachine m = machine(2, false, SmpMachine.Bug.NONE);
        store(m, 0, 1, 5);
        mprotect(m, 0, 1, Prot.R);
        assertThat(m.access(1, 1, false, 0)).contains(5L);
        assertThat(m.cachedFrame(1, 1)).isPresent();
        assertThat(m.access(1, 1, true, 6)).isEmpty();
        assertThat(m.cachedFrame(1, 1)).isEmpty();
        assertThat(m.access(1, 3, false, 0)).isEmpty(); // an unmapped page faults
    }

    @Test
    void aStoreThroughAFreshEntryGoesThroughTheKernelsView() {
        SmpMachine m = machine(2, false, SmpMachine.Bug.NONE);
        store(m, 0, 1, 5);
        assertThat(m.access(1, 1, true, 42)).contains(42L);
        assertThat(m.cachedFrame(1, 1)).isPresent();
        assertThat(m.vm().space(0).load(1)).isEqualTo(42);
        assertThat(m.access(0, 1, false, 0)).contains(42L);
    }

    @Test
    void aStoreThroughAStaleEntryReachesTheOldFrameOnly() {
        SmpMachine m = machine(2, true, SmpMachine.Bug.NONE);
        store(m, 0, 1, 5);
        store(m, 0, 2, 5);
        store(m, 1, 1, 5);
        PhysFrame f = m.cachedFrame(1, 1).orElseThrow();
        munmap(m, 0, 0, 1); // lazily: cpu1 keeps its entry until it catches up
        assertThat(m.staleness(1, 1)).contains("frame-stale: TLB " + f + " rw, PTE -");
        assertThat(m.access(1, 1, true, 77)).contains(77L);
        assertThat(m.vm().frames().read(f)).isEqualTo(77);
        assertThat(m.access(1, 1, false, 0)).contains(77L);
    }

    @Test
    void whenTheTlbIsFullTheWalkItselfTranslates() {
        SmpMachine m = machine(2, false, SmpMachine.Bug.NONE);
        store(m, 0, 1, 5);
        store(m, 0, 2, 6);
        PhysFrame f = m.cachedFrame(0, 1).orElseThrow();
        for (int p : new int[] {0, 3, 4, 5}) {
            m.corruptCache(1, p, f, false);
        }
        assertThat(m.tlb(1).full()).isTrue();
        assertThat(m.canFill(1, 2)).isFalse();
        assertThat(m.access(1, 2, true, 9)).contains(9L);
        assertThat(m.cachedFrame(1, 2)).isEmpty();
        assertThat(m.vm().space(0).load(2)).isEqualTo(9);
        assertThat(m.access(1, 2, false, 0)).contains(9L);
    }

    // ------------------------------------------------------------------ aliases, staleness, rendering

    @Test
    void aliasesAreSharedByFrameAndReusedOnceNoTlbMentionsThem() {
        SmpMachine m = machine(3, false, SmpMachine.Bug.NONE);
        m.corruptCache(0, 3, PhysFrame.of(100), false);
        m.corruptCache(0, 4, PhysFrame.of(101), false);
        m.corruptCache(0, 5, PhysFrame.of(101), true);
        assertThat(m.cachedFrame(0, 3)).contains(PhysFrame.of(100));
        assertThat(m.cachedFrame(0, 4)).contains(PhysFrame.of(101));
        assertThat(m.cachedFrame(0, 5)).contains(PhysFrame.of(101));
        // Twelve entries of one frame need one alias.
        for (int c = 0; c < 3; c++) {
            for (int p : new int[] {0, 3, 4, 5}) {
                m.corruptCache(c, p, PhysFrame.of(200), false);
            }
        }
        for (int c = 0; c < 3; c++) {
            assertThat(m.cachedFrame(c, 0)).contains(PhysFrame.of(200));
        }
        // Frame after frame through one entry: each alias frees up when its entry goes.
        for (int i = 0; i < 2 * SmpMachine.ALIASES; i++) {
            m.corruptCache(1, 3, PhysFrame.of(300 + i), i % 2 == 0);
            assertThat(m.cachedFrame(1, 3)).contains(PhysFrame.of(300 + i));
            assertThat(m.cachedWritable(1, 3)).isEqualTo(i % 2 == 0);
        }
    }

    @Test
    void stalenessNamesWhatTheEntryHasThatThePteDoesNot() {
        SmpMachine m = machine(2, false, SmpMachine.Bug.NONE);
        store(m, 0, 1, 5);
        PhysFrame f = m.cachedFrame(0, 1).orElseThrow();
        PhysFrame other = PhysFrame.of(f.number() + 50);
        assertThat(m.staleness(0, 1)).isEmpty();
        assertThat(m.staleness(1, 1)).isEmpty(); // nothing cached
        m.corruptCache(1, 1, other, false);
        assertThat(m.staleness(1, 1)).contains("frame-stale: TLB " + other + " r, PTE " + f);
        mprotect(m, 0, 1, Prot.R);
        m.corruptCache(1, 1, f, true);
        assertThat(m.staleness(1, 1)).contains("permission-stale: TLB " + f + " rw, PTE read-only");
        m.corruptCache(1, 1, f, false);
        assertThat(m.staleness(1, 1)).isEmpty();
        mprotect(m, 0, 1, Prot.NONE);
        m.corruptCache(1, 1, f, false);
        assertThat(m.staleness(1, 1)).contains("permission-stale: TLB " + f + " r, PTE grants the user nothing (PROT_NONE)");
        m.corruptCache(1, 1, f, true);
        assertThat(m.staleness(1, 1)).contains("permission-stale: TLB " + f + " rw, PTE grants the user nothing (PROT_NONE)");
    }

    @Test
    void theRenderingAndTheKeyShowEveryCpu() {
        SmpMachine m = machine(3, false, SmpMachine.Bug.NONE);
        m.switchTo(2, SmpMachine.IDLE);
        store(m, 0, 1, 5);
        store(m, 0, 2, 6);
        long a = m.cachedFrame(0, 1).orElseThrow().number();
        long b = m.cachedFrame(0, 2).orElseThrow().number();
        assertThat(m.renderTlb(0)).isEqualTo("{p1=" + a + " rw, p2=" + b + " rw; pwc=" + leafTable(m, 1) + "}");
        String s = m.toString();
        assertThat(s).startsWith(m.vm().toString())
                .contains("\n  cpu0: P0 TLB" + m.renderTlb(0))
                .contains("\n  cpu1: P0 TLB{}")
                .contains("\n  cpu2: idle TLB{}")
                .doesNotContain(" gen ")
                .doesNotContain("last shootdown");
        Object k = m.key();
        assertThat(k).isEqualTo(m.copy().key());
        SmpMachine c = m.copy();
        c.evict(0, 2);
        assertThat(c.key()).isNotEqualTo(k);
        SmpMachine d = m.copy();
        d.switchTo(1, SmpMachine.IDLE);
        assertThat(d.key()).isNotEqualTo(k);
        munmap(m, 0, 0, 1);
        assertThat(m.toString()).contains("\n  last shootdown: " + m.receipts().get(m.receipts().size() - 1));
    }

    @Test
    void theLazyRenderingShowsGenerationsAndTheKeyTellsThemApart() {
        SmpMachine m = machine(2, true, SmpMachine.Bug.NONE);
        store(m, 0, 1, 5);
        store(m, 0, 2, 5);
        store(m, 1, 1, 5);
        SmpMachine before = m.copy();
        munmap(m, 0, 0, 1);
        assertThat(m.toString()).contains("\n  cpu1: P0 TLB{").contains(" gen 0").contains("\n  gen 1, deferred {");
        SmpMachine caught = m.copy();
        caught.catchUp(1);
        assertThat(caught.key()).isNotEqualTo(m.key());
        assertThat(m.key()).isNotEqualTo(before.key());
        Optional<Integer> tag = m.deferredTag(m.deferred().keySet().iterator().next().start().number());
        assertThat(tag).contains(1);
    }
}
