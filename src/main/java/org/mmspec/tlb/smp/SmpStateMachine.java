package org.mmspec.tlb.smp;

import java.util.ArrayList;
import java.util.List;

import org.mmspec.check.Choices;
import org.mmspec.check.InvariantSet;
import org.mmspec.check.Outcome;
import org.mmspec.check.Rule;
import org.mmspec.check.StateMachine;
import org.mmspec.check.Step;
import org.mmspec.fault.Access;
import org.mmspec.fault.FaultAddr;
import org.mmspec.fault.PageFaultError;
import org.mmspec.fault.PageFaultHandler;
import org.mmspec.tlb.CostModel;
import org.mmspec.tlb.KernelOp;
import org.mmspec.tlb.SeededBug;
import org.mmspec.tlb.ShootdownMode;
import org.mmspec.tlb.TlbConfig;
import org.mmspec.vm.AddressSpace;
import org.mmspec.vm.Layout;
import org.mmspec.vm.MapFlags;
import org.mmspec.vm.Prot;
import org.mmspec.vm.UserAddr;
import org.mmspec.vm.Vma;
import org.mmspec.vm.VmSystem;

/**
 * Model-based stateful check of the integrated system: random vm operations (mmap, munmap,
 * mprotect, brk, user loads and stores that fault as needed, fork, exit) run on random CPUs of an
 * {@link SmpMachine}, interleaved with the hardware's speculative fills from the real page tables
 * (through the paging MMU walker), evictions, context switches and, in lazy mode, catch-ups and
 * releases of the deferred-free list. The order in which targets run their IPI handlers is drawn
 * too, so it shrinks with everything else.
 *
 * <p>The model is the trivially correct kernel without TLBs: the same {@link VmSystem} operations
 * on one CPU with {@link org.mmspec.vm.TlbPort#DIRECT}. A correct shootdown is invisible to
 * programs, so every outcome and every word a load returns must agree with the model; a stale
 * TLB entry shows up as a mismatch or, usually earlier, as the TLB invariant it breaks.
 * {@link SmpInvariants#ALL} (TLB-1..TLB-4 and every vm invariant) is checked after every step.
 */
public final class SmpStateMachine implements StateMachine<SmpStateMachine.State> {
    /** User pages of the layout, all inside the TLB window. */
    static final int PAGES = 6;
    /** Frames: four x86_64 table frames per process, two processes, and a few data frames. */
    static final int FRAMES = 14;
    /** Most processes alive at once. */
    static final int MAX_PROCESSES = 2;
    /** Entries per TLB. */
    static final int TLB_CAPACITY = 4;

    /** The implementation and the model side by side. */
    public static final class State {
        final SmpMachine impl;
        final VmSystem model;
        long nextWord = 1;

        State(SmpMachine impl, VmSystem model) {
            this.impl = impl;
            this.model = model;
        }

        @Override
        public String toString() {
            return impl.toString();
        }
    }

    private final boolean lazy;
    private final SmpMachine.Bug bug;
    private final SeededBug protocolBug;

    public SmpStateMachine(boolean lazy) {
        this(lazy, SmpMachine.Bug.NONE, SeededBug.NONE);
    }

    /** A machine with a seeded integration bug or protocol bug, to show the check catches it. */
    public SmpStateMachine(boolean lazy, SmpMachine.Bug bug, SeededBug protocolBug) {
        this.lazy = lazy;
        this.bug = bug;
        this.protocolBug = protocolBug;
    }

    /** The small layout: pages 1..5, mmap below page 3, heap from page 2, the stack at page 5 growing to 4. */
    public static Layout layout() {
        return new Layout(1, PAGES, 3, 1, PAGES, 1, 2, 1, 2, 2);
    }

    /** The configuration of the protocol for {@code cpus} CPUs. */
    public static TlbConfig config(int cpus, ShootdownMode mode, boolean lazy, int threshold, SeededBug bug) {
        return new TlbConfig(cpus, PAGES, TLB_CAPACITY, mode, lazy, threshold, 0, new KernelOp[cpus][0], bug, false,
                CostModel.SEED);
    }

