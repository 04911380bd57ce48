package org.mmspec.tlb;

/**
 * The narrow interface the address-space code ({@code org.mmspec.vm}) calls for every operation
 * that removes or narrows a translation: munmap, an mprotect downgrade, a copy-on-write break,
 * and page-table reclaim.
 *
 * <p>Contract, the protocol's steps 1 and 5 on the caller's side:
 * <ol>
 * <li>Before calling, the caller has already written the PTEs (step 1) under its page-table lock.</li>
 * <li>{@link #shootdown} sends the IPIs, invalidates locally, and returns only once every CPU in
 *     the mask has invalidated and acknowledged (steps 2-4). While it waits the calling CPU keeps
 *     serving IPIs from other initiators.</li>
 * <li>Only after it returns may the caller free the frames (or the page-table frame), and only
 *     then may munmap or mprotect return (step 5). In lazy mode the caller instead hands the
 *     frames to {@link #deferFree} and returns at once.</li>
 * </ol>
 * A rejected request ({@link TlbError}) sends nothing and changes nothing.
 */
public interface ShootdownService {

    /** What a completed shootdown did, and what it cost under the configured {@link CostModel}. */
    final class Receipt {
        private final TlbShootdown request;
        private final long modelledNanos;

        public Receipt(TlbShootdown request, long modelledNanos) {
            this.request = request;
            this.modelledNanos = modelledNanos;
        }

        public TlbShootdown request() {
            return request;
        }

        public long modelledNanos() {
            return modelledNanos;
        }

        @Override
        public String toString() {
            return request + " acknowledged, modelled cost " + modelledNanos + " ns";
        }
    }

    /** Steps 2-4 for CPU {@code initiator}; returns once every target acknowledged. */
    Receipt shootdown(int initiator, TlbShootdown request) throws TlbError;

    /** Lazy mode: puts frames (a frame bit set) on the deferred-free list under a new generation. */
    void deferFree(int initiator, int frames);
}
