package io.cddpm.cli;

import io.cddpm.core.InvalidInputException;
import io.cddpm.runs.EvaluationRecord;
import io.cddpm.runs.RunFolder;
import io.cddpm.state.StateDatabase;
import io.cddpm.state.TrialStore;
import io.cddpm.tracking.OutboxAdmin;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code cddpm status [SWEEP]}: the trials of a sweep, where each stands and who runs it. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "List the trials of a sweep with their state, worker, epoch, MLflow run id, newest scores and failed evaluations.",
        footer = {"Without SWEEP: every sweep still running (else the newest). SWEEP is the id 'cddpm run --submit' printed",
            "(its first characters are enough). States: QUEUED (waiting for a worker), RUNNING, FINISHED, FAILED.",
            "The epoch is that of the trial's newest checkpoint; the MLflow run id appears once its creation reached MLflow."})
public final class StatusCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", description = "Sweep id (or its first characters).")
    String sweep;

    @Override
    public Integer call() {
        try (StateDatabase state = StateDatabase.open()) {
            TrialStore store = new TrialStore(state.dataSource());
            List<TrialStore.Sweep> sweeps = sweep == null ? store.openSweeps() : store.sweepsStartingWith(sweep);
            if (sweeps.isEmpty()) {
                if (sweep != null) {
                    throw new InvalidInputException("no sweep '" + sweep + "' in the state database (" + state.where() + ")");
                }
                System.out.println("no sweeps in the state database (" + state.where() + ")");
                return ExitCodes.OK;
            }
            OutboxAdmin outbox = new OutboxAdmin(state.dataSource());
            for (TrialStore.Sweep s : sweeps) {
                List<TrialStore.Entry> trials = store.trials(s.key());
                List<String> keys = new ArrayList<>(List.of(s.key()));
                trials.stream().filter(t -> t.runKey() != null).forEach(t -> keys.add(t.runKey()));
                Map<String, String> runIds = outbox.mlflowRunIds(keys);
                System.out.printf("sweep %s (%s): %s, started %s%s, MLflow run %s%n", s.key(), s.experiment(), s.status(), s.started(),
                        s.finished() == null ? "" : ", ended " + s.finished(), runIds.getOrDefault(s.key(), "-"));
                System.out.printf("  %-3s %-44s %-9s %-28s %5s  %s%n", "#", "trial", "state", "worker", "epoch", "MLflow run");
                for (TrialStore.Entry t : trials) {
                    System.out.printf("  %-3s %-44s %-9s %-28s %5d  %s%s%n", t.index() < 0 ? "-" : Integer.toString(t.index() + 1), t.label(),
                            t.status(), t.worker() == null ? "-" : t.worker(), t.lastEpoch(),
                            t.runKey() == null ? "-" : runIds.getOrDefault(t.runKey(), "(not in MLflow yet)"),
                            t.error() == null ? "" : "  " + t.error());
                    evaluations(t);
                }
            }
        }
        return ExitCodes.OK;
    }

    /** Under a trial: its newest scores (one line per sampling setting of the last epoch scored) and every failed evaluation. */
    private static void evaluations(TrialStore.Entry t) {
        if (t.runDir() == null) {
            return;
        }
        List<EvaluationRecord> all;
        try {
            all = RunFolder.of(Path.of(t.runDir())).readEvaluations();
        } catch (RuntimeException e) {
            System.out.println("      evaluations unreadable: " + e.getMessage());
            return;
        }
        int last = all.stream().filter(e -> !e.failed() && !e.accuracy().isEmpty()).mapToInt(EvaluationRecord::epoch).max().orElse(-1);
        for (EvaluationRecord e : all) {
            if (e.epoch() == last && !e.failed() && !e.accuracy().isEmpty()) {
                StringBuilder line = new StringBuilder("      epoch " + e.epoch() + " " + e.setting() + ":");
                e.accuracy().forEach((name, a) -> line.append(String.format(Locale.ROOT, " %s %.4f", name, a)));
                System.out.println(line);
            }
        }
        for (EvaluationRecord e : all) {
            if (e.failed()) {
                System.out.println("      evaluation FAILED: epoch " + e.epoch() + " " + e.setting() + ": " + e.error());
            }
        }
    }
}
