package org.mmspec.check.store;

/**
 * A canonical key that supplies its own 64-bit fingerprint, so that {@link Fingerprint#of} need
 * not walk it. Two keys that are {@code equals} must return the same fingerprint; unequal keys
 * should differ in every bit with probability one half.
 */
public interface Fingerprinted {
    long fingerprint();
}
