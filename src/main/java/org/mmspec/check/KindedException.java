package org.mmspec.check;

import java.io.IOException;
import java.io.ObjectOutputStream;
import java.util.Objects;

/**
 * The shared body of every component's typed error: a rejection named by one constant of the
 * component's {@code Kind} enum. A component error is only its {@code Kind} (one documented
 * constant per way its operations are rejected), its constructors, a static
 * {@code of(kind, format, args...)} and {@link #errorKind()} narrowed to its {@code Kind}; this
 * class holds the kind and the message. It is not generic over the enum because Java forbids
 * generic subclasses of {@code Throwable} (a {@code catch} cannot test a type argument), so each
 * component narrows {@code errorKind()} with one covariant override instead.
 *
 * <p>Two choices hold for every rejection, because a rejection is an outcome the specification
 * defines, not a fault, and the explorers reject bad input in nearly every state they reach:
 * <ul>
 *   <li><b>No stack trace.</b> Filling one per rejection dominated the zone and NUMA explorers'
 *       run time, and it costs the others too: {@code ./mmspec models --heavy buddy-32:deep}
 *       (1.2 million transitions) took 10.0 and 12.3 s without traces, 14.9 and 16.0 s with
 *       them, on a shared 2-core machine. The message names the operation and its arguments
 *       instead. Set the system property {@value #STACK_TRACES_PROPERTY} to {@code true} to get
 *       traces back when hunting for where an unexpected rejection came from.</li>
 *   <li><b>Lazy message.</b> A message is {@code String.format(format, args)}, formatted the
 *       first time it is read, since almost no rejection is ever read. So the arguments must be
 *       values (numbers, frames, ranges, strings), not mutable state whose rendering would
 *       change after the throw.</li>
 * </ul>
 */
public abstract class KindedException extends MmException {
    private static final long serialVersionUID = 1L;

    /** The system property that turns stack traces of rejections back on. */
    public static final String STACK_TRACES_PROPERTY = "mmspec.rejectionStackTraces";

    /** Read once: the explorers throw from hot loops, so this is not looked up per throw. */
    private static final boolean STACK_TRACES = Boolean.getBoolean(STACK_TRACES_PROPERTY);

    private static final Object[] NO_ARGS = {};

    private final Enum<?> kind;
    private final String format;
    /** Dropped on serialization, after the message has been formatted from it. */
    private transient Object[] args;
    /**
     * The formatted message, or null until first read. Not synchronized: two threads racing
     * both format the same text, and a String is safely published through its final fields.
     */
    private String message;

    /**
     * A rejection whose message is {@code String.format(format, args)}, formatted when first read;
     * without arguments the message is {@code format} itself, never passed to a formatter, so a
     * message that is already text (say, another error's) may contain {@code %}.
     */
    protected KindedException(Enum<?> kind, String format, Object... args) {
        super(null);
        this.kind = Objects.requireNonNull(kind, "kind");
        this.format = format;
        this.args = args.length == 0 ? NO_ARGS : args.clone();
    }

    /** The kind of rejection, as the component's enum constant; components narrow the type. */
    public Enum<?> errorKind() {
        return kind;
    }

    @Override
    public final String kind() {
        return kind.name();
    }

    @Override
    public String getMessage() {
        String m = message;
        if (m == null) {
            m = args.length == 0 ? format : String.format(format, args);
            message = m;
        }
        return m;
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return STACK_TRACES ? super.fillInStackTrace() : this;
    }

    private void writeObject(ObjectOutputStream out) throws IOException {
        getMessage();
        out.defaultWriteObject();
    }
}
