package org.mmspec.tlb;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import org.mmspec.check.Bounds;
import org.mmspec.tlb.hw.PageTable;
import org.mmspec.tlb.hw.Pte;

/**
 * The bounds and parameters of one shootdown configuration, in one small value object (the model,
 * the threaded implementation, the CLI and the manifests all build from it).
 *
 * <p>Manifest syntax ({@link #fromBounds}): {@code cpus=3,pages=2,tlb=2,mode=single,
 * threshold=33,global=1,ops=cpu0:munmap(0);cpu1:mprotect(1),bug=none,symmetry=on,cost=seed}.
 * {@code mode} is {@code single|range|global|full|lazy}; with {@code lazy}, operations that free
 * frames defer the frees (LATR / {@code tlb_gen} style) and {@code mprotect} still shoots down
 * synchronously with {@code single}. {@code threshold} is the range-to-full-flush ceiling
 * ({@link #LINUX_THRESHOLD} by default; VeridianOS uses {@link #VERIDIAN_THRESHOLD}).
 *
 * <p>The initial page table maps page {@code p} to frame {@code p}, writable unless a
 * {@code cow} operation targets it (a shared copy-on-write page is read-only), global when listed
 * in {@code global}. One spare free frame exists per {@code cow} operation; the last frame holds
 * the leaf table.
 */
public final class TlbConfig {
    /** Linux's {@code tlb_single_page_flush_ceiling}: ranges of more pages become full flushes. */
    public static final int LINUX_THRESHOLD = 33;
    /** VeridianOS's range-to-full threshold. */
    public static final int VERIDIAN_THRESHOLD = 16;
    /** Largest script the model encodes per CPU. */
    public static final int MAX_OPS_PER_CPU = 3;

    private final int cpus;
    private final int pages;
    private final int tlbCapacity;
    private final ShootdownMode mode;
    private final boolean lazy;
    private final int threshold;
    private final int globalPages;
    private final KernelOp[][] scripts;
    private final SeededBug bug;
    private final boolean symmetry;
    private final CostModel cost;

    public TlbConfig(int cpus, int pages, int tlbCapacity, ShootdownMode mode, boolean lazy, int threshold, int globalPages,
            KernelOp[][] scripts, SeededBug bug, boolean symmetry, CostModel cost) {
        if (cpus < 1 || cpus > 6) {
            throw new IllegalArgumentException("cpus must be 1..6, not " + cpus);
        }
        if (pages < 1 || pages > 6) {
            throw new IllegalArgumentException("pages must be 1..6, not " + pages);
        }
        if (threshold < 1) {
            throw new IllegalArgumentException("threshold must be positive");
        }
        if (scripts.length != cpus) {
            throw new IllegalArgumentException("one script per CPU");
        }
        this.cpus = cpus;
        this.pages = pages;
        this.tlbCapacity = tlbCapacity;
        this.mode = mode;
        this.lazy = lazy;
        this.threshold = threshold;
        this.globalPages = globalPages;
        this.scripts = new KernelOp[cpus][];
        int lazyOps = 0;
        for (int c = 0; c < cpus; c++) {
            this.scripts[c] = scripts[c].clone();
            if (scripts[c].length > MAX_OPS_PER_CPU) {
                throw new IllegalArgumentException("at most " + MAX_OPS_PER_CPU + " operations per CPU");
            }
            for (KernelOp op : scripts[c]) {
                if ((op.pages() >>> pages) != 0) {
                    throw new IllegalArgumentException(op + " names a page past " + (pages - 1));
                }
                if (lazy && op.frees()) {
                    lazyOps++;
                }
            }
        }
        if (lazyOps > FrameTable.MAX_GEN) {
            throw new IllegalArgumentException("at most " + FrameTable.MAX_GEN + " lazy operations (generation counter width)");
        }
        if (frames() > FrameTable.MAX_FRAMES) {
            throw new IllegalArgumentException("pages + cow operations + 1 table frame must be <= " + FrameTable.MAX_FRAMES);
        }
        this.bug = bug;
        this.symmetry = symmetry;
        this.cost = cost;
    }

    /** Reads a configuration from manifest bounds (see the class comment for the keys). */
    public static TlbConfig fromBounds(Bounds b) {
        int cpus = b.getInt("cpus", 3);
        int pages = b.getInt("pages", 2);
        String modeWord = b.get("mode", "single").toLowerCase(Locale.ROOT);
        boolean lazy = modeWord.equals("lazy");
        ShootdownMode mode = lazy ? ShootdownMode.SINGLE : ShootdownMode.valueOf(modeWord.toUpperCase(Locale.ROOT));
        KernelOp[][] scripts = parseScripts(b.get("ops", "cpu0:munmap(0)"), cpus);
        return new TlbConfig(cpus, pages, b.getInt("tlb", pages), mode, lazy, b.getInt("threshold", LINUX_THRESHOLD),
                parsePages(b.get("global", "")), scripts, SeededBug.parse(b.get("bug", "none")),
                !b.get("symmetry", "on").equals("off"), CostModel.parse(b.get("cost", "seed")));
    }

