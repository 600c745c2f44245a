package io.cddpm.runs;

import io.cddpm.config.ConfigLoader;
import io.cddpm.config.ExperimentConfig;
import io.cddpm.config.SamplingConfig;
import io.cddpm.core.AtomicFiles;
import io.cddpm.core.BuildInfo;
import io.cddpm.core.FileLocks;
import io.cddpm.core.InvalidInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The folder of one training run and the records in it. Every file name of a run lives here:
 *
 * <pre>
 * RUN/config.yaml              the resolved config the run was trained with
 * RUN/checkpoints/epoch-NNNN.ckpt
 * RUN/history.json             one record per epoch ({@link EpochRecord})
 * RUN/evaluations.json         one row per evaluation: checkpoint x sampling setting x evaluator ({@link EvaluationRecord})
 * RUN/reevaluations.json       later re-scorings, appended
 * RUN/samples/TEST/            000.png ..., images.npz, grid.png for each test file
 * RUN/grid_TEST.png            the 8-per-row grid of those samples
 * RUN/progressive.png          one condition denoised step by step
 * RUN/loss.png, accuracy.png   plots drawn from the two records above
 * RUN/report.html              everything on one page
 * RUN/ema.safetensors          the final EMA weights
 * RUN/cddpm.log                the log of every process that worked on the run
 * RUN/.lock                    locked (an OS file lock) by the process training the run; says which process that is
 * RUN/checkpoints/interrupted.ckpt  the step-exact checkpoint of a training stopped between two epochs
 * RUN/pictures/epoch-NNNN/     grid_TEST.png, progressive.png and samples/TEST/ of that epoch's evaluation
 * RUN/pictures/epoch-NNNN/SETTING/  the same for another sampling setting (e.g. ddim25_w2_eta0)
 * RUN/model/                   the registered model: MLmodel is written by the tracker; checkpoint.ckpt is a copy
 * </pre>
 */
public record RunFolder(Path dir) {
    public static final String CONFIG = "config.yaml";
    public static final String CHECKPOINTS = "checkpoints";
    public static final String HISTORY = "history.json";
    public static final String EVALUATIONS = "evaluations.json";
    public static final String REEVALUATIONS = "reevaluations.json";
    public static final String SAMPLES = "samples";
    public static final String PROGRESSIVE = "progressive.png";
    public static final String LOSS_PLOT = "loss.png";
    public static final String ACCURACY_PLOT = "accuracy.png";
    public static final String REPORT = "report.html";
    public static final String EMA_WEIGHTS = "ema.safetensors";
    public static final String LOG = "cddpm.log";
    public static final String LOCK = ".lock";
    public static final String INTERRUPTED = "interrupted.ckpt";
    public static final String PICTURES = "pictures";
    /** The folder name of the MLflow model in the run's artifacts. */
    public static final String MODEL = "model";
    private static final Pattern CHECKPOINT_NAME = Pattern.compile("epoch-(\\d{4,})\\.ckpt");
    private static final String GRID_PREFIX = "grid_";
    private static final String EPOCHS_KEY = "epochs";
    private static final String EVALUATIONS_KEY = "evaluations";

    public RunFolder {
        dir = dir.normalize();
    }

    public static RunFolder of(Path dir) {
        return new RunFolder(dir);
    }

    /** A run folder has at least one of config.yaml, history.json, evaluations.json, checkpoints/. */
    public boolean exists() {
        return Files.isDirectory(dir) && (Files.isRegularFile(config()) || Files.isRegularFile(history())
                || Files.isRegularFile(evaluations()) || Files.isDirectory(checkpoints()));
    }

    /** What {@link #exists()} looks for, for messages. */
    public static String markers() {
        return CONFIG + ", " + HISTORY + ", " + EVALUATIONS + ", " + CHECKPOINTS + "/";
    }

    public Path config() {
        return dir.resolve(CONFIG);
    }

    public Path history() {
        return dir.resolve(HISTORY);
    }

    public Path evaluations() {
        return dir.resolve(EVALUATIONS);
    }

    public Path reevaluations() {
        return dir.resolve(REEVALUATIONS);
    }

    public Path progressive() {
        return dir.resolve(PROGRESSIVE);
    }

    public Path lossPlot() {
        return dir.resolve(LOSS_PLOT);
    }

