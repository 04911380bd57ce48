package org.mmspec.check;

/**
 * One broken invariant: which ID, what it states, and the part of the state that breaks it.
 *
 * @param invariantId the spec ID, such as {@code BUDDY-2}
 * @param statement the invariant's one-line statement
 * @param detail what in the state breaks it
 */
public record Violation(String invariantId, String statement, String detail) {
    /** A one-line rendering: {@code BUDDY-2 violated (statement): detail}. */
    public String message() {
        return invariantId + " violated (" + statement + "): " + detail;
    }
}
