package org.mmspec.tlb.asid;

import java.util.ArrayList;
import java.util.List;

import org.mmspec.check.Choices;
import org.mmspec.check.InvariantSet;
import org.mmspec.check.Invariant;
import org.mmspec.check.Outcome;
import org.mmspec.check.Rule;
import org.mmspec.check.StateMachine;
import org.mmspec.check.Step;

/**
 * Random walks through the ASID model at bounds the exhaustive runs do not reach (up to 4 CPUs, 4
 * address spaces, 6 ASIDs or 3 PCID slots, 3 generations, every architecture), checking ASID-1..4
 * after every step. Besides the model's own moves, the walk calls the kernel operations with
 * random, often bad, arguments and compares the outcome with a trivially correct model of which
 * calls are acceptable; a rejected call must change nothing (ATOMIC-1, checked by
 * {@link Step#perform}). Shrinking works on the recorded choices, so a failure prints a short
 * per-CPU timeline.
 */
public final class AsidWalkMachine implements StateMachine<AsidWalkMachine.Walk> {
    private final AsidBug bug;
    private final AsidArch arch;

    /** The walk's holder of the current state, which the kernel operations change in place. */
    public static final class Walk {
        final AsidModel model;
        AsidState state;

        Walk(AsidModel model) {
            this.model = model;
            this.state = model.initial();
        }

        @Override
        public String toString() {
            return model.config() + "\n" + state;
        }
    }

    /** Correct kernels on every architecture. */
    public AsidWalkMachine() {
        this(AsidBug.NONE, null);
    }

    /** A seeded kernel on one architecture (null: any), for the tests that the walks catch each bug. */
    public AsidWalkMachine(AsidBug bug, AsidArch arch) {
        this.bug = bug;
        this.arch = arch;
    }

    @Override
    public String name() {
        return bug == AsidBug.NONE ? "tlb-asid-walk" : "tlb-asid-walk[" + bug.word() + "]";
    }

    @Override
    public Walk init(Choices choices) {
        AsidArch a = arch != null ? arch : AsidArch.values()[choices.between(0, AsidArch.values().length - 1)];
        int cpus = choices.between(1, AsidConfig.MAX_CPUS);
        int spaces = choices.between(1, AsidConfig.MAX_SPACES);
        // few ASIDs over the CPUs' minimum, so that walks with more spaces than ASIDs roll over often
        int asids = a.generational() ? choices.between(cpus + 1, Math.min(cpus + 2, AsidConfig.MAX_ASIDS))
                : choices.between(1, 3);
        boolean huge = choices.bool();
        int pages = huge ? AsidConfig.REGION_PAGES : choices.between(1, AsidConfig.REGION_PAGES);
        AsidConfig cfg = new AsidConfig(a, cpus, spaces, asids, pages, huge,
                choices.between(0, 3), choices.between(1, 3), bug);
        return new Walk(new AsidModel(cfg));
    }

    @Override
    public List<Rule<Walk>> rules() {
        return List.of(
                Rule.<Walk, AsidState>walk("step", w -> w.model, w -> w.state, (w, next) -> w.state = next),
                Rule.of("switch", (w, step) -> {
                    AsidConfig cfg = w.model.config();
                    int cpu = step.between(-1, cfg.cpus());
                    int space = step.between(-1, cfg.spaces());
                    step.call("switchTo(cpu%d, %s)", cpu, AsidState.spaceName(space));
                    AsidError.Kind expected = cpu < 0 || cpu >= cfg.cpus() ? AsidError.Kind.BAD_CPU
                            : space < 0 || space >= cfg.spaces() ? AsidError.Kind.BAD_SPACE
                            : w.state.inUser(cpu) && w.state.running(cpu) == space ? AsidError.Kind.ALREADY_RUNNING : null;
                    agree(step, step.perform(() -> AsidKernel.switchTo(w.state, cpu, space)), expected,
                            cfg.arch().generational());
                }),
                Rule.of("kernel thread", (w, step) -> {
                    int cpu = step.between(-1, w.model.config().cpus());
                    step.call("enterLazy(cpu%d)", cpu);
                    AsidError.Kind expected = cpu < 0 || cpu >= w.model.config().cpus() ? AsidError.Kind.BAD_CPU
                            : !w.state.inUser(cpu) ? AsidError.Kind.NOT_RUNNING : null;
                    agree(step, step.perform(() -> AsidKernel.enterLazy(w.state, cpu)), expected, false);
                }),
                Rule.of("change", (w, step) -> {
                    AsidConfig cfg = w.model.config();
                    int cpu = step.between(-1, cfg.cpus());
                    int page = step.between(-1, cfg.pages());
                    boolean protect = step.bool();
                    step.call("%s(cpu%d, p%d)", protect ? "mprotect" : "munmap", cpu, page);
                    AsidState s = w.state;
                    AsidError.Kind expected = cpu < 0 || cpu >= cfg.cpus() ? AsidError.Kind.BAD_CPU
                            : !s.inUser(cpu) ? AsidError.Kind.NOT_RUNNING
                            : page < 0 || page >= cfg.pages() ? AsidError.Kind.BAD_PAGE
                            : (protect ? !s.pteWritable(s.running(cpu), page) : !s.mapped(s.running(cpu), page))
                                    ? AsidError.Kind.NO_CHANGE
                            : s.opsLeft() == 0 ? AsidError.Kind.SCOPE : null;
                    agree(step, step.perform(() -> protect ? AsidKernel.mprotect(s, cpu, page) : AsidKernel.munmap(s, cpu, page)),
                            expected, false);
                }));
    }

    /**
     * Compares a call's outcome with the acceptance model. A switch the model accepts may still be
     * refused as {@code SCOPE} when it needs a rollover past the configured generations; only the
     * generational allocator knows that, so that one refusal is accepted for an accepted switch
     * there ({@code rolloverMayRefuse}).
     */
    private static void agree(Step<Walk> step, Outcome<String> outcome, AsidError.Kind expected, boolean rolloverMayRefuse) {
        AsidError.Kind actual = outcome.isOk() ? null : ((AsidError) outcome.error()).errorKind();
        if (rolloverMayRefuse && expected == null && actual == AsidError.Kind.SCOPE) {
            return;
        }
        step.agree("rejection", actual, expected);
    }

    @Override
    public InvariantSet<Walk> invariants() {
        List<Invariant<Walk>> lifted = new ArrayList<>();
        for (Invariant<AsidState> inv : AsidInvariants.ALL.invariants()) {
            lifted.add(Invariant.of(inv.id(), inv.statement(), w -> inv.evaluate(w.state).map(v -> v.detail())));
        }
        return InvariantSet.of("tlb-asid", lifted, Walk::toString);
    }

    @Override
    public Object snapshot(Walk w) {
        return w.state.copy();
    }
}
