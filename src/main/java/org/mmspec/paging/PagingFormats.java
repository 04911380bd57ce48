package org.mmspec.paging;

import java.util.List;

import org.mmspec.paging.aarch64.Aarch64Pte;
import org.mmspec.paging.riscv.RiscvPte;
import org.mmspec.paging.x86_64.X86_64Pte;

/** Every page-table format the model covers, by name. */
public final class PagingFormats {
    private PagingFormats() {
    }

    /** x86_64 4-level, AArch64 with each granule, RISC-V Sv39 and Sv48, then the 5-level formats x86_64 LA57 and Sv57. */
    public static List<PteFormat> all() {
        return List.of(X86_64Pte.FORMAT, Aarch64Pte.G4K, Aarch64Pte.G16K, Aarch64Pte.G64K, RiscvPte.SV39, RiscvPte.SV48,
                X86_64Pte.LA57, RiscvPte.SV57);
    }

    /** The format called {@code name} (as {@link PteFormat#name()} spells it). */
    public static PteFormat byName(String name) {
        return all().stream().filter(f -> f.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no page-table format " + name + "; known: "
                        + all().stream().map(PteFormat::name).toList()));
    }
}
