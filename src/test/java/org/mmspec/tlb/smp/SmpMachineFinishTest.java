package org.mmspec.tlb.smp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

import org.junit.jupiter.api.Test;
import org.mmspec.fault.Access;
import org.mmspec.fault.FaultAddr;
import org.mmspec.fault.PageFaultError;
import org.mmspec.fault.PageFaultHandler;
import org.mmspec.frames.FrameRange;
import org.mmspec.frames.PhysFrame;
import org.mmspec.paging.TlbFlush;
import org.mmspec.paging.VirtAddr;
import org.mmspec.tlb.CpuMask;
import org.mmspec.tlb.SeededBug;
import org.mmspec.tlb.ShootdownMode;
import org.mmspec.tlb.TlbShootdown;
import org.mmspec.vm.AddressSpace;
import org.mmspec.vm.MapFlags;
import org.mmspec.vm.Prot;
import org.mmspec.vm.UserAddr;
import org.mmspec.vm.Vma;
import org.mmspec.vm.VmSystem;

/**
 * The executor's choices in {@code finish} and {@code run}, each on a small fixed scenario that the
 * exhaustive and stateful suites reach only after many steps: which spaces get a shootdown and in
 * which order (an operation that changes two spaces), a flush of everything and a flush outside
 * the window, what completion checks (the request's pages only), when a freeing operation may run
 * lazily (lazy safety: a page that stops mapping a frame that lives on forces the synchronous
 * protocol; a space born in the operation is safe), that an mprotect never runs lazily, that a
 * failed body leaves no gather behind, and that the state codec overwrites every part of the
 * machine it reads into.
 */
class SmpMachineFinishTest {

    private static VmSystem system() {
        return new VmSystem(SmpStateMachine.layout(), AddressSpace.WxPolicy.ENFORCE, SmpStateMachine.FRAMES,
                VmSystem.Bug.NONE);
    }

    /** Two CPUs, both running P0, which maps p1 and p2 read-write (not yet faulted in). */
    private static SmpMachine machine(boolean lazy) {
        VmSystem sys = system();
        SmpMachine m = new SmpMachine(sys, SmpStateMachine.config(2, ShootdownMode.SINGLE, lazy, 1, SeededBug.NONE),
                SmpMachine.Bug.NONE);
        for (int c = 0; c < 2; c++) {
            m.switchTo(c, 0);
        }
        m.run(0, SmpMachine.OpKind.MMAP, () -> sys.space(0).mmap(UserAddr.ofPage(1), 2 * Vma.PAGE_SIZE, Prot.RW,
                MapFlags.PRIVATE_ANON_FIXED, null, 0));
        return m;
    }

    /** A user access by {@code cpu} to {@code page} of the space it runs, through the fault handler if the TLB and the page table refuse it. */
    private static void access(SmpMachine m, int cpu, int page, boolean write) {
        if (m.access(cpu, page, write, 7).isEmpty()) {
            AddressSpace as = m.vm().space(m.active(cpu));
            boolean present = as.translation(page).isPresent();
            m.run(cpu, SmpMachine.OpKind.FAULT, () -> PageFaultHandler.handle(as, FaultAddr.ofPage(page),
                    PageFaultError.user(present, write ? Access.WRITE : Access.READ)));
            assertThat(m.access(cpu, page, write, 7)).isPresent();
        }
    }

    private static void mmapP3(SmpMachine m) {
        m.run(0, SmpMachine.OpKind.MMAP, () -> m.vm().space(0).mmap(UserAddr.ofPage(3), Vma.PAGE_SIZE, Prot.RW,
                MapFlags.PRIVATE_ANON_FIXED, null, 0));
    }

    private static TlbFlush pageFlush(int page) {
        return new TlbFlush(VirtAddr.of((long) page << Vma.PAGE_SHIFT), Vma.PAGE_SIZE, TlbFlush.Reason.PROTECT);
    }

    private static TlbShootdown last(SmpMachine m) {
        return m.receipts().get(m.receipts().size() - 1).request();
    }

    private static PhysFrame frame(SmpMachine m, int space, int page) {
        return m.vm().space(space).translation(page).orElseThrow().frame();
    }

    // ------------------------------------------------------------------ which spaces, in which order

