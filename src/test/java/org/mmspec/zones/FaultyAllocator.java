package org.mmspec.zones;

import java.util.ArrayList;
import java.util.List;

import org.mmspec.frames.FrameAllocator;
import org.mmspec.frames.FrameError;
import org.mmspec.frames.FrameRange;
import org.mmspec.frames.ReferenceFrameAllocator;

/**
 * A first-fit allocator (a {@link ReferenceFrameAllocator}) with one deliberate fault, for
 * showing that the zone and NUMA checks compare what they claim to compare: each fault breaks
 * exactly one thing the model-based machines check.
 */
public final class FaultyAllocator implements FrameAllocator {
    /** The fault. */
    public enum Fault {
        /** Refuses every allocation with OUT_OF_MEMORY. */
        REFUSE_ALLOCATION,
        /** Returns the first-fit run but also takes the next free frame for itself. */
        TAKE_EXTRA,
        /** Returns the highest aligned free run instead of the lowest. */
        LAST_FIT,
        /** Defers each free until the next allocation. */
        LAZY_FREE,
        /** Refuses every free with NOT_ALLOCATED. */
        REFUSE_FREE
    }

    private final FrameRange managed;
    private final ReferenceFrameAllocator inner;
    private final Fault fault;
    private final List<FrameRange> pending = new ArrayList<>();

    private FaultyAllocator(FrameRange managed, List<FrameRange> reserved, Fault fault) {
        this.managed = managed;
        this.inner = new ReferenceFrameAllocator(managed, reserved);
        this.fault = fault;
    }

    /** A factory of allocators with {@code fault}; journaling, so copies replay their calls. */
    public static AllocatorFactory factory(Fault fault) {
        return (managed, reserved) -> new FaultyAllocator(managed, reserved, fault);
    }

    @Override
    public FrameRange allocate(long count) {
        return allocate(count, ANY_ALIGNMENT);
    }

    @Override
    public FrameRange allocate(long count, long alignFrames) {
        if (fault == Fault.REFUSE_ALLOCATION) {
            throw FrameError.of(FrameError.Kind.OUT_OF_MEMORY, "refused");
        }
        pending.forEach(inner::free);
        pending.clear();
        if (fault == Fault.LAST_FIT) {
            for (long s = managed.endNumber() - count; s >= managed.start().number(); s--) {
                if (s % alignFrames == 0 && inner.isFree(s, count)) {
                    FrameRange r = FrameRange.of(s, count);
                    inner.take(r);
                    return r;
                }
            }
            throw FrameError.of(FrameError.Kind.OUT_OF_MEMORY, "no run");
        }
        FrameRange r = inner.allocate(count, alignFrames);
        if (fault == Fault.TAKE_EXTRA && inner.freeFrames() > 0) {
            inner.allocate(1);
        }
        return r;
    }

    @Override
    public void free(FrameRange run) {
        if (fault == Fault.REFUSE_FREE) {
            throw FrameError.of(FrameError.Kind.NOT_ALLOCATED, "refused");
        }
        if (fault == Fault.LAZY_FREE) {
            pending.add(run);
            return;
        }
        inner.free(run);
    }

    @Override
    public long freeFrames() {
        return inner.freeFrames();
    }

    @Override
    public long managedFrames() {
        return inner.managedFrames();
    }
}
