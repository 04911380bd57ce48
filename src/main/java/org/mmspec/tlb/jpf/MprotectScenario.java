package org.mmspec.tlb.jpf;

import org.mmspec.tlb.KernelOp;
import org.mmspec.tlb.ShootdownMode;

/** JPF entry point: mprotect downgrade of two pages (range) on 3 CPUs; no CPU keeps a writable entry once it returns. Application file: {@code models/tlb-jpf-mprotect/tlb-jpf-mprotect.jpf}. */
public final class MprotectScenario {
    private MprotectScenario() {
    }

    public static void main(String[] args) {
        JpfScenario.run("mprotect", JpfScenario.config(3, 2, ShootdownMode.RANGE, false, 0,
                JpfScenario.scripts(3, 0, new KernelOp(KernelOp.Kind.MPROTECT, 0b11)), JpfScenario.bug(args)));
    }
}
