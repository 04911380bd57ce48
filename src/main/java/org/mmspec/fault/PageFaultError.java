package org.mmspec.fault;

/**
 * The seed's {@code PageFaultError}: the hardware error code of a page fault (x86_64 bits P, W/R,
 * U/S, I/D).
 *
 * @param present P: the page was present, so this is a protection fault
 * @param access W/R and I/D: what the access was
 * @param user U/S: the access came from user mode
 */
public record PageFaultError(boolean present, Access access, boolean user) {
    public static PageFaultError user(boolean present, Access access) {
        return new PageFaultError(present, access, true);
    }
}
