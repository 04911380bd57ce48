package org.mmspec.paging;

import java.util.List;
import java.util.Optional;

import org.mmspec.frames.PhysAddr;
import org.mmspec.frames.PhysFrame;

/** A format that forwards everything to another, for tests that seed a descriptor bug in one method. */
class ForwardingPteFormat implements PteFormat {
    private final PteFormat d;

    ForwardingPteFormat(PteFormat delegate) {
        this.d = delegate;
    }

    @Override public String name() { return d.name(); }
    @Override public int levels() { return d.levels(); }
    @Override public String levelName(int depth) { return d.levelName(depth); }
    @Override public int indexShift(int depth) { return d.indexShift(depth); }
    @Override public int indexBits(int depth) { return d.indexBits(depth); }
    @Override public int tableFrames() { return d.tableFrames(); }
    @Override public int vaBits() { return d.vaBits(); }
    @Override public int roots() { return d.roots(); }
    @Override public int rootIndex(VirtAddr va) { return d.rootIndex(va); }
    @Override public List<PageSize> pageSizes() { return d.pageSizes(); }
    @Override public PageFlags supportedFlags() { return d.supportedFlags(); }
    @Override public PageFlags permissiveTableFlags() { return d.permissiveTableFlags(); }
    @Override public long encodeTable(PhysAddr t, PageFlags f, int depth) { return d.encodeTable(t, f, depth); }
    @Override public long encodeLeaf(PhysAddr o, PageFlags f, int depth) { return d.encodeLeaf(o, f, depth); }
    @Override public Entry decode(long raw, int depth) { return d.decode(raw, depth); }
    @Override public Permissions throughTable(Permissions a, long raw, int depth) { return d.throughTable(a, raw, depth); }
    @Override public Permissions atLeaf(Permissions a, long raw, int depth) { return d.atLeaf(a, raw, depth); }
    @Override public boolean kernelMayAccessUserPages() { return d.kernelMayAccessUserPages(); }
    @Override public Optional<String> accessStateFault(long raw, boolean w) { return d.accessStateFault(raw, w); }
    @Override public Optional<Problem> problem(long raw, int depth) { return d.problem(raw, depth); }
    @Override public long withHugeMarker(long raw) { return d.withHugeMarker(raw); }
    @Override public String describe(long raw, int depth) { return d.describe(raw, depth); }
    @Override public long rootRegister(PhysFrame root, int asid) { return d.rootRegister(root, asid); }
    @Override public long controlRegister() { return d.controlRegister(); }
}
