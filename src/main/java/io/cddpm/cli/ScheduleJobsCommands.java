package io.cddpm.cli;

import io.cddpm.config.ConfigLoader;
import io.cddpm.config.ExperimentConfig;
import io.cddpm.schedule.JobKind;
import io.cddpm.schedule.ScheduledEntry;
import io.cddpm.schedule.Schedules;
import io.cddpm.state.StateDatabase;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cddpm schedule list|add|remove|pause|resume}: the experiments' Quartz schedules in the state database. */
final class ScheduleJobsCommands {
    private ScheduleJobsCommands() {}

    static void print(List<ScheduledEntry> entries) {
        if (entries.isEmpty()) {
            System.out.println("no schedules (add one with: cddpm schedule add FILE.yaml)");
            return;
        }
        System.out.printf("%-24s %-7s %-20s %-8s %-22s %-22s %s%n", "experiment", "kind", "cron", "state", "next fire", "previous fire", "yaml");
        for (ScheduledEntry e : entries) {
            System.out.printf("%-24s %-7s %-20s %-8s %-22s %-22s %s%n", e.experiment(), e.kind().id(), e.cron(), e.state(),
                    e.next() == null ? "-" : e.next().toString(), e.previous() == null ? "-" : e.previous().toString(), e.yaml());
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the registered schedules with their next fire times.")
    static final class ListSchedules implements Callable<Integer> {
        @Override
        public Integer call() {
            try (StateDatabase state = StateDatabase.open(); Schedules s = Schedules.open(state)) {
                print(s.list());
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Register the sweep_cron and reeval_cron of an experiment YAML.",
            footer = {"Register an experiment's schedule.sweep_cron / schedule.reeval_cron (replacing earlier ones of the", "same experiment). They fire while 'cddpm serve' runs, and are kept across restarts."})
    static final class AddSchedule implements Callable<Integer> {
        @Parameters(index = "0", description = "Experiment YAML with a schedule: section.")
        Path file;

        @Option(names = "--set", description = "Override a key for every scheduled launch (repeatable).")
        List<String> overrides = new ArrayList<>();

        @Override
        public Integer call() {
            ExperimentConfig experiment = ConfigLoader.load(file, overrides);
            try (StateDatabase state = StateDatabase.open(); Schedules s = Schedules.open(state)) {
                print(s.add(file, overrides, experiment));
            }
            return ExitCodes.OK;
        }
    }

    /** remove / pause / resume: an experiment's schedules, or one kind of them. */
    abstract static class Change implements Callable<Integer> {
        @Parameters(index = "0", description = "Experiment name (as 'cddpm schedule list' shows it).")
        String experiment;

        @Option(names = "--kind", description = "Only this kind: sweep or reeval (default: both).")
        String kind;

        @Override
        public Integer call() {
            JobKind k = kind == null ? null : JobKind.of(kind);
            try (StateDatabase state = StateDatabase.open(); Schedules s = Schedules.open(state)) {
                apply(s, experiment, k);
                print(s.list());
            }
            return ExitCodes.OK;
        }

        abstract void apply(Schedules s, String experiment, JobKind kind);
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Delete an experiment's schedules.")
    static final class RemoveSchedule extends Change {
        @Override
        void apply(Schedules s, String experiment, JobKind kind) {
            System.out.println("removed " + s.remove(experiment, kind) + " schedule(s) of " + experiment);
        }
    }

    @Command(name = "pause", mixinStandardHelpOptions = true, description = "Pause an experiment's schedules (they stay registered).")
    static final class PauseSchedule extends Change {
        @Override
        void apply(Schedules s, String experiment, JobKind kind) {
            s.pause(experiment, kind);
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true, description = "Resume paused schedules of an experiment.")
    static final class ResumeSchedule extends Change {
        @Override
        void apply(Schedules s, String experiment, JobKind kind) {
            s.resume(experiment, kind);
        }
    }
}
