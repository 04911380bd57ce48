package org.mmspec.paging;

import org.mmspec.frames.PhysAddr;

/**
 * A successful walk: where {@code va} lands, the leaf that maps it, and the permissions in force.
 *
 * @param va the translated address
 * @param pa the physical address it maps to
 * @param page the leaf's page (its size says whether a huge page maps it)
 * @param leafFlags the flags encoded in the leaf entry itself
 * @param effective the permissions combined over every level of the walk
 * @param leafRaw the leaf entry's 64 bits
 */
public record Translation(VirtAddr va, PhysAddr pa, Page page, PageFlags leafFlags, Permissions effective,
        long leafRaw) {
    @Override
    public String toString() {
        return va + " -> " + pa + " via " + page + " " + leafFlags + " effective " + effective;
    }
}
