package org.mmspec.paging;

import org.mmspec.frames.PhysFrame;

/**
 * One leaf of the tree as the bits say: the page it maps, the first frame of the output, and the
 * leaf's flags. The PageMapper's {@code mappings()} lists these, read from simulated memory.
 *
 * @param page the virtual page (its size is the leaf's size)
 * @param frame the first 4 KiB frame of the output; the leaf covers {@code page.size().frames()} frames
 * @param flags the leaf's flags
 */
public record Mapping(Page page, PhysFrame frame, PageFlags flags) {
    @Override
    public String toString() {
        return page + "->" + frame + " " + flags;
    }
}
