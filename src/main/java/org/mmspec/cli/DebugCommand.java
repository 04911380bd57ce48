package org.mmspec.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import org.mmspec.check.MmException;
import org.mmspec.debug.SampleMachine;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** The seed's debug commands against a small booted machine ({@link SampleMachine}). */
@Command(name = "debug", mixinStandardHelpOptions = true,
        description = "Boot a small sample machine (3 NUMA nodes, HybridAllocators, slab heap, x86_64 page tables) and"
                + " answer the seed's debug commands: 'mem' (echo mem > /sys/kernel/debug/memory),"
                + " 'dump_pt 0x1000', 'meminfo' (cat /sys/devices/system/node/node*/meminfo),"
                + " 'arm_mte [PTR]' (AArch64 TBI/MTE/PAC report, or one pointer decoded),"
                + " 'pcp' (per-CPU frame caches: hits, refills, drains per CPU and per node).")
final class DebugCommand implements Callable<Integer> {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "0..*", paramLabel = "COMMAND", description = "The command line written to the debug file (default: mem).")
    List<String> words = new ArrayList<>();

    @Override
    public Integer call() {
        String line = words.isEmpty() ? "mem" : String.join(" ", words);
        try {
            spec.commandLine().getOut().print(new SampleMachine().debug(line));
            spec.commandLine().getOut().flush();
            return 0;
        } catch (MmException e) {
            spec.commandLine().getErr().println("mmspec debug: " + e);
            spec.commandLine().getErr().flush();
            return 2;
        }
    }
}
