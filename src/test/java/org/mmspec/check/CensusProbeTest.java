package org.mmspec.check;

import org.junit.jupiter.api.Test;

class CensusProbeTest {
    @Test
    void probe() {
        for (StateMachine<?> m : java.util.List.<StateMachine<?>>of(org.mmspec.frames.FrameMachines.bitmap(),
                org.mmspec.frames.FrameMachines.buddy(), org.mmspec.frames.FrameMachines.hybrid(),
                new org.mmspec.zones.ZoneStateMachine(), new org.mmspec.numa.NumaStateMachine(),
                new org.mmspec.paging.PagingMachine(org.mmspec.paging.x86_64.X86_64Pte.FORMAT),
                new org.mmspec.paging.PagingMachine(org.mmspec.paging.riscv.RiscvPte.SV39),
                new org.mmspec.vm.VmStateMachine(), org.mmspec.heap.HeapSuites.plain())) {
            System.out.println("CENSUS " + m.name() + " " + RejectionCensus.describe(RejectionCensus.run(m, 1, 20, 60)));
        }
    }
}
