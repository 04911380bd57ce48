package org.mmspec.fault;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.mmspec.check.Violation;
import org.mmspec.vm.AddressSpace;
import org.mmspec.vm.Layout;
import org.mmspec.vm.MapFlags;
import org.mmspec.vm.Prot;
import org.mmspec.vm.Pte;
import org.mmspec.vm.UserAddr;
import org.mmspec.vm.Vma;
import org.mmspec.vm.VmSystem;

/** Negative tests of the fault postconditions, and a positive one for each fault type. */
class FaultInvariantsTest {
    private final VmSystem sys = VmSystem.of(Layout.small(32), 16);
    private final AddressSpace as = sys.space(0);

    private java.util.List<String> broken(Map<Long, Pte> before, long page, Access a) {
        return FaultInvariants.ALL.violations(new FaultInvariants.FaultStep(before, as, page, a)).stream()
                .map(Violation::invariantId).toList();
    }

    @Test
    void resolvedFaultsSatisfyBoth() {
        as.mmap(UserAddr.ofPage(10), 2 * Vma.PAGE_SIZE, Prot.RW, MapFlags.PRIVATE_ANON_FIXED, null, 0);
        for (Access a : new Access[] {Access.READ, Access.WRITE}) {
            Map<Long, Pte> before = FaultInvariants.FaultStep.snapshot(as);
            PageFaultHandler.access(as, FaultAddr.ofPage(10), a);
            assertThat(broken(before, 10, a)).isEmpty();
        }
    }

    @Test
    void FAULT_1_catchesAFaultThatLeavesTheAccessDenied() {
        as.mmap(UserAddr.ofPage(10), Vma.PAGE_SIZE, Prot.RW, MapFlags.PRIVATE_ANON_FIXED, null, 0);
        Map<Long, Pte> before = FaultInvariants.FaultStep.snapshot(as);
        // A handler that returned without mapping anything.
        assertThat(broken(before, 10, Access.READ)).containsExactly("FAULT-1");
    }

    @Test
    void FAULT_2_catchesAFaultThatTouchesAnotherPage() {
        as.mmap(UserAddr.ofPage(10), 2 * Vma.PAGE_SIZE, Prot.RW, MapFlags.PRIVATE_ANON_FIXED, null, 0);
        Map<Long, Pte> before = FaultInvariants.FaultStep.snapshot(as);
        PageFaultHandler.access(as, FaultAddr.ofPage(10), Access.READ);
        PageFaultHandler.access(as, FaultAddr.ofPage(11), Access.READ); // as if one fault had mapped two pages
        assertThat(broken(before, 10, Access.READ)).containsExactly("FAULT-2");
    }
}
