package org.mmspec.zones;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

import org.mmspec.frames.FrameAllocator;
import org.mmspec.frames.FrameError;
import org.mmspec.frames.FrameRange;
import org.mmspec.frames.PhysFrame;

/**
 * The seed's {@code ZoneAllocator}: memory split into zones at the fixed boundaries of
 * {@link ZoneLayout}, a {@link FallbackOrder} matrix, and the seed's allocation strategy —
 * try the preferred zone, fall back to the other zones of its list if allowed, reclaim memory
 * through the caller's {@link ReclaimHook} if necessary, and return an out-of-memory error if
 * all zones are exhausted.
 *
 * <p>Encoding: {@code memoryMap} is the usable memory, sorted, with adjacent ranges merged.
 * {@code zones} holds one {@link Zone} per zone of the word size; each zone's pool manages the
 * part of the memory map inside the zone's window, with the gaps as holes. {@code live} maps the
 * first frame of every allocation to its {@link ZoneAllocation} (run, requested and serving
 * zone). {@code last} is the audit record of the last allocation that changed the state.
 *
 * <p>Invariants (spec/zones.md, checked by {@link ZoneInvariants}): ZONE-1 each zone's memory
 * lies in its window and zones are disjoint; ZONE-2 the zones cover exactly the usable memory;
 * ZONE-3 every allocation lies in its serving zone and below its requested zone's ceiling (a DMA
 * allocation lies below 16 MiB); ZONE-4 allocations follow the fallback order; ZONE-5 reclaim
 * runs only after every allowed zone failed; ZONE-6 per-zone accounting; ZONE-7 the fallback
 * matrix is well-formed; ZONE-8 every allocation is a naturally aligned block.
 *
 * <p>Each zone's pool allocates from its own frame allocator, by default the seed's
 * {@code HybridAllocator} ({@link AllocatorFactory#HYBRID}); an order request asks it for
 * {@code allocate(2^order, 2^order)}, so the block returned is aligned to its size whichever half
 * of the hybrid serves it.
 */
public final class ZoneAllocator {
    /** The largest order: 2^18 frames of 4 KiB is 1 GiB, the largest huge page. */
    public static final int MAX_ORDER = 18;

    /** Seeded bugs, to show that the checks catch them. */
    enum Bug {
        NONE,
        /** Splits the memory map one frame above 16 MiB, so DMA gets frame 4096 (ZONE-1). */
        SPLIT_OFF_BY_ONE,
        /** Loses the last frame of each zone when splitting (ZONE-2). */
        DROP_LAST_FRAME,
        /** Lets a DMA request fall back to NORMAL (ZONE-3). */
        DMA_ESCAPES,
        /** Tries the fallbacks before the preferred zone (ZONE-4). */
        SKIP_PREFERRED,
        /** Runs reclaim before trying any zone (ZONE-5). */
        EAGER_RECLAIM,
        /** Forgets to lower the zone's allocated count on free (ZONE-6). */
        FORGET_ACCOUNTING,
        /** Asks the zone's allocator for 2^order frames without alignment (ZONE-8). */
        UNALIGNED_ORDER,
        /**
         * The BAD_MEMORY_MAP rules switched off: the map is kept as given, empty or with ranges
         * that overlap, and the zones are split from the union of its ranges (ZONE-2).
         */
        MEMORY_MAP_UNCHECKED,
        /** The BAD_FALLBACK rules switched off: any fallback matrix is taken as given (ZONE-7). */
        FALLBACK_UNCHECKED
    }

    private final WordSize wordSize;
    private final List<FrameRange> memoryMap;
    private final EnumMap<ZoneType, Zone> zones;
    private FallbackOrder fallback;
    private ReclaimHook reclaimHook = ReclaimHook.NONE;
    private final TreeMap<Long, ZoneAllocation> live;
    private ZoneDecision last;
    private final Bug bug;

