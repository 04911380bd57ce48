package org.mmspec.tlb.jpf;

import org.mmspec.tlb.KernelOp;
import org.mmspec.tlb.SeededBug;
import org.mmspec.tlb.ShootdownMode;
import org.mmspec.tlb.TlbConfig;

/**
 * JPF entry point: munmap of one page on a 3-CPU machine; cpu0 shoots down cpu1 and cpu2, then frees the frame. Application file: {@code models/tlb-jpf-munmap/tlb-jpf-munmap.jpf};
 * the seeded bugs it accepts ({@link #BUGS}) and what each must break are listed in
 * {@code models/tlb-jpf-munmap/jpf-manifest.properties}.
 */
public final class MunmapScenario {
    /** The seeded bugs that take effect in this scenario (any other is refused). */
    static final SeededBug[] BUGS = {SeededBug.ACK_BEFORE_INVALIDATE, SeededBug.FREE_BEFORE_ACKS, SeededBug.MISSING_CPU};

    private MunmapScenario() {
    }

    /** The seeded bugs this scenario accepts. */
    public static SeededBug[] bugs() {
        return BUGS.clone();
    }

    /** The scenario's machine configuration with {@code bug} seeded. */
    public static TlbConfig config(SeededBug bug) {
        return JpfScenario.config(3, 1, ShootdownMode.SINGLE, false, 0, JpfScenario.scripts(3, 0, new KernelOp(KernelOp.Kind.MUNMAP, 0b1)), bug);
    }

    public static void main(String[] args) {
        JpfScenario.run("munmap", config(JpfScenario.bug(args, BUGS)));
    }
}
