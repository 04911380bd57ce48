package org.mmspec.tlb.jpf;

import org.mmspec.tlb.KernelOp;
import org.mmspec.tlb.ShootdownMode;

/** JPF entry point: copy-on-write break on 2 CPUs; the shared read-only frame is freed only after the other CPU dropped it. Application file: {@code models/tlb-jpf-cow/tlb-jpf-cow.jpf}. */
public final class CowBreakScenario {
    private CowBreakScenario() {
    }

    public static void main(String[] args) {
        JpfScenario.run("cow", JpfScenario.config(2, 1, ShootdownMode.SINGLE, false, 0,
                JpfScenario.scripts(2, 0, new KernelOp(KernelOp.Kind.COW_BREAK, 0b1)), JpfScenario.bug(args)));
    }
}