    /**
     * Zones over {@code memoryMap} with the standard fallback order, each zone with its own
     * {@code HybridAllocator} ({@link AllocatorFactory#HYBRID}), as the seed has it.
     */
    public ZoneAllocator(WordSize wordSize, List<FrameRange> memoryMap) {
        this(wordSize, memoryMap, FallbackOrder.standard(wordSize), AllocatorFactory.HYBRID);
    }

    /**
     * Zones over the usable ranges of {@code memoryMap}.
     *
     * @throws ZoneError {@code BAD_MEMORY_MAP} if the map is empty or its ranges overlap;
     *         {@code BAD_FALLBACK} if {@code fallback} is not well-formed for {@code wordSize}
     */
    public ZoneAllocator(WordSize wordSize, List<FrameRange> memoryMap, FallbackOrder fallback, AllocatorFactory factory) {
        this(wordSize, memoryMap, fallback, factory, Bug.NONE);
    }

    ZoneAllocator(WordSize wordSize, List<FrameRange> memoryMap, FallbackOrder fallback, AllocatorFactory factory, Bug bug) {
        this.wordSize = Objects.requireNonNull(wordSize);
        this.bug = bug;
        this.memoryMap = bug == Bug.MEMORY_MAP_UNCHECKED ? List.copyOf(memoryMap) : normalize(memoryMap);
        if (bug != Bug.FALLBACK_UNCHECKED) {
            fallback.problem(wordSize).ifPresent(p -> {
                throw ZoneError.of(ZoneError.Kind.BAD_FALLBACK, "fallback order %s: %s", fallback, p);
            });
        }
        this.fallback = fallback;
        this.zones = new EnumMap<>(ZoneType.class);
        for (ZoneType z : ZoneLayout.zones(wordSize)) {
            FrameRange window = splitWindow(z);
            zones.put(z, new Zone(z, ZoneLayout.windowOf(wordSize, z), splitUsable(window), factory));
        }
        this.live = new TreeMap<>();
    }

    private ZoneAllocator(ZoneAllocator other, ReclaimHook hook) {
        this.wordSize = other.wordSize;
        this.memoryMap = other.memoryMap;
        this.fallback = other.fallback;
        this.reclaimHook = hook;
        this.bug = other.bug;
        this.zones = new EnumMap<>(ZoneType.class);
        other.zones.forEach((k, v) -> zones.put(k, v.copy()));
        this.live = new TreeMap<>(other.live);
        this.last = other.last;
    }

    /** A deep copy that calls {@code hook} for reclaim. */
    public ZoneAllocator copy(ReclaimHook hook) {
        return new ZoneAllocator(this, hook);
    }

    /**
     * Writes what allocations and frees change, for a state codec: each zone's pool (in zone
     * order), the live allocations, and the last decision (a presence byte first). The memory map,
     * fallback order and bug are the configuration's.
     */
    public void writeState(java.io.DataOutput out) throws java.io.IOException {
        for (Zone z : zones.values()) {
            z.writeState(out);
        }
        org.mmspec.check.Encoding.writeList(List.copyOf(live.values()), ZoneCodec::writeAllocation, out);
        org.mmspec.check.Encoding.writeNullable(last, ZoneCodec::writeDecision, out);
    }

    /** Reads what {@link #writeState} wrote over this allocator's (a copy of one of the same configuration). */
    public void readState(java.io.DataInput in) throws java.io.IOException {
        for (Zone z : zones.values()) {
            z.readState(in);
        }
        live.clear();
        for (ZoneAllocation a : org.mmspec.check.Encoding.readList(ZoneCodec::readAllocation, in)) {
            live.put(a.run().start().number(), a);
        }
        last = org.mmspec.check.Encoding.readNullable(ZoneCodec::readDecision, in);
    }

