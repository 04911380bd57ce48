package org.mmspec.heap;

import org.mmspec.check.KindedException;

/**
 * A rejected heap operation. The heap, its per-CPU caches, the frame allocator behind it and the
 * heap's memory contents are exactly as they were before the call (ATOMIC-1).
 */
public final class HeapError extends KindedException {
    private static final long serialVersionUID = 1L;

    /** Why a heap operation was rejected; {@code spec/heap.md} gives the precedence. */
    public enum Kind {
        /** A request for zero bytes. */
        ZERO_SIZE,
        /** A request larger than {@link SlabAllocator#MAX_ALLOCATION}. */
        TOO_LARGE,
        /** No cached object, no free slab object and no frames for a new slab or arena. */
        OUT_OF_MEMORY,
        /** The address is the start of a slab object that is free or cached, or lies in a free large block. */
        DOUBLE_FREE,
        /** The address lies inside a live allocation but is not its start. */
        INTERIOR_POINTER,
        /** The address is the start of a live allocation, but the size given maps to another class or block size. */
        SIZE_MISMATCH,
        /** The address lies in no memory the heap holds, or inside a slot that is not live. */
        NOT_ALLOCATED,
        /** The CPU number is not one of the configured CPUs. */
        BAD_CPU,
        /** With red zones on: the object's red zone was overwritten, so the free is refused and reported. */
        RED_ZONE_CORRUPTED
    }

    public HeapError(Kind kind, String format, Object... args) {
        super(kind, format, args);
    }

    public static HeapError of(Kind kind, String format, Object... args) {
        return new HeapError(kind, format, args);
    }

    @Override
    public Kind errorKind() {
        return (Kind) super.errorKind();
    }
}
