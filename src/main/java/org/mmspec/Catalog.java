package org.mmspec;

import java.util.ArrayList;
import java.util.List;

import org.mmspec.check.CheckSuite;
import org.mmspec.check.ExhaustiveModel;
import org.mmspec.check.Manifest;
import org.mmspec.check.ModelRun;
import org.mmspec.check.Progress;

/**
 * Every check the project runs, in one place: the property suites of each component and the
 * exhaustive models under {@code models/}. {@code mmspec check} prints one table row per entry,
 * and the test suite runs the same entries, so the command and the tests cannot drift apart.
 */
public final class Catalog {
    private Catalog() {
    }

    /** The random, exhaustive and inductive suites of every component, in the order of the spec. */
    public static List<CheckSuite> suites() {
        List<CheckSuite> all = new ArrayList<>();
        all.addAll(org.mmspec.frames.FrameSuites.all());
        all.addAll(org.mmspec.zones.ZoneSuites.all());
        all.addAll(org.mmspec.numa.NumaSuites.all());
        all.addAll(org.mmspec.pcp.PcpSuites.all());
        all.addAll(org.mmspec.paging.PagingSuites.all());
        all.addAll(org.mmspec.vm.VmSuites.all());
        all.addAll(org.mmspec.tlb.TlbSuites.all());
        all.addAll(org.mmspec.tlb.smp.SmpSuites.all());
        all.addAll(org.mmspec.tlb.asid.AsidSuites.all());
        all.addAll(org.mmspec.heap.HeapSuites.all());
        all.addAll(org.mmspec.hwsec.HwSecSuites.all());
        all.addAll(org.mmspec.hwsec.aarch64.ArmSecSuites.all());
        return all;
    }

    /** The models under {@code models/}, each with a manifest. */
    public static List<ExhaustiveModel> models() {
        List<ExhaustiveModel> all = new ArrayList<>();
        all.addAll(org.mmspec.frames.FrameModels.all());
        all.add(new org.mmspec.zones.ZoneModel());
        all.add(new org.mmspec.numa.NumaModel());
        all.add(new org.mmspec.numa.ZonedNumaModel());
        all.add(new org.mmspec.pcp.PcpModel());
        all.add(new org.mmspec.pcp.PcpProtocolModel());
        all.addAll(org.mmspec.paging.PagingModels.all());
        all.add(new org.mmspec.vm.VmModel());
        all.addAll(org.mmspec.tlb.TlbModels.all());
        all.add(new org.mmspec.tlb.smp.SmpModel());
        all.add(new org.mmspec.tlb.asid.AsidModel());
        all.add(org.mmspec.heap.HeapModel.perCpu());
        all.add(org.mmspec.heap.HeapModel.large());
        all.addAll(org.mmspec.hwsec.HwSecSuites.models());
        all.addAll(org.mmspec.hwsec.aarch64.ArmSecModels.all());
        return all;
    }

    /** The model with this folder name. */
    public static ExhaustiveModel model(String name) {
        return models().stream().filter(m -> m.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no model named " + name + "; known: "
                        + models().stream().map(ExhaustiveModel::name).toList()));
    }

    /** One check-table row per configuration of every model in the given profiles. */
    public static List<CheckSuite> modelSuites(boolean includeHeavy) {
        List<CheckSuite> out = new ArrayList<>();
        for (ExhaustiveModel model : models()) {
            Manifest manifest = Manifest.load(model.name());
            for (String config : manifest.configs()) {
                if (!includeHeavy && !manifest.profile(config).equals("ci")) {
                    continue;
                }
                out.add(modelSuite(model, manifest, config));
            }
        }
        return out;
    }

    /** The invariant IDs a configuration checks, then its liveness IDs when it checks liveness. */
    private static List<String> checkedIds(ExhaustiveModel model, Manifest manifest, String config) {
        var system = model.build(manifest.bounds(config));
        List<String> ids = new ArrayList<>(system.invariants().ids());
        if (manifest.checks(config).liveness()) {
            system.liveness().stream().map(l -> l.id()).distinct().forEach(ids::add);
        }
        return ids;
    }

    private static CheckSuite modelSuite(ExhaustiveModel model, Manifest manifest, String config) {
        String expect = manifest.expect(config);
        String name = "models/" + model.name() + " [" + config + "] "
                + (expect.equals("pass") ? "" : "seeded bug, expect " + expect + " ") + manifest.bounds(config);
        return CheckSuite.of(model.component(), name, CheckSuite.Kind.EXHAUSTIVE,
                () -> checkedIds(model, manifest, config), () -> {
                    var r = ModelRun.explore(model, manifest, config, Progress.terminal(model.name() + " [" + config + "]",
                            Progress.recordedStates(manifest.get(config + ".states", ""))));
                    List<String> drift = ModelRun.drift(manifest, config, r);
                    return new CheckSuite.Result(r.distinctStates(), r.elapsed(), drift.isEmpty(),
                            drift.isEmpty() ? r.summary() : String.join("\n", drift),
                            r.counterexample().map(c -> new org.mmspec.check.CounterexampleFile(r.system(), c)));
                });
    }
}
