package org.mmspec.zones;

import java.util.ArrayList;
import java.util.List;

import org.mmspec.check.ActionSystem;
import org.mmspec.check.ActionSystem.Action;
import org.mmspec.check.Bounds;
import org.mmspec.check.ExhaustiveModel;
import org.mmspec.check.TransitionSystem;
import org.mmspec.frames.FrameRange;

/**
 * The exhaustive model {@code models/zones-small}: a zone allocator over a handful of frames
 * placed around the zone boundaries, with every allocation, free and bad input enabled in every
 * state.
 *
 * <p>Bounds: {@code word} (32 or 64); {@code dma}, {@code normal}, {@code high} (usable frames
 * just below 16 MiB, just above it, and in the upper range: at 4 GiB on 32-bit, where they form
 * the HIGH zone, and a few frames above the NORMAL frames on 64-bit, where they are NORMAL
 * memory); {@code hole} (1 to leave a one-frame hole after the first NORMAL frame);
 * {@code maxOrder}; {@code bug} (a seeded {@link ZoneAllocator.Bug}, default NONE); {@code allocator}
 * (the zones' frame allocator, {@link AllocatorFactory#named}: {@code hybrid}, the default, or
 * {@code reference} or {@code hybrid-T}).
 *
 * <p>The DMA and NORMAL frames form one memory-map range that straddles 16 MiB, so the split at
 * the zone boundary is exercised in every configuration.
 *
 * <p>Actions in every state: {@code alloc(zone, order, mode)} for every zone type (HIGH too on
 * 64-bit, where it is rejected), every order up to {@code maxOrder} plus the bad orders -1 and
 * {@code MAX_ORDER + 1}, and three modes — {@code fallback} (fallback and reclaim allowed),
 * {@code exact} (neither) and {@code cache} (fallback, no reclaim, the run is marked as
 * reclaimable page cache); {@code free(run)} of every live allocation; and bad frees of every
 * single frame of the memory map, and of the frame on either side of each range, that is
 * not itself a live allocation, plus a two-frame run across 16 MiB. An allocation that fails after
 * reclaim freed frames is a transition (the frames stay freed); every other rejection must
 * change nothing.
 */
public final class ZoneModel implements ExhaustiveModel {
    /** The zones' allocator when a configuration names none: the seed's HybridAllocator. */
    static final String DEFAULT_ALLOCATOR = "hybrid";

    @Override
    public String name() {
        return "zones-small";
    }

    @Override
    public String component() {
        return "zones";
    }

    /** The memory map a configuration describes. */
    public static List<FrameRange> memoryMap(Bounds b) {
        WordSize word = word(b);
        int dma = b.getInt("dma");
        int normal = b.getInt("normal");
        int high = b.getInt("high");
        int hole = b.getInt("hole", 0);
        long boundary = ZoneLayout.DMA_END_FRAME.number();
        List<FrameRange> map = new ArrayList<>();
        if (hole > 0 && normal > 1) {
            map.add(FrameRange.of(boundary - dma, dma + 1L));
            map.add(FrameRange.of(boundary + 1 + hole, normal - 1L));
        } else if (dma + normal > 0) {
            map.add(FrameRange.of(boundary - dma, (long) dma + normal));
        }
        if (high > 0) {
            long upper = word == WordSize.BITS_32 ? ZoneLayout.HIGH_START_FRAME.number() : boundary + normal + hole + 4;
            map.add(FrameRange.of(upper, high));
        }
        return map;
    }

    static WordSize word(Bounds b) {
        return b.getInt("word", 32) == 64 ? WordSize.BITS_64 : WordSize.BITS_32;
    }

    @Override
    public TransitionSystem<ZoneSystem> build(Bounds b) {
        WordSize word = word(b);
        List<FrameRange> map = memoryMap(b);
        int maxOrder = b.getInt("maxOrder", 1);
        ZoneAllocator.Bug bug = ZoneAllocator.Bug.valueOf(b.get("bug", "NONE"));
        AllocatorFactory factory = AllocatorFactory.named(b.get("allocator", DEFAULT_ALLOCATOR));
        java.util.TreeSet<Long> probeSet = new java.util.TreeSet<>();
        for (FrameRange r : map) {
            for (long f = r.start().number() - 1; f <= r.endNumber(); f++) {
                probeSet.add(f);
            }
        }
        List<Long> probes = List.copyOf(probeSet);
        return ActionSystem.of("zones-small " + b,
                () -> List.of(ZoneSystem.of(word, map, bug, factory)),
                ZoneSystem::copy,
                ZoneSystem::key,
                s -> actions(s, maxOrder, probes),
                ZoneSystem.INVARIANTS)
                .withCodec(ZoneCodec.system(() -> ZoneSystem.of(word, map, bug, factory)));
    }

    private static List<Action<ZoneSystem>> actions(ZoneSystem s, int maxOrder, List<Long> probes) {
        List<Action<ZoneSystem>> out = new ArrayList<>();
        for (ZoneType z : ZoneType.values()) {
            for (int order = -1; order <= maxOrder + 1; order++) {
                int o = order > maxOrder ? ZoneAllocator.MAX_ORDER + 1 : order;
                for (Mode m : Mode.values()) {
                    if ((o < 0 || o > maxOrder) && m != Mode.FALLBACK) {
                        continue;
                    }
                    out.add(new Action<>("alloc(" + z + ", order " + o + ", " + m.label + ")", st -> m.apply(st, z, o)));
                }
            }
        }
        for (ZoneAllocation a : s.zones.live().values()) {
            out.add(new Action<>("free(" + a.run() + ")", st -> st.free(a.run())));
        }
        for (long f : probes) {
            ZoneAllocation a = s.zones.live().get(f);
            if (a == null || a.run().count() != 1) {
                FrameRange one = FrameRange.of(f, 1);
                out.add(new Action<>("free(" + one + ") [bad]", st -> st.free(one)));
            }
        }
        FrameRange across = FrameRange.of(ZoneLayout.DMA_END_FRAME.number() - 1, 2);
        out.add(new Action<>("free(" + across + ") [across 16 MiB]", st -> st.free(across)));
        return out;
    }

    /** How a model allocation asks. */
    enum Mode {
        FALLBACK("fallback"), EXACT("exact"), CACHE("cache");

        final String label;

        Mode(String label) {
            this.label = label;
        }

        void apply(ZoneSystem s, ZoneType z, int order) {
            ZoneRequest r = switch (this) {
                case FALLBACK -> ZoneRequest.of(z, order);
                case EXACT -> ZoneRequest.exact(z, order);
                case CACHE -> new ZoneRequest(z, order, true, false);
            };
            try {
                ZoneAllocation a = s.zones.allocate(r);
                if (this == CACHE) {
                    s.cache.add(a.run());
                }
            } catch (ZoneError e) {
                if (e.reclaimedFrames() == 0) {
                    throw e;
                }
                // Reclaim freed frames and the allocation still failed: a real transition.
            }
        }
    }
}
