package org.mmspec.tlb;

import java.util.ArrayList;
import java.util.List;

import org.mmspec.check.Choices;
import org.mmspec.check.Invariant;
import org.mmspec.check.InvariantSet;
import org.mmspec.check.Rule;
import org.mmspec.check.StateMachine;

/**
 * Random walks through the shootdown model at bounds the exhaustive runs do not reach (up to 6
 * CPUs, 4 pages, random scripts of every operation kind, every mode), checking every TLB invariant
 * after every step; plus random, often malformed, requests to the {@link ShootdownService}
 * validation, compared with a trivially correct model of which requests are acceptable (a
 * rejection must change nothing: ATOMIC-1).
 */
public final class ShootdownWalkMachine implements StateMachine<ShootdownWalkMachine.Walk> {
    private static final String[] MODES = {"single", "range", "global", "full", "lazy"};
    private static final String[] KINDS = {"munmap", "mprotect", "cow", "reclaim"};

    /** The walk's mutable holder of the current immutable model state. */
    public static final class Walk {
        final ShootdownModel model;
        TlbState state;

        Walk(ShootdownModel model) {
            this.model = model;
            this.state = model.initial();
        }

        @Override
        public String toString() {
            return model.config() + "\n" + state;
        }
    }

    @Override
    public String name() {
        return "tlb-walk";
    }

    @Override
    public Walk init(Choices choices) {
        int cpus = choices.between(2, 6);
        int pages = choices.between(1, 4);
        String mode = MODES[choices.between(0, MODES.length - 1)];
        StringBuilder ops = new StringBuilder();
        int nops = choices.between(1, 3);
        int cows = 0;
        for (int i = 0; i < nops; i++) {
            String kind = KINDS[choices.between(0, KINDS.length - 1)];
            if (kind.equals("cow") && pages + cows + 2 > FrameTable.MAX_FRAMES) {
                kind = "munmap";
            }
            int lo = choices.between(0, pages - 1);
            int hi = kind.equals("cow") ? lo : choices.between(lo, pages - 1);
            cows += kind.equals("cow") ? 1 : 0;
            ops.append(i == 0 ? "" : ";").append("cpu").append(choices.between(0, cpus - 1)).append(':').append(kind);
            if (!kind.equals("reclaim")) {
                ops.append('(').append(lo).append('-').append(hi).append(')');
            }
        }
        int globalPage = choices.between(-1, pages - 1);
        String bounds = String.format("cpus=%d,pages=%d,tlb=%d,mode=%s,threshold=%d,ops=%s%s", cpus, pages,
                choices.between(1, pages), mode, choices.between(1, 3), ops, globalPage < 0 ? "" : ",global=" + globalPage);
        return new Walk(new ShootdownModel(TlbConfig.fromBounds(org.mmspec.check.Bounds.parse(bounds))));
    }

    @Override
    public List<Rule<Walk>> rules() {
        return List.of(
                Rule.<Walk, TlbState>walk("step", w -> w.model, w -> w.state, (w, next) -> w.state = next),
                Rule.of("request", (w, step) -> {
                    TlbConfig cfg = w.model.config();
                    int initiator = step.between(-1, cfg.cpus());
                    int mask = step.between(0, (1 << (cfg.cpus() + 1)) - 1);
                    int pages = step.between(0, (1 << (cfg.pages() + 1)) - 1);
                    ShootdownMode mode = step.pick(ShootdownMode.class);
                    TlbShootdown req = new TlbShootdown(CpuMask.ofBits(mask), pages, mode);
                    step.call("validate(cpu%d, %s)", initiator, req);
                    boolean expected = initiator >= 0 && initiator < cfg.cpus() && mask >>> cfg.cpus() == 0
                            && (mask >>> initiator & 1) == 0 && pages != 0 && pages >>> cfg.pages() == 0
                            && (mode != ShootdownMode.RANGE || Integer.bitCount(pages) == 32 - Integer.numberOfLeadingZeros(pages)
                                    - Integer.numberOfTrailingZeros(pages));
                    boolean accepted = step.perform(() -> {
                        ShootdownProtocol.validate(initiator, req, cfg.cpus(), cfg.pages());
                        return true;
                    }).isOk();
                    step.agree("request accepted", accepted, expected);
                }));
    }

    @Override
    public InvariantSet<Walk> invariants() {
        List<Invariant<Walk>> lifted = new ArrayList<>();
        for (Invariant<TlbState> inv : TlbInvariants.ALL.invariants()) {
            lifted.add(Invariant.of(inv.id(), inv.statement(), w -> inv.evaluate(w.state).map(v -> v.detail())));
        }
        return InvariantSet.of("tlb", lifted, Walk::toString);
    }

    @Override
    public Object snapshot(Walk w) {
        return w.model.key(w.state);
    }
}
