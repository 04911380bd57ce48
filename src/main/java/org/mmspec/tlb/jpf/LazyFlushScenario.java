package org.mmspec.tlb.jpf;

import org.mmspec.tlb.KernelOp;
import org.mmspec.tlb.SeededBug;
import org.mmspec.tlb.ShootdownMode;
import org.mmspec.tlb.TlbConfig;

/**
 * JPF entry point: lazy munmap on 3 CPUs; the frame waits on the deferred-free list until every CPU caught up. Application file: {@code models/tlb-jpf-lazy/tlb-jpf-lazy.jpf};
 * the seeded bugs it accepts ({@link #BUGS}) and what each must break are listed in
 * {@code models/tlb-jpf-lazy/jpf-manifest.properties}.
 */
public final class LazyFlushScenario {
    /** The seeded bugs that take effect in this scenario (any other is refused). */
    static final SeededBug[] BUGS = {SeededBug.LAZY_REUSE_EARLY};

    private LazyFlushScenario() {
    }

    /** The seeded bugs this scenario accepts. */
    public static SeededBug[] bugs() {
        return BUGS.clone();
    }

    /** The scenario's machine configuration with {@code bug} seeded. */
    public static TlbConfig config(SeededBug bug) {
        return JpfScenario.config(3, 1, ShootdownMode.SINGLE, true, 0, JpfScenario.scripts(3, 0, new KernelOp(KernelOp.Kind.MUNMAP, 0b1)), bug);
    }

    public static void main(String[] args) {
        JpfScenario.run("lazy", config(JpfScenario.bug(args, BUGS)));
    }
}
