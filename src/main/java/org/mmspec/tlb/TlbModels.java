package org.mmspec.tlb;

import java.util.List;

import org.mmspec.check.Bounds;
import org.mmspec.check.ExhaustiveModel;
import org.mmspec.check.TransitionSystem;

/**
 * The TLB chapter's exhaustive models: {@code models/tlb-shootdown/}, whose manifest holds one
 * configuration per mode, per integration scenario and per seeded bug (see {@link TlbConfig}
 * for the bounds syntax).
 */
public final class TlbModels {
    /** The folder under {@code models/}. */
    public static final String SHOOTDOWN = "tlb-shootdown";

    private TlbModels() {
    }

    public static List<ExhaustiveModel> all() {
        return List.of(shootdown());
    }

    public static ExhaustiveModel shootdown() {
        return new ExhaustiveModel() {
            @Override
            public String name() {
                return SHOOTDOWN;
            }

            @Override
            public String component() {
                return "tlb";
            }

            @Override
            public TransitionSystem<?> build(Bounds bounds) {
                return new ShootdownModel(TlbConfig.fromBounds(bounds));
            }
        };
    }
}
