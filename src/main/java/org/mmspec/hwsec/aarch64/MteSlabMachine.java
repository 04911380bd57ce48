package org.mmspec.hwsec.aarch64;

import java.util.List;

import org.mmspec.check.Choices;
import org.mmspec.check.InvariantSet;
import org.mmspec.check.Outcome;
import org.mmspec.check.Rule;
import org.mmspec.check.StateMachine;
import org.mmspec.heap.HeapConfig;
import org.mmspec.heap.HeapDebugOptions;

/**
 * Stateful random runs of the tagged heap ({@link MteSlab}): allocations of small sizes on two
 * CPUs, frees, and accesses and frees through stale references, which must fault with
 * TAG_CHECK_FAULT (model comparison: the model is the list of live and stale references). MTE-4
 * is checked after every step.
 */
public final class MteSlabMachine implements StateMachine<SlabState> {
    static final int FRAMES = 16;
    static final int STALE = 4;
    private final MteSlab.SlabBug bug;

    public MteSlabMachine() {
        this(MteSlab.SlabBug.NONE);
    }

    public MteSlabMachine(MteSlab.SlabBug bug) {
        this.bug = bug;
    }

    @Override
    public String name() {
        return bug == MteSlab.SlabBug.NONE ? "hwsec-mte-slab" : "hwsec-mte-slab[" + bug + "]";
    }

    @Override
    public SlabState init(Choices choices) {
        return new SlabState(new MteSlab(FRAMES, new HeapConfig(2, 2, 1, 1, HeapDebugOptions.OFF), bug));
    }

    @Override
    public List<Rule<SlabState>> rules() {
        return List.of(
                Rule.of("allocate", (s, st) -> {
                    long size = st.pick(List.of(8L, 16L, 24L, 64L, 100L));
                    Outcome<MteSlab.TaggedRef> o = st.call("allocate(%d)", size).perform(() -> s.slab.allocate(0, size));
                    if (o.isOk()) {
                        s.live.add(new SlabState.Live(o.value(), size));
                    }
                }),
                Rule.when("free", s -> !s.live.isEmpty(), (s, st) -> {
                    int i = st.between(0, s.live.size() - 1);
                    st.call("free(%s)", s.live.get(i)).performVoid(() -> s.free(i, STALE));
                }),
                Rule.when("access live", s -> !s.live.isEmpty(), (s, st) -> {
                    SlabState.Live l = st.pick(s.live);
                    long off = st.between(0L, l.size() - 1);
                    Outcome<Void> o = st.call("access(%s + %d)", l.ref(), off).performVoid(() -> s.slab.access(l.ref(), off));
                    st.check(o.isOk(), "an access inside a live allocation through its own reference must succeed: %s", o);
                }),
                Rule.when("use after free", s -> !s.stale.isEmpty(), (s, st) -> {
                    MteSlab.TaggedRef r = st.pick(s.stale);
                    Outcome<Void> o = st.call("access(%s) [stale]", r).performVoid(() -> s.slab.access(r, 0));
                    st.check(!o.isOk(), "a use after free through %s was not detected", r);
                }));
    }

    @Override
    public InvariantSet<SlabState> invariants() {
        return SlabState.INVARIANTS;
    }

    @Override
    public Object snapshot(SlabState state) {
        return state.key();
    }
}