    @Test
    void anOperationThatChangesTwoSpacesShootsThemDownInTheOrderOfTheSpaces() {
        // The gather is keyed by identity, whose order varies from object to object: fresh
        // machines (fresh spaces) each time, so an unsorted order would show in one of them.
        for (int round = 0; round < 16; round++) {
            SmpMachine m = machine(false);
            assertThat(m.fork(0, 0)).isEqualTo(1);
            m.switchTo(1, 1);
            int before = m.receipts().size();
            m.run(0, SmpMachine.OpKind.MPROTECT, () -> {
                m.flush(m.vm().space(1), pageFlush(2));
                m.flush(m.vm().space(0), pageFlush(1));
                return null;
            });
            assertThat(m.receipts()).hasSize(before + 2);
            // P0 runs on the initiator only; P1 on cpu1
            TlbShootdown first = m.receipts().get(before).request();
            TlbShootdown second = m.receipts().get(before + 1).request();
            assertThat(first.pages()).as("round " + round).isEqualTo(1 << 1);
            assertThat(first.cpuMask()).isEqualTo(CpuMask.NONE);
            assertThat(second.pages()).as("round " + round).isEqualTo(1 << 2);
            assertThat(second.cpuMask()).isEqualTo(CpuMask.of(1));
        }
    }

    @Test
    void aFlushOfEverythingIsAFullShootdownOfTheWholeWindow() {
        SmpMachine m = machine(false);
        access(m, 0, 1, true);
        access(m, 0, 2, true);
        access(m, 1, 1, false);
        access(m, 1, 2, false);
        int before = m.receipts().size();
        m.run(0, SmpMachine.OpKind.MUNMAP, () -> {
            m.flush(m.vm().space(0), new TlbFlush(VirtAddr.of(0), TlbFlush.EVERYTHING, TlbFlush.Reason.UNMAP));
            return null;
        });
        assertThat(m.receipts()).hasSize(before + 1);
        assertThat(last(m)).isEqualTo(new TlbShootdown(CpuMask.of(1), m.config().allPages(), ShootdownMode.FULL));
        for (int c = 0; c < 2; c++) {
            assertThat(m.tlb(c).size()).isZero();
        }
        assertThat(m.ghost()).isEmpty();
    }

    @Test
    void aFlushOfPagesOutsideTheWindowSendsNothing() {
        SmpMachine m = machine(false);
        access(m, 1, 1, true);
        int before = m.receipts().size();
        m.run(0, SmpMachine.OpKind.MUNMAP, () -> {
            m.flush(m.vm().space(0), new TlbFlush(VirtAddr.of((long) m.pages() << Vma.PAGE_SHIFT), Vma.PAGE_SIZE,
                    TlbFlush.Reason.UNMAP));
            return null;
        });
        assertThat(m.receipts()).hasSize(before);
        assertThat(m.cachedFrame(1, 1)).isPresent();
    }

    // ------------------------------------------------------------------ completion

    @Test
    void completionChecksOnlyThePagesTheRequestCovers() {
        SmpMachine m = machine(false);
        access(m, 0, 1, true);
        access(m, 0, 2, true);
        access(m, 1, 1, true);
        // cpu1 wrongly caches p3, which maps nothing: a shootdown of p1 neither clears nor reports it
        m.corruptCache(1, 3, frame(m, 0, 2), true);
        m.run(0, SmpMachine.OpKind.MPROTECT, () -> {
            m.vm().space(0).mprotect(UserAddr.ofPage(1), Vma.PAGE_SIZE, Prot.R);
            return null;
        });
        assertThat(last(m)).isEqualTo(new TlbShootdown(CpuMask.of(1), 1 << 1, ShootdownMode.SINGLE));
        assertThat(m.cachedFrame(1, 1)).isEmpty();
        assertThat(m.cachedFrame(1, 3)).isPresent();
        assertThat(m.ghost()).isEmpty();
    }

    // ------------------------------------------------------------------ lazy mode: which operations may defer

    @Test
    void anMprotectRunsSynchronouslyEvenInLazyMode() {
        SmpMachine m = machine(true);
        access(m, 0, 1, true);
        access(m, 0, 2, true);
        access(m, 1, 1, true);
        m.run(0, SmpMachine.OpKind.MPROTECT, () -> {
            m.vm().space(0).mprotect(UserAddr.ofPage(1), Vma.PAGE_SIZE, Prot.R);
            return null;
        });
        assertThat(last(m)).isEqualTo(new TlbShootdown(CpuMask.of(1), 1 << 1, ShootdownMode.SINGLE));
        assertThat(m.cachedFrame(1, 1)).isEmpty();
        assertThat(m.gen()).isZero();
        assertThat(m.deferred()).isEmpty();
        assertThat(m.ghost()).isEmpty();
    }

