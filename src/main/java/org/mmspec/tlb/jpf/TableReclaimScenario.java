package org.mmspec.tlb.jpf;

import org.mmspec.tlb.KernelOp;
import org.mmspec.tlb.SeededBug;
import org.mmspec.tlb.ShootdownMode;
import org.mmspec.tlb.TlbConfig;

/**
 * JPF entry point: page-table reclaim on 2 CPUs; unmap the leaf table's pages, unlink it, free its frame last. Application file: {@code models/tlb-jpf-reclaim/tlb-jpf-reclaim.jpf};
 * the seeded bugs it accepts ({@link #BUGS}) and what each must break are listed in
 * {@code models/tlb-jpf-reclaim/jpf-manifest.properties}.
 */
public final class TableReclaimScenario {
    /** The seeded bugs that take effect in this scenario (any other is refused). */
    static final SeededBug[] BUGS = {SeededBug.ACK_BEFORE_INVALIDATE, SeededBug.FREE_BEFORE_ACKS, SeededBug.MISSING_CPU};

    private TableReclaimScenario() {
    }

    /** The seeded bugs this scenario accepts. */
    public static SeededBug[] bugs() {
        return BUGS.clone();
    }

    /** The scenario's machine configuration with {@code bug} seeded. */
    public static TlbConfig config(SeededBug bug) {
        return JpfScenario.config(2, 1, ShootdownMode.FULL, false, 0, JpfScenario.scripts(2, 0, new KernelOp(KernelOp.Kind.RECLAIM, 0)), bug);
    }

    public static void main(String[] args) {
        JpfScenario.run("reclaim", config(JpfScenario.bug(args, BUGS)));
    }
}
