package org.mmspec.hwsec.x86_64;

import java.util.ArrayList;
import java.util.List;

import org.mmspec.check.ActionSystem;
import org.mmspec.check.Bounds;
import org.mmspec.check.ExhaustiveModel;
import org.mmspec.check.TransitionSystem;

/**
 * {@code models/hwsec-lam}: every sequence of enable (each mode), map (each user page), fork.
 * Bounds: {@code bug} (a {@link LamTranslator.Bug}, default NONE).
 */
public final class LamModel implements ExhaustiveModel {
    @Override
    public String name() {
        return "hwsec-lam";
    }

    @Override
    public String component() {
        return "hwsec";
    }

    @Override
    public TransitionSystem<LamSpace> build(Bounds b) {
        LamTranslator.Bug bug = LamTranslator.Bug.valueOf(b.get("bug", "NONE"));
        return ActionSystem.of("hwsec-lam " + b, () -> List.of(new LamSpace(bug)), LamSpace::copy, LamSpace::key,
                LamModel::actions, LamInvariants.ALL).finalWhen(LamModel::inputsUsedUp)
                .withCodec(org.mmspec.check.Encoding.codec(LamSpace::write, new org.mmspec.check.Encoding.Reader<>() {
                    private final LamSpace template = new LamSpace(bug);

                    @Override
                    public LamSpace read(java.io.DataInput in) throws java.io.IOException {
                        return LamSpace.read(template, in);
                    }
                }));
    }

    /**
     * The model's bounded inputs are used up: both processes exist, each has its mode set (a mode
     * is set once), and every user page is mapped. No action is accepted after that.
     */
    static boolean inputsUsedUp(LamSpace s) {
        if (s.processes() < 2) {
            return false;
        }
        for (int q = 0; q < s.processes(); q++) {
            if (s.mode(q) == LamMode.OFF) {
                return false;
            }
        }
        for (long page : LamSpace.USER_PAGES) {
            if (s.mapper().translate(org.mmspec.paging.VirtAddr.of(page)).isEmpty()) {
                return false;
            }
        }
        return true;
    }

    static List<ActionSystem.Action<LamSpace>> actions(LamSpace s) {
        List<ActionSystem.Action<LamSpace>> out = new ArrayList<>();
        for (int q = 0; q < s.processes(); q++) {
            int proc = q;
            for (LamMode m : LamMode.values()) {
                out.add(new ActionSystem.Action<>("P" + q + ".enable(" + m + ")", x -> x.enable(proc, m)));
            }
            out.add(new ActionSystem.Action<>("P" + q + ".fork()", x -> x.fork(proc)));
        }
        for (int i = 0; i < LamSpace.USER_PAGES.size(); i++) {
            int page = i;
            out.add(new ActionSystem.Action<>(String.format("map(0x%x)", LamSpace.USER_PAGES.get(i)), x -> x.map(page)));
        }
        return out;
    }
}
