package org.mmspec.fault;

import static org.mmspec.check.Invariant.broken;
import static org.mmspec.check.Invariant.holds;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import org.mmspec.check.Invariant;
import org.mmspec.check.InvariantSet;
import org.mmspec.vm.AddressSpace;
import org.mmspec.vm.Pte;

/**
 * Postconditions of a resolved page fault, stated over one fault step: the translations before,
 * the address space after, and the access. {@code spec/page-faults.md} defines each ID; the
 * stateful check of {@code org.mmspec.vm.VmStateMachine} evaluates them after every fault.
 */
public final class FaultInvariants {
    private FaultInvariants() {
    }

    /**
     * One resolved fault.
     *
     * @param before the translations before the fault (a copy)
     * @param after the address space after it
     * @param page the faulting page
     * @param access what faulted
     */
    public record FaultStep(Map<Long, Pte> before, AddressSpace after, long page, Access access) {
        /** Records the state before handling a fault at {@code page}. */
        public static Map<Long, Pte> snapshot(AddressSpace as) {
            return new TreeMap<>(as.translations());
        }
    }

    public static final Invariant<FaultStep> FAULT_1 = Invariant.of("FAULT-1",
            "after a resolved fault, the hardware walk of the real page-table bits permits the faulting access",
            f -> f.after().hardwareAllows(f.page(), switch (f.access()) {
                case READ -> org.mmspec.paging.Access.userRead();
                case WRITE -> org.mmspec.paging.Access.userWrite();
                case EXECUTE -> org.mmspec.paging.Access.userExecute();
            }) ? holds() : broken("page %d still faults on %s", f.page(), f.access()));

    public static final Invariant<FaultStep> FAULT_2 = Invariant.of("FAULT-2",
            "a resolved fault changes the translation of the faulting page only",
            f -> {
                TreeMap<Long, Pte> now = new TreeMap<>(f.after().translations());
                TreeMap<Long, Pte> was = new TreeMap<>(f.before());
                now.remove(f.page());
                was.remove(f.page());
                return Objects.equals(now, was) ? holds() : broken("other translations changed: %s -> %s", was, now);
            });

    public static final InvariantSet<FaultStep> ALL = InvariantSet.of("fault", FAULT_1, FAULT_2);
}
