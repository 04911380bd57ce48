package org.mmspec.numa;

import java.util.Objects;

/**
 * One allocation request: {@code 2^order} contiguous frames for a thread running on {@code cpu}.
 *
 * @param cpu the requesting CPU (decides the local node for a LOCAL binding)
 * @param order log2 of the frame count, 0 to {@link NumaAllocator#MAX_ORDER}
 * @param binding where the memory should come from
 */
public record NumaRequest(int cpu, int order, Binding binding) {
    public NumaRequest {
        Objects.requireNonNull(binding);
    }

    public static NumaRequest local(int cpu, int order) {
        return new NumaRequest(cpu, order, Binding.local());
    }

    public long frames() {
        return 1L << order;
    }

    @Override
    public String toString() {
        return "cpu" + cpu + " order " + order + " " + binding;
    }
}
