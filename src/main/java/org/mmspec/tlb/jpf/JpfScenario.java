package org.mmspec.tlb.jpf;

import org.mmspec.tlb.CostModel;
import org.mmspec.tlb.KernelOp;
import org.mmspec.tlb.SeededBug;
import org.mmspec.tlb.ShootdownMode;
import org.mmspec.tlb.ThreadedShootdown;
import org.mmspec.tlb.TlbConfig;

/**
 * Shared body of the Java PathFinder entry points: builds a configuration without the manifest
 * machinery, runs the threaded shootdown once with untimed waits (so JPF sees a deadlock as a
 * deadlock), and fails with an {@link AssertionError} naming the broken invariant.
 *
 * <p>Written for JPF's limits on Java 17: plain classes (no records), no lambdas or boxing method
 * references, no executors or futures, no {@code List.of}. Run with plain {@code java} it explores
 * one schedule; under JPF ({@code models/<name>/<name>.jpf}) it explores all of them. The first
 * argument, if any, names a {@link SeededBug} (for example {@code ack-before-invalidate}).
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

    static SeededBug bug(String[] args) {
        return args.length > 0 ? SeededBug.parse(args[0]) : SeededBug.NONE;
    }

    static TlbConfig config(int cpus, int pages, ShootdownMode mode, boolean lazy, int globalPages, KernelOp[][] scripts,
            SeededBug bug) {
        return new TlbConfig(cpus, pages, pages, mode, lazy, TlbConfig.LINUX_THRESHOLD, globalPages, scripts, bug, true,
                CostModel.SEED);
    }

    /** Runs the machine once; throws when an invariant broke. */
    static void run(String name, TlbConfig config) {
        ThreadedShootdown machine = new ThreadedShootdown(config, 0);
        machine.runAll();
        String violation = machine.firstViolation();
        assert violation == null : name + ": " + violation;
        if (violation != null) {
            throw new AssertionError(name + ": " + violation);
        }
        System.out.println(name + ": ok (" + config + ")");
    }
}
