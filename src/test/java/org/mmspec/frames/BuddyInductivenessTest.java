package org.mmspec.frames;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.mmspec.check.InductivenessCheck;

/**
 * The inductive step of {@code proofs/buddy-coalescing.md}, checked at bounded scope: every buddy
 * state satisfying BUDDY-1..4, FRAME-1..3 and RESERVED-1..2, reachable or not, stays inside them
 * under every operation.
 */
class BuddyInductivenessTest {

    static List<BuddyInductiveness.Scope> scopes() {
        return BuddyInductiveness.scopes();
    }

    @ParameterizedTest
    @MethodSource("scopes")
    void allocAndFreePreserveBuddyInvariants(BuddyInductiveness.Scope scope) {
        InductivenessCheck.Result r = BuddyInductiveness.check(scope).assertPassed();
        System.out.printf("%s: %d states in scope, %d satisfying, %d transitions, %d ms%n", r.name(), r.statesInScope(),
                r.statesSatisfying(), r.transitionsChecked(), r.elapsed().toMillis());
        assertThat(r.statesSatisfying()).isPositive();
    }

    @Test
    void scopeCountsMatchTheTilingRecurrence() {
        // counted independently: tilings of [0,8) by aligned free blocks (orders 0..3) and live runs of 1..8 frames
        long n = 0;
        for (BuddyAllocator ignored : BuddyInductiveness.states(new BuddyInductiveness.Scope(FrameRange.of(0, 8), List.of(), 3,
                BuddyInductiveness.Runs.ANY))) {
            n++;
        }
        assertThat(n).isEqualTo(2693);
    }

    @Test
    void inductiveCheckCatchesSeededNoCoalesce() {
        BuddyInductiveness.Scope scope = new BuddyInductiveness.Scope(FrameRange.of(0, 8), List.of(), 3, BuddyInductiveness.Runs.ANY);
        InductivenessCheck.Result r = InductivenessCheck.check("no-coalesce", BuddyInductiveness.states(scope, BuddyAllocator.Bug.NO_COALESCE),
                BuddyInductiveness.system(scope));
        assertThat(r.counterexample()).isPresent();
        assertThat(r.counterexample().get().invariantId()).isEqualTo("BUDDY-3");
    }
}
