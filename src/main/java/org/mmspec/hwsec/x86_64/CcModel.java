package org.mmspec.hwsec.x86_64;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.mmspec.check.ActionSystem;
import org.mmspec.check.Bounds;
import org.mmspec.check.ExhaustiveModel;
import org.mmspec.check.TransitionSystem;

/**
 * {@code models/hwsec-cc}: every interleaving of the CPUs' fills, evictions, reads and writes
 * with the four conversion steps. Bounds: {@code tech} (sev or tdx, default sev), {@code bit}
 * (the C-bit, or the shared bit; default 51 for SEV, 47 for TDX), {@code convertible} (default
 * 1), {@code cpus} (default 2), {@code bug} (a {@link CcGuest.Bug}, default NONE).
 */
public final class CcModel implements ExhaustiveModel {
    @Override
    public String name() {
        return "hwsec-cc";
    }

    @Override
    public String component() {
        return "hwsec";
    }

    /** The mode the bounds name. */
    static CcMode mode(Bounds b) {
        String tech = b.get("tech", "sev").toUpperCase(Locale.ROOT);
        CcMode.Technology t = CcMode.Technology.valueOf(tech);
        int bit = b.getInt("bit", t == CcMode.Technology.SEV ? CcMode.SEV.bit() : CcMode.TDX.bit());
        return new CcMode(t, bit);
    }

    @Override
    public TransitionSystem<CcGuest> build(Bounds b) {
        CcMode mode = mode(b);
        int convertible = b.getInt("convertible", 1);
        int cpus = b.getInt("cpus", 2);
        CcGuest.Bug bug = CcGuest.Bug.valueOf(b.get("bug", "NONE"));
        return ActionSystem.of("hwsec-cc " + b, () -> List.of(new CcGuest(mode, convertible, cpus, bug)), CcGuest::copy,
                CcGuest::key, CcModel::actions, CcInvariants.ALL)
                .withCodec(org.mmspec.check.Encoding.overwriting(() -> new CcGuest(mode, convertible, cpus, bug), CcGuest::copy,
                        CcGuest::writeState, CcGuest::readState));
    }

    static List<ActionSystem.Action<CcGuest>> actions(CcGuest g) {
        List<ActionSystem.Action<CcGuest>> out = new ArrayList<>();
        for (int c = 0; c < g.cpus(); c++) {
            int cpu = c;
            for (int p = 0; p < g.pages(); p++) {
                int page = p;
                out.add(new ActionSystem.Action<>("cpu" + c + " fills p" + p, x -> x.fill(cpu, page)));
                out.add(new ActionSystem.Action<>("cpu" + c + " evicts p" + p, x -> x.evict(cpu, page)));
                out.add(new ActionSystem.Action<>("cpu" + c + " writes p" + p, x -> x.write(cpu, page)));
            }
        }
        for (int p = 0; p < g.pages(); p++) {
            int page = p;
            out.add(new ActionSystem.Action<>("convert p" + p + " to private: unmap", x -> x.convertBegin(page, true)));
            out.add(new ActionSystem.Action<>("convert p" + p + " to shared: unmap", x -> x.convertBegin(page, false)));
        }
        out.add(new ActionSystem.Action<>("conversion: shootdown", CcGuest::shootdown));
        out.add(new ActionSystem.Action<>("conversion: zero", CcGuest::zero));
        out.add(new ActionSystem.Action<>("conversion: remap", CcGuest::remap));
        return out;
    }
}
