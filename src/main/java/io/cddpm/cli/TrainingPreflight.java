package io.cddpm.cli;

import io.cddpm.config.RenderConfig;
import io.cddpm.config.Trial;
import io.cddpm.config.TrainingFootprint;
import io.cddpm.render.DatasetPreparer;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What training a file's trials would run into on this machine, checked before any work, so that
 * {@code cddpm config} reports what {@code train} and {@code run} would hit: a model and batch this
 * machine's memory cannot hold ({@link TrainingFootprint}), a {@code render.count} above its spec's
 * entries. {@link #writable} adds, for the commands that train here, that each run folder can be
 * written (a read-only output_dir used to surface as "cannot lock").
 */
final class TrainingPreflight {
    private TrainingPreflight() {}

    /** The memory estimate of every trial and the rendered specs they need; errors name the file and trial. */
    static void check(Path file, List<Trial> trials) {
        Set<RenderConfig> renders = new LinkedHashSet<>();
        for (Trial t : trials) {
            TrainingFootprint.requireFits(t.config(), file + (trials.size() > 1 ? " (sweep trial '" + t.label() + "')" : ""));
            if (t.config().dataset().rendered()) {
                renders.add(t.config().dataset().render());
            }
        }
        renders.forEach(DatasetPreparer::spec);
    }

    /**
     * Refuses (exit 2) a trial whose run folder could not be written: the folder, or the nearest folder above
     * it that exists, must be a writable folder. Nothing is created here (a run refused later, e.g. for its
     * tracking server, leaves no folder behind).
     */
    static void writable(List<Trial> trials) {
        for (Trial t : trials) {
            OutputPaths.creatable(t.runDir(), "output_dir");
        }
    }
}