    @Test
    void aFreeingUnmapOfAPageWhoseFrameLivesOnInTheChildRunsSynchronously() {
        SmpMachine m = machine(true);
        access(m, 0, 1, true);
        PhysFrame shared = frame(m, 0, 1);
        m.fork(0, 0);
        access(m, 1, 1, false); // cpu1 caches P0's p1, the frame P1 shares
        assertThat(m.cachedFrame(1, 1)).contains(shared);
        mmapP3(m);
        access(m, 0, 3, true);
        PhysFrame own = frame(m, 0, 3);
        m.run(0, SmpMachine.OpKind.MUNMAP, () -> {
            m.vm().space(0).munmap(UserAddr.ofPage(1), Vma.PAGE_SIZE);
            m.vm().space(0).munmap(UserAddr.ofPage(3), Vma.PAGE_SIZE);
            return null;
        });
        // p1's frame is not freed, so no deferred-free list covers cpu1's entry: synchronous
        assertThat(last(m).cpuMask()).isEqualTo(CpuMask.of(1));
        assertThat(m.cachedFrame(1, 1)).isEmpty();
        assertThat(m.deferred()).isEmpty();
        assertThat(m.gen()).isZero();
        assertThat(m.vm().frames().isFree(own)).isTrue();
        assertThat(m.vm().frames().isFree(shared)).isFalse();
        assertThat(m.ghost()).isEmpty();
    }

    @Test
    void aFreeingOperationThatRepointsAPageWhoseFrameLivesOnRunsSynchronously() {
        SmpMachine m = machine(true);
        access(m, 0, 1, true);
        PhysFrame shared = frame(m, 0, 1);
        m.fork(0, 0);
        access(m, 0, 2, true); // after the fork: P0's own frame
        PhysFrame own = frame(m, 0, 2);
        access(m, 1, 1, false);
        assertThat(m.cachedFrame(1, 1)).contains(shared);
        AddressSpace p0 = m.vm().space(0);
        m.run(0, SmpMachine.OpKind.MUNMAP, () -> {
            // the copy-on-write break re-points p1 (its old frame stays P1's), the unmap frees p2's frame
            PageFaultHandler.handle(p0, FaultAddr.ofPage(1), PageFaultError.user(true, Access.WRITE));
            p0.munmap(UserAddr.ofPage(2), Vma.PAGE_SIZE);
            return null;
        });
        assertThat(frame(m, 0, 1)).isNotEqualTo(shared);
        assertThat(frame(m, 1, 1)).isEqualTo(shared);
        assertThat(last(m).cpuMask()).isEqualTo(CpuMask.of(1));
        assertThat(m.cachedFrame(1, 1)).isEmpty();
        assertThat(m.deferred()).isEmpty();
        assertThat(m.vm().frames().isFree(own)).isTrue();
        assertThat(m.ghost()).isEmpty();
    }

    @Test
    void aFreeingUnmapOfPagesWhoseFramesItFreesDefers() {
        SmpMachine m = machine(true);
        access(m, 0, 1, true);
        access(m, 0, 2, true);
        access(m, 1, 1, false);
        PhysFrame f = frame(m, 0, 1);
        m.run(0, SmpMachine.OpKind.MUNMAP, () -> {
            m.vm().space(0).munmap(UserAddr.ofPage(1), Vma.PAGE_SIZE);
            return null;
        });
        assertThat(last(m).cpuMask()).isEqualTo(CpuMask.NONE);
        assertThat(m.cachedFrame(1, 1)).contains(f); // until cpu1 catches up
        assertThat(m.deferredTag(f.number())).contains(1);
        assertThat(m.vm().frames().isFree(f)).isFalse();
        assertThat(m.ghost()).isEmpty();
    }

