package org.mmspec.vm;

import java.util.SplittableRandom;

/**
 * Address space layout randomization: a {@link Layout} whose mmap base, stack top and heap start
 * are shifted by seeded random page offsets. The entropy is Linux x86_64's default:
 * {@value #MMAP_BITS} bits for the mmap base ({@code mmap_rnd_bits}), {@value #STACK_BITS} bits
 * of pages for the stack ({@code STACK_RND_MASK = 0x3fffff}) and {@value #HEAP_BITS} bits of pages
 * for the heap ({@code randomize_brk} over 32 MiB). The same seed always gives the same layout.
 */
public final class Aslr {
    /** Random bits of the mmap base, in pages (Linux {@code mmap_rnd_bits} default). */
    public static final int MMAP_BITS = 28;
    /** Random bits of the stack top, in pages (Linux {@code STACK_RND_MASK}). */
    public static final int STACK_BITS = 22;
    /** Random bits of the heap start, in pages (32 MiB / 4 KiB). */
    public static final int HEAP_BITS = 13;

    private Aslr() {
    }

    /**
     * The randomized Linux x86_64 layout for {@code seed}. The stack top moves down by up to
     * {@code 2^22} pages; the mmap base sits below the stack's reserved gap (stack limit, guard
     * gap and the stack's random range) and moves down by up to {@code 2^28} pages; the heap
     * starts up to {@code 2^13} pages above its unrandomized start.
     */
    public static Layout randomize(Layout base, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        long stackShift = r.nextLong(1L << STACK_BITS);
        long mmapShift = r.nextLong(1L << MMAP_BITS);
        long heapShift = r.nextLong(1L << HEAP_BITS);
        long stackTop = base.stackTop() - stackShift;
        long gap = base.stackLimitPages() + base.guardGapPages() + (1L << STACK_BITS);
        long mmapBase = base.topPage() - gap - mmapShift;
        return new Layout(base.minPage(), base.topPage(), mmapBase, base.legacyBase(), stackTop,
                base.stackInitialPages(), base.stackLimitPages(), base.guardGapPages(),
                base.startBrkPage() + heapShift, base.brkLimitPages());
    }
}
