package org.mmspec.tlb.smp;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.mmspec.check.ActionSystem;
import org.mmspec.check.Bounds;
import org.mmspec.check.ExhaustiveModel;
import org.mmspec.check.InvariantSet;
import org.mmspec.check.Liveness;
import org.mmspec.check.MmException;
import org.mmspec.check.TransitionSystem;
import org.mmspec.fault.Access;
import org.mmspec.fault.FaultAddr;
import org.mmspec.fault.PageFaultError;
import org.mmspec.fault.PageFaultHandler;
import org.mmspec.frames.PhysFrame;
import org.mmspec.tlb.SeededBug;
import org.mmspec.tlb.ShootdownMode;
import org.mmspec.vm.AddressSpace;
import org.mmspec.vm.MapFlags;
import org.mmspec.vm.Prot;
import org.mmspec.vm.UserAddr;
import org.mmspec.vm.Vma;
import org.mmspec.vm.VmSystem;

/**
 * {@code models/tlb-smp}: exhaustive exploration of the integrated system at a small scope. Every
 * CPU runs process P0, whose two pages {@code p1, p2} are an anonymous read-write area from the
 * start; in every state every enabled move is a transition: on each CPU a user load or store of
 * each page (faulting into the handler: demand paging, copy-on-write), munmap and mprotect
 * (read-only, read-write) of each page, a fork (up to two processes), and the hardware's
 * speculative fill from the real page tables and eviction of each page; in lazy mode also each
 * CPU's catch-up and the release of the deferred-free list. A munmap of length 0 is offered in
 * every state and must be rejected without a change (ATOMIC-1). Every invariant of
 * {@link SmpInvariants#ALL} is checked in every state.
 *
 * <p>The interleavings inside one shootdown (IPI delivery, invalidation and acknowledgement order)
 * are the {@code tlb-shootdown} model's; here each vm operation with its shootdowns is one
 * transition, and what is explored is every order of operations and hardware moves around them.
 *
 * <p>Bounds ({@code models/tlb-smp/manifest.properties}): {@code cpus} (2..4), {@code mode}
 * ({@code single}, {@code range}, {@code global}, {@code full}), {@code lazy} ({@code true} /
 * {@code false}), {@code threshold}, {@code fork} (0 or 1), {@code mprotect} (1, the default, or 0:
 * no mprotect offered), {@code bug} (an {@link SmpMachine.Bug}
 * in lower case with dashes, or a {@link SeededBug} word).
 */
public final class SmpModel implements ExhaustiveModel {
    /** The pages the model's operations touch. */
    static final int[] PAGES = {1, 2};

    @Override
    public String name() {
        return "tlb-smp";
    }

    @Override
    public String component() {
        return "tlb";
    }

    @Override
    public TransitionSystem<?> build(Bounds b) {
        int cpus = b.getInt("cpus", 2);
        ShootdownMode mode = ShootdownMode.valueOf(b.get("mode", "single").toUpperCase(Locale.ROOT));
        boolean lazy = Boolean.parseBoolean(b.get("lazy", "false"));
        int threshold = b.getInt("threshold", 1);
        boolean fork = b.getInt("fork", 1) == 1;
        boolean mprotect = b.getInt("mprotect", 1) == 1;
        String bugWord = b.get("bug", "none");
        SmpMachine.Bug bug = SmpMachine.Bug.NONE;
        SeededBug protocolBug = SeededBug.NONE;
        String enumName = bugWord.toUpperCase(Locale.ROOT).replace('-', '_');
        if (!bugWord.equals("none")) {
            boolean integration = false;
            for (SmpMachine.Bug x : SmpMachine.Bug.values()) {
                if (x.name().equals(enumName)) {
                    bug = x;
                    integration = true;
                }
            }
            if (!integration) {
                protocolBug = SeededBug.parse(bugWord);
            }
        }
        SmpMachine.Bug finalBug = bug;
        SeededBug finalProtocolBug = protocolBug;
        return ActionSystem.of("tlb-smp " + b, () -> List.of(initial(cpus, mode, lazy, threshold, finalBug, finalProtocolBug)),
                SmpMachine::copy, SmpMachine::key, m -> actions(m, fork, mprotect), invariants()).withLiveness(liveness())
                .withCodec(org.mmspec.check.Encoding.overwriting(
                        () -> initial(cpus, mode, lazy, threshold, finalBug, finalProtocolBug), SmpMachine::copy,
                        SmpMachine::writeState, SmpMachine::readState));
    }

    /**
     * SMP-L1 (spec/tlb.md §7.3), one member per frame: a frame on the deferred-free list (lazy
     * mode) leads to its release to the frame allocator. Without lazy mode nothing is deferred and
     * it holds vacuously.
     */
    static List<Liveness<SmpMachine>> liveness() {
        List<Liveness<SmpMachine>> out = new ArrayList<>();
        for (int f = 0; f < SmpStateMachine.FRAMES; f++) {
            PhysFrame frame = PhysFrame.of(f);
            java.util.function.Predicate<SmpMachine> deferred = m -> m.deferred().keySet().stream().anyMatch(r -> r.contains(frame));
            out.add(Liveness.leadsTo("SMP-L1", "every deferred frame is released", "frame " + f, deferred, deferred.negate()));
        }
        return out;
    }

    static InvariantSet<SmpMachine> invariants() {
        return SmpInvariants.ALL;
    }

