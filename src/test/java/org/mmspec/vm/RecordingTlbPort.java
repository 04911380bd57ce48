package org.mmspec.vm;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.mmspec.frames.FrameAllocator;
import org.mmspec.frames.FrameRange;
import org.mmspec.frames.PhysFrame;
import org.mmspec.paging.TlbFlush;

/**
 * A {@link TlbPort} for tests: frees at once, as {@link TlbPort#DIRECT} does, and records each
 * flush as {@code "<reason> <first page> <bytes>"} (the page number, not the address) in
 * {@link #flushes}, in the order the address space asked for them.
 */
final class RecordingTlbPort implements TlbPort {
    final List<String> flushes = new ArrayList<>();

    @Override
    public void flush(AddressSpace space, TlbFlush flush) {
        flushes.add(flush.reason() + " " + (flush.start().value() >>> Vma.PAGE_SHIFT) + " " + flush.bytes());
    }

    @Override
    public void freeTable(AddressSpace space, FrameRange run, FrameAllocator allocator) {
        TlbPort.DIRECT.freeTable(space, run, allocator);
    }

    @Override
    public void freeFrame(PhysFrame frame, FrameAllocator allocator) {
        TlbPort.DIRECT.freeFrame(frame, allocator);
    }

    @Override
    public Set<Long> withheld() {
        return TlbPort.DIRECT.withheld();
    }
}
