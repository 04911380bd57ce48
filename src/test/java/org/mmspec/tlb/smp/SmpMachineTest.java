package org.mmspec.tlb.smp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.mmspec.check.Violation;
import org.mmspec.frames.PhysFrame;
import org.mmspec.tlb.CpuMask;
import org.mmspec.tlb.SeededBug;
import org.mmspec.tlb.ShootdownMode;
import org.mmspec.tlb.ShootdownService;
import org.mmspec.tlb.TlbError;
import org.mmspec.tlb.TlbShootdown;
import org.mmspec.vm.AddressSpace;
import org.mmspec.vm.MapFlags;
import org.mmspec.vm.Prot;
import org.mmspec.vm.UserAddr;
import org.mmspec.vm.Vma;
import org.mmspec.vm.VmSystem;

/** Directed scenarios of the integration, and one negative test per invariant it evaluates. */
class SmpMachineTest {

    private static SmpMachine machine(int cpus, boolean lazy, SmpMachine.Bug bug, SeededBug protocolBug) {
        VmSystem sys = new VmSystem(SmpStateMachine.layout(), AddressSpace.WxPolicy.ENFORCE, SmpStateMachine.FRAMES,
                VmSystem.Bug.NONE);
        SmpMachine m = new SmpMachine(sys, SmpStateMachine.config(cpus, ShootdownMode.SINGLE, lazy, 1, protocolBug), bug);
        for (int c = 0; c < cpus; c++) {
            m.switchTo(c, 0);
        }
        m.run(0, SmpMachine.OpKind.MMAP, () -> sys.space(0).mmap(UserAddr.ofPage(1), 2 * Vma.PAGE_SIZE, Prot.RW,
                MapFlags.PRIVATE_ANON_FIXED, null, 0));
        return m;
    }

    /** Every CPU stores to p1 (the first faults it in) so every TLB caches p1 writable. */
    private static PhysFrame everyoneCaches(SmpMachine m) {
        for (int c = 0; c < m.cpus(); c++) {
            if (m.access(c, 1, true, 7).isEmpty()) {
                int cpu = c;
                m.run(cpu, SmpMachine.OpKind.FAULT, () -> org.mmspec.fault.PageFaultHandler.handle(m.vm().space(0),
                        org.mmspec.fault.FaultAddr.ofPage(1),
                        org.mmspec.fault.PageFaultError.user(false, org.mmspec.fault.Access.WRITE)));
                assertThat(m.access(cpu, 1, true, 7)).isPresent();
            }
        }
        for (int c = 0; c < m.cpus(); c++) {
            assertThat(m.cachedFrame(c, 1)).isPresent();
        }
        return m.cachedFrame(0, 1).orElseThrow();
    }

    @Test
    void munmapShootsDownEveryOtherCpuOfTheMaskThenFreesWithTheModelledCost() {
        SmpMachine m = machine(3, false, SmpMachine.Bug.NONE, SeededBug.NONE);
        PhysFrame f = everyoneCaches(m);
        m.run(1, SmpMachine.OpKind.MUNMAP, () -> {
            m.vm().space(0).munmap(UserAddr.ofPage(1), Vma.PAGE_SIZE);
            return null;
        });
        for (int c = 0; c < 3; c++) {
            assertThat(m.cachedFrame(c, 1)).isEmpty();
        }
        assertThat(m.vm().frames().isFree(f)).isTrue();
        ShootdownService.Receipt r = m.receipts().get(m.receipts().size() - 1);
        assertThat(r.request().cpuMask()).isEqualTo(CpuMask.of(0, 2));
        assertThat(r.modelledNanos()).isEqualTo(2 * 4_200);
        assertThat(SmpInvariants.ALL.violations(m)).isEmpty();
    }

    @Test
    void mprotectDowngradeIsInForceOnEveryCpuWhenItReturns() {
        SmpMachine m = machine(3, false, SmpMachine.Bug.NONE, SeededBug.NONE);
        everyoneCaches(m);
        m.run(2, SmpMachine.OpKind.MPROTECT, () -> {
            m.vm().space(0).mprotect(UserAddr.ofPage(1), Vma.PAGE_SIZE, Prot.R);
            return null;
        });
        for (int c = 0; c < 3; c++) {
            assertThat(m.cachedWritable(c, 1)).isFalse();
        }
        assertThat(SmpInvariants.ALL.violations(m)).isEmpty();
    }

    @Test
    void aCpuOutsideTheMaskIsNotInterrupted() {
        SmpMachine m = machine(3, false, SmpMachine.Bug.NONE, SeededBug.NONE);
        everyoneCaches(m);
        m.switchTo(2, SmpMachine.IDLE);
        m.run(0, SmpMachine.OpKind.MUNMAP, () -> {
            m.vm().space(0).munmap(UserAddr.ofPage(1), Vma.PAGE_SIZE);
            return null;
        });
        assertThat(m.receipts().get(m.receipts().size() - 1).request().cpuMask()).isEqualTo(CpuMask.of(1));
    }