    @Override
    public String name() {
        return "tlb-smp" + (lazy ? "/lazy" : "") + (bug == SmpMachine.Bug.NONE ? "" : "[" + bug + "]")
                + (protocolBug == SeededBug.NONE ? "" : "[" + protocolBug.word() + "]");
    }

    @Override
    public State init(Choices choices) {
        int cpus = choices.between(2, 4);
        ShootdownMode mode = choices.pick(ShootdownMode.class);
        int threshold = choices.between(1, 3);
        VmSystem sys = new VmSystem(layout(), AddressSpace.WxPolicy.ENFORCE, FRAMES, VmSystem.Bug.NONE);
        SmpMachine m = new SmpMachine(sys, config(cpus, mode, lazy, threshold, protocolBug), bug);
        for (int c = 0; c < cpus; c++) {
            m.switchTo(c, 0);
        }
        return new State(m, new VmSystem(layout(), AddressSpace.WxPolicy.ENFORCE, FRAMES, VmSystem.Bug.NONE));
    }

    @Override
    public InvariantSet<State> invariants() {
        return INVARIANTS;
    }

    private static final InvariantSet<State> INVARIANTS = InvariantSet.of("tlb-smp", lift(), State::toString);

    private static List<org.mmspec.check.Invariant<State>> lift() {
        List<org.mmspec.check.Invariant<State>> out = new ArrayList<>();
        for (org.mmspec.check.Invariant<SmpMachine> i : SmpInvariants.ALL.invariants()) {
            out.add(org.mmspec.check.Invariant.of(i.id(), i.statement(),
                    s -> i.evaluate(s.impl).map(org.mmspec.check.Violation::detail)));
        }
        return out;
    }

    @Override
    public Object snapshot(State s) {
        return List.of(s.impl.key(), s.model.key());
    }

    /** A CPU that runs an address space (every rule that runs kernel code needs one). */
    private static int busyCpu(State s, Step<State> step) {
        List<Integer> busy = new ArrayList<>();
        for (int c = 0; c < s.impl.cpus(); c++) {
            if (s.impl.active(c) != SmpMachine.IDLE) {
                busy.add(c);
            }
        }
        return step.pick(busy);
    }

    private static boolean anyBusy(State s) {
        for (int c = 0; c < s.impl.cpus(); c++) {
            if (s.impl.active(c) != SmpMachine.IDLE) {
                return true;
            }
        }
        return false;
    }

    /** Runs a vm operation on both sides and compares the outcomes; targets' handler order is drawn. */
    private static void vmOp(State s, Step<State> step, int cpu, SmpMachine.OpKind kind, String call,
            java.util.function.Function<VmSystem, Object> op) {
        int space = s.impl.active(cpu);
        s.impl.relievePressure();
        step.call("cpu%d P%d %s", cpu, space, call);
        s.impl.scheduler(r -> r[step.between(0, r.length - 1)]);
        Outcome<Object> impl = step.perform(() -> s.impl.run(cpu, kind, () -> op.apply(s.impl.vm())));
        s.impl.scheduler(SmpMachine.Scheduler.FIRST);
        Outcome<Object> model;
        try {
            model = Outcome.ok(op.apply(s.model));
        } catch (org.mmspec.check.MmException e) {
            model = Outcome.rejected(e);
        }
        step.agree(call + " outcome", impl.isOk() ? String.valueOf(impl.value()) : impl.kind(),
                model.isOk() ? String.valueOf(model.value()) : model.kind());
    }

