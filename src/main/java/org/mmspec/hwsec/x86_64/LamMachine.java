package org.mmspec.hwsec.x86_64;

import java.util.List;

import org.mmspec.check.Choices;
import org.mmspec.check.InvariantSet;
import org.mmspec.check.Rule;
import org.mmspec.check.StateMachine;

/**
 * LAM as a rule-based state machine. The trivially correct model of a user access is "clear the
 * mode's metadata mask, then walk": every load through a random tagged pointer must reach the
 * same physical address as the untagged pointer, or fault exactly when the untagged one does.
 */
public final class LamMachine implements StateMachine<LamSpace> {
    private final LamTranslator.Bug bug;

    public LamMachine() {
        this(LamTranslator.Bug.NONE);
    }

    public LamMachine(LamTranslator.Bug bug) {
        this.bug = bug;
    }

    @Override
    public String name() {
        return "hwsec-lam" + (bug == LamTranslator.Bug.NONE ? "" : "-" + bug);
    }

    @Override
    public LamSpace init(Choices choices) {
        return new LamSpace(bug);
    }

    @Override
    public List<Rule<LamSpace>> rules() {
        return List.of(
                Rule.of("enable", (s, st) -> {
                    int q = st.between(0, s.processes() - 1);
                    LamMode m = st.pick(LamMode.class);
                    st.call("P%d.enable(%s)", q, m).performVoid(() -> s.enable(q, m));
                }),
                Rule.of("map", (s, st) -> {
                    int i = st.between(0, LamSpace.USER_PAGES.size() - 1);
                    st.call("map(%d)", i).performVoid(() -> s.map(i));
                }),
                Rule.when("fork", s -> s.processes() < 2, (s, st) -> st.call("P0.fork()").performVoid(() -> s.fork(0))),
                Rule.of("load", (s, st) -> {
                    int q = st.between(0, s.processes() - 1);
                    long base = st.pick(LamSpace.USER_PAGES) + st.between(0, 7) * 8L;
                    long metadata = st.between(0L, (1L << 16) - 1) << 48;
                    long pointer = base | (metadata & ~LamMode.SUPERVISOR_BIT);
                    var o = st.call("P%d.load(0x%016x)", q, pointer).perform(() -> s.load(q, pointer));
                    long cleared = pointer & ~s.mode(q).userMetadataMask();
                    boolean canonical = org.mmspec.paging.VirtAddr.isCanonical(cleared, 48);
                    var expected = canonical ? s.mapper().translate(org.mmspec.paging.VirtAddr.of(cleared))
                            .map(t -> t.pa().value()) : java.util.Optional.<Long>empty();
                    st.agree("load 0x" + Long.toHexString(pointer) + " under " + s.mode(q),
                            o.isOk() ? java.util.Optional.of(o.value()) : java.util.Optional.<Long>empty(), expected);
                }));
    }

    @Override
    public InvariantSet<LamSpace> invariants() {
        return LamInvariants.ALL;
    }

    @Override
    public Object snapshot(LamSpace state) {
        return state.key();
    }
}