    static SmpMachine initial(int cpus, ShootdownMode mode, boolean lazy, int threshold, SmpMachine.Bug bug,
            SeededBug protocolBug) {
        VmSystem sys = new VmSystem(SmpStateMachine.layout(), AddressSpace.WxPolicy.ENFORCE, SmpStateMachine.FRAMES,
                VmSystem.Bug.NONE);
        SmpMachine m = new SmpMachine(sys, SmpStateMachine.config(cpus, mode, lazy, threshold, protocolBug), bug);
        for (int c = 0; c < cpus; c++) {
            m.switchTo(c, 0);
        }
        m.run(0, SmpMachine.OpKind.MMAP, () -> sys.space(0).mmap(UserAddr.ofPage(PAGES[0]), 2 * Vma.PAGE_SIZE, Prot.RW,
                MapFlags.PRIVATE_ANON_FIXED, null, 0));
        return m;
    }

    static List<ActionSystem.Action<SmpMachine>> actions(SmpMachine m, boolean fork) {
        return actions(m, fork, true);
    }

    /** The moves of {@code m}; without {@code mprotect} no mprotect is offered (the liveness configurations' smaller scope). */
    static List<ActionSystem.Action<SmpMachine>> actions(SmpMachine m, boolean fork, boolean mprotect) {
        List<ActionSystem.Action<SmpMachine>> out = new ArrayList<>();
        for (int c = 0; c < m.cpus(); c++) {
            int cpu = c;
            if (m.active(cpu) == SmpMachine.IDLE) {
                continue;
            }
            int space = m.active(cpu);
            for (int page : PAGES) {
                out.add(new ActionSystem.Action<>("cpu" + cpu + " P" + space + " load p" + page,
                        s -> access(s, cpu, space, page, false)));
                out.add(new ActionSystem.Action<>("cpu" + cpu + " P" + space + " store p" + page,
                        s -> access(s, cpu, space, page, true)));
                out.add(new ActionSystem.Action<>("cpu" + cpu + " P" + space + " munmap p" + page,
                        s -> s.run(cpu, SmpMachine.OpKind.MUNMAP, () -> {
                            s.vm().space(space).munmap(UserAddr.ofPage(page), Vma.PAGE_SIZE);
                            return null;
                        })));
                for (Prot prot : mprotect ? List.of(Prot.R, Prot.RW) : List.<Prot>of()) {
                    out.add(new ActionSystem.Action<>("cpu" + cpu + " P" + space + " mprotect p" + page + " " + prot,
                            s -> s.run(cpu, SmpMachine.OpKind.MPROTECT, () -> {
                                s.vm().space(space).mprotect(UserAddr.ofPage(page), Vma.PAGE_SIZE, prot);
                                return null;
                            })));
                }
            }
            if (fork && m.vm().spaces().size() == 1) {
                out.add(new ActionSystem.Action<>("cpu" + cpu + " P" + space + " fork", s -> s.fork(cpu, space)));
            }
            if (cpu == 0) {
                out.add(new ActionSystem.Action<>("cpu0 P" + space + " munmap(p1, 0) (rejected)",
                        s -> s.run(0, SmpMachine.OpKind.MUNMAP, () -> {
                            s.vm().space(space).munmap(UserAddr.ofPage(PAGES[0]), 0);
                            return null;
                        })));
            }
        }
        for (int c = 0; c < m.cpus(); c++) {
            int cpu = c;
            for (int page : PAGES) {
                if (m.canFill(cpu, page)) {
                    out.add(new ActionSystem.Action<>("hw cpu" + cpu + " fills p" + page, s -> s.fill(cpu, page)));
                }
                if (m.cachedFrame(cpu, page).isPresent()) {
                    out.add(new ActionSystem.Action<>("hw cpu" + cpu + " evicts p" + page, s -> s.evict(cpu, page)));
                }
            }
            // the catch-up (tick or context switch) is the CPU's own work, under weak fairness
            if (m.config().lazy() && m.behind(cpu) && m.bug() != SmpMachine.Bug.NO_TICK_CATCH_UP) {
                out.add(new ActionSystem.Action<>("cpu" + cpu + " lazy catch-up", s -> s.catchUp(cpu), cpu));
            }
        }
        if (m.config().lazy() && !m.deferred().isEmpty()) {
            // the release is the kernel's own process, as in the tlb-shootdown model: process number cpus
            out.add(new ActionSystem.Action<>("release deferred frames", SmpMachine::releaseDeferred, m.cpus()));
        }
        return out;
    }

    /**
     * A user access: through the TLB; a fault runs the handler on the same CPU and the access is
     * retried once. A signal (segmentation fault, out of memory) is the access's outcome, not a
     * rejected transition, since the TLB may have dropped an entry on the way.
     */
    private static void access(SmpMachine s, int cpu, int space, int page, boolean write) {
        if (s.access(cpu, page, write, 1).isPresent()) {
            return;
        }
        boolean present = s.vm().space(space).translation(page).isPresent();
        try {
            s.run(cpu, SmpMachine.OpKind.FAULT, () -> PageFaultHandler.handle(s.vm().space(space), FaultAddr.ofPage(page),
                    PageFaultError.user(present, write ? Access.WRITE : Access.READ)));
        } catch (MmException signal) {
            return;
        }
        s.access(cpu, page, write, 1);
    }
}
