package org.mmspec.hwsec.x86_64;

import java.util.List;

import org.mmspec.check.Choices;
import org.mmspec.check.InvariantSet;
import org.mmspec.check.Rule;
import org.mmspec.check.StateMachine;
import org.mmspec.check.Step;

/**
 * The shadow-stack space as a rule-based state machine. The trivially correct model is the ghost
 * word of each page: every load must show what this process last stored there (copy-on-write
 * keeps processes apart), and {@link ShadowStackInvariants} run after every step.
 */
public final class ShadowStackMachine implements StateMachine<ShadowStackSpace> {
    private final ShadowStackSpace.Bug bug;

    public ShadowStackMachine() {
        this(ShadowStackSpace.Bug.NONE);
    }

    public ShadowStackMachine(ShadowStackSpace.Bug bug) {
        this.bug = bug;
    }

    @Override
    public String name() {
        return "hwsec-shadow-stack" + (bug == ShadowStackSpace.Bug.NONE ? "" : "-" + bug);
    }

    @Override
    public ShadowStackSpace init(Choices choices) {
        return new ShadowStackSpace(choices.between(1, 4), choices.between(2, 6), bug);
    }

    private static int proc(ShadowStackSpace s, Step<ShadowStackSpace> st) {
        return st.between(0, s.processes() - 1);
    }

    @Override
    public List<Rule<ShadowStackSpace>> rules() {
        return List.of(
                Rule.of("mmap", (s, st) -> {
                    int q = proc(s, st);
                    int p = st.between(0, s.pages() - 1);
                    boolean w = st.bool();
                    st.call("P%d.mmap(%d, %s)", q, p, w ? "rw" : "r").performVoid(() -> s.mmap(q, p, w));
                }),
                Rule.of("map_shadow_stack", (s, st) -> {
                    int q = proc(s, st);
                    int p = st.between(0, s.pages() - 1);
                    st.call("P%d.map_shadow_stack(%d)", q, p).performVoid(() -> s.mapShadowStack(q, p));
                }),
                Rule.of("mprotect", (s, st) -> {
                    int q = proc(s, st);
                    int p = st.between(0, s.pages() - 1);
                    ShadowStackSpace.Prot prot = st.pick(ShadowStackSpace.Prot.class);
                    st.call("P%d.mprotect(%d, %s)", q, p, prot).performVoid(() -> s.mprotect(q, p, prot));
                }),
                Rule.of("munmap", (s, st) -> {
                    int q = proc(s, st);
                    int p = st.between(0, s.pages() - 1);
                    st.call("P%d.munmap(%d)", q, p).performVoid(() -> s.munmap(q, p));
                }),
                Rule.of("store", (s, st) -> {
                    int q = proc(s, st);
                    int p = st.between(0, s.pages() - 1);
                    st.call("P%d.store(%d)", q, p).performVoid(() -> s.store(q, p));
                }),
                Rule.of("shstk_push", (s, st) -> {
                    int q = proc(s, st);
                    int p = st.between(0, s.pages() - 1);
                    st.call("P%d.shstk_push(%d)", q, p).performVoid(() -> s.shadowStackPush(q, p));
                }),
                Rule.of("load", (s, st) -> {
                    int q = proc(s, st);
                    int p = st.between(0, s.pages() - 1);
                    var o = st.call("P%d.load(%d)", q, p).perform(() -> s.load(q, p));
                    if (o.isOk()) {
                        st.agree("P" + q + " page " + p + " shows", o.value(), s.ghost(q, p));
                    }
                }),
                Rule.when("fork", s -> s.processes() < 2, (s, st) -> st.call("P0.fork()").performVoid(() -> s.fork(0))),
                Rule.when("exit", s -> s.processes() == 2, (s, st) -> st.call("P1.exit()").performVoid(() -> s.exit(1))));
    }

    @Override
    public InvariantSet<ShadowStackSpace> invariants() {
        return ShadowStackInvariants.ALL;
    }

    @Override
    public Object snapshot(ShadowStackSpace state) {
        return state.key();
    }
}
