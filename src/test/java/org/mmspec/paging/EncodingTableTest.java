package org.mmspec.paging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.mmspec.paging.aarch64.Aarch64Pte;
import org.mmspec.paging.riscv.RiscvPte;
import org.mmspec.paging.x86_64.X86_64Pte;

/**
 * The architectural encodings table of {@code spec/paging.md} (transcribed from the Intel SDM,
 * the Arm ARM and the RISC-V privileged specification) against the code's constants: every named
 * constant has the bits or value the table gives, and every public bit or field constant of the
 * three descriptors is in the table.
 */
class EncodingTableTest {
    private static final Map<String, Class<?>> CLASSES = Map.of("X86_64Pte", X86_64Pte.class, "Aarch64Pte",
            Aarch64Pte.class, "RiscvPte", RiscvPte.class, "TranslationRegime", TranslationRegime.class);

    /**
     * Public constants of the descriptors that are model choices, not architecture, each with why.
     */
    private static final Map<String, String> NOT_ARCHITECTURAL = Map.of(
            "X86_64Pte.PT_DEPTH", "the model's depth of the PT level, not an encoding",
            "Aarch64Pte.MAIR_NORMAL_WB", "the model's MAIR slot assignment (MAIR_EL1 is programmed by the kernel)",
            "Aarch64Pte.MAIR_NORMAL_NC", "the model's MAIR slot assignment",
            "Aarch64Pte.MAIR_NORMAL_WT", "the model's MAIR slot assignment",
            "Aarch64Pte.MAIR_DEVICE", "the model's MAIR slot assignment",
            "RiscvPte.RWX", "R|W|X, a union of three rows");

    /** One row: the bits, the value (null for none) and the constants named. */
    record Row(String arch, String field, int hi, int lo, Long value, List<String> constants) {
        long mask() {
            int width = hi - lo + 1;
            return (width == 64 ? -1L : (1L << width) - 1) << lo;
        }
    }

    static List<Row> rows() throws IOException {
        String md = Files.readString(Path.of("spec/paging.md"));
        int at = md.indexOf("### Architectural encodings, from the manuals");
        assertThat(at).as("the encodings section of spec/paging.md").isGreaterThanOrEqualTo(0);
        List<Row> out = new ArrayList<>();
        boolean inTable = false;
        for (String line : md.substring(at).split("\n")) {
            if (line.startsWith("| Architecture")) {
                inTable = true;
                continue;
            }
            if (!inTable || line.startsWith("|---")) {
                continue;
            }
            if (!line.startsWith("|")) {
                break;
            }
            String[] c = line.split("\\|");
            String bits = c[4].trim();
            String[] hl = bits.split(":");
            int hi = Integer.parseInt(hl[0]);
            int lo = hl.length == 2 ? Integer.parseInt(hl[1]) : hi;
            String v = c[5].trim();
            Long value = v.equals("—") ? null : Long.decode(v);
            List<String> consts = new ArrayList<>();
            for (String k : c[6].split(",")) {
                consts.add(k.trim().replace("`", ""));
            }
            out.add(new Row(c[1].trim(), c[3].trim(), hi, lo, value, consts));
        }
        return out;
    }

    static Object constant(String qualified) throws ReflectiveOperationException {
        String[] p = qualified.split("\\.");
        Class<?> c = CLASSES.get(p[0]);
        assertThat(c).as("class of " + qualified).isNotNull();
        Field f = c.getDeclaredField(p[1]);
        f.setAccessible(true);
        return f.get(null);
    }

    @Test
    void everyConstantHasTheBitsOrValueTheManualsGive() throws Exception {
        List<Row> rows = rows();
        assertThat(rows).hasSizeGreaterThan(60);
        for (Row r : rows) {
            for (String k : r.constants()) {
                Object v = constant(k);
                String what = k + " (" + r.arch() + " " + r.field() + ", bits " + r.hi() + ":" + r.lo() + ")";
                if (r.value() != null) {
                    assertThat(((Number) v).longValue()).as(what).isEqualTo(r.value());
                } else if (v instanceof Integer i) {
                    assertThat(i).as(what + ": a field position is its lowest bit").isEqualTo(r.lo());
                } else {
                    assertThat((Long) v).as(what + ": a mask").isEqualTo(r.mask());
                }
            }
        }
    }

    @Test
    void everyPublicBitOrFieldConstantOfTheDescriptorsIsInTheTable() throws Exception {
        Set<String> listed = new TreeSet<>();
        for (Row r : rows()) {
            listed.addAll(r.constants());
        }
        Set<String> missing = new TreeSet<>();
        for (Class<?> c : List.of(X86_64Pte.class, Aarch64Pte.class, RiscvPte.class)) {
            for (Field f : c.getDeclaredFields()) {
                int m = f.getModifiers();
                boolean bitsOrField = f.getType() == long.class || f.getType() == int.class;
                String name = c.getSimpleName() + "." + f.getName();
                if (Modifier.isPublic(m) && Modifier.isStatic(m) && Modifier.isFinal(m) && bitsOrField
                        && !listed.contains(name) && !NOT_ARCHITECTURAL.containsKey(name)) {
                    missing.add(name);
                }
            }
        }
        assertThat(missing).as("constants with no row in the encodings table of spec/paging.md").isEmpty();
    }

    /** The satp mix-up of issue 19 is one the table test itself sees: MODE 8 is Sv39, never Sv48. */
    @Test
    void satpModesAreTheOnesTheRiscvSpecificationGives() throws Exception {
        Map<String, Long> byField = new java.util.HashMap<>();
        for (Row r : rows()) {
            if (r.value() != null) {
                byField.put(r.field(), r.value());
            }
        }
        assertThat(byField).containsEntry("MODE = Sv39", 8L).containsEntry("MODE = Sv48", 9L).containsEntry("MODE = Sv57", 10L);
        assertThat(RiscvPte.SV48.rootRegister(org.mmspec.frames.PhysFrame.of(1), 0) >>> 60).isEqualTo(9);
        assertThat(RiscvPte.SV39.rootRegister(org.mmspec.frames.PhysFrame.of(1), 0) >>> 60).isEqualTo(8);
    }
}