    /** Sorts the map, rejects overlaps and merges adjacent ranges. */
    static List<FrameRange> normalize(List<FrameRange> map) {
        if (map.isEmpty()) {
            throw ZoneError.of(ZoneError.Kind.BAD_MEMORY_MAP, "the memory map has no usable memory");
        }
        List<FrameRange> sorted = new ArrayList<>(map);
        sorted.sort(Comparator.naturalOrder());
        List<FrameRange> out = new ArrayList<>();
        for (FrameRange r : sorted) {
            if (!out.isEmpty()) {
                FrameRange prev = out.get(out.size() - 1);
                if (prev.overlaps(r)) {
                    throw ZoneError.of(ZoneError.Kind.BAD_MEMORY_MAP, "memory map ranges %s and %s overlap", prev, r);
                }
                if (prev.endNumber() == r.start().number()) {
                    out.set(out.size() - 1, FrameRange.between(prev.start(), r.end()));
                    continue;
                }
            }
            out.add(r);
        }
        return List.copyOf(out);
    }

    private FrameRange splitWindow(ZoneType z) {
        FrameRange w = ZoneLayout.windowOf(wordSize, z);
        if (bug == Bug.SPLIT_OFF_BY_ONE) {
            if (z == ZoneType.DMA) {
                return FrameRange.of(w.start().number(), w.count() + 1);
            }
            if (w.start().equals(ZoneLayout.DMA_END_FRAME)) {
                return FrameRange.of(w.start().number() + 1, w.count() - 1);
            }
        }
        return w;
    }

    /**
     * The sorted union of {@code map}, overlapping and adjacent ranges merged: what the zones are
     * split from when {@link Bug#MEMORY_MAP_UNCHECKED} keeps a map that was never normalized.
     */
    private static List<FrameRange> union(List<FrameRange> map) {
        List<FrameRange> sorted = new ArrayList<>(map);
        sorted.sort(Comparator.naturalOrder());
        List<FrameRange> out = new ArrayList<>();
        for (FrameRange r : sorted) {
            FrameRange prev = out.isEmpty() ? null : out.get(out.size() - 1);
            if (prev != null && prev.endNumber() >= r.start().number()) {
                out.set(out.size() - 1, FrameRange.between(prev.start(), prev.endNumber() >= r.endNumber() ? prev.end() : r.end()));
            } else {
                out.add(r);
            }
        }
        return out;
    }

    private List<FrameRange> splitUsable(FrameRange window) {
        List<FrameRange> usable = bug == Bug.MEMORY_MAP_UNCHECKED ? union(memoryMap) : memoryMap;
        List<FrameRange> parts = new ArrayList<>(ZoneLayout.clip(usable, window));
        if (bug == Bug.DROP_LAST_FRAME && !parts.isEmpty()) {
            FrameRange lastPart = parts.get(parts.size() - 1);
            if (lastPart.count() > 1) {
                parts.set(parts.size() - 1, FrameRange.of(lastPart.start().number(), lastPart.count() - 1));
            }
        }
        return parts;
    }

    /** Sets the hook that reclaim calls; {@link ReclaimHook#NONE} by default. */
    public void reclaimHook(ReclaimHook hook) {
        this.reclaimHook = Objects.requireNonNull(hook);
    }

    /** The seed's {@code allocate_from_zone(zone, order)}: fallback and reclaim allowed. */
    public ZoneAllocation allocateFromZone(ZoneType zone, int order) {
        return allocate(ZoneRequest.of(zone, order));
    }

