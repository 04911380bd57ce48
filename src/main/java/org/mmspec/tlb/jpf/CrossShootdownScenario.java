package org.mmspec.tlb.jpf;

import org.mmspec.tlb.KernelOp;
import org.mmspec.tlb.SeededBug;
import org.mmspec.tlb.ShootdownMode;
import org.mmspec.tlb.TlbConfig;

/**
 * JPF entry point: two CPUs shooting down each other at once (cpu0 munmaps p0, cpu1 munmaps p1); both complete because waiting CPUs serve IPIs. Application file: {@code models/tlb-jpf-cross/tlb-jpf-cross.jpf};
 * the seeded bugs it accepts ({@link #BUGS}) and what each must break are listed in
 * {@code models/tlb-jpf-cross/jpf-manifest.properties}.
 */
public final class CrossShootdownScenario {
    /** The seeded bugs that take effect in this scenario (any other is refused). */
    static final SeededBug[] BUGS = {SeededBug.WAIT_WITH_IRQS_OFF, SeededBug.ACK_BEFORE_INVALIDATE, SeededBug.FREE_BEFORE_ACKS, SeededBug.MISSING_CPU};

    private CrossShootdownScenario() {
    }

    /** The seeded bugs this scenario accepts. */
    public static SeededBug[] bugs() {
        return BUGS.clone();
    }

    /** The scenario's machine configuration with {@code bug} seeded. */
    public static TlbConfig config(SeededBug bug) {
        return JpfScenario.config(2, 2, ShootdownMode.SINGLE, false, 0, new KernelOp[][] {{new KernelOp(KernelOp.Kind.MUNMAP, 0b01)}, {new KernelOp(KernelOp.Kind.MUNMAP, 0b10)}}, bug);
    }

    public static void main(String[] args) {
        JpfScenario.run("cross", config(JpfScenario.bug(args, BUGS)));
    }
}
