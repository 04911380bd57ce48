package org.mmspec.paging;

import java.util.List;
import java.util.Optional;

import org.mmspec.frames.PhysAddr;

/**
 * The record of one hardware walk: every entry read, in order, and how the walk ended.
 *
 * @param va the address walked
 * @param steps the entries read, root first
 * @param translation the result, when the walk reached a leaf
 * @param fault why the walk stopped, when it did not
 */
public record Walk(VirtAddr va, List<StepRead> steps, Optional<Translation> translation, Optional<Fault> fault) {

    /**
     * One entry read.
     *
     * @param depth the depth of the table read
     * @param table the table's physical address
     * @param index the index into it
     * @param raw the 64 bits read
     * @param entry what they decode to
     */
    public record StepRead(int depth, PhysAddr table, int index, long raw, Entry entry) {
    }

    /** Why a walk or an access faults. */
    public enum FaultKind {
        /** The address is outside the format's canonical range (x86 #GP, RISC-V page fault). */
        NON_CANONICAL,
        /** An entry on the way was not present/valid (x86 #PF P=0, AArch64 translation fault). */
        NOT_PRESENT,
        /** An entry used a reserved encoding (x86 #PF RSVD=1, AArch64 translation fault, RISC-V page fault). */
        RESERVED,
        /** The effective permissions forbid the access (write to read-only, fetch from NX, user to kernel). */
        PROTECTION,
        /** AArch64 access flag clear, or RISC-V A clear / D clear on a write (no hardware A/D update). */
        ACCESS_STATE
    }

    /**
     * A fault.
     *
     * @param kind what kind
     * @param depth the depth where it happened (-1 for NON_CANONICAL)
     * @param reason a readable explanation
     */
    public record Fault(FaultKind kind, int depth, String reason) {
    }

    public boolean translated() {
        return translation.isPresent();
    }
}