    /**
     * Allocates {@code 2^order} contiguous frames for {@code request}.
     *
     * <p>Pre: {@code 0 <= order <= MAX_ORDER}; the preferred zone exists for the word size.
     * Post: the run is {@code 2^order} frames starting at a multiple of {@code 2^order}; it lies in the first zone of the allowed list (the fallback list, or the
     * preferred zone alone) that could satisfy it, trying the list again once after reclaim if
     * the first pass failed and reclaim is allowed; it is recorded as live with its requested and
     * serving zone; the serving zone's allocated count grows by the run's length.
     *
     * @throws ZoneError {@code BAD_ORDER}, {@code NO_SUCH_ZONE} (nothing changed), or
     *         {@code OUT_OF_MEMORY}: nothing changed, except frames the reclaim hook freed
     */
    public ZoneAllocation allocate(ZoneRequest request) {
        if (request.order() < 0 || request.order() > MAX_ORDER) {
            throw ZoneError.of(ZoneError.Kind.BAD_ORDER, "allocate(%s): order must lie in [0, %d]", request, MAX_ORDER);
        }
        if (!zones.containsKey(request.preferred())) {
            throw ZoneError.of(ZoneError.Kind.NO_SUCH_ZONE, "allocate(%s): no %s zone on %s", request,
                    request.preferred(), wordSize);
        }
        List<ZoneType> allowed = routing(request);
        List<ZoneDecision.Attempt> attempts = new ArrayList<>();
        int reclaimAfter = -1;
        long reclaimed = 0;
        if (bug == Bug.EAGER_RECLAIM && request.mayReclaim()) {
            reclaimAfter = 0;
            reclaimed = reclaim(request, allowed);
        }
        Optional<ZoneAllocation> got = tryZones(request, allowed, attempts);
        if (got.isEmpty() && request.mayReclaim() && reclaimAfter < 0) {
            reclaimAfter = attempts.size();
            reclaimed = reclaim(request, allowed);
            if (reclaimed > 0) {
                got = tryZones(request, allowed, attempts);
            }
        }
        if (got.isEmpty()) {
            String msg = String.format("allocate(%s): zones %s exhausted%s", request, allowed,
                    reclaimed > 0 ? " after reclaiming " + reclaimed + " frames" : "");
            if (reclaimed > 0) {
                last = new ZoneDecision(request, attempts, reclaimAfter, reclaimed, Optional.empty());
            }
            throw new ZoneError(ZoneError.Kind.OUT_OF_MEMORY, msg, reclaimed);
        }
        ZoneAllocation a = got.get();
        live.put(a.run().start().number(), a);
        zones.get(a.served()).allocatedFrames += a.run().count();
        last = new ZoneDecision(request, attempts, reclaimAfter, reclaimed, Optional.of(a.served()));
        return a;
    }

    /** The zones {@code request} may try, in order (ZONE-4 states what it must be). */
    private List<ZoneType> routing(ZoneRequest request) {
        List<ZoneType> list = request.mayFallback() ? fallback.of(request.preferred()) : List.of(request.preferred());
        if (bug == Bug.SKIP_PREFERRED && list.size() > 1) {
            List<ZoneType> rotated = new ArrayList<>(list.subList(1, list.size()));
            rotated.add(list.get(0));
            return rotated;
        }
        if (bug == Bug.DMA_ESCAPES && request.preferred() == ZoneType.DMA && request.mayFallback()) {
            return List.of(ZoneType.DMA, ZoneType.NORMAL);
        }
        return list;
    }

    private Optional<ZoneAllocation> tryZones(ZoneRequest request, List<ZoneType> allowed,
            List<ZoneDecision.Attempt> attempts) {
        for (ZoneType z : allowed) {
            long align = bug == Bug.UNALIGNED_ORDER ? FrameAllocator.ANY_ALIGNMENT : request.frames();
            Optional<FrameRange> run = zones.get(z).tryAllocate(request.frames(), align);
            attempts.add(new ZoneDecision.Attempt(z, run.isPresent()));
            if (run.isPresent()) {
                return Optional.of(new ZoneAllocation(run.get(), request.preferred(), z));
            }
        }
        return Optional.empty();
    }

    /** Runs the hook and measures how many frames it gave back. */
    private long reclaim(ZoneRequest request, List<ZoneType> allowed) {
        long before = allocatedFrames();
        reclaimHook.reclaim(this, request, allowed);
        return before - allocatedFrames();
    }

