package org.mmspec.check.store.keys;

/**
 * Key classes for {@code FingerprintTest}, of types that {@code Fingerprint}'s package can read
 * only through {@code setAccessible}: package-private records and classes with private fields, in
 * another package. The test loads this package afresh for each case, so that no walk of these
 * classes is cached from an earlier test in the same JVM.
 */
public final class HiddenKeys {
    private HiddenKeys() {
    }

    record Hidden(int v) {
    }

    /** Compared by its field; its hashCode cannot tell keys apart. */
    static final class Fields {
        private final int v;
        private final String s;

        Fields(int v, String s) {
            this.v = v;
            this.s = s;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Fields f && f.v == v && f.s.equals(s);
        }

        @Override
        public int hashCode() {
            return 0;
        }
    }

    static class Base {
        private final int base;

        Base(int base) {
            this.base = base;
        }
    }

    static final class Derived extends Base {
        private final int own;

        Derived(int base, int own) {
            super(base);
            this.own = own;
        }
    }

    static final class Flat {
        private final int base;
        private final int own;

        Flat(int base, int own) {
            this.base = base;
            this.own = own;
        }
    }

    /** One compared field, plus a static and a transient one that equals ignores. */
    static final class WithExtras {
        private static int created;
        private final int v;
        private transient int cache;

        WithExtras(int v, int cache) {
            created++;
            this.v = v;
            this.cache = cache;
        }
    }

    public static Object record(int v) {
        return new Hidden(v);
    }

    public static Object fields(int v, String s) {
        return new Fields(v, s);
    }

    public static Object derived(int base, int own) {
        return new Derived(base, own);
    }

    public static Object flat(int base, int own) {
        return new Flat(base, own);
    }

    public static Object withExtras(int v, int cache) {
        return new WithExtras(v, cache);
    }

    /** Sets the transient field of a {@link #withExtras} key. */
    public static void setCache(Object key, int cache) {
        ((WithExtras) key).cache = cache;
    }
}