    /** Parses {@code cpu0:munmap(0);cpu1:mprotect(1);cpu0:cow(1)} into one script per CPU. */
    public static KernelOp[][] parseScripts(String text, int cpus) {
        List<List<KernelOp>> s = new ArrayList<>();
        for (int c = 0; c < cpus; c++) {
            s.add(new ArrayList<>());
        }
        for (String part : text.split(";")) {
            if (part.isBlank()) {
                continue;
            }
            String[] kv = part.trim().split(":", 2);
            if (kv.length != 2 || !kv[0].startsWith("cpu")) {
                throw new IllegalArgumentException("an operation is cpuN:op, not '" + part + "'");
            }
            int cpu = Integer.parseInt(kv[0].substring(3));
            if (cpu < 0 || cpu >= cpus) {
                throw new IllegalArgumentException("'" + part + "' names a CPU outside 0.." + (cpus - 1));
            }
            s.get(cpu).add(KernelOp.parse(kv[1]));
        }
        KernelOp[][] out = new KernelOp[cpus][];
        for (int c = 0; c < cpus; c++) {
            out[c] = s.get(c).toArray(new KernelOp[0]);
        }
        return out;
    }

    static int parsePages(String text) {
        int mask = 0;
        for (String part : text.split("[;/ ]")) {
            if (part.isBlank()) {
                continue;
            }
            String[] r = part.split("-");
            int lo = Integer.parseInt(r[0].trim());
            int hi = r.length > 1 ? Integer.parseInt(r[1].trim()) : lo;
            for (int p = lo; p <= hi; p++) {
                mask |= 1 << p;
            }
        }
        return mask;
    }

    public int cpus() {
        return cpus;
    }

    public int pages() {
        return pages;
    }

    public int tlbCapacity() {
        return tlbCapacity;
    }

    public ShootdownMode mode() {
        return mode;
    }

    public boolean lazy() {
        return lazy;
    }

    public int threshold() {
        return threshold;
    }

    public int globalPages() {
        return globalPages;
    }

    public KernelOp[] script(int cpu) {
        return scripts[cpu].clone();
    }

    /** The number of script slots: scripts are named by the lowest CPU that has an equal one. */
    public int scriptId(int cpu) {
        for (int c = 0; c < cpu; c++) {
            if (Arrays.equals(scripts[c], scripts[cpu])) {
                return c;
            }
        }
        return cpu;
    }

    public SeededBug bug() {
        return bug;
    }

    /** Whether the model may canonicalise over CPU permutations (off when the bug names CPUs). */
    public boolean symmetry() {
        return symmetry && !bug.breaksSymmetry();
    }

    public CostModel cost() {
        return cost;
    }

    public int cowOps() {
        int n = 0;
        for (KernelOp[] s : scripts) {
            for (KernelOp op : s) {
                if (op.kind() == KernelOp.Kind.COW_BREAK) {
                    n++;
                }
            }
        }
        return n;
    }

    /** Data frames, spare frames for COW, and the leaf-table frame. */
    public int frames() {
        return pages + cowOps() + 1;
    }

    public int tableFrame() {
        return frames() - 1;
    }

    public int allPages() {
        return (1 << pages) - 1;
    }

    public PageTable initialPageTable() {
        int cowPages = 0;
        for (KernelOp[] s : scripts) {
            for (KernelOp op : s) {
                if (op.kind() == KernelOp.Kind.COW_BREAK) {
                    cowPages |= op.pages();
                }
            }
        }
        PageTable pt = PageTable.empty(pages, tableFrame());
        for (int p = 0; p < pages; p++) {
            pt = pt.with(p, Pte.of(p, (cowPages >>> p & 1) == 0, (globalPages >>> p & 1) != 0));
        }
        return pt;
    }

    public FrameTable initialFrames() {
        int spares = 0;
        for (int f = pages; f < pages + cowOps(); f++) {
            spares |= 1 << f;
        }
        return FrameTable.of(frames(), spares);
    }

    /** A copy with another seeded bug. */
    public TlbConfig withBug(SeededBug b) {
        return new TlbConfig(cpus, pages, tlbCapacity, mode, lazy, threshold, globalPages, scripts, b, symmetry, cost);
    }

    /** A copy with lazy flushing switched on or off. */
    public TlbConfig withLazy(boolean on) {
        return new TlbConfig(cpus, pages, tlbCapacity, mode, on, threshold, globalPages, scripts, bug, symmetry, cost);
    }

    /** A copy with symmetry reduction switched on or off. */
    public TlbConfig withSymmetry(boolean on) {
        return new TlbConfig(cpus, pages, tlbCapacity, mode, lazy, threshold, globalPages, scripts, bug, on, cost);
    }

    @Override
    public String toString() {
        StringBuilder ops = new StringBuilder();
        for (int c = 0; c < cpus; c++) {
            for (KernelOp op : scripts[c]) {
                ops.append(ops.length() == 0 ? "" : ";").append("cpu").append(c).append(':').append(op);
            }
        }
        return String.format(Locale.ROOT, "cpus=%d,pages=%d,tlb=%d,mode=%s,threshold=%d,global=%s,ops=%s,bug=%s,symmetry=%s",
                cpus, pages, tlbCapacity, lazy ? "lazy" : mode.name().toLowerCase(Locale.ROOT), threshold,
                globalPages == 0 ? "-" : TlbShootdown.renderPages(globalPages), ops, bug.word(), symmetry() ? "on" : "off");
    }
}
