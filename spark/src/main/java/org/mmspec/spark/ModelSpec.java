package org.mmspec.spark;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.concurrent.ConcurrentHashMap;

import org.mmspec.Catalog;
import org.mmspec.check.Bounds;
import org.mmspec.check.ExhaustiveModel;
import org.mmspec.check.StateCodec;
import org.mmspec.check.TransitionSystem;
import org.mmspec.check.store.Fingerprint;

/**
 * What an executor needs to rebuild the transition system: the model's name and the text of one
 * configuration's bounds, as its manifest records them. Only these two strings travel with a
 * task; every JVM builds the system itself ({@link #system()}, once per JVM), so no model object,
 * closure over a model, or state object is ever serialised by Spark: states travel as the bytes of
 * the model's {@link StateCodec}.
 *
 * @param model the folder name under {@code models/} ({@link Catalog#model}), or an
 *        {@link ExhaustiveModel} class's binary name ({@link #resolve})
 * @param bounds the configuration's bounds text ({@code cpus=3,pages=2,...})
 */
public record ModelSpec(String model, String bounds) implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final ConcurrentHashMap<ModelSpec, TransitionSystem<?>> BUILT = new ConcurrentHashMap<>();

    /**
     * The system of this configuration, built on first use in this JVM. Models allow their
     * {@code successors}, {@code key} and invariants to run on several threads at once (the
     * in-process explorer's contract), so the tasks of one executor share it.
     */
    @SuppressWarnings("unchecked")
    public <S> TransitionSystem<S> system() {
        return (TransitionSystem<S>) BUILT.computeIfAbsent(this, s -> resolve(s.model).build(Bounds.parse(s.bounds)));
    }

    /**
     * A catalogue model by folder name, or, for a name with a dot, the {@link ExhaustiveModel}
     * class of that binary name built by its no-argument constructor (a model outside the
     * catalogue, such as a test's, on the executors' class path).
     */
    static ExhaustiveModel resolve(String model) {
        if (!model.contains(".")) {
            return Catalog.model(model);
        }
        try {
            return (ExhaustiveModel) Class.forName(model).getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new IllegalArgumentException("no model named " + model + ": " + e, e);
        }
    }

    /** The system's codec; a model without one cannot run on Spark. */
    public <S> StateCodec<S> codec() {
        StateCodec<S> c = this.<S>system().codec();
        if (c == null) {
            throw new NotEncodable(model);
        }
        return c;
    }

    /** The 64-bit fingerprint of a state's canonical key: its identity in every dataset. */
    public <S> long fingerprint(S state) {
        return Fingerprint.of(this.<S>system().key(state));
    }

    public static <S> byte[] encode(StateCodec<S> codec, S state) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            codec.write(state, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static <S> S decode(StateCodec<S> codec, byte[] bytes, int offset) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, offset, bytes.length - offset))) {
            return codec.read(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A model whose transition system has no {@link StateCodec}. */
    public static final class NotEncodable extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        NotEncodable(String model) {
            super("model " + model + " does not encode its states (its TransitionSystem has no StateCodec), so it"
                    + " cannot run on Spark; check it in-process: ./mmspec models " + model);
        }
    }
}
