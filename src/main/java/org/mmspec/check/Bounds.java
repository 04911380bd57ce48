package org.mmspec.check;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The bounds of one model configuration (frames, CPUs, pages, orders, a seeded bug, ...), as
 * written in a manifest: {@code frames=32,maxOrder=3}. Bounds live in the manifest and nowhere
 * else; the model reads them from here.
 */
public final class Bounds {
    private final Map<String, String> values;

    private Bounds(Map<String, String> values) {
        this.values = Map.copyOf(values);
        this.order = String.join(",", values.keySet());
    }

    private final String order;

    /** Parses {@code key=value,key=value}; an empty string gives empty bounds. */
    public static Bounds parse(String text) {
        Map<String, String> m = new LinkedHashMap<>();
        if (!text.isBlank()) {
            for (String part : text.split(",")) {
                String[] kv = part.split("=", 2);
                if (kv.length != 2 || kv[0].isBlank()) {
                    throw new IllegalArgumentException("bounds entry is not key=value: '" + part + "' in '" + text + "'");
                }
                m.put(kv[0].trim(), kv[1].trim());
            }
        }
        return new Bounds(m);
    }

    public static Bounds of(Map<String, String> values) {
        return new Bounds(new LinkedHashMap<>(values));
    }

    public int getInt(String key) {
        return Integer.parseInt(get(key));
    }

    public int getInt(String key, int fallback) {
        return values.containsKey(key) ? getInt(key) : fallback;
    }

    public String get(String key) {
        String v = values.get(key);
        if (v == null) {
            throw new IllegalArgumentException("bounds lack '" + key + "': " + this);
        }
        return v;
    }

    public String get(String key, String fallback) {
        return values.getOrDefault(key, fallback);
    }

    public boolean has(String key) {
        return values.containsKey(key);
    }

    /** A copy with {@code key} set to {@code value}. */
    public Bounds with(String key, Object value) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String k : order.split(",")) {
            if (!k.isEmpty()) {
                m.put(k, values.get(k));
            }
        }
        m.put(key, String.valueOf(value));
        return new Bounds(m);
    }

    @Override
    public String toString() {
        return java.util.Arrays.stream(order.split(",")).filter(k -> !k.isEmpty()).map(k -> k + "=" + values.get(k))
                .collect(Collectors.joining(","));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Bounds b && b.values.equals(values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }
}
