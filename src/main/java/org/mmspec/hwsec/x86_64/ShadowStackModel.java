package org.mmspec.hwsec.x86_64;

import java.util.ArrayList;
import java.util.List;

import org.mmspec.check.ActionSystem;
import org.mmspec.check.Bounds;
import org.mmspec.check.ExhaustiveModel;
import org.mmspec.check.TransitionSystem;

/**
 * {@code models/hwsec-shadow-stack}: every sequence of mmap, map_shadow_stack, mprotect, munmap,
 * normal stores, shadow-stack pushes, fork and exit over a few pages and frames. Bounds:
 * {@code pages} (default 2), {@code frames} (default 3), {@code bug} (a
 * {@link ShadowStackSpace.Bug}, default NONE).
 */
public final class ShadowStackModel implements ExhaustiveModel {

    @Override
    public String name() {
        return "hwsec-shadow-stack";
    }

    @Override
    public String component() {
        return "hwsec";
    }

    @Override
    public TransitionSystem<ShadowStackSpace> build(Bounds b) {
        int pages = b.getInt("pages", 2);
        int frames = b.getInt("frames", 3);
        ShadowStackSpace.Bug bug = ShadowStackSpace.Bug.valueOf(b.get("bug", "NONE"));
        return ActionSystem.of("hwsec-shadow-stack " + b, () -> List.of(new ShadowStackSpace(pages, frames, bug)),
                ShadowStackSpace::copy, ShadowStackSpace::key, ShadowStackModel::actions, ShadowStackInvariants.ALL)
                .withCodec(org.mmspec.check.Encoding.overwriting(() -> new ShadowStackSpace(pages, frames, bug),
                        ShadowStackSpace::copy, ShadowStackSpace::writeState, ShadowStackSpace::readState));
    }

    /** Every operation with every argument, rejected ones included (the explorer checks they change nothing). */
    static List<ActionSystem.Action<ShadowStackSpace>> actions(ShadowStackSpace s) {
        List<ActionSystem.Action<ShadowStackSpace>> out = new ArrayList<>();
        for (int q = 0; q < s.processes(); q++) {
            int proc = q;
            String who = "P" + q + ".";
            for (int p = 0; p < s.pages(); p++) {
                int page = p;
                out.add(new ActionSystem.Action<>(who + "mmap(" + p + ", rw)", x -> x.mmap(proc, page, true)));
                out.add(new ActionSystem.Action<>(who + "mmap(" + p + ", r)", x -> x.mmap(proc, page, false)));
                out.add(new ActionSystem.Action<>(who + "map_shadow_stack(" + p + ")", x -> x.mapShadowStack(proc, page)));
                for (ShadowStackSpace.Prot prot : ShadowStackSpace.Prot.values()) {
                    out.add(new ActionSystem.Action<>(who + "mprotect(" + p + ", " + prot + ")",
                            x -> x.mprotect(proc, page, prot)));
                }
                out.add(new ActionSystem.Action<>(who + "munmap(" + p + ")", x -> x.munmap(proc, page)));
                out.add(new ActionSystem.Action<>(who + "store(" + p + ")", x -> x.store(proc, page)));
                out.add(new ActionSystem.Action<>(who + "shstk_push(" + p + ")", x -> x.shadowStackPush(proc, page)));
            }
            out.add(new ActionSystem.Action<>(who + "fork()", x -> x.fork(proc)));
            if (q == 1) {
                out.add(new ActionSystem.Action<>(who + "exit()", x -> x.exit(proc)));
            }
        }
        return out;
    }
}
