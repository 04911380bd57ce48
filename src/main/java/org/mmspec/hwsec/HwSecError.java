package org.mmspec.hwsec;

import org.mmspec.check.KindedException;

/**
 * A rejected request of the hardware-security component (shadow stacks, linear address masking,
 * confidential memory). Every rejection leaves the state exactly as it was.
 */
public final class HwSecError extends KindedException {
    private static final long serialVersionUID = 1L;

    /** Why a request was rejected. */
    public enum Kind {
        /** A page outside the modelled user range, or an unknown CPU or process. */
        OUT_OF_RANGE,
        /** The page already belongs to an area (map_shadow_stack and mmap do not replace). */
        EXISTS,
        /** No area at the page. */
        NOT_MAPPED,
        /** mprotect on a shadow-stack area, or mprotect asking for shadow stack (EINVAL). */
        SHADOW_STACK_PROT,
        /** The access faults and the fault handler cannot resolve it: SIGSEGV (or #GP for a bad pointer). */
        SEGV,
        /** No frame left. */
        OUT_OF_MEMORY,
        /** LAM is already enabled on this address space (EBUSY) or the mode is not offered. */
        MODE_LOCKED,
        /** A conversion of a page that must keep its state (DMA buffer, kernel data, page table). */
        NOT_CONVERTIBLE,
        /** A conversion step out of protocol order, or a second conversion while one is in progress. */
        PROTOCOL
    }

    public HwSecError(Kind kind, String format, Object... args) {
        super(kind, format, args);
    }

    public static HwSecError of(Kind kind, String format, Object... args) {
        return new HwSecError(kind, format, args);
    }

    @Override
    public Kind errorKind() {
        return (Kind) super.errorKind();
    }
}
