package org.mmspec.hwsec.aarch64;

import java.util.Map;
import java.util.TreeMap;

import org.mmspec.heap.Allocation;
import org.mmspec.heap.Bug;
import org.mmspec.heap.HeapAddr;
import org.mmspec.heap.HeapConfig;
import org.mmspec.heap.HeapState;

/**
 * The kernel heap ({@link org.mmspec.heap.SlabAllocator}) with MTE use-after-free detection, the
 * opt-in hardware-tag mode of Linux's KASAN: every allocation gets a logical tag, its granules get
 * that allocation tag, every access and free through a tagged reference is tag-checked
 * (synchronously), and a free re-tags the block's granules so a stale reference faults.
 *
 * <p>Encoding: {@code heap} is an unmodified slab allocator; {@code tags} maps each heap granule
 * (heap offset / 16) that has ever been allocated to its allocation tag. A {@link TaggedRef} is
 * a heap address with its logical tag (the model keeps the tag beside the address: with TBI1 off,
 * see {@link TopByteIgnore}, the kernel's own pointers carry no top byte, so this stands for
 * what a TBI1 kernel would keep in bits 59:56).
 *
 * <p>Tag choice: a new allocation takes the first tag, counting up (mod 16) from one past the
 * highest last tag of its granules, that is not {@link #FREED_TAG} and not the last tag of any of
 * its granules, so a block reused by one size class cycles through 15 tags and a stale reference
 * of any of the last 14 generations faults (GCR_EL1.Exclude in the IRG instruction plays this role on
 * hardware); a free sets the block's granules to {@link #FREED_TAG}, which no allocation carries.
 * Ghost: {@code ghostFreedTag} holds, per granule, the tag of the last freed allocation that
 * covered it; MTE-4 says the granule's tag never equals it.
 */
public final class MteSlab {
    /** The tag of freed granules (Linux's KASAN_TAG_INVALID, 0xFE, in four bits). */
    public static final int FREED_TAG = 0xE;

    /** Seeded bugs, each caught by MTE-4. */
    public enum SlabBug {
        NONE,
        /** free leaves the allocation's tag on its granules. */
        FREE_KEEPS_TAG,
        /** allocate re-uses the granule's previous tag (no exclusion). */
        REUSE_OLD_TAG
    }

    /** A tagged reference to a heap allocation. */
    public record TaggedRef(HeapAddr addr, AllocationTag tag) {
        @Override
        public String toString() {
            return addr + "/" + tag;
        }
    }

    final HeapState heap;
    final SlabBug bug;
    final TreeMap<Long, Integer> tags = new TreeMap<>();
    /** Ghost: per granule, the tag of the last freed allocation that covered it. */
    final TreeMap<Long, Integer> ghostFreedTag = new TreeMap<>();
    /** Previous tag of each granule at its last allocation, so a reallocation can exclude it. */
    final TreeMap<Long, Integer> lastAllocTag = new TreeMap<>();

    public MteSlab(int frames, HeapConfig config, SlabBug bug) {
        this(HeapState.fresh(frames, config, Bug.NONE), bug);
    }

    private MteSlab(HeapState heap, SlabBug bug) {
        this.heap = heap;
        this.bug = bug;
    }

    public MteSlab copy() {
        MteSlab m = new MteSlab(heap.copy(), bug);
        m.tags.putAll(tags);
        m.ghostFreedTag.putAll(ghostFreedTag);
        m.lastAllocTag.putAll(lastAllocTag);
        return m;
    }

