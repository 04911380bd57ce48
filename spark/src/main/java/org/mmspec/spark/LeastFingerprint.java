package org.mmspec.spark;

import org.apache.spark.util.AccumulatorV2;

/**
 * An accumulator of the least fingerprint (unsigned) its tasks added, or none: how the executors
 * report a deadlocked state found while expanding a level (the expansion's output is the shuffle of
 * candidate successors, which a state without successors does not appear in). Taking the least
 * makes the choice independent of task order, and a task run twice (retry, recomputed lineage)
 * adds the same fingerprints again, which changes nothing.
 */
final class LeastFingerprint extends AccumulatorV2<Long, Long> {
    private static final long serialVersionUID = 1L;
    private boolean any;
    private long least;

    @Override
    public boolean isZero() {
        return !any;
    }

    @Override
    public LeastFingerprint copy() {
        LeastFingerprint c = new LeastFingerprint();
        c.any = any;
        c.least = least;
        return c;
    }

    @Override
    public void reset() {
        any = false;
        least = 0;
    }

    @Override
    public void add(Long fp) {
        if (!any || Long.compareUnsigned(fp, least) < 0) {
            least = fp;
            any = true;
        }
    }

    @Override
    public void merge(AccumulatorV2<Long, Long> other) {
        if (!other.isZero()) {
            add(other.value());
        }
    }

    /** The least fingerprint added; null when none was. */
    @Override
    public Long value() {
        return any ? least : null;
    }
}
