package org.mmspec.tlb.jpf;

import org.mmspec.tlb.KernelOp;
import org.mmspec.tlb.ShootdownMode;

/** JPF entry point: munmap of one page on a 3-CPU machine; cpu0 shoots down cpu1 and cpu2, then frees the frame. Application file: {@code models/tlb-jpf-munmap/tlb-jpf-munmap.jpf}. */
public final class MunmapScenario {
    private MunmapScenario() {
    }

    public static void main(String[] args) {
        JpfScenario.run("munmap", JpfScenario.config(3, 1, ShootdownMode.SINGLE, false, 0,
                JpfScenario.scripts(3, 0, new KernelOp(KernelOp.Kind.MUNMAP, 0b1)), JpfScenario.bug(args)));
    }
}
