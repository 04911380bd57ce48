package org.mmspec.check;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * One level of the breadth-first frontier: states appended in discovery order while a level is
 * expanded, read back in the same order while the next one is.
 *
 * <p>Encoding: the level's oldest states may sit in a temporary file, written with the system's
 * {@link StateCodec}, and its newest in a list in memory; the file always holds a prefix of the
 * level, so reading the file and then the list gives the discovery order. States move to the file
 * only between chunks ({@link #spillIfNeeded}), when the list has reached {@code spillAt} states
 * or the heap is more than {@value #HEAP_SHARE_PERCENT} % full. Where states are kept never
 * changes what the search does: the same states reach it in the same order.
 *
 * @param <S> the state type
 */
final class Frontier<S> implements AutoCloseable {
    /** Heap use, in percent of the maximum, above which a level with a codec moves to disk. */
    static final int HEAP_SHARE_PERCENT = 50;
    /** The fewest states worth a write: below this a spill would cost more than it frees. */
    static final int MIN_SPILL = 1024;

    private final StateCodec<S> codec;
    private final long spillAt;
    private final BooleanSupplier heapShort;
    private List<S> memory = new ArrayList<>();
    private Path file;
    private DataOutputStream out;
    private long onDisk;
    private DataInputStream in;
    private long read;
    private int memoryRead;

    /**
     * @param codec how to write states, or null to keep them all in memory
     * @param spillAt states held in memory after which they go to disk (with a codec)
     */
    Frontier(StateCodec<S> codec, long spillAt) {
        this(codec, spillAt, Frontier::heapShort);
    }

    /** As above, with {@code heapShort} in place of the heap's own figures (a seam for tests). */
    Frontier(StateCodec<S> codec, long spillAt, BooleanSupplier heapShort) {
        this.codec = codec;
        this.spillAt = spillAt;
        this.heapShort = heapShort;
    }

    void add(S state) {
        memory.add(state);
    }

    long size() {
        return onDisk + memory.size();
    }

    boolean isEmpty() {
        return size() == 0;
    }

    /** The level's file, or null while nothing was written (for tests). */
    Path file() {
        return file;
    }

    /** States of this level written to disk so far. */
    long spilled() {
        return onDisk;
    }

    /** Moves the states held in memory to the level's file when there are too many for the heap. */
    void spillIfNeeded() {
        if (codec == null || memory.isEmpty()
                || memory.size() < spillAt && (memory.size() < MIN_SPILL || !heapShort.getAsBoolean())) {
            return;
        }
        try {
            if (out == null) {
                file = Files.createTempFile("mmspec-frontier-", ".bin");
                file.toFile().deleteOnExit();
                out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16));
            }
            for (S s : memory) {
                codec.write(s, out);
            }
            onDisk += memory.size();
            memory = new ArrayList<>();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot spill the frontier to " + file, e);
        }
    }

    private static boolean heapShort() {
        Runtime rt = Runtime.getRuntime();
        return heapShort(rt.totalMemory(), rt.freeMemory(), rt.maxMemory());
    }

    /** Whether a heap that took {@code total} bytes of at most {@code max}, {@code free} of them unused, is too full. */
    static boolean heapShort(long total, long free, long max) {
        return (total - free) * 100 > max * HEAP_SHARE_PERCENT;
    }

    /**
     * The next at most {@code max} states of the level, in discovery order; empty once all were
     * read. Reading starts once the level is complete (nothing is added after the first take).
     */
    List<S> take(int max) {
        List<S> part = new ArrayList<>(max);
        try {
            if (read < onDisk) {
                if (in == null) {
                    out.close();
                    in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
                }
                while (part.size() < max && read < onDisk) {
                    part.add(codec.read(in));
                    read++;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the frontier back from " + file, e);
        }
        while (part.size() < max && memoryRead < memory.size()) {
            part.add(memory.get(memoryRead));
            memory.set(memoryRead++, null); // expanded states are replayed for a trace, never kept
        }
        return part;
    }

    @Override
    public void close() {
        try {
            if (in != null) {
                in.close();
            } else if (out != null) {
                out.close();
            }
            if (file != null) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the frontier file " + file, e);
        }
    }
}
