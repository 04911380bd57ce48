package org.mmspec.paging;

import java.util.ArrayList;
import java.util.List;

import org.mmspec.frames.FrameAllocator;
import org.mmspec.frames.FrameRange;

/**
 * Where the PageMapper sends TLB invalidations (the seed's {@code tlb_shootdown} field). The TLB
 * component implements it with a real shootdown; the page-table model only needs the hook.
 *
 * <p>Contract: {@link #flush} is called after the entry changed and before any frame it released
 * (a freed table) returns to the frame allocator, and returns only once the invalidation is
 * complete on every CPU; the mapper therefore never hands out a frame a stale TLB entry can still
 * reach. A rejected operation calls it never.
 */
@FunctionalInterface
public interface TlbFlushSink {
    /** Invalidates stale translations for {@code flush}; returns when it is done everywhere. */
    void flush(TlbFlush flush);

    /**
     * Step 5 of the shootdown for a page-table frame the mapper unlinked: returns {@code run} to
     * {@code allocator}. The default frees at once, which is right for a sink whose {@link #flush}
     * completed the invalidation everywhere. A sink that batches invalidations (Linux's
     * {@code mmu_gather}) or defers them (lazy mode) holds the frames until its shootdown has been
     * acknowledged, or puts them on the deferred-free list ({@code org.mmspec.tlb.smp}).
     */
    default void freeTable(FrameRange run, FrameAllocator allocator) {
        allocator.free(run);
    }

    /** A sink that does nothing: a single CPU with no TLB model. */
    TlbFlushSink NONE = f -> {
    };

    /** A sink that records every flush, in order, for tests. */
    final class Recording implements TlbFlushSink {
        private final List<TlbFlush> flushes = new ArrayList<>();

        @Override
        public void flush(TlbFlush flush) {
            flushes.add(flush);
        }

        public List<TlbFlush> flushes() {
            return List.copyOf(flushes);
        }

        public void clear() {
            flushes.clear();
        }
    }
}