    public Path accuracyPlot() {
        return dir.resolve(ACCURACY_PLOT);
    }

    public Path report() {
        return dir.resolve(REPORT);
    }

    public Path emaWeights() {
        return dir.resolve(EMA_WEIGHTS);
    }

    public Path log() {
        return dir.resolve(LOG);
    }

    // ---- the run's lock --------------------------------------------------------------------------

    /**
     * The lock of a run folder, held by the one process (and thread) working on it: an OS file lock on
     * {@code RUN/.lock}, released on {@link #close()} or when the process ends, however it ends.
     */
    public static final class Lock implements AutoCloseable {
        private final FileLocks.Held held;

        private Lock(FileLocks.Held held) {
            this.held = held;
        }

        @Override
        public void close() {
            held.close();
        }
    }

    public Path lockFile() {
        return dir.resolve(LOCK);
    }

    /**
     * Takes the run's lock, without waiting; empty when another process, or another trial run of this
     * process, holds it ({@link #lockHolder()} says which). The lock file then names this process.
     */
    public Optional<Lock> tryLock() {
        try {
            Files.createDirectories(dir);
            Optional<FileLocks.Held> held = FileLocks.tryLock(lockFile());
            if (held.isEmpty()) {
                return Optional.empty();
            }
            FileChannel channel = held.get().channel();
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + " on " + BuildInfo.host() + " since "
                    + Instant.now() + "\n").getBytes(StandardCharsets.UTF_8)));
            channel.force(false);
            return Optional.of(new Lock(held.get()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock " + lockFile(), e);
        }
    }

    /**
     * Who holds the run's lock when another process (or another trial run of this one) does, as its lock
     * file says; empty when nobody does (the lock is taken and let go again to find out).
     */
    public Optional<String> heldElsewhere() {
        Optional<Lock> lock = tryLock();
        if (lock.isPresent()) {
            lock.get().close();
            return Optional.empty();
        }
        return Optional.of(lockHolder());
    }

    /** Who holds (or last held) the run's lock, as its lock file says: "pid N on HOST since TIME". */
    public String lockHolder() {
        try {
            String text = Files.isRegularFile(lockFile()) ? Files.readString(lockFile()).trim() : "";
            return text.isEmpty() ? "another process" : text;
        } catch (IOException e) {
            return "another process";
        }
    }

    /**
     * Deletes what earlier trainings left in the folder (config, records, checkpoints, samples, pictures,
     * weights), keeping the lock and the log; for a deliberate {@code --overwrite}.
     */
    public void clear() {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> top = Files.list(dir)) {
            for (Path p : top.toList()) {
                String name = p.getFileName().toString();
                if (name.equals(LOCK) || name.equals(LOG)) {
                    continue;
                }
                try (Stream<Path> tree = Files.walk(p)) {
                    for (Path q : tree.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(q);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clear " + dir, e);
        }
    }

    // ---- checkpoints ---------------------------------------------------------------------------

    public Path checkpoints() {
        return dir.resolve(CHECKPOINTS);
    }

    /** Where the checkpoint of an epoch is written. */
    public Path checkpoint(int epoch) {
        return checkpoints().resolve(String.format("epoch-%04d.ckpt", epoch));
    }

    /** The epoch in a checkpoint's file name, or empty when the name is not a checkpoint's. */
    public static Optional<Integer> epochOf(Path checkpoint) {
        Matcher m = CHECKPOINT_NAME.matcher(checkpoint.getFileName().toString());
        return m.matches() ? Optional.of(Integer.parseInt(m.group(1))) : Optional.empty();
    }

    /** Every checkpoint in the folder, oldest epoch first. */
    public List<Path> listCheckpoints() {
        if (!Files.isDirectory(checkpoints())) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(checkpoints())) {
            return files.filter(p -> epochOf(p).isPresent()).sorted(Comparator.comparing(p -> epochOf(p).orElseThrow())).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + checkpoints(), e);
        }
    }

    /** Where a training stopped between two epochs writes its step-exact checkpoint. */
    public Path interruptedCheckpoint() {
        return checkpoints().resolve(INTERRUPTED);
    }

    /**
     * Where a training of this run continues from: the checkpoint of an interrupted training when there
     * is one (the trainer deletes it as soon as a later epoch checkpoint exists), else the newest epoch
     * checkpoint.
     */
    public Optional<Path> resumeCheckpoint() {
        return Files.isRegularFile(interruptedCheckpoint()) ? Optional.of(interruptedCheckpoint()) : newestCheckpoint();
    }

    /** The checkpoint of the highest epoch, if any. */
    public Optional<Path> newestCheckpoint() {
        List<Path> all = listCheckpoints();
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /**
     * The checkpoint with the highest mean accuracy over the test files, among scored (not failed)
     * evaluations whose checkpoint still exists; under any sampling setting.
     */
    public Optional<Path> bestCheckpoint() {
        EvaluationRecord best = null;
        for (EvaluationRecord r : readEvaluations()) {
            double mean = r.meanAccuracy();
            if (!r.failed() && !Double.isNaN(mean) && r.checkpoint() != null && Files.isRegularFile(resolveInside(r.checkpoint()))
                    && (best == null || mean > best.meanAccuracy())) {
                best = r;
            }
        }
        return best == null ? Optional.empty() : Optional.of(resolveInside(best.checkpoint()));
    }

    /** A path recorded in one of the run's files, relative to the folder; refused if it leads outside. */
    Path resolveInside(String relative) {
        Path p = dir.resolve(relative).normalize();
        if (!p.startsWith(dir)) {
            throw new InvalidInputException(evaluations() + ": checkpoint '" + relative + "' is outside the run folder " + dir);
        }
        return p;
    }

    /** A file of the run as recorded in its records: relative to the folder. */
    public String relative(Path file) {
        return dir.toAbsolutePath().relativize(file.toAbsolutePath().normalize()).toString().replace('\\', '/');
    }

    // ---- samples and pictures -----------------------------------------------------------------

    /** The folder of the samples drawn for a test file (000.png ..., images.npz, grid.png). */
    public Path samples(String testName) {
        return dir.resolve(SAMPLES).resolve(testName);
    }

    /** The samples of a test file as one array file. */
    public Path samplesArray(String testName) {
        return samples(testName).resolve(SampleLayout.ARRAY);
    }

    /** The grid of a test file's samples. */
    public Path grid(String testName) {
        return dir.resolve(GRID_PREFIX + testName + ".png");
    }

    /** The test names that have a grid in the folder, sorted. */
    public List<String> gridNames() {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(GRID_PREFIX) && n.endsWith(".png")).sorted()
                    .map(n -> n.substring(GRID_PREFIX.length(), n.length() - 4)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    /** The pictures drawn when the checkpoint of an epoch was scored. */
    public Path pictures(int epoch) {
        return dir.resolve(PICTURES).resolve(String.format("epoch-%04d", epoch));
    }

    /** The grid of a test file's samples drawn when the checkpoint of an epoch was scored. */
    public Path grid(int epoch, String testName) {
        return pictures(epoch).resolve(GRID_PREFIX + testName + ".png");
    }

    /** The progressive strip drawn when the checkpoint of an epoch was scored. */
    public Path progressive(int epoch) {
        return pictures(epoch).resolve(PROGRESSIVE);
    }

    /**
     * Where the files of one evaluation go (its samples, grids and progressive strip). The trial's own
     * sampling setting: the run's results at the top of the folder for its final checkpoint (final), and
     * {@code pictures/epoch-NNNN/} for the others; any other setting: {@code pictures/epoch-NNNN/SETTING/}.
     */
    public EvaluationFiles evaluationFiles(int epoch, String setting, boolean own, boolean fin) {
        if (own && fin) {
            return new EvaluationFiles(dir, dir.resolve(SAMPLES));
        }
        Path base = own ? pictures(epoch) : pictures(epoch).resolve(setting);
        return new EvaluationFiles(base, base.resolve(SAMPLES));
    }

    /** The files of one evaluation: {@code grid_TEST.png} and {@code progressive.png} in dir, the images in {@code samples/TEST/}. */
    public record EvaluationFiles(Path dir, Path samplesRoot) {
        public Path grid(String testName) {
            return dir.resolve(GRID_PREFIX + testName + ".png");
        }

        public Path samples(String testName) {
            return samplesRoot.resolve(testName);
        }

        public Path progressive() {
            return dir.resolve(PROGRESSIVE);
        }
    }

    /** What a tracker keeps of a finished run: (file, artifact folder) pairs of the files that exist. */
    public List<Artifact> artifacts() {
        List<Artifact> out = new ArrayList<>();
        for (Path p : List.of(config(), history(), evaluations(), reevaluations(), report(), progressive(), lossPlot(), accuracyPlot(),
                emaWeights())) {
            if (Files.isRegularFile(p)) {
                out.add(new Artifact(p, ""));
            }
        }
        for (String test : gridNames()) {
            out.add(new Artifact(grid(test), "grids"));
        }
        return out;
    }

    /** A file to upload and the artifact folder it goes to ("" = the root). */
    public record Artifact(Path file, String folder) {}

    // ---- records -----------------------------------------------------------------------------

    /**
     * The sampling setting the run was trained and first scored with (its config.yaml's), if the folder
     * has a readable config; its images are the run's results, other settings' go to pictures/.
     */
    public Optional<SamplingConfig> ownSampling() {
        if (!Files.isRegularFile(config())) {
            return Optional.empty();
        }
        try {
            return Optional.of(ConfigLoader.load(config()).sampling());
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    public void writeConfig(ExperimentConfig config) {
        AtomicFiles.writeString(config(), ConfigLoader.toYaml(config));
    }

    /** The epochs of history.json in file order; empty when the run has none yet. */
    public List<EpochRecord> readHistory() {
        return Files.isRegularFile(history()) ? RunJson.read(history(), EPOCHS_KEY, EpochRecord.class) : List.of();
    }

    public void writeHistory(List<EpochRecord> epochs) {
        RunJson.write(history(), EPOCHS_KEY, epochs);
    }

    /** The evaluations in evaluations.json, by epoch; empty when there are none yet. */
    public List<EvaluationRecord> readEvaluations() {
        return Files.isRegularFile(evaluations()) ? RunJson.read(evaluations(), EVALUATIONS_KEY, EvaluationRecord.class) : List.of();
    }

    /**
     * Adds an evaluation to evaluations.json, in place of the row of the same key (checkpoint, sampling
     * setting, evaluator); kept sorted by epoch, then time.
     */
    public synchronized void recordEvaluation(EvaluationRecord record) {
        List<EvaluationRecord> all = new ArrayList<>(readEvaluations());
        all.removeIf(r -> r.key().equals(record.key()));
        all.add(record);
        all.sort(Comparator.comparingInt(EvaluationRecord::epoch).thenComparing(r -> r.timestamp() == null ? "" : r.timestamp()));
        RunJson.write(evaluations(), EVALUATIONS_KEY, all);
    }

    /**
     * The row of an evaluation key, if one was recorded. A row written before evaluators were recorded
     * (evaluator null) matches when legacyEvaluator says the key's evaluator is the one the trial was
     * scored with then.
     */
    public Optional<EvaluationRecord> findEvaluation(EvaluationRecord.Key key, boolean legacyEvaluator) {
        for (EvaluationRecord r : readEvaluations()) {
            EvaluationRecord.Key k = r.key();
            if (k.checkpoint() != null && k.checkpoint().equals(key.checkpoint()) && k.setting().equals(key.setting())
                    && (key.evaluator().equals(k.evaluator()) || legacyEvaluator && k.evaluator() == null)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /** The re-evaluations in reevaluations.json, in the order they were made. */
    public List<EvaluationRecord> readReevaluations() {
        return Files.isRegularFile(reevaluations()) ? RunJson.read(reevaluations(), EVALUATIONS_KEY, EvaluationRecord.class) : List.of();
    }

    /** Appends re-evaluations to reevaluations.json. */
    public synchronized void appendReevaluations(List<EvaluationRecord> records) {
        List<EvaluationRecord> all = new ArrayList<>(readReevaluations());
        all.addAll(records);
        RunJson.write(reevaluations(), EVALUATIONS_KEY, all);
    }

    /** Reads a history.json or evaluations.json that is not (yet) in a run folder, e.g. one a tool wrote. */
    public static List<EvaluationRecord> readEvaluations(Path file) {
        return RunJson.read(file, EVALUATIONS_KEY, EvaluationRecord.class);
    }
}
