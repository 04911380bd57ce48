package org.mmspec.tlb.jpf;

import org.mmspec.tlb.KernelOp;
import org.mmspec.tlb.ShootdownMode;

/** JPF entry point: unmapping a global (kernel) page with mode GLOBAL on 2 CPUs; the kernel must widen it to FULL. Application file: {@code models/tlb-jpf-global/tlb-jpf-global.jpf}. */
public final class GlobalFlushScenario {
    private GlobalFlushScenario() {
    }

    public static void main(String[] args) {
        JpfScenario.run("global", JpfScenario.config(2, 1, ShootdownMode.GLOBAL, false, 0b1,
                JpfScenario.scripts(2, 0, new KernelOp(KernelOp.Kind.MUNMAP, 0b1)), JpfScenario.bug(args)));
    }
}
