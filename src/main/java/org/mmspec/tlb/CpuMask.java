package org.mmspec.tlb;

import java.util.StringJoiner;

/**
 * A set of CPU numbers, {@code 0..}{@link #MAX_CPUS}{@code -1}, as an immutable bit set (bit
 * {@code c} set when CPU {@code c} is a member). The seed's {@code CpuMask}.
 */
public final class CpuMask {
    /** Most CPUs a mask (and the model) can name. */
    public static final int MAX_CPUS = 8;
    /** The empty mask. */
    public static final CpuMask NONE = new CpuMask(0);

    private final int bits;

    private CpuMask(int bits) {
        this.bits = bits;
    }

    public static CpuMask ofBits(int bits) {
        if ((bits & ~((1 << MAX_CPUS) - 1)) != 0) {
            throw new IllegalArgumentException("CPU mask names a CPU past " + (MAX_CPUS - 1) + ": " + Integer.toBinaryString(bits));
        }
        return new CpuMask(bits);
    }

    /** CPUs {@code 0..n-1}. */
    public static CpuMask firstN(int n) {
        return ofBits((1 << n) - 1);
    }

    public static CpuMask of(int... cpus) {
        int b = 0;
        for (int c : cpus) {
            b |= 1 << c;
        }
        return ofBits(b);
    }

    public int bits() {
        return bits;
    }

    public boolean contains(int cpu) {
        return (bits >>> cpu & 1) != 0;
    }

    public CpuMask with(int cpu) {
        return ofBits(bits | 1 << cpu);
    }

    public CpuMask without(int cpu) {
        return new CpuMask(bits & ~(1 << cpu));
    }

    public boolean containsAll(CpuMask other) {
        return (other.bits & ~bits) == 0;
    }

    public int size() {
        return Integer.bitCount(bits);
    }

    public boolean isEmpty() {
        return bits == 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CpuMask m && m.bits == bits;
    }

    @Override
    public int hashCode() {
        return bits;
    }

    @Override
    public String toString() {
        StringJoiner j = new StringJoiner(",", "{", "}");
        for (int c = 0; c < MAX_CPUS; c++) {
            if (contains(c)) {
                j.add("cpu" + c);
            }
        }
        return j.toString();
    }
}
