package org.mmspec.tlb;

import org.mmspec.tlb.hw.Pte;
import org.mmspec.tlb.hw.Tlb;

/**
 * The cost side of the seed's flush rules ("Global: Flush all non-global entries", "Full:
 * Complete TLB flush", and the range→full threshold): a shootdown must drop every stale entry
 * (TLB-1..4), but it must not drop more than its mode and batch call for. Three rules, each an
 * invariant defined in {@code spec/tlb.md} §4:
 * <ul>
 * <li><b>TLB-7</b>: a shootdown whose pages include no global page drops no global entry (unless
 *     {@link ShootdownMode#FULL} is the configured mode): global entries are the kernel's and
 *     survive every flush that does not need them gone;</li>
 * <li><b>TLB-8</b>: a batch of at most {@link TlbConfig#threshold()} pages keeps a configured
 *     {@link ShootdownMode#SINGLE} or {@link ShootdownMode#RANGE} mode: it never becomes a flush
 *     of everything;</li>
 * <li><b>TLB-9</b>: one local invalidation drops only entries its chosen mode must drop: SINGLE
 *     the request's pages, RANGE the pages {@code first..last}, GLOBAL the non-global entries, FULL
 *     everything; so the number dropped is at most the number the mode must drop.</li>
 * </ul>
 *
 * <p>TLB-8 is a property of a request and is evaluated on every request in flight. TLB-7 and
 * TLB-9 are properties of one invalidation, a {@link Flush}: the TLB before, the request, the TLB
 * after. The checks return {@code null} when the rule holds and otherwise the detail, built by
 * string concatenation only, because the threaded executor calls them on CPU threads (no
 * formatting under Lincheck, no {@code Optional} under Java PathFinder). The paging-structure
 * cache is not an entry: every invalidation drops it, as the hardware does.
 */
public final class FlushCost {
    private FlushCost() {
    }

    /**
     * One local invalidation: CPU {@code cpu} applied {@code request} to {@code before} and got
     * {@code after}. Immutable; the exhaustive model keeps the first one that breaks a cost rule
     * as ghost history in its state ({@link TlbState}), so that a state invariant can judge it.
     */
    public static final class Flush {
        private final int cpu;
        private final TlbShootdown request;
        private final Tlb before;
        private final Tlb after;

        public Flush(int cpu, TlbShootdown request, Tlb before, Tlb after) {
            this.cpu = cpu;
            this.request = request;
            this.before = before;
            this.after = after;
        }

        public int cpu() {
            return cpu;
        }

        public TlbShootdown request() {
            return request;
        }

        public Tlb before() {
            return before;
        }

        public Tlb after() {
            return after;
        }

        /** The pages whose entry the invalidation removed (bit set). */
        public int dropped(int pages) {
            int out = 0;
            for (int p = 0; p < pages; p++) {
                if (before.holds(p) && after.entry(p) != before.entry(p)) {
                    out |= 1 << p;
                }
            }
            return out;
        }

        @Override
        public String toString() {
            return "cpu" + cpu + " invalidates " + TlbShootdown.renderPages(request.pages()) + " (" + request.mode() + ")";
        }
    }

    /** TLB-7 on one invalidation: null when it holds, else which global entry went. */
    public static String globalKept(TlbConfig config, Flush f, int pages) {
        if (config.mode() == ShootdownMode.FULL || (f.request.pages() & config.globalPages()) != 0) {
            return null;
        }
        for (int p = 0; p < pages; p++) {
            int e = f.before.entry(p);
            if (Pte.present(e) && Pte.global(e) && !f.after.holds(p)) {
                return "TLB-7: " + f + " dropped the global entry p" + p + " -> " + Pte.render(e)
                        + ", though none of its pages is global";
            }
        }
        return null;
    }

    /** TLB-8 on one request: null when it holds, else how a small batch was widened. */
    public static String thresholdKept(TlbConfig config, TlbShootdown request) {
        ShootdownMode configured = config.mode();
        boolean narrow = configured == ShootdownMode.SINGLE || configured == ShootdownMode.RANGE;
        if (!narrow || request.pageCount() > config.threshold() || request.mode() == configured) {
            return null;
        }
        return "TLB-8: a batch of " + request.pageCount() + " page(s) (threshold " + config.threshold() + ") became "
                + request.mode() + " instead of " + configured + ": " + request;
    }

    /** The pages whose entries {@code mode} must drop from {@code tlb} for {@code request} (bit set). */
    public static int mustDrop(TlbShootdown request, Tlb tlb, int pages) {
        int out = 0;
        for (int p = 0; p < pages; p++) {
            int e = tlb.entry(p);
            if (!Pte.present(e)) {
                continue;
            }
            boolean in = switch (request.mode()) {
                case SINGLE -> request.covers(p);
                case RANGE -> p >= request.firstPage() && p <= request.lastPage();
                case GLOBAL -> !Pte.global(e);
                case FULL -> true;
            };
            if (in) {
                out |= 1 << p;
            }
        }
        return out;
    }

    /** TLB-9 on one invalidation: null when it holds, else the entries dropped outside the mode's scope. */
    public static String dropsWithinMode(Flush f, int pages) {
        int dropped = f.dropped(pages);
        int scope = mustDrop(f.request, f.before, pages);
        if ((dropped & ~scope) == 0) {
            return null;
        }
        return "TLB-9: " + f + " dropped " + entries(dropped) + ", but " + f.request.mode() + " must drop at most "
                + entries(scope);
    }

    private static String entries(int pages) {
        int n = Integer.bitCount(pages);
        return n == 0 ? "0 entries" : n + (n == 1 ? " entry (" : " entries (") + TlbShootdown.renderPages(pages) + ")";
    }

    /** Whether {@code f} breaks TLB-7 or TLB-9. */
    public static boolean breaks(TlbConfig config, Flush f, int pages) {
        return globalKept(config, f, pages) != null || dropsWithinMode(f, pages) != null;
    }
}
