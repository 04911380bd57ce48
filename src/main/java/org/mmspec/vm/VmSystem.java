package org.mmspec.vm;

import java.util.ArrayList;
import java.util.List;

import org.mmspec.frames.FrameRange;

/**
 * Everything the virtual-memory invariants speak about at once: the processes' address spaces
 * and the {@link FrameTable} they share. Cross-layer and copy-on-write invariants (XLAYER-n,
 * COW-n) need all of it, since fork makes frames shared between spaces.
 *
 * <p>Encoding: {@code spaces} lists the live address spaces, each built on {@code frames};
 * {@link #exit} tears a space down and removes it.
 */
public final class VmSystem {

    /** A seeded bug, for showing that each invariant and each model catches what it should. */
    public enum Bug {
        NONE,
        /** A fresh frame keeps its old contents (breaks SEC-1). */
        SKIP_ZEROING,
        /** fork leaves private pages writable in both spaces (breaks COW-2). */
        FORK_KEEPS_WRITABLE,
        /** The last unmapping of a frame forgets to return it to the allocator (breaks XLAYER-2). */
        MUNMAP_LEAKS_FRAMES,
        /** mprotect splits but never merges (breaks VMA-3). */
        MPROTECT_NO_MERGE,
        /** mprotect skips the W^X check (breaks AS-3). */
        WX_UNCHECKED,
        /** mprotect keeps write permission on present pages when the area loses it (breaks AS-2). */
        MPROTECT_KEEPS_PTE_WRITABLE,
        /** copy-on-write never drops the old frame's reference (breaks COW-1). */
        COW_NO_RELEASE,
        /**
         * The leaf encoder sets the user bit on every present page, PROT_NONE included, so the page
         * stays readable from user mode; the record is right and XLAYER-3 agrees (it encodes through
         * the same encoder), only the hardware view sees it (breaks AS-6).
         */
        PROT_NONE_USER_BIT,
        /** mmap's MAP_FIXED check against {@code mmap_min_addr} is switched off (breaks VMA-2). */
        MMAP_MIN_ADDR_UNCHECKED,
        /**
         * mremap maps the moved pages at their new place but leaves the old translations in the
         * page table and the record (breaks COW-1: two translations, one reference; and AS-1 once the
         * old area goes).
         */
        MREMAP_LEAVES_OLD_PTE,
        /** Huge-page collapse skips the one-area check (breaks HUGE-1: a huge leaf across two areas). */
        COLLAPSE_ACROSS_AREAS,
        /**
         * A fault in a MAP_HUGETLB area maps the one 4 KiB page as an ordinary area would (breaks
         * HUGETLB-1 alone: every other invariant and every page's contents stay right).
         */
        HUGETLB_FAULT_SMALL
    }

    private final FrameTable frames;
    private final List<AddressSpace> spaces = new ArrayList<>();

    /** One process on {@code frameCount} frames, numbered from 0. */
    public VmSystem(Layout layout, AddressSpace.WxPolicy wx, long frameCount, Bug bug) {
        this(layout, wx, frameCount, bug, org.mmspec.paging.x86_64.X86_64Pte.FORMAT);
    }

    /** One process on {@code frameCount} frames of a machine whose page tables have {@code format}. */
    public VmSystem(Layout layout, AddressSpace.WxPolicy wx, long frameCount, Bug bug, org.mmspec.paging.PteFormat format) {
        this.frames = new FrameTable(FrameRange.of(0, frameCount), bug, format);
        spaces.add(new AddressSpace(layout, wx, frames));
    }

    private VmSystem(FrameTable frames) {
        this.frames = frames;
    }

    public static VmSystem of(Layout layout, long frameCount) {
        return new VmSystem(layout, AddressSpace.WxPolicy.ENFORCE, frameCount, Bug.NONE);
    }

    /** A deep copy. */
    public VmSystem copy() {
        VmSystem c = new VmSystem(frames.copy());
        for (AddressSpace as : spaces) {
            c.spaces.add(as.copyWith(c.frames));
        }
        return c;
    }

    /** Writes the frame table then each address space, for the state codec of {@code models/vm-address-space}. */
    public void writeState(java.io.DataOutput out) throws java.io.IOException {
        frames.writeState(out);
        org.mmspec.check.Encoding.writeList(spaces, AddressSpace::writeState, out);
    }

    /** Reads what {@link #writeState} wrote over this system's (a copy of one of the same configuration). */
    public void readState(java.io.DataInput in) throws java.io.IOException {
        AddressSpace template = spaces.get(0);
        frames.readState(in);
        spaces.clear();
        spaces.addAll(org.mmspec.check.Encoding.readList(i -> AddressSpace.readState(template, frames, i), in));
    }

    public FrameTable frames() {
        return frames;
    }

    public List<AddressSpace> spaces() {
        return java.util.Collections.unmodifiableList(spaces);
    }

    public AddressSpace space(int i) {
        return spaces.get(i);
    }

    /** Forks process {@code i}; the child is appended and its index returned. */
    public int fork(int i) {
        spaces.add(spaces.get(i).fork());
        return spaces.size() - 1;
    }

    /** Process {@code i} exits: its space is torn down and removed. */
    public void exit(int i) {
        spaces.get(i).exit();
        spaces.remove(i);
    }

    /** Canonical value of the whole system. */
    public Object key() {
        List<Object> k = new ArrayList<>();
        k.add(frames.key());
        for (AddressSpace as : spaces) {
            k.add(as.key());
        }
        return k;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(frames.toString());
        for (int i = 0; i < spaces.size(); i++) {
            sb.append("\n  P").append(i).append(": ").append(spaces.get(i));
        }
        return sb.toString();
    }
}
