package org.mmspec.tlb.jpf;

import org.mmspec.tlb.CostModel;
import org.mmspec.tlb.KernelOp;
import org.mmspec.tlb.SeededBug;
import org.mmspec.tlb.ShootdownMode;
import org.mmspec.tlb.TlbConfig;

/**
 * Shared body of the Java PathFinder entry points: builds a configuration without the manifest
 * machinery, runs {@link JpfShootdown} once with untimed waits (so JPF sees a deadlock as a
 * deadlock), and fails with an {@link AssertionError} naming the broken invariant.
 *
 * <p>Written for JPF's limits on Java 17 (each one met while running the models, see README "Java
 * PathFinder"): plain classes (no records), no lambdas or boxing method references, no executors
 * or futures, no {@code List.of}, and no text built on the explored path except after every CPU
 * thread finished (a {@code StringJoiner} ends in {@code NoSuchMethodError System$2.join} inside JPF).
 * Run with plain {@code java} it explores one schedule; under JPF ({@code models/<name>/<name>.jpf})
 * it explores all of them.
 *
 * <p>The first argument, if any, names a {@link SeededBug} (for example {@code ack-before-invalidate}).
 * Each scenario lists the bugs that take effect in it; any other is refused with an
 * {@link IllegalArgumentException}, so a bug that cannot show in a scenario is never reported as
 * "no errors" (under JPF a refused bug is an uncaught exception, an error, not a silent pass).
 */
public final class JpfScenario {
    private JpfScenario() {
    }

    /** One operation for {@code cpu}, none for the others. */
    static KernelOp[][] scripts(int cpus, int cpu, KernelOp op) {
        KernelOp[][] s = new KernelOp[cpus][];
        for (int c = 0; c < cpus; c++) {
            s[c] = c == cpu ? new KernelOp[] {op} : new KernelOp[0];
        }
        return s;
    }

    /**
     * The bug named by {@code args[0]} ({@link SeededBug#NONE} without arguments), which must be one
     * of {@code accepted}: the bugs whose effect this scenario can show and check.
     */
    static SeededBug bug(String[] args, SeededBug... accepted) {
        if (args.length == 0) {
            return SeededBug.NONE;
        }
        SeededBug b = SeededBug.parse(args[0]);
        if (b == SeededBug.NONE) {
            return b;
        }
        String known = "";
        for (SeededBug a : accepted) {
            if (a == b) {
                return b;
            }
            known = known.isEmpty() ? a.word() : known + ", " + a.word();
        }
        throw new IllegalArgumentException("bug " + b.word() + " cannot take effect in this scenario; it accepts " + known);
    }

    static TlbConfig config(int cpus, int pages, ShootdownMode mode, boolean lazy, int globalPages, KernelOp[][] scripts,
            SeededBug bug) {
        return new TlbConfig(cpus, pages, pages, mode, lazy, TlbConfig.LINUX_THRESHOLD, globalPages, scripts, bug, true,
                CostModel.SEED);
    }

    /** Runs the machine once; throws when an invariant broke. */
    static void run(String name, TlbConfig config) {
        run(name, new JpfShootdown(config, 0, null));
    }

    /** Runs {@code machine} once; throws when an invariant broke. */
    static void run(String name, JpfShootdown machine) {
        machine.runAll();
        String violation = machine.firstViolation();
        if (violation != null) {
            throw new AssertionError(name + ": " + violation);
        }
        System.out.println(name + ": ok");
    }
}
