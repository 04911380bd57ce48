package org.mmspec.tlb.asid;

import org.mmspec.check.KindedException;

/** A rejected ASID-model operation. Nothing changed: no context, slot, PTE or TLB entry. */
public final class AsidError extends KindedException {
    private static final long serialVersionUID = 1L;

    /** Why an operation was rejected. */
    public enum Kind {
        /** A CPU number outside the machine. */
        BAD_CPU,
        /** An address-space number outside the configuration. */
        BAD_SPACE,
        /** A page outside the region. */
        BAD_PAGE,
        /** The CPU is not running a user address space (idle, or lazy in a kernel thread). */
        NOT_RUNNING,
        /** The CPU already runs that address space in user mode. */
        ALREADY_RUNNING,
        /** The operation would change nothing: the page is already unmapped, or already read-only. */
        NO_CHANGE,
        /** The configuration's scope is used up: its page-table operations, or its generations for a rollover. */
        SCOPE
    }

    public AsidError(Kind kind, String format, Object... args) {
        super(kind, format, args);
    }

    public static AsidError of(Kind kind, String format, Object... args) {
        return new AsidError(kind, format, args);
    }

    @Override
    public Kind errorKind() {
        return (Kind) super.errorKind();
    }
}
