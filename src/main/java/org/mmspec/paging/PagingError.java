package org.mmspec.paging;

import org.mmspec.check.KindedException;

/**
 * A rejected page-table operation. The page tables, the frame allocator and simulated physical
 * memory are exactly as they were before the call, and no TLB flush was requested.
 *
 * <p>Checks run in a fixed order, so that a reader (and the model) can predict which error a
 * request with several faults gets: the address ({@code NON_CANONICAL}, {@code UNSUPPORTED_SIZE},
 * {@code MISALIGNED}), then the flags ({@code INVALID_FLAGS}, {@code WX_VIOLATION}), then the
 * tree ({@code ALREADY_MAPPED}, {@code NOT_MAPPED}, {@code SIZE_MISMATCH}, {@code MALFORMED_ENTRY}),
 * and last the frames for new tables ({@code OUT_OF_MEMORY}).
 */
public final class PagingError extends KindedException {
    private static final long serialVersionUID = 1L;

    /** Why a paging operation was rejected. */
    public enum Kind {
        /** The virtual address is not canonical for the format (48-bit, or 39-bit for Sv39). */
        NON_CANONICAL,
        /** The format has no leaf of the requested page size. */
        UNSUPPORTED_SIZE,
        /** A virtual or physical address is not aligned to the page size. */
        MISALIGNED,
        /** The flags lack PRESENT, or name a bit the format cannot encode. */
        INVALID_FLAGS,
        /** W^X: the request would make a page both writable and executable. */
        WX_VIOLATION,
        /** Part of the range is already mapped (by a leaf of any size). */
        ALREADY_MAPPED,
        /** Nothing is mapped at the address. */
        NOT_MAPPED,
        /** The range is mapped by smaller leaves than the page named. */
        SIZE_MISMATCH,
        /** The walk met an entry the hardware would fault on (a reserved encoding). */
        MALFORMED_ENTRY,
        /** The frame allocator could not supply a frame for a new page table. */
        OUT_OF_MEMORY,
        /**
         * A kernel-image page would get a right its section in the W^X section table does not have
         * (write to .text or .rodata, execute from .rodata, .data or .bss): {@link KernelImage#setMemory}.
         */
        PROTECTED_SECTION
    }

    public PagingError(Kind kind, String format, Object... args) {
        super(kind, format, args);
    }

    public static PagingError of(Kind kind, String format, Object... args) {
        return new PagingError(kind, format, args);
    }

    @Override
    public Kind errorKind() {
        return (Kind) super.errorKind();
    }
}
