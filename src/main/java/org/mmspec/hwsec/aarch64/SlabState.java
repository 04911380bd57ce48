package org.mmspec.hwsec.aarch64;

import java.util.ArrayList;
import java.util.List;

import org.mmspec.check.Invariant;
import org.mmspec.check.InvariantSet;

/**
 * An {@link MteSlab} with the tagged references a client holds: the live ones with their sizes, and
 * the most recent stale ones (references to freed allocations), which every access and free must
 * fault on while their granules are free or re-tagged. Used by the exhaustive model and the
 * stateful machine.
 */
public final class SlabState {
    /** A live reference and the size it was allocated with. */
    record Live(MteSlab.TaggedRef ref, long size) {
        @Override
        public String toString() {
            return ref + "(" + size + ")";
        }
    }

    final MteSlab slab;
    final List<Live> live = new ArrayList<>();
    final List<MteSlab.TaggedRef> stale = new ArrayList<>();
    /** Allocations made so far (the exhaustive model bounds them). */
    int allocations;

    /** MTE-4 on the slab, and a stale reference with a tag equal to its granule's is a reused tag too. */
    static final InvariantSet<SlabState> INVARIANTS = InvariantSet.of("hwsec-mte-slab",
            Invariant.of("MTE-4", ArmSecInvariants.MTE_4.statement(), s -> ArmSecInvariants.MTE_4.evaluate(s.slab)
                    .map(v -> v.detail()).or(() -> s.staleMatch())));

    SlabState(MteSlab slab) {
        this.slab = slab;
    }

    SlabState copy() {
        SlabState c = new SlabState(slab.copy());
        c.live.addAll(live);
        c.stale.addAll(stale);
        c.allocations = allocations;
        return c;
    }

    /**
     * Writes what steps change, for the state codec of {@code models/hwsec-mte-slab}: the heap,
     * the slab's tags, freed-tag and last-tag ghosts (address, tag), the live references (address,
     * tag, size), the stale ones and the allocation count.
     */
    void writeState(java.io.DataOutput out) throws java.io.IOException {
        slab.heap.writeState(out);
        for (java.util.TreeMap<Long, Integer> m : List.of(slab.tags, slab.ghostFreedTag, slab.lastAllocTag)) {
            out.writeInt(m.size());
            for (var e : m.entrySet()) {
                out.writeLong(e.getKey());
                out.writeInt(e.getValue());
            }
        }
        org.mmspec.check.Encoding.writeList(live, (l, o) -> {
            writeRef(l.ref(), o);
            o.writeLong(l.size());
        }, out);
        org.mmspec.check.Encoding.writeList(stale, SlabState::writeRef, out);
        out.writeInt(allocations);
    }

    /** Reads what {@link #writeState} wrote over this state's (a copy of one of the same configuration). */
    void readState(java.io.DataInput in) throws java.io.IOException {
        slab.heap.readState(in);
        for (java.util.TreeMap<Long, Integer> m : List.of(slab.tags, slab.ghostFreedTag, slab.lastAllocTag)) {
            m.clear();
            for (int n = in.readInt(); n > 0; n--) {
                m.put(in.readLong(), in.readInt());
            }
        }
        live.clear();
        live.addAll(org.mmspec.check.Encoding.readList(i -> new Live(readRef(i), i.readLong()), in));
        stale.clear();
        stale.addAll(org.mmspec.check.Encoding.readList(SlabState::readRef, in));
        allocations = in.readInt();
    }

    private static void writeRef(MteSlab.TaggedRef r, java.io.DataOutput out) throws java.io.IOException {
        out.writeLong(r.addr().offset());
        out.writeInt(r.tag().value());
    }

    private static MteSlab.TaggedRef readRef(java.io.DataInput in) throws java.io.IOException {
        return new MteSlab.TaggedRef(org.mmspec.heap.HeapAddr.ofOffset(in.readLong()), AllocationTag.of(in.readInt()));
    }

    void allocate(long size) {
        live.add(new Live(slab.allocate(0, size), size));
        allocations++;
    }

    void free(int index, int keepStale) {
        Live l = live.get(index);
        slab.free(0, l.ref(), l.size());
        live.remove(index);
        stale.add(l.ref());
        if (stale.size() > keepStale) {
            stale.remove(0);
        }
    }

    private java.util.Optional<String> staleMatch() {
        for (MteSlab.TaggedRef r : stale) {
            boolean reallocated = live.stream().anyMatch(l -> l.ref().addr().equals(r.addr()) && l.ref().tag().equals(r.tag()));
            if (reallocated) {
                return Invariant.broken("stale reference %s matches the live allocation reusing its granule", r);
            }
        }
        return Invariant.holds();
    }

    Object key() {
        return slab.key() + "|" + live + "|" + stale + "|" + allocations;
    }

    @Override
    public String toString() {
        return slab + " live" + live + " stale" + stale;
    }
}
