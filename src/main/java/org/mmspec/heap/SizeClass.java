package org.mmspec.heap;

import org.mmspec.frames.PhysFrame;

/**
 * The twelve slab size classes of the seed's {@code SlabAllocator { slabs: [Slab; 12] }}: 8 B,
 * 16 B, ... 16 KiB, each a power of two.
 *
 * <p>Slab geometry, fixed per class: a slab spans {@link #slabFrames()} =
 * {@code max(1, 2 * bytes / 4096)} frames, so a slab holds {@code max(4096 / bytes, 2)}
 * objects: 512 objects of 8 B in one frame, 2 objects of 2 KiB in one frame, 2 objects of 16 KiB
 * in 8 frames. Object {@code i} of a slab starts at {@code base + i * bytes}, and {@code base} is
 * a multiple of {@code bytes}, so every object is aligned to its class (SLAB-2).
 */
public enum SizeClass {
    B8, B16, B32, B64, B128, B256, B512, B1K, B2K, B4K, B8K, B16K;

    /** The smallest class, 8 bytes. */
    public static final long MIN_BYTES = 8;
    /** The largest class, 16 KiB; larger requests go to the LinkedListAllocator. */
    public static final long MAX_BYTES = 16 * 1024;
    /** The fewest objects a slab holds, so that even the 16 KiB class shares a slab. */
    public static final int MIN_OBJECTS_PER_SLAB = 2;

    private static final SizeClass[] ALL = values();

    /** The object size in bytes: {@code 8 << ordinal}. */
    public long bytes() {
        return MIN_BYTES << ordinal();
    }

    /** Frames one slab of this class spans. */
    public int slabFrames() {
        return (int) Math.max(1, MIN_OBJECTS_PER_SLAB * bytes() / PhysFrame.SIZE);
    }

    /** Objects one slab of this class holds. */
    public int objectsPerSlab() {
        return (int) (slabFrames() * PhysFrame.SIZE / bytes());
    }

    /** How many frames the slab base must be aligned to so that objects align to the class. */
    public int alignFrames() {
        return (int) Math.max(1, bytes() / PhysFrame.SIZE);
    }

    /** The smallest class holding {@code bytes} bytes, or {@code null} above 16 KiB or below 1. */
    public static SizeClass fitting(long bytes) {
        if (bytes < 1 || bytes > MAX_BYTES) {
            return null;
        }
        for (SizeClass c : ALL) {
            if (c.bytes() >= bytes) {
                return c;
            }
        }
        return null;
    }

    /** The class of exactly {@code bytes} bytes, or {@code null}. */
    public static SizeClass ofBytes(long bytes) {
        SizeClass c = fitting(bytes);
        return c != null && c.bytes() == bytes ? c : null;
    }

    /** Readable size, e.g. {@code 2K}. */
    public String label() {
        long b = bytes();
        return b >= 1024 ? (b / 1024) + "K" : String.valueOf(b);
    }
}