    /**
     * Frees a run an allocation returned.
     *
     * <p>Pre: {@code run} is exactly a live allocation. Post: it is free in its zone and no
     * longer live; the zone's allocated count drops by its length.
     *
     * @throws ZoneError {@code OUT_OF_RANGE} (outside every zone's span, or crossing a zone's
     *         end), {@code RESERVED} (touches a hole), {@code NOT_ALLOCATED} (overlaps a live
     *         allocation without being one), {@code DOUBLE_FREE} (already free); nothing changes
     */
    public void free(FrameRange run) {
        Zone zone = zoneContaining(run.start())
                .orElseThrow(() -> ZoneError.of(ZoneError.Kind.OUT_OF_RANGE, "free(%s): in no zone's memory", run));
        FramePool pool = zone.pool().orElseThrow();
        Optional<FrameError.Kind> bad = pool.checkFree(run);
        if (bad.isPresent()) {
            throw ZoneError.of(toZoneKind(bad.get()), "free(%s): %s in zone %s", run, bad.get(), zone.type());
        }
        pool.free(run);
        live.remove(run.start().number());
        if (bug != Bug.FORGET_ACCOUNTING) {
            zone.allocatedFrames -= run.count();
        }
    }

    private static ZoneError.Kind toZoneKind(FrameError.Kind k) {
        return switch (k) {
            case OUT_OF_RANGE -> ZoneError.Kind.OUT_OF_RANGE;
            case RESERVED -> ZoneError.Kind.RESERVED;
            case DOUBLE_FREE -> ZoneError.Kind.DOUBLE_FREE;
            default -> ZoneError.Kind.NOT_ALLOCATED;
        };
    }

    /** The zone whose usable span contains {@code frame}. */
    public Optional<Zone> zoneContaining(PhysFrame frame) {
        for (Zone z : zones.values()) {
            if (z.pool().map(p -> p.span().contains(frame)).orElse(false)) {
                return Optional.of(z);
            }
        }
        return Optional.empty();
    }

    public WordSize wordSize() {
        return wordSize;
    }

    /** The usable memory, sorted, adjacent ranges merged. */
    public List<FrameRange> memoryMap() {
        return memoryMap;
    }

    public FallbackOrder fallbackOrder() {
        return fallback;
    }

    /** The zone of {@code type}; it must exist for the word size. */
    public Zone zone(ZoneType type) {
        Zone z = zones.get(type);
        if (z == null) {
            throw ZoneError.of(ZoneError.Kind.NO_SUCH_ZONE, "no %s zone on %s", type, wordSize);
        }
        return z;
    }

    /** The zones of the word size, in address order. */
    public List<Zone> zones() {
        return List.copyOf(zones.values());
    }

    /** Live allocations by first frame. */
    public NavigableMap<Long, ZoneAllocation> live() {
        return Collections.unmodifiableNavigableMap(live);
    }

    public Optional<ZoneDecision> lastDecision() {
        return Optional.ofNullable(last);
    }

    /** Frames in live allocations, over all zones. */
    public long allocatedFrames() {
        return live.values().stream().mapToLong(a -> a.run().count()).sum();
    }

    public long freeFrames() {
        return zones.values().stream().mapToLong(Zone::freeFrames).sum();
    }

    /** The canonical state: zones, live allocations and the last decision. */
    public Object key() {
        List<Object> k = new ArrayList<>();
        zones.values().forEach(z -> k.add(z.key()));
        k.add(new TreeMap<>(live));
        k.add(Optional.ofNullable(last));
        return k;
    }

    /** Test hook: replaces the fallback matrix without validation. */
    void corruptFallback(Map<ZoneType, List<ZoneType>> order) {
        this.fallback = FallbackOrder.unchecked(order);
    }

    /** Test hook: records a live allocation that no zone handed out. */
    void corruptLive(ZoneAllocation a) {
        live.put(a.run().start().number(), a);
    }

    /** Test hook: sets the last decision. */
    void corruptDecision(ZoneDecision d) {
        this.last = d;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("ZoneAllocator ").append(wordSize).append('\n');
        for (Zone z : zones.values()) {
            sb.append("  ").append(z).append('\n');
        }
        sb.append("  live ").append(live.values()).append('\n');
        sb.append("  last ").append(last == null ? "-" : last);
        return sb.toString();
    }
}