    /** Allocates {@code size} bytes on {@code cpu} and tags them. Errors: the heap's, or TAGS_EXHAUSTED (nothing changes). */
    public TaggedRef allocate(int cpu, long size) {
        HeapAddr a = heap.heap().allocate(cpu, granuleRounded(size));
        Allocation alloc = heap.heap().allocationAt(a);
        long first = a.offset() / AllocationTag.GRANULE_BYTES;
        long end = first + granules(alloc.blockBytes());
        int start = 0;
        for (long g = first; g < end && bug != SlabBug.REUSE_OLD_TAG; g++) {
            start = Math.max(start, lastAllocTag.getOrDefault(g, -1) + 1);
        }
        int chosen = -1;
        for (int i = 0; i < AllocationTag.TAGS && chosen < 0; i++) {
            int t = (start + i) % AllocationTag.TAGS;
            if (t == FREED_TAG) {
                continue;
            }
            boolean excluded = false;
            for (long g = first; g < end && !excluded; g++) {
                Integer prev = lastAllocTag.get(g);
                excluded = prev != null && prev == t && bug != SlabBug.REUSE_OLD_TAG;
            }
            chosen = excluded ? -1 : t;
        }
        if (chosen < 0) {
            heap.heap().free(cpu, a, granuleRounded(size));
            throw ArmSecError.of(ArmSecError.Kind.TAGS_EXHAUSTED, "every tag is excluded for the block at %s", a);
        }
        for (long g = first; g < end; g++) {
            tags.put(g, chosen);
            lastAllocTag.put(g, chosen);
        }
        return new TaggedRef(a, AllocationTag.of(chosen));
    }

    /** A synchronous tag-checked access to byte {@code offset} of {@code ref}'s allocation. */
    public void access(TaggedRef ref, long offset) {
        long g = (ref.addr().offset() + offset) / AllocationTag.GRANULE_BYTES;
        int t = tagOfGranule(g);
        if (t != ref.tag().value()) {
            throw ArmSecError.of(ArmSecError.Kind.TAG_CHECK_FAULT, "access through %s+%d: granule has %s (use after free?)", ref, offset,
                    AllocationTag.of(t));
        }
    }

    /** Frees {@code ref} after a tag check (a stale or double free faults), and re-tags its granules. */
    public void free(int cpu, TaggedRef ref, long size) {
        access(ref, 0);
        Allocation alloc = heap.heap().allocationAt(ref.addr());
        if (alloc == null) {
            throw ArmSecError.of(ArmSecError.Kind.NOT_ALLOCATED, "%s is not a live allocation", ref);
        }
        long block = alloc.blockBytes();
        heap.heap().free(cpu, ref.addr(), granuleRounded(size));
        long first = ref.addr().offset() / AllocationTag.GRANULE_BYTES;
        for (long g = first; g < first + granules(block); g++) {
            ghostFreedTag.put(g, ref.tag().value());
            if (bug != SlabBug.FREE_KEEPS_TAG) {
                tags.put(g, FREED_TAG);
            }
        }
    }

    /** The allocation tag of heap granule {@code g} (0 for memory never allocated). */
    public int tagOfGranule(long g) {
        return tags.getOrDefault(g, 0);
    }

    public HeapState heapState() {
        return heap;
    }

    /**
     * A request rounded up to whole 16-byte granules, so no two objects share a granule (their tags
     * would collide): the 8-byte size class is never used with tagging on, as KASAN's hardware-tag
     * mode raises the kmalloc minimum alignment to the granule.
     */
    static long granuleRounded(long size) {
        return size <= 0 ? size : granules(size) * AllocationTag.GRANULE_BYTES;
    }

    private static long granules(long bytes) {
        return (bytes + AllocationTag.GRANULE_BYTES - 1) / AllocationTag.GRANULE_BYTES;
    }

    public String key() {
        return heap.heap().stateKey() + "|" + tags + "|" + ghostFreedTag + "|" + lastAllocTag;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("live{");
        for (Allocation a : heap.heap().liveAllocations()) {
            sb.append(' ').append(a.addr()).append('/').append(AllocationTag.of(tagOfGranule(a.addr().offset() / AllocationTag.GRANULE_BYTES)));
        }
        sb.append(" } tags{");
        for (Map.Entry<Long, Integer> e : tags.entrySet()) {
            sb.append(String.format(" 0x%x:%x", e.getKey() * AllocationTag.GRANULE_BYTES, e.getValue()));
        }
        return sb.append(" }").toString();
    }
}
