package org.mmspec.paging;

import java.util.HashSet;
import java.util.Set;

import org.mmspec.frames.PhysAddr;
import org.mmspec.frames.PhysFrame;

/**
 * A depth-first traversal of every valid entry reachable from a mapper's roots, reading the real
 * bits. It never follows a table it has already entered, so a corrupted tree with a shared table
 * or a cycle is reported (through {@link Visitor#revisit}) instead of looping.
 */
final class TreeScan {
    private TreeScan() {
    }

    /** Callbacks; each gets the entry's depth, the first VA it covers, its address, its bits and its decoding. */
    interface Visitor {
        /** A table the walk enters (a root, or the target of a table entry). */
        default void enterTable(int depth, long va, PhysAddr table) {
        }

        /** A table entry pointing at {@code e.address()}. */
        default void table(int depth, long va, PhysAddr entryAddr, long raw, Entry e) {
        }

        /** A leaf; {@code effective} is its permissions combined over the whole walk. */
        default void leaf(int depth, long va, PhysAddr entryAddr, long raw, Entry e, Permissions effective) {
        }

        default void reserved(int depth, long va, PhysAddr entryAddr, long raw, Entry e) {
        }

        /** A table entry pointing at a table already entered (sharing or a cycle). */
        default void revisit(int depth, long va, PhysAddr entryAddr, PhysAddr target) {
        }
    }

    static void scan(PageMapper m, Visitor v) {
        Set<Long> entered = new HashSet<>();
        PteFormat f = m.format();
        for (int r = 0; r < m.roots().size(); r++) {
            PhysAddr root = m.roots().get(r).start();
            // TTBR1 translates the top of the 64-bit space: its index 0 is 2^64 - 2^vaBits.
            long base = r == 0 ? 0 : -(1L << f.vaBits());
            if (!entered.add(root.value())) {
                v.revisit(-1, base, root, root);
                continue;
            }
            v.enterTable(0, base, root);
            visit(m, v, entered, root, 0, base, Permissions.UNRESTRICTED);
        }
    }

    private static void visit(PageMapper m, Visitor v, Set<Long> entered, PhysAddr table, int depth, long base,
            Permissions perms) {
        PteFormat f = m.format();
        int n = 1 << f.indexBits(depth);
        // Every table is frame-aligned (a root is a frame; a table entry's address field starts at
        // bit 12 or above in all three formats), so a table is read a frame's word array at a time:
        // most of its entries are zero, and a map lookup and an address per entry made this scan
        // most of an exhaustive run's time.
        long firstFrame = table.value() >>> PhysFrame.SHIFT;
        long[] words = null;
        for (int i = 0; i < n; i++) {
            int w = i % PhysicalMemory.WORDS_PER_FRAME;
            if (w == 0) {
                words = m.memory().wordsOf(firstFrame + i / PhysicalMemory.WORDS_PER_FRAME);
                if (words == null) {
                    // a zero frame: skip it in one step
                    i += PhysicalMemory.WORDS_PER_FRAME - 1;
                    continue;
                }
            }
            long raw = words[w];
            if (raw == 0) {
                continue;
            }
            PhysAddr at = table.plus((long) i * PhysicalMemory.WORD_BYTES);
            long va = base + ((long) i << f.indexShift(depth));
            if (depth == 0 && f.roots() == 1) {
                // Sign-extend: the root's upper half of entries covers the kernel half.
                va = (va << (64 - f.vaBits())) >> (64 - f.vaBits());
            }
            Entry e = f.decode(raw, depth);
            switch (e.kind()) {
                case INVALID:
                    break;
                case RESERVED:
                    v.reserved(depth, va, at, raw, e);
                    break;
                case LEAF:
                    v.leaf(depth, va, at, raw, e, f.atLeaf(perms, raw, depth));
                    break;
                case TABLE:
                    v.table(depth, va, at, raw, e);
                    if (!entered.add(e.address().value())) {
                        v.revisit(depth, va, at, e.address());
                    } else {
                        v.enterTable(depth + 1, va, e.address());
                        visit(m, v, entered, e.address(), depth + 1, va, f.throughTable(perms, raw, depth));
                    }
                    break;
                default:
                    throw new AssertionError(e.kind());
            }
        }
    }
}
