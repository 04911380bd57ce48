package org.mmspec.tlb.asid;

import java.util.List;
import java.util.function.Function;

import org.mmspec.check.Bounds;
import org.mmspec.check.ExhaustiveModel;
import org.mmspec.check.InvariantSet;
import org.mmspec.check.StateCodec;
import org.mmspec.check.TransitionSystem;

/**
 * {@code models/tlb-asid}: ASID/PCID-tagged TLBs explored exhaustively at a small scope. In
 * every state each CPU may switch to each address space (or back from lazy mode), hand the CPU to
 * a kernel thread (lazy TLB), munmap or mprotect read-only each page of its running space (the
 * first change splits a 2 MiB leaf), and the hardware may fill each page on each CPU that has a
 * space loaded (a lazy CPU too: speculative walks). The kernel side is {@link AsidKernel}; the
 * hardware's fill and tagged lookup are trusted and never seeded. Every invariant of
 * {@link AsidInvariants#ALL} is checked in every state.
 *
 * <p>The IPI-level interleavings inside one shootdown are the {@code tlb-shootdown} model's
 * (TLB-1..9); here a shootdown is one step, and what is explored is every order of switches,
 * rollovers, lazy periods, fills and page-table changes around it. Evictions are not modelled:
 * every invariant is closed under dropping entries and no kernel step reads the TLB, so a run
 * with evictions breaks an invariant only if a run without them does.
 *
 * <p>Bounds: see {@link AsidConfig}.
 */
public final class AsidModel implements ExhaustiveModel, TransitionSystem<AsidState> {
    /** The folder under {@code models/}. */
    public static final String NAME = "tlb-asid";

    private final AsidConfig cfg;

    /** The catalogue entry; {@link #build} makes the configured systems. */
    public AsidModel() {
        this(null);
    }

    public AsidModel(AsidConfig cfg) {
        this.cfg = cfg;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String component() {
        return "tlb";
    }

    @Override
    public TransitionSystem<?> build(Bounds bounds) {
        return new AsidModel(AsidConfig.fromBounds(bounds));
    }

    public AsidConfig config() {
        return cfg;
    }

    public AsidState initial() {
        return AsidState.initial(cfg);
    }

    @Override
    public List<AsidState> initialStates() {
        return List.of(initial());
    }

    @Override
    public void successors(AsidState state, Successors<AsidState> out) {
        for (int c = 0; c < cfg.cpus(); c++) {
            int cpu = c;
            for (int sp = 0; sp < cfg.spaces(); sp++) {
                int space = sp;
                kernel(state, out, s -> AsidKernel.switchTo(s, cpu, space));
            }
            if (state.inUser(cpu)) {
                kernel(state, out, s -> AsidKernel.enterLazy(s, cpu));
                for (int p = 0; p < cfg.pages(); p++) {
                    int page = p;
                    kernel(state, out, s -> AsidKernel.munmap(s, cpu, page));
                    kernel(state, out, s -> AsidKernel.mprotect(s, cpu, page));
                }
            }
            for (int p = 0; p < cfg.pages(); p++) {
                AsidState next = state.copy();
                String label = fill(next, cpu, p);
                if (label != null) {
                    out.add(label, next);
                }
            }
        }
    }

    /** Offers a kernel operation; a rejected one (outside its precondition or the scope) is no transition. */
    private static void kernel(AsidState state, Successors<AsidState> out, Function<AsidState, String> op) {
        AsidState next = state.copy();
        try {
            out.add(op.apply(next), next);
        } catch (AsidError rejected) {
            // not enabled in this state
        }
    }

    /**
     * The hardware walks the loaded space's page table for {@code page} and caches the result
     * under the CPU's tag, unless an entry under that tag already covers the page (the lookup
     * hits) or the page is unmapped. A 2 MiB leaf fills one entry covering the whole region.
     * Returns the label, or null when the fill is not possible.
     */
    public static String fill(AsidState s, int cpu, int page) {
        int space = s.running(cpu);
        if (space < 0 || !s.mapped(space, page) || s.lookup(cpu, s.tag(cpu), page) != null) {
            return null;
        }
        boolean huge = s.hugeLeaf(space);
        TaggedEntry e = new TaggedEntry(s.tag(cpu), huge ? TaggedEntry.HUGE : page,
                s.pteFrame(space, huge ? 0 : page), s.pteWritable(space, page), space);
        s.insert(cpu, e);
        return "hw cpu" + cpu + " fills " + e;
    }

    @Override
    public Object key(AsidState state) {
        return state.key();
    }

    @Override
    public InvariantSet<AsidState> invariants() {
        return AsidInvariants.ALL;
    }

    @Override
    public StateCodec<AsidState> codec() {
        return new AsidStateCodec(cfg);
    }
}
