package org.mmspec.paging;

import java.util.ArrayList;
import java.util.List;

import org.mmspec.check.Choices;
import org.mmspec.check.InvariantSet;
import org.mmspec.check.Outcome;
import org.mmspec.check.Rule;
import org.mmspec.check.StateMachine;
import org.mmspec.check.Step;

/**
 * Model-based stateful check of the kernel image against its W^X section table: random
 * {@code set_memory_ro/rw/x/nx} on every page of the image range (guard page included), compared
 * with a model that holds each page's rights (write, execute) and predicts the outcome from the
 * section table alone (NOT_MAPPED outside every section, PROTECTED_SECTION for a right the
 * section lacks). After every step the MMU's grants at every page must equal the model's, and
 * KWX-1 with every paging invariant must hold; every rejection is checked to change nothing.
 */
public final class KernelImageMachine implements StateMachine<KernelImageMachine.State> {
    /** The image and the model: per image page, {write, exec}, or null outside every section. */
    public static final class State {
        final KernelImage image;
        final boolean[][] rights = new boolean[KernelImage.RANGE_PAGES][];

        State(KernelImage image) {
            this.image = image;
            for (int i = 0; i < KernelImage.RANGE_PAGES; i++) {
                rights[i] = KernelImage.sectionOf(i).map(s -> new boolean[] {s.write(), s.exec()}).orElse(null);
            }
        }

        @Override
        public String toString() {
            return image.toString();
        }
    }

    private final PteFormat format;
    private final KernelImage.Bug bug;

    public KernelImageMachine(PteFormat format) {
        this(format, KernelImage.Bug.NONE);
    }

    /** A machine whose image carries {@code bug}. */
    public KernelImageMachine(PteFormat format, KernelImage.Bug bug) {
        this.format = format;
        this.bug = bug;
    }

    @Override
    public String name() {
        return "kernel-image-" + format.name() + (bug == KernelImage.Bug.NONE ? "" : "[" + bug + "]");
    }

    @Override
    public State init(Choices choices) {
        return new State(KernelImage.boot(format, bug));
    }

    @Override
    public List<Rule<State>> rules() {
        return List.of(Rule.of("setMemory", this::setMemory));
    }

    @Override
    public InvariantSet<State> invariants() {
        List<org.mmspec.check.Invariant<State>> out = new ArrayList<>();
        for (org.mmspec.check.Invariant<KernelImage> inv : KernelImage.ALL.invariants()) {
            out.add(org.mmspec.check.Invariant.of(inv.id(), inv.statement(),
                    s -> inv.evaluate(s.image).map(org.mmspec.check.Violation::detail)));
        }
        return InvariantSet.of("kernel-image", out, State::toString);
    }

    @Override
    public Object snapshot(State s) {
        return s.image.key();
    }

    private void setMemory(State s, Step<State> step) {
        int i = step.between(0, KernelImage.RANGE_PAGES - 1);
        KernelImage.Change c = step.pick(KernelImage.Change.class);
        step.call("set_memory_%s(image page %d)", c.name().toLowerCase(java.util.Locale.ROOT), i);
        Outcome<Void> out = step.performVoid(() -> s.image.setMemory(i, c));
        // The invariants first, so that a defect breaking KWX-1 is reported by its name rather than as
        // the model mismatch it also is.
        invariants().assertHolds(s);
        boolean[] now = s.rights[i];
        String expected;
        boolean[] next = null;
        if (now == null) {
            expected = "NOT_MAPPED";
        } else {
            boolean w = c == KernelImage.Change.RW || (c != KernelImage.Change.RO && now[0]);
            boolean x = c == KernelImage.Change.X || (c != KernelImage.Change.NX && now[1]);
            KernelImage.Section sec = KernelImage.sectionOf(i).orElseThrow();
            next = new boolean[] {w, x};
            expected = (w && !sec.write()) || (x && !sec.exec()) ? "PROTECTED_SECTION" : "ok";
        }
        step.agree("set_memory outcome", out.kind(), expected);
        if (out.isOk()) {
            s.rights[i] = next;
        }
        for (int q = 0; q < KernelImage.RANGE_PAGES; q++) {
            boolean[] r = s.rights[q];
            KernelImage.Grants want = r == null ? new KernelImage.Grants(false, false, false, false)
                    : new KernelImage.Grants(true, r[0], r[1], false);
            step.agree("grants at image page " + q, s.image.grants(q), want);
        }
    }
}
