package org.mmspec.tlb;

/**
 * The frame allocator as the shootdown sees it, an immutable value: each frame is in use, free
 * (the allocator may hand it out at any moment, so no TLB may still reach it), or deferred on the
 * lazy deferred-free list with the generation it was deferred at.
 *
 * <p>Encoding: frame {@code f} occupies the 4 bits {@code [4f, 4f+4)} of an {@code int}: the low
 * two bits are the {@link #IN_USE}/{@link #FREE}/{@link #DEFERRED} state, the high two the
 * generation tag (only meaningful when deferred). Up to {@link #MAX_FRAMES} frames.
 */
public final class FrameTable {
    /** Most frames; matches the abstract PTE's frame field. */
    public static final int MAX_FRAMES = 8;
    /** Mapped somewhere, or otherwise owned. */
    public static final int IN_USE = 0;
    /** On the allocator's free list. */
    public static final int FREE = 1;
    /** On the lazy deferred-free list. */
    public static final int DEFERRED = 2;
    /** Largest generation tag. */
    public static final int MAX_GEN = 3;

    private final int frames;
    private final int bits;

    private FrameTable(int frames, int bits) {
        this.frames = frames;
        this.bits = bits;
    }

    /** {@code frames} frames, all in use except those in {@code freeMask}. */
    public static FrameTable of(int frames, int freeMask) {
        if (frames < 1 || frames > MAX_FRAMES) {
            throw new IllegalArgumentException("frames must be 1.." + MAX_FRAMES);
        }
        int b = 0;
        for (int f = 0; f < frames; f++) {
            if ((freeMask >>> f & 1) != 0) {
                b |= FREE << (4 * f);
            }
        }
        return new FrameTable(frames, b);
    }

    public int frames() {
        return frames;
    }

    public int state(int frame) {
        return bits >>> (4 * frame) & 3;
    }

    public int tag(int frame) {
        return bits >>> (4 * frame + 2) & 3;
    }

    public boolean free(int frame) {
        return state(frame) == FREE;
    }

    public boolean deferred(int frame) {
        return state(frame) == DEFERRED;
    }

    private FrameTable set(int frame, int state, int tag) {
        int shift = 4 * frame;
        return new FrameTable(frames, (bits & ~(0xF << shift)) | ((state | tag << 2) << shift));
    }

    /** Frames in {@code mask} go to the free list (frame bit set). */
    public FrameTable release(int mask) {
        FrameTable t = this;
        for (int f = 0; f < frames; f++) {
            if ((mask >>> f & 1) != 0) {
                t = t.set(f, FREE, 0);
            }
        }
        return t;
    }

    /** Frames in {@code mask} go to the deferred-free list with generation {@code gen}. */
    public FrameTable defer(int mask, int gen) {
        if (gen > MAX_GEN) {
            throw new IllegalStateException("generation " + gen + " exceeds the model's " + MAX_GEN);
        }
        FrameTable t = this;
        for (int f = 0; f < frames; f++) {
            if ((mask >>> f & 1) != 0) {
                t = t.set(f, DEFERRED, gen);
            }
        }
        return t;
    }

    /** The lowest free frame, or -1. */
    public int lowestFree() {
        for (int f = 0; f < frames; f++) {
            if (free(f)) {
                return f;
            }
        }
        return -1;
    }

    public FrameTable allocate(int frame) {
        if (!free(frame)) {
            throw new IllegalStateException("frame " + frame + " is not free");
        }
        return set(frame, IN_USE, 0);
    }

    public int encoded() {
        return bits;
    }

    /** The table whose {@link #encoded()} form is {@code encoded}. */
    public static FrameTable decode(int frames, int encoded) {
        return new FrameTable(of(frames, 0).frames, encoded);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FrameTable t && t.frames == frames && t.bits == bits;
    }

    @Override
    public int hashCode() {
        return bits * 31 + frames;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("frames{");
        for (int f = 0; f < frames; f++) {
            sb.append(f == 0 ? "" : ", ").append('f').append(f).append(' ');
            switch (state(f)) {
                case IN_USE -> sb.append("used");
                case FREE -> sb.append("FREE");
                default -> sb.append("deferred@").append(tag(f));
            }
        }
        return sb.append('}').toString();
    }
}
