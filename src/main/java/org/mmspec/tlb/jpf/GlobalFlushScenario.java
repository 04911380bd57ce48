package org.mmspec.tlb.jpf;

import org.mmspec.tlb.KernelOp;
import org.mmspec.tlb.SeededBug;
import org.mmspec.tlb.ShootdownMode;
import org.mmspec.tlb.TlbConfig;

/**
 * JPF entry point: unmapping a global (kernel) page with mode GLOBAL on 2 CPUs; the kernel must widen it to FULL. Application file: {@code models/tlb-jpf-global/tlb-jpf-global.jpf};
 * the seeded bugs it accepts ({@link #BUGS}) and what each must break are listed in
 * {@code models/tlb-jpf-global/jpf-manifest.properties}.
 */
public final class GlobalFlushScenario {
    /** The seeded bugs that take effect in this scenario (any other is refused). */
    static final SeededBug[] BUGS = {SeededBug.GLOBAL_SKIPS_GLOBAL, SeededBug.ACK_BEFORE_INVALIDATE, SeededBug.FREE_BEFORE_ACKS, SeededBug.MISSING_CPU};

    private GlobalFlushScenario() {
    }

    /** The seeded bugs this scenario accepts. */
    public static SeededBug[] bugs() {
        return BUGS.clone();
    }

    /** The scenario's machine configuration with {@code bug} seeded. */
    public static TlbConfig config(SeededBug bug) {
        return JpfScenario.config(2, 1, ShootdownMode.GLOBAL, false, 0b1, JpfScenario.scripts(2, 0, new KernelOp(KernelOp.Kind.MUNMAP, 0b1)), bug);
    }

    public static void main(String[] args) {
        JpfScenario.run("global", config(JpfScenario.bug(args, BUGS)));
    }
}