    @Test
    void lazyMunmapDefersTheFramesUntilEveryCpuCaughtUp() {
        SmpMachine m = machine(2, true, SmpMachine.Bug.NONE, SeededBug.NONE);
        PhysFrame f = everyoneCaches(m);
        m.run(0, SmpMachine.OpKind.MUNMAP, () -> {
            m.vm().space(0).munmap(UserAddr.ofPage(1), Vma.PAGE_SIZE);
            return null;
        });
        assertThat(m.receipts().get(m.receipts().size() - 1).request().cpuMask()).isEqualTo(CpuMask.NONE);
        assertThat(m.deferredTag(f.number())).contains(1);
        assertThat(m.vm().frames().isFree(f)).isFalse();
        assertThat(m.cachedFrame(1, 1)).contains(f); // stale, accounted for by TLB-4
        assertThat(SmpInvariants.ALL.violations(m)).isEmpty();
        assertThat(m.releaseDeferred()).isZero();
        m.catchUp(1);
        assertThat(m.releaseDeferred()).isPositive();
        assertThat(m.vm().frames().isFree(f)).isTrue();
        assertThat(SmpInvariants.ALL.violations(m)).isEmpty();
    }

    @Test
    void lazyMunmapOfAFrameThatLivesOnElsewhereRunsSynchronously() {
        SmpMachine m = machine(2, true, SmpMachine.Bug.NONE, SeededBug.NONE);
        everyoneCaches(m);
        m.fork(0, 0);
        m.access(1, 1, false, 0); // cpu1 caches the now shared, read-only p1
        m.run(0, SmpMachine.OpKind.MUNMAP, () -> {
            m.vm().space(0).munmap(UserAddr.ofPage(1), Vma.PAGE_SIZE);
            return null;
        });
        assertThat(m.receipts().get(m.receipts().size() - 1).request().cpuMask()).isEqualTo(CpuMask.of(1));
        assertThat(m.cachedFrame(1, 1)).isEmpty();
        assertThat(SmpInvariants.ALL.violations(m)).isEmpty();
    }

    @Test
    void theServiceRejectsABadRequestAndSendsNothing() {
        SmpMachine m = machine(2, false, SmpMachine.Bug.NONE, SeededBug.NONE);
        Object before = m.key();
        int receipts = m.receipts().size();
        assertThatThrownBy(() -> m.shootdown(0, new TlbShootdown(CpuMask.of(0), 1 << 1, ShootdownMode.SINGLE)))
                .isInstanceOf(TlbError.class);
        assertThatThrownBy(() -> m.shootdown(0, new TlbShootdown(CpuMask.of(1), 0, ShootdownMode.SINGLE)))
                .isInstanceOf(TlbError.class);
        assertThat(m.key()).isEqualTo(before);
        assertThat(m.receipts()).hasSize(receipts);
    }

    private static Optional<String> only(SmpMachine m, String id) {
        return SmpInvariants.ALL.violations(m).stream().filter(v -> v.invariantId().equals(id)).map(Violation::detail)
                .findFirst();
    }

    @Test
    void TLB_1_catchesAShootdownCompletingWhileATargetStillCaches() {
        SmpMachine m = machine(2, false, SmpMachine.Bug.NONE, SeededBug.ACK_BEFORE_INVALIDATE);
        everyoneCaches(m);
        m.run(0, SmpMachine.OpKind.MUNMAP, () -> {
            m.vm().space(0).munmap(UserAddr.ofPage(1), Vma.PAGE_SIZE);
            return null;
        });
        assertThat(SmpInvariants.ALL.firstViolation(m)).map(Violation::invariantId).contains("TLB-1");
        assertThat(only(m, "TLB-1")).get().asString().contains("cpu1 still caches p1");
    }

    @Test
    void TLB_2_catchesAFreeFrameStillCached() {
        SmpMachine m = machine(2, false, SmpMachine.Bug.NONE, SeededBug.NONE);
        m.corruptCache(1, 2, PhysFrame.of(SmpStateMachine.FRAMES - 1), false);
        assertThat(SmpInvariants.ALL.firstViolation(m)).map(Violation::invariantId).contains("TLB-2");
    }

    @Test
    void TLB_3_catchesAWritableEntryAfterTheDowngrade() {
        SmpMachine m = machine(2, false, SmpMachine.Bug.NONE, SeededBug.NONE);
        PhysFrame f = everyoneCaches(m);
        m.run(0, SmpMachine.OpKind.MPROTECT, () -> {
            m.vm().space(0).mprotect(UserAddr.ofPage(1), Vma.PAGE_SIZE, Prot.R);
            return null;
        });
        m.corruptCache(1, 1, f, true);
        assertThat(SmpInvariants.ALL.firstViolation(m)).map(Violation::invariantId).contains("TLB-3");
    }

    @Test
    void TLB_4_catchesAStaleEntryNoDeferredFrameAccountsFor() {
        SmpMachine m = machine(2, false, SmpMachine.Bug.NONE, SeededBug.NONE);
        PhysFrame f = everyoneCaches(m);
        m.corruptCache(1, 2, f, false); // p2 is not mapped; f is in use by p1
        assertThat(SmpInvariants.ALL.firstViolation(m)).map(Violation::invariantId).contains("TLB-4");
    }

    @Test
    void XLAYER_2_countsTheFramesTheLazyListWithholds() {
        SmpMachine m = machine(2, true, SmpMachine.Bug.NONE, SeededBug.NONE);
        everyoneCaches(m);
        m.run(0, SmpMachine.OpKind.MUNMAP, () -> {
            m.vm().space(0).munmap(UserAddr.ofPage(1), Vma.PAGE_SIZE);
            return null;
        });
        assertThat(m.withheld()).isNotEmpty();
        assertThat(only(m, "XLAYER-2")).isEmpty();
    }
}
