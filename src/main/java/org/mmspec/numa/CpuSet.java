package org.mmspec.numa;

import java.util.BitSet;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The seed's {@code CpuSet}: an immutable set of CPU numbers, such as a node's preferred
 * (local) CPUs. Rendered in the kernel's cpulist format ({@code 0-3,8}).
 */
public final class CpuSet {
    /** The highest CPU number the model accepts (a 4096-CPU machine, Linux's NR_CPUS maximum). */
    public static final int MAX_CPU = 4095;
    private static final CpuSet EMPTY = new CpuSet(new BitSet());

    private final BitSet bits;

    private CpuSet(BitSet bits) {
        this.bits = bits;
    }

    public static CpuSet empty() {
        return EMPTY;
    }

    public static CpuSet of(int... cpus) {
        BitSet b = new BitSet();
        for (int c : cpus) {
            if (c < 0 || c > MAX_CPU) {
                throw new IllegalArgumentException("cpu " + c + " outside [0, " + MAX_CPU + "]");
            }
            b.set(c);
        }
        return new CpuSet(b);
    }

    public boolean contains(int cpu) {
        return cpu >= 0 && bits.get(cpu);
    }

    public boolean isEmpty() {
        return bits.isEmpty();
    }

    public int size() {
        return bits.cardinality();
    }

    public boolean intersects(CpuSet other) {
        return bits.intersects(other.bits);
    }

    public List<Integer> cpus() {
        return bits.stream().boxed().toList();
    }

    /** The kernel's cpulist format: ranges joined by commas, e.g. {@code 0-3,8}; empty for none. */
    public String toList() {
        StringBuilder sb = new StringBuilder();
        int i = bits.nextSetBit(0);
        while (i >= 0) {
            int j = bits.nextClearBit(i) - 1;
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(i == j ? String.valueOf(i) : i + "-" + j);
            i = bits.nextSetBit(j + 1);
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CpuSet c && c.bits.equals(bits);
    }

    @Override
    public int hashCode() {
        return bits.hashCode();
    }

    @Override
    public String toString() {
        return "{" + cpus().stream().map(String::valueOf).collect(Collectors.joining(",")) + "}";
    }
}
