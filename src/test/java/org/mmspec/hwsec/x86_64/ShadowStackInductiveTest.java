package org.mmspec.hwsec.x86_64;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.mmspec.check.InductivenessCheck;

class ShadowStackInductiveTest {

    @Test
    void SHSTK_1_to_4_areInductiveAtSmallScope() {
        InductivenessCheck.Result r = InductivenessCheck.check(ShadowStackInductive.name(), ShadowStackInductive.scope(),
                ShadowStackInductive.system());
        assertThat(r.passed()).as(r.passed() ? "" : r.counterexample().get().render()).isTrue();
        assertThat(r.statesSatisfying()).isPositive().isLessThan(r.statesInScope());
        assertThat(r.transitionsChecked()).isPositive();
    }

    @Test
    void SHSTK_2_inductiveCheckCatchesWriteProtectKeepingDirty() {
        InductivenessCheck.Result r = InductivenessCheck.check("bug", ShadowStackInductive.scope(ShadowStackSpace.Bug.WRPROTECT_KEEPS_DIRTY),
                ShadowStackInductive.system(ShadowStackSpace.Bug.WRPROTECT_KEEPS_DIRTY));
        assertThat(r.passed()).isFalse();
        assertThat(r.counterexample().get().render()).contains("SHSTK-2");
    }
}
