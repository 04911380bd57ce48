package org.mmspec.tlb;

import java.util.Locale;

/**
 * The modelled cost of one shootdown: {@code base + perTarget * targets}. A parameter, not a
 * claim: {@link #SEED} is the design document's "~4.2 µs per CPU" with no base;
 * {@link #BASE_PLUS_TARGET} is the shape Linux measurements suggest (a fixed IPI-and-wait cost
 * plus a small cost per extra target) with illustrative numbers that must be replaced by a
 * measurement of the kernel under study.
 */
public final class CostModel {
    /** The seed's figure: 4.2 µs per target CPU. */
    public static final CostModel SEED = new CostModel(0, 4_200);
    /** Base plus per-target shape; the numbers are placeholders to be measured, not data. */
    public static final CostModel BASE_PLUS_TARGET = new CostModel(4_000, 400);

    private final long baseNanos;
    private final long perTargetNanos;

    public CostModel(long baseNanos, long perTargetNanos) {
        if (baseNanos < 0 || perTargetNanos < 0) {
            throw new IllegalArgumentException("costs are non-negative");
        }
        this.baseNanos = baseNanos;
        this.perTargetNanos = perTargetNanos;
    }

    /** Parses {@code seed}, {@code base+target}, or {@code <baseNanos>+<perTargetNanos>}. */
    public static CostModel parse(String text) {
        if (text.equals("seed")) {
            return SEED;
        }
        if (text.equals("base+target")) {
            return BASE_PLUS_TARGET;
        }
        String[] p = text.split("\\+");
        if (p.length != 2) {
            throw new IllegalArgumentException("cost model is seed, base+target, or <baseNs>+<perTargetNs>: " + text);
        }
        return new CostModel(Long.parseLong(p[0].trim()), Long.parseLong(p[1].trim()));
    }

    public long nanos(TlbShootdown request) {
        return request.cpuMask().isEmpty() ? 0 : baseNanos + perTargetNanos * request.cpuMask().size();
    }

    public String render(TlbShootdown request) {
        return String.format(Locale.ROOT, "%.1f µs", nanos(request) / 1000.0);
    }

    @Override
    public String toString() {
        return baseNanos + "ns + " + perTargetNanos + "ns/target";
    }
}
