package org.mmspec.cli;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import org.mmspec.check.Bounds;
import org.mmspec.check.CheckOptions;
import org.mmspec.check.CounterexampleFile;
import org.mmspec.check.ExplorationResult;
import org.mmspec.check.ExploreBounds;
import org.mmspec.check.Explorer;
import org.mmspec.check.ExplorerSettings;
import org.mmspec.check.Manifest;
import org.mmspec.check.Progress;
import org.mmspec.check.store.StoreMode;
import org.mmspec.tlb.KernelOp;
import org.mmspec.tlb.ShootdownModel;
import org.mmspec.tlb.ShootdownProtocol;
import org.mmspec.tlb.ThreadedShootdown;
import org.mmspec.tlb.TlbConfig;
import org.mmspec.tlb.TlbModels;
import org.mmspec.tlb.TlbShootdown;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mmspec shootdown}: explores the TLB shootdown protocol at the bounds given on the command
 * line (or a manifest configuration), printing progress, state counts, the modelled cost of each
 * shootdown, and the counterexample timeline if an invariant breaks.
 */
@Command(name = "shootdown", mixinStandardHelpOptions = true,
        description = "Model-check the TLB shootdown protocol exhaustively (spec/tlb.md): every interleaving of"
                + " kernel steps, IPIs, acknowledgements and hardware fills/evictions within the bounds.")
final class ShootdownCommand implements Callable<Integer> {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--cpus", description = "CPUs (default: ${DEFAULT-VALUE}).")
    int cpus = 3;

    @Option(names = "--pages", description = "Pages of the abstract page table (default: ${DEFAULT-VALUE}).")
    int pages = 2;

    @Option(names = "--tlb", description = "Entries per TLB (default: one per page).")
    Integer tlb;

    @Option(names = "--mode", description = "single, range, global, full or lazy (default: ${DEFAULT-VALUE}).")
    String mode = "single";

    @Option(names = "--threshold", description = "Range-to-full-flush threshold in pages (Linux 33, VeridianOS 16; default: ${DEFAULT-VALUE}).")
    int threshold = TlbConfig.LINUX_THRESHOLD;

    @Option(names = "--global", description = "Global (kernel) pages, e.g. 1 or 0-1.")
    String global = "";

    @Option(names = "--ops", description = "Operations per CPU: cpu0:munmap(0);cpu1:mprotect(1);cpu2:cow(0);cpu0:reclaim"
            + " (default: cpu0 munmaps page 0 and, with 2+ CPUs and pages, cpu1 mprotects page 1).")
    String ops;

    @Option(names = "--bug", description = "Seeded bug: none, ack-before-invalidate, free-before-acks, missing-cpu,"
            + " lazy-reuse-early, range-off-by-one, global-skips-global, wait-irqs-off, full-above-threshold,"
            + " threshold-off-by-one, range-overshoot, idle-poll-misses-ipi (default: ${DEFAULT-VALUE}).")
    String bug = "none";

    @Option(names = "--liveness", description = "Also check TLB-L1 and TLB-L2 under weak fairness per CPU (needs --no-symmetry;"
            + " keeps the state graph).")
    boolean liveness;

    @Option(names = "--no-deadlock", description = "Do not report states without successors that are not final as DEADLOCK.")
    boolean noDeadlock;

    @Option(names = "--por", paramLabel = "on|off", description = "Partial-order reduction from the model's declared"
            + " footprints (default: on; off when --liveness is given).")
    String por = "on";

    @Option(names = "--no-symmetry", description = "Explore without CPU symmetry reduction.")
    boolean noSymmetry;

    @Option(names = "--cost", description = "Cost model: seed (4.2 us per target), base+target, or <baseNs>+<perTargetNs> (default: ${DEFAULT-VALUE}).")
    String cost = "seed";

    @Option(names = "--config", description = "Use the bounds of this configuration of models/tlb-shootdown instead.")
    String config;

    @Option(names = "--depth", description = "Maximum BFS depth (default: unbounded).")
    Integer depth;

    @Option(names = "--max-states", description = "Stop after this many distinct states (default: ${DEFAULT-VALUE}).")
    long maxStates = ExploreBounds.DEFAULT_MAX_STATES;

    @Option(names = "--store", description = "Visited-state store: auto (exact keys, fingerprints past --switch-at states),"
            + " exact or fingerprint (default: ${DEFAULT-VALUE}).")
    String store = System.getProperty("mmspec.explorer.store", "auto");

    @Option(names = "--workers", description = "Explorer threads (default: every processor, ${DEFAULT-VALUE}).")
    int workers = ExplorerSettings.fromProperties().threads();

    @Option(names = "--switch-at", description = "States after which --store=auto turns to fingerprints (default: ${DEFAULT-VALUE}).")
    long switchAt = ExplorerSettings.fromProperties().switchAt();

    @Option(names = "--spill-at", description = "States of one frontier level kept in memory before they go to disk"
            + " (default: only when the heap is more than half full).")
    Long spillAt;

    @Option(names = "--save-counterexample", paramLabel = "FILE", description = "Write the counterexample, if an invariant"
            + " breaks, to FILE (format: spec/checking-core.md, mmspec-counterexample 1).")
    java.nio.file.Path saveCounterexample;

