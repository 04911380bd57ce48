package org.mmspec.tlb;

import org.mmspec.check.KindedException;

/** A rejected shootdown request. Nothing was sent and no state changed. */
public final class TlbError extends KindedException {
    private static final long serialVersionUID = 1L;

    /** Why a request was rejected. */
    public enum Kind {
        /** A request with no pages. */
        NO_PAGES,
        /** A CPU number outside the machine, or an initiator inside its own mask. */
        BAD_CPU,
        /** A page outside the page table. */
        BAD_PAGE,
        /** A range request over non-contiguous pages. */
        NOT_CONTIGUOUS
    }

    public TlbError(Kind kind, String format, Object... args) {
        super(kind, format, args);
    }

    public static TlbError of(Kind kind, String format, Object... args) {
        return new TlbError(kind, format, args);
    }

    @Override
    public Kind errorKind() {
        return (Kind) super.errorKind();
    }
}
