package org.mmspec.tlb.jpf;

import org.mmspec.tlb.KernelOp;
import org.mmspec.tlb.SeededBug;
import org.mmspec.tlb.ShootdownMode;
import org.mmspec.tlb.TlbConfig;

/**
 * JPF entry point: copy-on-write break on 2 CPUs; the shared read-only frame is freed only after the other CPU dropped it. Application file: {@code models/tlb-jpf-cow/tlb-jpf-cow.jpf};
 * the seeded bugs it accepts ({@link #BUGS}) and what each must break are listed in
 * {@code models/tlb-jpf-cow/jpf-manifest.properties}.
 */
public final class CowBreakScenario {
    /** The seeded bugs that take effect in this scenario (any other is refused). */
    static final SeededBug[] BUGS = {SeededBug.ACK_BEFORE_INVALIDATE, SeededBug.FREE_BEFORE_ACKS, SeededBug.MISSING_CPU};

    private CowBreakScenario() {
    }

    /** The seeded bugs this scenario accepts. */
    public static SeededBug[] bugs() {
        return BUGS.clone();
    }

    /** The scenario's machine configuration with {@code bug} seeded. */
    public static TlbConfig config(SeededBug bug) {
        return JpfScenario.config(2, 1, ShootdownMode.SINGLE, false, 0, JpfScenario.scripts(2, 0, new KernelOp(KernelOp.Kind.COW_BREAK, 0b1)), bug);
    }

    public static void main(String[] args) {
        JpfScenario.run("cow", config(JpfScenario.bug(args, BUGS)));
    }
}
