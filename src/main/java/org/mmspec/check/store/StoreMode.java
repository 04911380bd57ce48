package org.mmspec.check.store;

import java.util.Locale;

/**
 * How the explorer remembers visited states.
 * <ul>
 * <li>{@code EXACT}: every canonical key, in a hash set; no state can be missed, but a key costs
 *     whatever its objects cost (hundreds of bytes for the shootdown model).</li>
 * <li>{@code FINGERPRINT}: a 64-bit fingerprint per state in an open-addressing {@code long[]}
 *     (TLC and SPIN's hash compaction); 8 bytes per slot, a small probability (printed at the
 *     end) that two states share a fingerprint and the second is never explored.</li>
 * <li>{@code AUTO} (the default): exact up to a threshold of states (one million by default), then
 *     fingerprints; small models and the manifest checks stay exact, large runs fit in memory.</li>
 * </ul>
 */
public enum StoreMode {
    EXACT, FINGERPRINT, AUTO;

    /** Parses "exact", "fingerprint" or "auto" (any case). */
    public static StoreMode parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown state store '" + s + "' (exact, fingerprint or auto)", e);
        }
    }
}
