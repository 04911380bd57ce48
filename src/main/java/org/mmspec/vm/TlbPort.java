package org.mmspec.vm;

import java.util.Set;

import org.mmspec.frames.FrameAllocator;
import org.mmspec.frames.FrameRange;
import org.mmspec.frames.PhysFrame;
import org.mmspec.paging.TlbFlush;

/**
 * Where the address spaces of one machine send TLB invalidations and freed frames: the seam
 * between {@code org.mmspec.vm} and the TLB shootdown ({@code org.mmspec.tlb.smp.SmpMachine}).
 *
 * <p>Contract (steps 1 and 5 of the shootdown, {@code spec/tlb.md} §7): every PTE change that
 * removes or narrows a translation is reported through {@link #flush} after the PTE was written;
 * every frame whose last user reference went ({@link #freeFrame}) and every page-table frame a
 * {@code PageMapper} unlinked ({@link #freeTable}) is handed to the port instead of the allocator.
 * The port returns a frame to the allocator only once no CPU's TLB can still reach it: after its
 * shootdown was acknowledged, or, in lazy mode, after every CPU caught up with its generation.
 * {@link #withheld} names the frames the port holds back meanwhile, so that the frame accounting
 * (XLAYER-2) still balances.
 *
 * <p>{@link #DIRECT} is the single-CPU port without a TLB model: flushes go nowhere and frames go
 * back at once. A {@link FrameTable} uses it until a machine attaches itself.
 */
public interface TlbPort {

    /** The translations of {@code space} described by {@code flush} may be stale on some CPU. */
    void flush(AddressSpace space, TlbFlush flush);

    /** A page-table frame run of {@code space} was unlinked; free it once no walker can reach it. */
    void freeTable(AddressSpace space, FrameRange run, FrameAllocator allocator);

    /** The last reference to a user frame went; free it once no TLB can reach it. */
    void freeFrame(PhysFrame frame, FrameAllocator allocator);

    /** Frame numbers handed to the port but not yet returned to the allocator. */
    Set<Long> withheld();

    /** One CPU, no TLB model: nothing to invalidate, frames go back at once. */
    TlbPort DIRECT = new TlbPort() {
        @Override
        public void flush(AddressSpace space, TlbFlush flush) {
        }

        @Override
        public void freeTable(AddressSpace space, FrameRange run, FrameAllocator allocator) {
            allocator.free(run);
        }

        @Override
        public void freeFrame(PhysFrame frame, FrameAllocator allocator) {
            allocator.free(frame);
        }

        @Override
        public Set<Long> withheld() {
            return Set.of();
        }

        @Override
        public String toString() {
            return "TlbPort.DIRECT";
        }
    };
}
