package org.mmspec.fault;

import org.mmspec.check.KindedException;

/**
 * The seed's {@code Error::SegmentationFault}: an access the address space does not allow. The
 * address space is unchanged (the process would receive SIGSEGV).
 */
public final class SegmentationFault extends KindedException {
    private static final long serialVersionUID = 1L;

    /** Why the access is invalid; the first two are Linux's {@code si_code}s. */
    public enum Kind {
        /** SEGV_MAPERR: no area covers the address, and it is not stack growth. */
        MAPERR,
        /** SEGV_ACCERR: an area covers it but does not allow this access (protection fault). */
        ACCERR,
        /** Below a stack, but past the stack limit. */
        STACK_LIMIT,
        /** Below a stack, but growing there would come within the guard gap of another area. */
        GUARD_GAP,
        /** A user access to a kernel address. */
        KERNEL_ADDRESS,
        /** A non-canonical address (a general-protection fault on real hardware). */
        NON_CANONICAL
    }

    public SegmentationFault(Kind kind, String format, Object... args) {
        super(kind, format, args);
    }

    public static SegmentationFault of(Kind kind, String format, Object... args) {
        return new SegmentationFault(kind, format, args);
    }

    @Override
    public Kind errorKind() {
        return (Kind) super.errorKind();
    }

    /** The seed's name for {@link #errorKind()}. */
    public Kind faultKind() {
        return errorKind();
    }
}
