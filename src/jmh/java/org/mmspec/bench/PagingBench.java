package org.mmspec.bench;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.mmspec.frames.BitmapAllocator;
import org.mmspec.frames.FrameRange;
import org.mmspec.frames.PhysFrame;
import org.mmspec.paging.Mapping;
import org.mmspec.paging.Page;
import org.mmspec.paging.PageFlags;
import org.mmspec.paging.PageMapper;
import org.mmspec.paging.PageSize;
import org.mmspec.paging.PhysicalMemory;
import org.mmspec.paging.TlbFlushSink;
import org.mmspec.paging.Translation;
import org.mmspec.paging.VirtAddr;
import org.mmspec.paging.x86_64.X86_64Pte;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * x86_64 page mapping with the tables already present: map then unmap of one 4 KiB page and of one
 * 2 MiB page, against a translation (the hardware walk) of a mapped 4 KiB address. A neighbour of
 * each page stays mapped (the next 4 KiB page in the same page table, the next 2 MiB page in the
 * same page directory), so unmap finds its table non-empty and reclaims nothing, and map allocates
 * no table. The TLB sink is {@link TlbFlushSink#NONE}: one CPU, the flush itself not measured.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class PagingBench {
    static final long VA_4K = 0x4000_0000L;
    static final long VA_2M = 0x8000_0000L;

    PageMapper mapper;
    Page small;
    Page huge;
    PhysFrame smallFrame;
    PhysFrame hugeFrame;
    VirtAddr probe;
    PageFlags flags;

    @Setup
    public void setUp() {
        mapper = new PageMapper(X86_64Pte.FORMAT, new PhysicalMemory(), new BitmapAllocator(FrameRange.of(16, 64), List.of()),
                TlbFlushSink.NONE);
        flags = PageFlags.readWrite();
        small = Page.of(VA_4K, PageSize.KIB_4);
        huge = Page.of(VA_2M, PageSize.MIB_2);
        smallFrame = PhysFrame.of(0x1000);
        hugeFrame = PhysFrame.of(0x2000 * 2);
        mapper.map(Page.of(VA_4K + PageSize.KIB_4.bytes(), PageSize.KIB_4), PhysFrame.of(0x1001), flags);
        mapper.map(Page.of(VA_2M + PageSize.MIB_2.bytes(), PageSize.MIB_2), PhysFrame.of(0x2000 * 2 + 512), flags);
        probe = VirtAddr.of(VA_4K + PageSize.KIB_4.bytes() + 0x123);
        if (mapper.translate(probe).isEmpty()) {
            throw new IllegalStateException("probe page not mapped");
        }
    }

    @Benchmark
    public Optional<Translation> translate4k() {
        return mapper.translate(probe);
    }

    @Benchmark
    public Mapping mapUnmap4k() {
        mapper.map(small, smallFrame, flags);
        return mapper.unmap(small);
    }

    @Benchmark
    public Mapping mapUnmap2m() {
        mapper.map(huge, hugeFrame, flags);
        return mapper.unmap(huge);
    }
}