    @Option(names = "--threads", description = "Also run the threaded implementation this many times on real threads.")
    int threads;

    /** The numeric bounds and the mode, named in one line when they are out of range. */
    private void checkBounds() {
        if (cpus < 1 || pages < 1 || (tlb != null && tlb < 1) || threshold < 1) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "bounds must be at least 1: --cpus %d, --pages %d, --tlb %s, --threshold %d", cpus, pages,
                    tlb == null ? "(pages)" : tlb, threshold));
        }
        List<String> modes = new java.util.ArrayList<>(java.util.Arrays.stream(org.mmspec.tlb.ShootdownMode.values())
                .map(m -> m.name().toLowerCase(Locale.ROOT)).toList());
        modes.add("lazy");
        if (!modes.contains(mode.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("unknown --mode " + mode + "; known: " + String.join(", ", modes));
        }
    }

    @Override
    public Integer call() {
        java.io.PrintWriter out = spec.commandLine().getOut();
        Bounds bounds;
        boolean porOn = switch (por) {
            case "on" -> true;
            case "off" -> false;
            default -> throw new IllegalArgumentException("--por must be on or off, not " + por);
        };
        CheckOptions checks = new CheckOptions(!noDeadlock, liveness, porOn);
        if (config != null) {
            Manifest manifest = Manifest.load(TlbModels.SHOOTDOWN);
            if (!manifest.configs().contains(config)) {
                throw new IllegalArgumentException("models/" + TlbModels.SHOOTDOWN + " has no configuration " + config
                        + "; known: " + String.join(", ", manifest.configs()));
            }
            bounds = manifest.bounds(config);
            CheckOptions recorded = manifest.checks(config);
            checks = new CheckOptions(recorded.deadlock() && !noDeadlock, recorded.liveness() || liveness,
                    recorded.por() && porOn);
        } else {
            checkBounds();
            String o = ops != null ? ops : cpus >= 2 && pages >= 2 ? "cpu0:munmap(0);cpu1:mprotect(1)" : "cpu0:munmap(0)";
            bounds = Bounds.parse(String.format(Locale.ROOT, "cpus=%d,pages=%d,tlb=%d,mode=%s,threshold=%d,ops=%s,bug=%s,symmetry=%s,cost=%s%s",
                    cpus, pages, tlb == null ? pages : tlb, mode, threshold, o, bug, noSymmetry ? "off" : "on", cost,
                    global.isBlank() ? "" : ",global=" + global));
        }
        TlbConfig cfg = TlbConfig.fromBounds(bounds);
        ShootdownModel model = new ShootdownModel(cfg);
        out.println("shootdown model: " + cfg);
        out.println("cost model: " + cfg.cost());
        ShootdownProtocol protocol = model.protocol();
        for (int c = 0; c < cfg.cpus(); c++) {
            for (KernelOp op : cfg.script(c)) {
                ShootdownProtocol.Plan plan = protocol.plan(c, op, cfg.initialPageTable(), cfg.initialFrames());
                if (plan == null) {
                    continue;
                }
                TlbShootdown req = plan.request();
                out.printf("  cpu%d %s: %s, steps %s, modelled cost %s%n", c, op, req, protocol.initiatorSteps(op),
                        cfg.cost().render(req));
            }
        }
        ExploreBounds eb = new ExploreBounds(depth == null ? Integer.MAX_VALUE : depth, maxStates);
        ExplorerSettings settings = new ExplorerSettings(StoreMode.parse(store), workers, switchAt,
                spillAt != null ? spillAt : ExplorerSettings.fromProperties().spillAt());
        Progress progress = System.console() != null ? Progress.terminal("shootdown", 0)
                : Progress.every(Duration.ofSeconds(2), System.out);
        ExplorationResult r = Explorer.explore(model, eb, progress, settings, checks);
        Progress.clearTerminalLine();
        out.println(r.summary());
        out.println("  " + r.storeSummary());
        out.println("  partial-order reduction: " + (Explorer.reduces(model, checks) ? "on (ShootdownFootprints)"
                : "off" + (porOn && checks.liveness() ? " (liveness is checked)" : "")));
        r.counterexample().ifPresent(c -> out.println(c.render()));
        if (saveCounterexample != null) {
            if (r.counterexample().isEmpty()) {
                out.println("no counterexample; " + saveCounterexample + " not written");
            } else {
                try {
                    new CounterexampleFile(r.system(), r.counterexample().get()).write(saveCounterexample);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException("cannot write " + saveCounterexample, e);
                }
                out.println("counterexample saved to " + saveCounterexample);
            }
        }
        boolean threadsOk = true;
        for (int i = 0; i < threads; i++) {
            ThreadedShootdown machine = new ThreadedShootdown(cfg);
            machine.runAll();
            if (!machine.violations().isEmpty()) {
                out.println("threaded run " + (i + 1) + ": " + String.join("; ", machine.violations()));
                threadsOk = false;
                break;
            }
        }
        if (threads > 0 && threadsOk) {
            out.println("threaded implementation: " + threads + " runs on real threads, no violation");
        }
        out.flush();
        return r.passed() && threadsOk ? 0 : 1;
    }
}