    @Override
    public List<Rule<State>> rules() {
        return List.of(
                Rule.when("mmap", SmpStateMachine::anyBusy, (s, step) -> {
                    int cpu = busyCpu(s, step);
                    int space = s.impl.active(cpu);
                    long page = step.between(0, PAGES);
                    long len = step.between(0, 2) * Vma.PAGE_SIZE;
                    Prot prot = step.pick(List.of(Prot.RW, Prot.R, Prot.NONE, Prot.RWX));
                    MapFlags flags = step.bool() ? MapFlags.PRIVATE_ANON_FIXED : MapFlags.PRIVATE_ANON;
                    vmOp(s, step, cpu, SmpMachine.OpKind.MMAP, String.format("mmap(page %d, %d, %s, %s)", page, len, prot,
                            flags.fixed() ? "FIXED" : "hint"),
                            v -> v.space(space).mmap(UserAddr.ofPage(page), len, prot, flags, null, 0));
                }),
                Rule.when("munmap", SmpStateMachine::anyBusy, (s, step) -> {
                    int cpu = busyCpu(s, step);
                    int space = s.impl.active(cpu);
                    long page = step.between(0, PAGES);
                    long len = step.between(0, 3) * Vma.PAGE_SIZE + (step.oneIn(8) ? 1 : 0);
                    vmOp(s, step, cpu, SmpMachine.OpKind.MUNMAP, String.format("munmap(page %d, 0x%x)", page, len), v -> {
                        v.space(space).munmap(UserAddr.ofPage(page), len);
                        return "ok";
                    });
                }),
                Rule.when("mprotect", SmpStateMachine::anyBusy, (s, step) -> {
                    int cpu = busyCpu(s, step);
                    int space = s.impl.active(cpu);
                    long page = step.between(1, PAGES);
                    long len = step.between(0, 3) * Vma.PAGE_SIZE;
                    Prot prot = step.pick(List.of(Prot.R, Prot.RW, Prot.NONE, Prot.RWX));
                    vmOp(s, step, cpu, SmpMachine.OpKind.MPROTECT, String.format("mprotect(page %d, %d pages, %s)", page,
                            len / Vma.PAGE_SIZE, prot), v -> {
                                v.space(space).mprotect(UserAddr.ofPage(page), len, prot);
                                return "ok";
                            });
                }),
                Rule.when("brk", SmpStateMachine::anyBusy, (s, step) -> {
                    int cpu = busyCpu(s, step);
                    int space = s.impl.active(cpu);
                    long page = step.between(1, PAGES);
                    vmOp(s, step, cpu, SmpMachine.OpKind.BRK, String.format("brk(page %d)", page),
                            v -> v.space(space).brk(UserAddr.ofPage(page)));
                }),
                Rule.when("access", SmpStateMachine::anyBusy, (s, step) -> {
                    int cpu = busyCpu(s, step);
                    int space = s.impl.active(cpu);
                    int page = step.between(1, PAGES - 1);
                    boolean write = step.bool();
                    long value = write ? s.nextWord++ : 0;
                    step.call("cpu%d P%d %s page %d%s", cpu, space, write ? "store" : "load", page,
                            write ? " <- " + value : "");
                    if (s.impl.staleness(cpu, page).isPresent() && s.impl.config().lazy()) {
                        // A lazily stale entry (TLB-4 accounts for it) reaches the deferred frame: what
                        // it shows is not the single-CPU model's business, so the model does not run.
                        if (!write) {
                            s.impl.access(cpu, page, false, 0);
                        }
                        return;
                    }
                    Object got = userAccess(s, step, cpu, space, page, write, value);
                    step.agree("cpu" + cpu + (write ? " store" : " load") + " page " + page, got,
                            modelAccess(s.model, space, page, write, value));
                }),
                Rule.when("fork", s -> anyBusy(s) && s.impl.vm().spaces().size() < MAX_PROCESSES, (s, step) -> {
                    int cpu = busyCpu(s, step);
                    int space = s.impl.active(cpu);
                    s.impl.relievePressure();
                    step.call("cpu%d P%d fork", cpu, space);
                    s.impl.scheduler(r -> r[step.between(0, r.length - 1)]);
                    Outcome<Integer> impl = step.perform(() -> s.impl.fork(cpu, space));
                    s.impl.scheduler(SmpMachine.Scheduler.FIRST);
                    String model;
                    try {
                        model = String.valueOf(s.model.fork(space));
                    } catch (org.mmspec.check.MmException e) {
                        model = e.kind();
                    }
                    step.agree("fork", impl.isOk() ? String.valueOf(impl.value()) : impl.kind(), model);
                }),
                Rule.when("exit", s -> anyBusy(s) && s.impl.vm().spaces().size() > 1, (s, step) -> {
                    int cpu = busyCpu(s, step);
                    int space = s.impl.active(cpu);
                    step.call("cpu%d P%d exit", cpu, space);
                    s.impl.exit(cpu, space);
                    s.model.exit(space);
                }),
                Rule.of("switch", (s, step) -> {
                    int cpu = step.between(0, s.impl.cpus() - 1);
                    int space = step.between(SmpMachine.IDLE, s.impl.vm().spaces().size() - 1);
                    step.call("cpu%d switches to %s", cpu, space == SmpMachine.IDLE ? "idle" : "P" + space);
                    s.impl.switchTo(cpu, space);
                }),
                Rule.of("speculate", (s, step) -> {
                    StringBuilder filled = new StringBuilder();
                    for (int c = 0; c < s.impl.cpus(); c++) {
                        for (int p = 0; p < PAGES; p++) {
                            if (s.impl.canFill(c, p) && step.bool() && s.impl.fill(c, p)) {
                                filled.append(" cpu").append(c).append(":p").append(p);
                            }
                        }
                    }
                    step.call("hw fills%s", filled.length() == 0 ? " nothing" : filled);
                }),
                Rule.of("evict", (s, step) -> {
                    int cpu = step.between(0, s.impl.cpus() - 1);
                    int page = step.between(0, PAGES - 1);
                    step.call("hw cpu%d evicts p%d", cpu, page);
                    s.impl.evict(cpu, page);
                }),
                Rule.when("catch-up", s -> s.impl.config().lazy(), (s, step) -> {
                    int cpu = step.between(0, s.impl.cpus() - 1);
                    step.call("cpu%d lazy catch-up", cpu);
                    s.impl.catchUp(cpu);
                }),
                Rule.when("release", s -> s.impl.config().lazy(), (s, step) -> {
                    step.call("release deferred frames");
                    step.perform(() -> s.impl.releaseDeferred());
                }));
    }

