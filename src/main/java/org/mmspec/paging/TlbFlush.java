package org.mmspec.paging;

/**
 * One TLB invalidation the PageMapper asks for after changing an entry, in the seed's
 * {@code TlbShootdown} terms: the pages whose cached translations may now be stale.
 *
 * @param start first byte of the affected range
 * @param bytes length of the range (a page, a huge page, or the span a freed table covered)
 * @param reason why the cached translation is stale
 */
public record TlbFlush(VirtAddr start, long bytes, Reason reason) {
    /** {@link #bytes()} of a full flush: the whole address space (2^64 - 1 read as unsigned). */
    public static final long EVERYTHING = -1L;

    /** Whether this flush covers the whole address space (the seed's "Full" shootdown mode). */
    public boolean full() {
        return bytes == EVERYTHING;
    }

    /** What changed. */
    public enum Reason {
        /** A leaf was cleared: the page no longer translates. */
        UNMAP,
        /** A leaf's permissions changed (mprotect, copy-on-write). */
        PROTECT,
        /**
         * A leaf now maps another frame (a copy-on-write break): the old frame must not be reached
         * once it is freed.
         */
        REMAP,
        /** A huge leaf was replaced by a table of smaller leaves with the same translation. */
        SPLIT,
        /**
         * An intermediate table was unlinked and is about to go back to the frame allocator;
         * paging-structure caches that still point at it must be dropped first.
         */
        TABLE_FREED
    }

    @Override
    public String toString() {
        return full() ? reason + " (full flush)" : reason + " " + start + "+0x" + Long.toHexString(bytes);
    }
}
