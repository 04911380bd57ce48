package org.mmspec.tlb;

import org.mmspec.check.MmException;

/** A rejected shootdown request. Nothing was sent and no state changed. */
public final class TlbError extends MmException {
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

    private final Kind kind;

    public TlbError(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public static TlbError of(Kind kind, String format, Object... args) {
        return new TlbError(kind, String.format(format, args));
    }

    public Kind errorKind() {
        return kind;
    }

    @Override
    public String kind() {
        return kind.name();
    }
}
