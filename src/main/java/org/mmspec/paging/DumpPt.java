package org.mmspec.paging;

import org.mmspec.frames.PhysAddr;

/**
 * The seed's debug command {@code echo "dump_pt 0x1000" > /sys/kernel/debug/memory}: a readable
 * account of the walk of one address, or of the whole tree, straight from the bits.
 */
final class DumpPt {
    private DumpPt() {
    }

    static String walk(PageMapper m, VirtAddr va) {
        PteFormat f = m.format();
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("dump_pt %s (%s, root %s, root register 0x%x)%n", va, f.name(),
                m.roots().get(f.isCanonical(va) ? f.rootIndex(va) : 0), m.rootRegister(f.isCanonical(va) ? f.rootIndex(va) : 0, 0)));
        Walk w = m.walk(va);
        for (Walk.StepRead s : w.steps()) {
            sb.append(String.format("  %-5s[%4d] @%-12s = 0x%016x  %s%n", f.levelName(s.depth()), s.index(),
                    s.table().plus((long) s.index() * PhysicalMemory.WORD_BYTES), s.raw(), describe(f, s.depth(), s.raw(), s.entry())));
        }
        w.translation().ifPresent(t -> sb.append(String.format("  => %s -> %s (%s page, leaf %s, effective %s)%n", va,
                t.pa(), t.page().size(), t.leafFlags(), t.effective())));
        w.fault().ifPresent(x -> sb.append(String.format("  => fault %s: %s%n", x.kind(), x.reason())));
        return sb.toString();
    }

    static String tree(PageMapper m) {
        PteFormat f = m.format();
        StringBuilder sb = new StringBuilder();
        sb.append(f.name()).append(" page tables, roots ").append(m.roots()).append('\n');
        TreeScan.scan(m, new TreeScan.Visitor() {
            @Override
            public void table(int depth, long va, PhysAddr at, long raw, Entry e) {
                line(depth, va, at, raw, e);
            }

            @Override
            public void leaf(int depth, long va, PhysAddr at, long raw, Entry e, Permissions eff) {
                line(depth, va, at, raw, e);
            }

            @Override
            public void reserved(int depth, long va, PhysAddr at, long raw, Entry e) {
                line(depth, va, at, raw, e);
            }

            @Override
            public void revisit(int depth, long va, PhysAddr at, PhysAddr target) {
                sb.append("  ".repeat(depth + 1)).append("!! table ").append(target).append(" reached again from ").append(at)
                        .append('\n');
            }

            private void line(int depth, long va, PhysAddr at, long raw, Entry e) {
                sb.append("  ".repeat(depth + 1)).append(String.format("%s 0x%016x @%s = 0x%016x  %s%n", f.levelName(depth),
                        va, at, raw, describe(f, depth, raw, e)));
            }
        });
        return sb.toString();
    }

    private static String describe(PteFormat f, int depth, long raw, Entry e) {
        String bits = f.describe(raw, depth);
        switch (e.kind()) {
            case INVALID:
                return "not present";
            case TABLE:
                return "TABLE -> " + e.address() + "  " + bits;
            case LEAF:
                return "LEAF " + f.leafSize(depth).map(String::valueOf).orElse("?") + " -> " + e.address() + "  " + bits;
            default:
                return "RESERVED (" + e.reason() + ")  " + bits;
        }
    }
}
