package org.mmspec.check;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The small pieces a {@link StateCodec} is written from, so that each model's codec lists its
 * state's fields in order and nothing else: enums as their ordinal, int and long arrays and lists
 * of any element as a length then the elements, and an absent value as a presence byte.
 *
 * <p>Every writer has its reader; a codec reads its fields back in the order it wrote them. The
 * encoding may depend on the configuration (the contract of {@link StateCodec}), so lengths fixed
 * by it could be left out, but are written anyway: a codec that reads a state of another
 * configuration then fails at once rather than later.
 */
public final class Encoding {
    private Encoding() {
    }

    /** Writes one element. */
    @FunctionalInterface
    public interface Writer<T> {
        void write(T value, DataOutput out) throws IOException;
    }

    /** Reads one element. */
    @FunctionalInterface
    public interface Reader<T> {
        T read(DataInput in) throws IOException;
    }

    /** A codec from a writer and a reader. */
    public static <S> StateCodec<S> codec(Writer<S> writer, Reader<S> reader) {
        return new StateCodec<>() {
            @Override
            public void write(S state, DataOutput out) throws IOException {
                writer.write(state, out);
            }

            @Override
            public S read(DataInput in) throws IOException {
                return reader.read(in);
            }
        };
    }

    /** Reads a state's changing fields into a copy of the configuration's template. */
    @FunctionalInterface
    public interface Filler<S> {
        void fill(S blank, DataInput in) throws IOException;
    }

    /**
     * A codec for a mutable state whose configuration (sizes, reserved regions, seeded bug) never
     * changes: it writes only what actions change, and reads them into a copy of {@code template},
     * a state of the same configuration (the system's initial state, built once per codec).
     */
    public static <S> StateCodec<S> overwriting(java.util.function.Supplier<S> template,
            java.util.function.UnaryOperator<S> copy, Writer<S> writer, Filler<S> filler) {
        return new StateCodec<>() {
            private volatile S blank;

            @Override
            public void write(S state, DataOutput out) throws IOException {
                writer.write(state, out);
            }

            @Override
            public S read(DataInput in) throws IOException {
                S t = blank;
                if (t == null) {
                    t = template.get();
                    blank = t;
                }
                S s = copy.apply(t);
                filler.fill(s, in);
                return s;
            }
        };
    }

    /** Reads {@code into.length} longs written by {@link #writeLongs} into {@code into}. */
    public static void fillLongs(long[] into, DataInput in) throws IOException {
        int n = in.readInt();
        if (n != into.length) {
            throw new IOException(n + " values where this configuration has " + into.length);
        }
        for (int i = 0; i < n; i++) {
            into[i] = in.readLong();
        }
    }

    public static void writeEnum(Enum<?> value, DataOutput out) throws IOException {
        out.writeShort(value.ordinal());
    }

    public static <E extends Enum<E>> E readEnum(Class<E> type, DataInput in) throws IOException {
        return type.getEnumConstants()[in.readShort()];
    }

    public static void writeInts(int[] values, DataOutput out) throws IOException {
        out.writeInt(values.length);
        for (int v : values) {
            out.writeInt(v);
        }
    }

    public static int[] readInts(DataInput in) throws IOException {
        int[] values = new int[in.readInt()];
        for (int i = 0; i < values.length; i++) {
            values[i] = in.readInt();
        }
        return values;
    }

    public static void writeLongs(long[] values, DataOutput out) throws IOException {
        out.writeInt(values.length);
        for (long v : values) {
            out.writeLong(v);
        }
    }

    public static long[] readLongs(DataInput in) throws IOException {
        long[] values = new long[in.readInt()];
        for (int i = 0; i < values.length; i++) {
            values[i] = in.readLong();
        }
        return values;
    }

    public static void writeBooleans(boolean[] values, DataOutput out) throws IOException {
        out.writeInt(values.length);
        for (boolean v : values) {
            out.writeBoolean(v);
        }
    }

    public static boolean[] readBooleans(DataInput in) throws IOException {
        boolean[] values = new boolean[in.readInt()];
        for (int i = 0; i < values.length; i++) {
            values[i] = in.readBoolean();
        }
        return values;
    }

    public static <T> void writeList(List<T> values, Writer<? super T> element, DataOutput out) throws IOException {
        out.writeInt(values.size());
        for (T v : values) {
            element.write(v, out);
        }
    }

    /** A mutable list (models copy and change theirs). */
    public static <T> List<T> readList(Reader<? extends T> element, DataInput in) throws IOException {
        int n = in.readInt();
        List<T> values = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            values.add(element.read(in));
        }
        return values;
    }

    public static <T> void writeNullable(T value, Writer<? super T> element, DataOutput out) throws IOException {
        out.writeBoolean(value != null);
        if (value != null) {
            element.write(value, out);
        }
    }

    public static <T> T readNullable(Reader<? extends T> element, DataInput in) throws IOException {
        return in.readBoolean() ? element.read(in) : null;
    }
}
