package org.mmspec.hwsec.x86_64;

import java.util.List;

import org.mmspec.check.Choices;
import org.mmspec.check.InvariantSet;
import org.mmspec.check.Rule;
import org.mmspec.check.StateMachine;

/**
 * The confidential guest as a rule-based state machine. The trivially correct model is the ghost
 * word of each page: a read shows what the guest last wrote there since the page's last
 * conversion (a conversion leaves it zero).
 */
public final class CcMachine implements StateMachine<CcGuest> {
    private final CcMode mode;
    private final CcGuest.Bug bug;

    public CcMachine(CcMode mode) {
        this(mode, CcGuest.Bug.NONE);
    }

    public CcMachine(CcMode mode, CcGuest.Bug bug) {
        this.mode = mode;
        this.bug = bug;
    }

    @Override
    public String name() {
        return "hwsec-cc-" + mode.technology() + (bug == CcGuest.Bug.NONE ? "" : "-" + bug);
    }

    @Override
    public CcGuest init(Choices choices) {
        return new CcGuest(mode, choices.between(1, 3), choices.between(1, 3), bug);
    }

    @Override
    public List<Rule<CcGuest>> rules() {
        return List.of(
                Rule.of("fill", (g, st) -> {
                    int c = st.between(0, g.cpus() - 1);
                    int p = st.between(0, g.pages() - 1);
                    st.call("cpu%d.fill(p%d)", c, p).performVoid(() -> g.fill(c, p));
                }),
                Rule.of("evict", (g, st) -> {
                    int c = st.between(0, g.cpus() - 1);
                    int p = st.between(0, g.pages() - 1);
                    st.call("cpu%d.evict(p%d)", c, p).performVoid(() -> g.evict(c, p));
                }),
                Rule.of("write", (g, st) -> {
                    int c = st.between(0, g.cpus() - 1);
                    int p = st.between(0, g.pages() - 1);
                    st.call("cpu%d.write(p%d)", c, p).performVoid(() -> g.write(c, p));
                }),
                Rule.of("read", (g, st) -> {
                    int c = st.between(0, g.cpus() - 1);
                    int p = st.between(0, g.pages() - 1);
                    var o = st.call("cpu%d.read(p%d)", c, p).perform(() -> g.read(c, p));
                    if (o.isOk()) {
                        st.agree("page " + p + " shows", o.value(), g.ghost(p));
                    }
                }),
                Rule.of("convert", (g, st) -> {
                    int p = st.between(0, g.pages() - 1);
                    boolean toPrivate = st.bool();
                    st.call("convert(p%d, %s)", p, toPrivate ? "private" : "shared").performVoid(() -> g.convertBegin(p, toPrivate));
                }),
                Rule.of("shootdown", (g, st) -> st.call("shootdown()").performVoid(g::shootdown)),
                Rule.of("zero", (g, st) -> st.call("zero()").performVoid(g::zero)),
                Rule.of("remap", (g, st) -> st.call("remap()").performVoid(g::remap)));
    }

    @Override
    public InvariantSet<CcGuest> invariants() {
        return CcInvariants.ALL;
    }

    @Override
    public Object snapshot(CcGuest state) {
        return state.key();
    }
}
