package org.mmspec.check;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's manifest, {@code models/<name>/manifest.properties}: its configurations, their
 * bounds, and the results recorded for each (distinct states, transitions, depth, verdict, time).
 *
 * <p>Format: {@code key=value} lines, {@code #} comments, order preserved on rewrite. Keys:
 * {@code configs} lists configuration names; for each configuration {@code C}:
 * {@code C.bounds}, {@code C.depth} (BFS depth bound, or {@code full}), {@code C.profile}
 * ({@code ci}: runs in the test suite and {@code mmspec check}; {@code heavy}: only on request),
 * {@code C.expect} ({@code pass}, or {@code fail:ID} for a seeded bug that must be caught), and
 * the checks beside the invariants ({@code C.deadlock=off} with {@code C.deadlock.reason}, or
 * model-wide {@code deadlock}; {@code C.liveness=on}; {@code C.por=off} or model-wide {@code por=off}:
 * {@link #checks}), and the recorded {@code C.states}, {@code C.transitions}, {@code C.reached},
 * {@code C.verdict}, {@code C.cexLength} and {@code C.millis} (of the run as configured, so with
 * partial-order reduction where the model declares it), and {@code C.statesFull}, the distinct
 * states of the same run without the reduction ({@link #recordFull}). A test fails when a recorded count drifts; time is
 * recorded for information only.
 */
public final class Manifest {
    private final String name;
    private final LinkedHashMap<String, String> entries;
    private final List<String> lines;

    private Manifest(String name, List<String> lines) {
        this.name = name;
        this.lines = new ArrayList<>(lines);
        this.entries = new LinkedHashMap<>();
        for (String line : lines) {
            String t = line.trim();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            int eq = t.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("models/" + name + "/manifest.properties: not key=value: " + line);
            }
            entries.put(t.substring(0, eq).trim(), t.substring(eq + 1).trim());
        }
    }

    /** Loads a manifest from the class path (the build copies {@code models/} there). */
    public static Manifest load(String model) {
        String resource = "/models/" + model + "/manifest.properties";
        try (InputStream in = Manifest.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no manifest on the class path: " + resource);
            }
            return parse(model, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Manifest parse(String model, String text) {
        return new Manifest(model, text.lines().toList());
    }

    public String name() {
        return name;
    }

    public List<String> configs() {
        return List.of(get("configs").split("\\s*,\\s*"));
    }

    public String get(String key) {
        String v = entries.get(key);
        if (v == null) {
            throw new IllegalArgumentException("models/" + name + "/manifest.properties lacks " + key);
        }
        return v;
    }

    public String get(String key, String fallback) {
        return entries.getOrDefault(key, fallback);
    }

    public Bounds bounds(String config) {
        return Bounds.parse(get(config + ".bounds", ""));
    }

    public ExploreBounds exploreBounds(String config) {
        String depth = get(config + ".depth", "full");
        long maxStates = Long.parseLong(get(config + ".maxStates", String.valueOf(ExploreBounds.DEFAULT_MAX_STATES)));
        return new ExploreBounds(depth.equals("full") ? Integer.MAX_VALUE : Integer.parseInt(depth), maxStates);
    }

    public String profile(String config) {
        return get(config + ".profile", "ci");
    }

    /**
     * The checks beside the invariants: deadlock unless {@code C.deadlock} (or the model-wide
     * {@code deadlock}) is {@code off}, which needs a {@code .deadlock.reason} beside it; liveness
     * when {@code C.liveness=on}; partial-order reduction unless {@code C.por} (or the model-wide
     * {@code por}) is {@code off} (it applies only where the model declares a partial order).
     */
    public CheckOptions checks(String config) {
        String deadlock = get(config + ".deadlock", get("deadlock", "on"));
        boolean off = switchValue(config + ".deadlock", deadlock);
        if (off) {
            String reason = get(config + ".deadlock.reason", get("deadlock.reason", ""));
            if (reason.isBlank()) {
                throw new IllegalArgumentException("models/" + name + "/manifest.properties: " + config
                        + ": deadlock=off needs a deadlock.reason saying why a stuck state is acceptable");
            }
        }
        boolean liveness = !switchValue(config + ".liveness", get(config + ".liveness", "off"));
        boolean por = !switchValue(config + ".por", get(config + ".por", get("por", "on")));
        return new CheckOptions(!off, liveness, por);
    }

    /** True for {@code off}, false for {@code on}; anything else is an error naming the key. */
    private boolean switchValue(String key, String value) {
        return switch (value) {
            case "off" -> true;
            case "on" -> false;
            default -> throw new IllegalArgumentException("models/" + name + "/manifest.properties: " + key
                    + " must be on or off, not " + value);
        };
    }

    public String expect(String config) {
        return get(config + ".expect", "pass");
    }

    /** Sets the recorded result keys of {@code config} to what {@code r} found. */
    public void record(String config, ExplorationResult r) {
        Map<String, String> rec = new LinkedHashMap<>();
        rec.put(config + ".states", String.valueOf(r.distinctStates()));
        rec.put(config + ".transitions", String.valueOf(r.transitions()));
        rec.put(config + ".reached", String.valueOf(r.depth()));
        rec.put(config + ".complete", String.valueOf(r.complete()));
        rec.put(config + ".verdict", verdict(r));
        rec.put(config + ".cexLength", r.counterexample().map(c -> String.valueOf(c.length())).orElse("-"));
        rec.put(config + ".millis", String.valueOf(r.elapsed().toMillis()));
        // right unless the run was reduced, when the caller records the unreduced count after this
        rec.put(config + ".statesFull", String.valueOf(r.distinctStates()));
        for (Map.Entry<String, String> e : rec.entrySet()) {
            set(e.getKey(), e.getValue());
        }
    }

    /** Records the distinct states of {@code config}'s run without partial-order reduction. */
    public void recordFull(String config, long states) {
        set(config + ".statesFull", String.valueOf(states));
    }

    /** {@code pass}, or {@code fail:ID} naming the broken invariant. */
    public static String verdict(ExplorationResult r) {
        return r.counterexample().map(c -> "fail:" + c.invariantId()).orElse("pass");
    }

    private void set(String key, String value) {
        entries.put(key, value);
        String prefix = key + "=";
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).trim().startsWith(prefix)) {
                lines.set(i, key + "=" + value);
                return;
            }
        }
        lines.add(key + "=" + value);
    }

    public String render() {
        return String.join("\n", lines) + "\n";
    }

    public void write(Path file) throws IOException {
        Files.writeString(file, render(), StandardCharsets.UTF_8);
    }
}