    /** A user access on the implementation: through the TLB, faulting into the handler (on the same CPU) as needed. */
    static Object userAccess(State s, Step<State> step, int cpu, int space, int page, boolean write, long value) {
        for (int attempt = 0; attempt < 3; attempt++) {
            java.util.Optional<Long> got = s.impl.access(cpu, page, write, value);
            if (got.isPresent()) {
                return write ? "ok" : got.get();
            }
            Access a = write ? Access.WRITE : Access.READ;
            boolean present = s.impl.vm().space(space).translation(page).isPresent();
            s.impl.relievePressure();
            Outcome<Object> o = step.perform(() -> s.impl.run(cpu, SmpMachine.OpKind.FAULT,
                    () -> PageFaultHandler.handle(s.impl.vm().space(space), FaultAddr.ofPage(page),
                            PageFaultError.user(present, a))));
            if (o.isRejected()) {
                return "fault " + o.kind();
            }
        }
        return "fault loop";
    }

    /** The same access on the model: the handler when the walk faults, then the plain load or store. */
    static Object modelAccess(VmSystem model, int space, int page, boolean write, long value) {
        AddressSpace as = model.space(space);
        try {
            PageFaultHandler.access(as, FaultAddr.ofPage(page), write ? Access.WRITE : Access.READ);
        } catch (org.mmspec.check.MmException e) {
            return "fault " + e.kind();
        }
        if (write) {
            as.store(page, value);
            return "ok";
        }
        return as.load(page);
    }
}