    @Test
    void aSpaceBornInsideTheOperationIsLazilySafe() {
        SmpMachine m = machine(true);
        access(m, 0, 1, true);
        mmapP3(m);
        access(m, 0, 3, true);
        PhysFrame own = frame(m, 0, 3);
        int before = m.receipts().size();
        int child = m.run(0, SmpMachine.OpKind.FORK, () -> {
            m.vm().space(0).munmap(UserAddr.ofPage(3), Vma.PAGE_SIZE);
            int c = m.vm().fork(0);
            m.vm().space(c).munmap(UserAddr.ofPage(1), Vma.PAGE_SIZE);
            return c;
        });
        assertThat(child).isEqualTo(1);
        // one shootdown per space, in index order; the freed frame rides on the child's, deferred
        assertThat(m.receipts()).hasSize(before + 2);
        // the child's unmap also gave back its now empty tables: the whole window, lazily, to no CPU
        assertThat(last(m)).isEqualTo(new TlbShootdown(CpuMask.NONE, m.config().allPages(), ShootdownMode.SINGLE));
        assertThat(m.deferredTag(own.number())).contains(1);
        assertThat(m.ghost()).isEmpty();
    }

    // ------------------------------------------------------------------ run's cleanup

    @Test
    void aBodyThatFailsAfterChangingAPteLeavesNoGatherForTheNextOperation() {
        SmpMachine m = machine(false);
        access(m, 0, 1, true);
        access(m, 0, 2, true);
        access(m, 1, 1, true);
        int before = m.receipts().size();
        assertThatThrownBy(() -> m.run(0, SmpMachine.OpKind.MPROTECT, () -> {
            m.vm().space(0).mprotect(UserAddr.ofPage(1), Vma.PAGE_SIZE, Prot.R);
            throw new IllegalStateException("the body fails");
        })).isInstanceOf(IllegalStateException.class).hasMessage("the body fails");
        // what it changed is still shot down
        assertThat(m.receipts()).hasSize(before + 1);
        assertThat(m.cachedFrame(1, 1)).isEmpty();
        // the next operation changes no PTE, so it sends nothing
        mmapP3(m);
        assertThat(m.receipts()).hasSize(before + 1);
        assertThat(m.withheld()).isEmpty();
    }

    // ------------------------------------------------------------------ the codec

    private static byte[] write(SmpMachine m) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            m.writeState(new DataOutputStream(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    @Test
    void aStateIsWrittenOnlyBetweenOperations() {
        SmpMachine m = machine(false);
        assertThatThrownBy(() -> m.run(0, SmpMachine.OpKind.MMAP, () -> write(m)))
                .isInstanceOf(IllegalStateException.class).hasMessage("an operation is in progress on cpu0");
        assertThat(write(m)).isNotEmpty();
    }

    @Test
    void readingAStateOverwritesEveryPartOfTheMachineReadInto() throws IOException {
        // the target: deferred frames, a ghost entry, receipts, both CPUs on P0
        SmpMachine target = machine(true);
        access(target, 0, 1, true);
        access(target, 0, 2, true);
        target.run(0, SmpMachine.OpKind.MUNMAP, () -> {
            target.vm().space(0).munmap(UserAddr.ofPage(1), Vma.PAGE_SIZE);
            return null;
        });
        FrameRange run = target.vm().frames().allocator().allocate(1);
        target.corruptCache(1, 3, run.start(), false);
        target.run(0, SmpMachine.OpKind.MUNMAP, () -> {
            target.freeTable(target.vm().space(0), run, target.vm().frames().allocator());
            return null;
        });
        assertThat(target.deferred()).isNotEmpty();
        assertThat(target.ghost()).isNotEmpty();
        assertThat(target.receipts()).isNotEmpty();
        // read back into a fresh machine, all of it comes back, the ghost log's words included
        SmpMachine copy = machine(true);
        copy.readState(new DataInputStream(new ByteArrayInputStream(write(target))));
        assertThat(copy.key()).isEqualTo(target.key());
        assertThat(copy.ghost()).isEqualTo(target.ghost());
        assertThat(copy.deferred()).isEqualTo(target.deferred());
        assertThat(copy.toString()).isEqualTo(target.toString());
        // the source: fresh, cpu1 idle
        SmpMachine source = machine(true);
        source.switchTo(1, SmpMachine.IDLE);
        target.readState(new DataInputStream(new ByteArrayInputStream(write(source))));
        assertThat(target.key()).isEqualTo(source.key());
        assertThat(target.active(1)).isEqualTo(SmpMachine.IDLE);
        assertThat(target.deferred()).isEmpty();
        assertThat(target.ghost()).isEmpty();
        assertThat(target.receipts()).isEmpty();
        assertThat(target.toString()).isEqualTo(source.toString());
    }
}
