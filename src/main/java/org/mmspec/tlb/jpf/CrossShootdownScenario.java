package org.mmspec.tlb.jpf;

import org.mmspec.tlb.KernelOp;
import org.mmspec.tlb.ShootdownMode;

/** JPF entry point: two CPUs shooting down each other at once (cpu0 munmaps p0, cpu1 munmaps p1); both complete because waiting CPUs serve IPIs. Application file: {@code models/tlb-jpf-cross/tlb-jpf-cross.jpf}. */
public final class CrossShootdownScenario {
    private CrossShootdownScenario() {
    }

    public static void main(String[] args) {
        KernelOp[][] scripts = {{new KernelOp(KernelOp.Kind.MUNMAP, 0b01)}, {new KernelOp(KernelOp.Kind.MUNMAP, 0b10)}};
        JpfScenario.run("cross", JpfScenario.config(2, 2, ShootdownMode.SINGLE, false, 0, scripts, JpfScenario.bug(args)));
    }
}
