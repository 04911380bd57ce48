package org.mmspec.tlb.jpf;

import org.mmspec.tlb.KernelOp;
import org.mmspec.tlb.ShootdownMode;

/** JPF entry point: lazy munmap on 3 CPUs; the frame waits on the deferred-free list until every CPU caught up. Application file: {@code models/tlb-jpf-lazy/tlb-jpf-lazy.jpf}. */
public final class LazyFlushScenario {
    private LazyFlushScenario() {
    }

    public static void main(String[] args) {
        JpfScenario.run("lazy", JpfScenario.config(3, 1, ShootdownMode.SINGLE, true, 0,
                JpfScenario.scripts(3, 0, new KernelOp(KernelOp.Kind.MUNMAP, 0b1)), JpfScenario.bug(args)));
    }
}
