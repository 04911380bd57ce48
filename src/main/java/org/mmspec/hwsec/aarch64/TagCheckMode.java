package org.mmspec.hwsec.aarch64;

/**
 * How a mismatch between a pointer's logical tag and the granule's allocation tag is reported
 * (Arm ARM D10.5 "Tag checking", SCTLR_EL1.TCF0 at bits 39:38 for EL0): not at all, as a
 * synchronous data abort before the access is performed, or asynchronously: the access is
 * performed and TFSRE0_EL1.TF0 records the fault, which the kernel reports at its next check
 * point (kernel entry or context switch).
 */
public enum TagCheckMode {
    /** TCF0 = 0b00: tag-check faults have no effect. */
    NONE(0b00),
    /** TCF0 = 0b01: a mismatch is a synchronous exception; the access is not performed. */
    SYNC(0b01),
    /** TCF0 = 0b10: a mismatch sets TFSRE0_EL1.TF0; the access is performed. */
    ASYNC(0b10);

    /** Lowest bit of SCTLR_EL1.TCF0. */
    public static final int SCTLR_TCF0_SHIFT = 38;
    /** TFSRE0_EL1.TF0 (bit 0): an asynchronous tag-check fault from EL0 is pending. */
    public static final long TFSRE0_TF0 = 1L;

    /** The TCF0 field value. */
    public final int tcf;

    TagCheckMode(int tcf) {
        this.tcf = tcf;
    }
}
