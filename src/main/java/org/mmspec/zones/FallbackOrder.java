package org.mmspec.zones;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The seed's {@code fallback_order[preferred]} matrix: for each zone, the zones a request for it
 * tries, in order.
 *
 * <p>Encoding: one list per existing zone. Well-formed (ZONE-7) means: every existing zone has a
 * list; the list starts with the zone itself; it names each zone at most once; it names only
 * zones that exist for the word size; and it never names a zone whose ceiling lies above the
 * preferred zone's ceiling, because that memory may be out of the requester's reach (a DMA device
 * cannot address NORMAL memory). So a request only ever falls back <em>downwards</em>.
 */
public final class FallbackOrder {
    private final EnumMap<ZoneType, List<ZoneType>> order;

    private FallbackOrder(Map<ZoneType, List<ZoneType>> order) {
        this.order = new EnumMap<>(ZoneType.class);
        order.forEach((k, v) -> this.order.put(k, List.copyOf(v)));
    }

    /**
     * The standard order, highest zone first as Linux's zonelists do: HIGH → NORMAL → DMA,
     * NORMAL → DMA, DMA alone. DMA is the last resort because it is the scarcest.
     */
    public static FallbackOrder standard(WordSize wordSize) {
        Map<ZoneType, List<ZoneType>> m = new EnumMap<>(ZoneType.class);
        List<ZoneType> zones = ZoneLayout.zones(wordSize);
        for (int i = 0; i < zones.size(); i++) {
            List<ZoneType> list = new ArrayList<>(zones.subList(0, i + 1));
            Collections.reverse(list);
            m.put(zones.get(i), list);
        }
        return new FallbackOrder(m);
    }

    /** A custom matrix; rejected with {@code BAD_FALLBACK} unless it is well-formed (ZONE-7). */
    public static FallbackOrder of(WordSize wordSize, Map<ZoneType, List<ZoneType>> order) {
        FallbackOrder f = new FallbackOrder(order);
        Optional<String> bad = f.problem(wordSize);
        if (bad.isPresent()) {
            throw ZoneError.of(ZoneError.Kind.BAD_FALLBACK, "fallback order %s: %s", order, bad.get());
        }
        return f;
    }

    /** A matrix that skips validation; for negative tests only. */
    static FallbackOrder unchecked(Map<ZoneType, List<ZoneType>> order) {
        return new FallbackOrder(order);
    }

    /** The zones a request preferring {@code preferred} tries, in order. */
    public List<ZoneType> of(ZoneType preferred) {
        return order.getOrDefault(preferred, List.of());
    }

    /** What makes this matrix ill-formed for {@code wordSize}, or empty if it is well-formed. */
    public Optional<String> problem(WordSize wordSize) {
        for (ZoneType z : ZoneType.values()) {
            boolean exists = ZoneLayout.exists(wordSize, z);
            List<ZoneType> list = order.get(z);
            if (!exists) {
                if (list != null) {
                    return Optional.of("a list for " + z + ", which does not exist on " + wordSize);
                }
                continue;
            }
            if (list == null || list.isEmpty() || list.get(0) != z) {
                return Optional.of(z + "'s list must start with " + z + ": " + list);
            }
            Set<ZoneType> seen = new HashSet<>();
            for (ZoneType f : list) {
                if (!seen.add(f)) {
                    return Optional.of(z + "'s list names " + f + " twice");
                }
                if (!ZoneLayout.exists(wordSize, f)) {
                    return Optional.of(z + "'s list names " + f + ", which does not exist on " + wordSize);
                }
                if (ZoneLayout.ceiling(wordSize, f) > ZoneLayout.ceiling(wordSize, z)) {
                    return Optional.of(z + " falls back upwards to " + f);
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FallbackOrder f && f.order.equals(order);
    }

    @Override
    public int hashCode() {
        return order.hashCode();
    }

    @Override
    public String toString() {
        return order.toString();
    }
}
