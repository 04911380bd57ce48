package org.mmspec.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import org.mmspec.Catalog;
import org.mmspec.check.ExhaustiveModel;
import org.mmspec.check.ExplorationResult;
import org.mmspec.check.Manifest;
import org.mmspec.check.ModelRun;
import org.mmspec.check.Progress;
import org.mmspec.check.store.StoreMode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Runs model configurations from their manifests; can record fresh results into them. */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = "Run the models under models/ at their manifest bounds, compare with the recorded results,"
                + " and optionally record new results.")
final class ModelsCommand implements Callable<Integer> {

    @Parameters(arity = "0..*", paramLabel = "MODEL[:CONFIG]", description = "Models to run (default: all).")
    List<String> selected = new ArrayList<>();

    @Option(names = "--heavy", description = "Include configurations of the heavy profile.")
    boolean heavy;

    @Option(names = "--record", description = "Write the results into models/<name>/manifest.properties.")
    boolean record;

    @Option(names = "--trace", description = "Print the counterexample timeline of every failing configuration.")
    boolean trace;

    @Option(names = "--store", description = "Visited-state store: auto, exact or fingerprint (default: the"
            + " mmspec.explorer.store property, else auto).")
    String store;

    @Option(names = "--workers", description = "Explorer threads (default: the mmspec.explorer.threads property, else"
            + " every processor).")
    Integer workers;

    @Option(names = "--home", description = "Project root holding models/ (default: ${DEFAULT-VALUE}).")
    Path home = Path.of(System.getProperty("mmspec.home", "."));

    @Override
    public Integer call() throws IOException {
        int drifted = 0;
        // ModelRun reads the explorer settings from these properties, as the tests do
        if (store != null) {
            System.setProperty("mmspec.explorer.store", StoreMode.parse(store).name().toLowerCase(java.util.Locale.ROOT));
        }
        if (workers != null) {
            if (workers < 1) {
                throw new IllegalArgumentException("--workers must be positive: " + workers);
            }
            System.setProperty("mmspec.explorer.threads", String.valueOf(workers));
        }
        for (String sel : selected) {
            String[] p = sel.split(":", 2);
            ExhaustiveModel known = Catalog.model(p[0]); // an unknown name is one line listing the known ones
            if (p.length == 2 && !Manifest.load(known.name()).configs().contains(p[1])) {
                throw new IllegalArgumentException("models/" + p[0] + " has no configuration " + p[1] + "; known: "
                        + String.join(", ", Manifest.load(known.name()).configs()));
            }
        }
        for (ExhaustiveModel model : Catalog.models()) {
            List<String> configsWanted = new ArrayList<>();
            boolean wanted = selected.isEmpty();
            for (String sel : selected) {
                String[] p = sel.split(":", 2);
                if (p[0].equals(model.name())) {
                    wanted = true;
                    if (p.length == 2) {
                        configsWanted.add(p[1]);
                    }
                }
            }
            if (!wanted) {
                continue;
            }
            Manifest manifest = Manifest.load(model.name());
            for (String config : manifest.configs()) {
                boolean explicit = configsWanted.contains(config);
                if (!configsWanted.isEmpty() && !explicit) {
                    continue;
                }
                if (!explicit && !heavy && !manifest.profile(config).equals("ci")) {
                    continue;
                }
                System.out.printf("%s [%s] %s%n", model.name(), config, manifest.bounds(config));
                ExplorationResult r = ModelRun.explore(model, manifest, config, Progress.every(Duration.ofSeconds(5), System.out));
                System.out.println("  " + r.summary());
                System.out.println("    " + r.storeSummary());
                if (trace || !Manifest.verdict(r).equals(manifest.expect(config))) {
                    r.counterexample().ifPresent(c -> System.out.println(c.render()));
                }
                List<String> drift = ModelRun.drift(manifest, config, r);
                drift.forEach(d -> System.out.println("  drift: " + d));
                if (record) {
                    manifest.record(config, r);
                    // the unreduced count beside the reduced one: a second run only where POR reduced this one
                    long full = ModelRun.reduces(model, manifest, config)
                            ? ModelRun.explore(model, manifest, config, Progress.NONE, false).distinctStates()
                            : r.distinctStates();
                    manifest.recordFull(config, full);
                } else if (!drift.isEmpty()) {
                    drifted++;
                }
            }
            if (record) {
                Path file = home.resolve("models").resolve(model.name()).resolve("manifest.properties");
                manifest.write(file);
                System.out.println("  recorded into " + file);
            }
        }
        return drifted == 0 ? 0 : 1;
    }
}
