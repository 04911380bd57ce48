package org.mmspec.tlb.jpf;

import org.mmspec.tlb.KernelOp;
import org.mmspec.tlb.SeededBug;
import org.mmspec.tlb.ShootdownMode;
import org.mmspec.tlb.TlbConfig;

/**
 * JPF entry point: mprotect downgrade of two pages (range) on 3 CPUs; no CPU keeps a writable entry once it returns. Application file: {@code models/tlb-jpf-mprotect/tlb-jpf-mprotect.jpf};
 * the seeded bugs it accepts ({@link #BUGS}) and what each must break are listed in
 * {@code models/tlb-jpf-mprotect/jpf-manifest.properties}.
 */
public final class MprotectScenario {
    /** The seeded bugs that take effect in this scenario (any other is refused). */
    static final SeededBug[] BUGS = {SeededBug.ACK_BEFORE_INVALIDATE, SeededBug.MISSING_CPU, SeededBug.RANGE_OFF_BY_ONE};

    private MprotectScenario() {
    }

    /** The seeded bugs this scenario accepts. */
    public static SeededBug[] bugs() {
        return BUGS.clone();
    }

    /** The scenario's machine configuration with {@code bug} seeded. */
    public static TlbConfig config(SeededBug bug) {
        return JpfScenario.config(3, 2, ShootdownMode.RANGE, false, 0, JpfScenario.scripts(3, 0, new KernelOp(KernelOp.Kind.MPROTECT, 0b11)), bug);
    }

    public static void main(String[] args) {
        JpfScenario.run("mprotect", config(JpfScenario.bug(args, BUGS)));
    }
}
