package org.mmspec.check.store;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A 64-bit fingerprint of a canonical state key, as TLC and SPIN store them: equal keys get equal
 * fingerprints, unequal keys collide with probability about 2^-64 per pair.
 *
 * <p>Encoding: the key is walked structurally, in the order its {@code equals} compares it. Each
 * value is folded into a running hash with {@link #mix} (a bijection of the running hash for a
 * fixed value, so two sequences collide only when their running hashes do), every collection and
 * array contributes its length first (so {@code [[1,2],[3]]} and {@code [[1],[2,3]]} differ) with a
 * tag for its type (a list, a {@code long[]} and an {@code int[]} of equal values differ, and so do
 * {@code Integer} 7 and {@code Long} 7), and
 * sets and maps, whose {@code equals} ignores order, add their elements' fingerprints instead (a
 * sum is order-independent). A class of a closed module (the JDK's) that is none of the above
 * contributes its class name and {@code hashCode} (which agrees with equals, at 32 bits only). Supported: {@link Fingerprinted}, null, boxed primitives, strings,
 * enums, lists and other ordered collections, sets, maps, primitive and object arrays, records
 * (by component), and any other class by its instance fields (the class must compare exactly
 * those fields in {@code equals}; {@code ExplorerStoreTest} checks every catalogue model's counts
 * against exact keys, so a key class that breaks this is caught).
 */
public final class Fingerprint {
    private static final long M = 0x9E3779B97F4A7C15L;
    /** The running hash a key's walk starts from. */
    static final long SEED = 0x5DEECE66DL;
    /* Type tags folded into a length (or an int), so that a list, an array and a string of the
       same values differ, as they do under equals; a list's length carries no tag. */
    static final long INT = 1L << 40;
    static final long STRING = 2L << 40;
    static final long LONGS = 3L << 40;
    static final long INTS = 4L << 40;
    static final long COLLECTION = 5L << 40;
    static final long OBJECTS = 6L << 40;
    static final long OPTIONAL = 7L << 40;
    private static final ClassValue<MethodHandle[]> PARTS = new ClassValue<>() {
        @Override
        protected MethodHandle[] computeValue(Class<?> type) {
            return parts(type);
        }
    };

    private Fingerprint() {
    }

    /** The fingerprint of {@code key}; never 0, which the table uses for an empty slot. */
    public static long of(Object key) {
        long h = fmix(walk(SEED, key));
        return h == 0 ? M : h;
    }

    /**
     * The fingerprint a {@link Fingerprinted} key whose value is {@code words} can return: the
     * same folding as a {@code long[]} inside any key, without the type dispatch of a walk.
     */
    public static long ofWords(long[] words) {
        return foldWords(SEED, words);
    }

    /** A {@code long[]}'s part of a walk: its tagged length, then each word. */
    private static long foldWords(long h, long[] words) {
        h = mix(h, words.length | LONGS);
        for (long v : words) {
            h = mix(h, v);
        }
        return h;
    }

    /** Folds {@code x} into the running hash {@code h}. */
    static long mix(long h, long x) {
        return fmix(h + x * M);
    }

    /** MurmurHash3's 64-bit finaliser: a bijection with full avalanche. */
    static long fmix(long k) {
        k ^= k >>> 33;
        k *= 0xFF51AFD7ED558CCDL;
        k ^= k >>> 33;
        k *= 0xC4CEB9FE1A85EC53L;
        k ^= k >>> 33;
        return k;
    }

    private static long walk(long h, Object o) {
        if (o == null) {
            return mix(h, 0x1F);
        }
        if (o instanceof Fingerprinted f) {
            return mix(h, f.fingerprint());
        }
        if (o instanceof Long v) {
            return mix(h, v);
        }
        if (o instanceof Integer v) {
            return mix(h, v + INT);
        }
        if (o instanceof String s) {
            h = mix(h, s.length() | STRING);
            int n = s.length();
            int i = 0;
            for (; i + 4 <= n; i += 4) {
                h = mix(h, (long) s.charAt(i) | (long) s.charAt(i + 1) << 16 | (long) s.charAt(i + 2) << 32
                        | (long) s.charAt(i + 3) << 48);
            }
            for (; i < n; i++) {
                h = mix(h, s.charAt(i));
            }
            return h;
        }
        if (o instanceof long[] a) {
            return foldWords(h, a);
        }
        if (o instanceof int[] a) {
            h = mix(h, a.length | INTS);
            for (int v : a) {
                h = mix(h, v);
            }
            return h;
        }
        if (o instanceof List<?> l) {
            h = mix(h, l.size());
            for (Object e : l) {
                h = walk(h, e);
            }
            return h;
        }
        if (o instanceof Set<?> s) {
            long sum = 0;
            for (Object e : s) {
                sum += fmix(walk(0x53, e));
            }
            return mix(mix(h, s.size()), sum);
        }
        if (o instanceof Map<?, ?> m) {
            long sum = 0;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                sum += fmix(walk(walk(0x4D, e.getKey()), e.getValue()));
            }
            return mix(mix(h, m.size()), sum);
        }
        if (o instanceof Collection<?> c) {
            h = mix(h, c.size() | COLLECTION);
            for (Object e : c) {
                h = walk(h, e);
            }
            return h;
        }
        if (o instanceof Object[] a) {
            h = mix(h, a.length | OBJECTS);
            for (Object e : a) {
                h = walk(h, e);
            }
            return h;
        }
        if (o instanceof Optional<?> opt) {
            return opt.isPresent() ? walk(mix(h, OPTIONAL), opt.get()) : mix(h, OPTIONAL + 1);
        }
        if (o instanceof Enum<?> e) {
            return mix(h, e.ordinal() + 0x3E00L);
        }
        if (o instanceof Boolean b) {
            return mix(h, b ? 0xB1 : 0xB0);
        }
        if (o instanceof Number n) {
            return mix(h, n instanceof Double || n instanceof Float ? Double.doubleToLongBits(n.doubleValue()) : n.longValue());
        }
        if (o instanceof Character c) {
            return mix(h, c);
        }
        return walkFields(h, o);
    }

    private static long walkFields(long h, Object o) {
        MethodHandle[] parts = PARTS.get(o.getClass());
        if (parts == null) {
            // a closed JDK class: its hashCode agrees with equals, at 32 bits only
            return mix(mix(h, o.getClass().getName().hashCode()), o.hashCode());
        }
        h = mix(h, parts.length);
        try {
            for (MethodHandle p : parts) {
                h = walk(h, p.invoke(o));
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("cannot read key " + o.getClass().getName(), t);
        }
        return h;
    }

    /**
     * Record components in declaration order, or else every instance field, superclass first; null
     * for a class of a module that does not open it (the JDK's), which falls back to its hashCode.
     */
    private static MethodHandle[] parts(Class<?> type) {
        if (!type.getModule().isNamed() || type.getModule().isOpen(type.getPackageName(), Fingerprint.class.getModule())) {
            return fields(type);
        }
        return null;
    }

    private static MethodHandle[] fields(Class<?> type) {
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        List<MethodHandle> out = new ArrayList<>();
        try {
            if (type.isRecord()) {
                for (RecordComponent c : type.getRecordComponents()) {
                    var m = c.getAccessor();
                    m.setAccessible(true);
                    out.add(lookup.unreflect(m));
                }
            } else {
                List<Class<?>> chain = new ArrayList<>();
                for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
                    chain.add(0, c);
                }
                for (Class<?> c : chain) {
                    for (Field f : c.getDeclaredFields()) {
                        if (Modifier.isStatic(f.getModifiers()) || Modifier.isTransient(f.getModifiers())) {
                            continue;
                        }
                        f.setAccessible(true);
                        out.add(lookup.unreflectGetter(f));
                    }
                }
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalArgumentException("cannot fingerprint keys of " + type.getName()
                    + " (implement Fingerprinted): " + e.getMessage(), e);
        }
        return out.toArray(MethodHandle[]::new);
    }
}
