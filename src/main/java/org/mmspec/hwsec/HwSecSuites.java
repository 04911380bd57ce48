package org.mmspec.hwsec;

import java.util.List;

import org.mmspec.check.CheckSuite;
import org.mmspec.check.ExhaustiveModel;
import org.mmspec.hwsec.x86_64.CcMachine;
import org.mmspec.hwsec.x86_64.CcMode;
import org.mmspec.hwsec.x86_64.CcModel;
import org.mmspec.hwsec.x86_64.LamMachine;
import org.mmspec.hwsec.x86_64.LamModel;
import org.mmspec.hwsec.x86_64.ShadowStackInductive;
import org.mmspec.hwsec.x86_64.ShadowStackMachine;
import org.mmspec.hwsec.x86_64.ShadowStackModel;

/**
 * The hardware-security rows of the {@code mmspec check} table (spec/hardware-security.md): a
 * model-based stateful suite per x86_64 feature; the exhaustive models under
 * {@code models/hwsec-*} run through {@link #models()}.
 */
public final class HwSecSuites {
    /** Steps per stateful run. */
    private static final int STEPS = 50;

    private HwSecSuites() {
    }

    public static List<CheckSuite> all() {
        return List.of(
                CheckSuite.stateful("hwsec", new ShadowStackMachine(), STEPS),
                CheckSuite.stateful("hwsec", new LamMachine(), STEPS),
                CheckSuite.stateful("hwsec", new CcMachine(CcMode.SEV), STEPS),
                CheckSuite.stateful("hwsec", new CcMachine(CcMode.TDX), STEPS),
                CheckSuite.inductive("hwsec", ShadowStackInductive.name(), () -> ShadowStackInductive.scope(),
                        () -> ShadowStackInductive.system()));
    }

    /** The exhaustive models of this component, each with a {@code models/<name>/manifest.properties}. */
    public static List<ExhaustiveModel> models() {
        return List.of(new ShadowStackModel(), new LamModel(), new CcModel());
    }
}
