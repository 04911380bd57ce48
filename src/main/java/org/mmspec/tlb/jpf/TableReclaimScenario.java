package org.mmspec.tlb.jpf;

import org.mmspec.tlb.KernelOp;
import org.mmspec.tlb.ShootdownMode;

/** JPF entry point: page-table reclaim on 2 CPUs; unmap the leaf table's pages, unlink it, free its frame last. Application file: {@code models/tlb-jpf-reclaim/tlb-jpf-reclaim.jpf}. */
public final class TableReclaimScenario {
    private TableReclaimScenario() {
    }

    public static void main(String[] args) {
        JpfScenario.run("reclaim", JpfScenario.config(2, 1, ShootdownMode.FULL, false, 0,
                JpfScenario.scripts(2, 0, new KernelOp(KernelOp.Kind.RECLAIM, 0)), JpfScenario.bug(args)));
    }
}
