package org.mmspec.paging;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.function.Supplier;

import org.mmspec.check.StateCodec;
import org.mmspec.frames.FrameRange;
import org.mmspec.frames.ReferenceFrameAllocator;

/**
 * Writes a state of {@link PagingModels}: a {@link PageMapper} over its own memory, reference
 * allocator and (when modelled) paging-structure caches. Layout: the memory's frames (non-zero
 * words only), the allocator's free frames and live runs, a presence byte and the caches' entries,
 * then the mapper's table frames. Format, roots and seeded bug are the configuration's: a state
 * is read as a copy of the configuration's initial mapper over the memory, allocator and caches
 * read.
 */
final class PagingCodec implements StateCodec<PageMapper> {
    private final Supplier<PageMapper> template;
    private final FrameRange managed;
    private volatile PageMapper initial;

    PagingCodec(Supplier<PageMapper> template, FrameRange managed) {
        this.template = template;
        this.managed = managed;
    }

    @Override
    public void write(PageMapper m, DataOutput out) throws IOException {
        m.memory().write(out);
        ((ReferenceFrameAllocator) m.allocator()).writeState(out);
        boolean cached = m.tlbSink() instanceof PagingStructureCaches;
        out.writeBoolean(cached);
        if (cached) {
            ((PagingStructureCaches) m.tlbSink()).write(out);
        }
        m.writeTables(out);
    }

    @Override
    public PageMapper read(DataInput in) throws IOException {
        PageMapper t = initial;
        if (t == null) {
            t = template.get();
            initial = t;
        }
        PhysicalMemory memory = PhysicalMemory.read(in);
        ReferenceFrameAllocator allocator = new ReferenceFrameAllocator(managed);
        allocator.readState(in);
        TlbFlushSink sink = TlbFlushSink.NONE;
        if (in.readBoolean()) {
            PagingStructureCaches caches = new PagingStructureCaches(TlbFlushSink.NONE, memory);
            caches.read(in);
            sink = caches;
        }
        PageMapper m = t.copy(memory, allocator, sink);
        m.readTables(in);
        return m;
    }
}
