package org.mmspec.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * {@link ActionSystem}'s processes and liveness properties, on a hand-built system with a known
 * answer: a job that is started, then either finished by its worker or left while the
 * environment spins. Weak fairness holds the worker to its step only when the step is the
 * worker's (a process); an environment step need never happen.
 */
class ActionSystemLivenessTest {
    /** 0 idle, 1 started, 2 done; the environment's spin changes nothing. */
    static final class Job {
        int phase;

        Job copy() {
            Job j = new Job();
            j.phase = phase;
            return j;
        }
    }

    static ActionSystem<Job> jobs(boolean workerIsAProcess) {
        return ActionSystem.<Job>of("jobs", () -> List.of(new Job()), Job::copy, j -> j.phase, j -> {
            List<ActionSystem.Action<Job>> out = new ArrayList<>();
            if (j.phase == 0) {
                out.add(new ActionSystem.Action<>("start", s -> s.phase = 1));
            }
            if (j.phase == 1) {
                out.add(workerIsAProcess ? new ActionSystem.Action<>("finish", s -> s.phase = 2, 0)
                        : new ActionSystem.Action<>("finish", s -> s.phase = 2));
            }
            out.add(new ActionSystem.Action<>("spin", s -> { }));
            return out;
        }, InvariantSet.of("jobs", List.of(), j -> "phase " + j.phase)).withLiveness(List.of(
                Liveness.leadsTo("JOB-L1", "every job started finishes", "", j -> j.phase == 1, j -> j.phase == 2)));
    }

    static ExplorationResult explore(ActionSystem<Job> system) {
        return Explorer.explore(system, ExploreBounds.unbounded(), Progress.NONE, ExplorerSettings.fromProperties(),
                CheckOptions.DEFAULT.withLiveness(true));
    }

    @Test
    void aWorkerThatIsAProcessMustFinish() {
        ExplorationResult r = explore(jobs(true));
        assertThat(r.passed()).isTrue();
        assertThat(r.distinctStates()).isEqualTo(3);
    }

    @Test
    void anEnvironmentStepNeedNeverHappen() {
        ExplorationResult r = explore(jobs(false));
        assertThat(Manifest.verdict(r)).isEqualTo("fail:JOB-L1");
        Counterexample c = r.counterexample().orElseThrow();
        assertThat(c.isLasso()).isTrue();
        assertThat(LivenessRuns.cycle(c)).containsExactly("spin");
    }

    @Test
    void withLivenessKeepsFinalStatesAndTheTwoArgumentActionIsTheEnvironments() {
        ActionSystem<Job> s = jobs(true).finalWhen(j -> j.phase == 2);
        assertThat(s.liveness()).hasSize(1);
        assertThat(s.isFinal(new Job())).isFalse();
        assertThat(new ActionSystem.Action<Job>("x", j -> { }).process()).isEqualTo(ActionSystem.NO_PROCESS);
        assertThat(ActionSystem.<Job>of("plain", () -> List.of(new Job()), Job::copy, j -> j.phase, j -> List.of(),
                InvariantSet.of("jobs", List.of(), j -> "")).liveness()).isEmpty();
    }
}
