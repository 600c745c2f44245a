package io.cddpm.cli;

import io.cddpm.pipeline.ModelCheckpoints;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.cddpm.config.SamplingConfig;
import io.cddpm.config.SamplingSettings;
import io.cddpm.config.TrackingConfig;
import io.cddpm.core.Engines;
import io.cddpm.core.InvalidInputException;
import io.cddpm.data.ConditionFile;
import io.cddpm.data.Labels;
import io.cddpm.eval.Evaluator;
import io.cddpm.pipeline.EvaluatorWeights;
import io.cddpm.pipeline.ExperimentView;
import io.cddpm.pipeline.ModelShowcase;
import io.cddpm.runs.Checkpoint;
import io.cddpm.runs.ModelPackage;
import io.cddpm.state.StateDatabase;
import io.cddpm.tracking.TrackingSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cddpm model}: trained models as packages to ship and share (weights, config, evaluator). */
@Command(name = "model", mixinStandardHelpOptions = true,
        description = "Model packages: the shipped models (list), what one draws (show), a checkpoint made into one (export).",
        subcommands = {ModelCommand.ListModels.class, ModelCommand.Show.class, ModelCommand.Export.class},
        footer = {"A model package is a folder: model.json (files, SHA-256s, provenance), config.yaml, unet-ema.safetensors and",
            "evaluator.safetensors. Every command that takes --checkpoint takes a package folder too, or a shipped model's",
            "short name (cddpm's models/ folder, e.g. --checkpoint iclevr32)."})
public final class ModelCommand {

    /** {@code cddpm model list}. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the models shipped in cddpm's models/ folder.")
    static final class ListModels implements Callable<Integer> {
        @Override
        public Integer call() throws IOException {
            List<String> names = ModelCheckpoints.shipped();
            if (names.isEmpty()) {
                System.out.println("no shipped models in " + ModelCheckpoints.shippedRoot());
                return ExitCodes.OK;
            }
            for (String name : names) {
                ModelPackage p = ModelPackage.open(ModelCheckpoints.shippedRoot().resolve(name));
                long bytes;
                try (Stream<Path> files = Files.list(p.dir())) {
                    bytes = files.mapToLong(f -> f.toFile().length()).sum();
                }
                System.out.printf(Locale.ROOT, "%-12s %dx%d, %s, %.1f MB  %s%n", name, p.config().resolution(), p.config().resolution(),
                        SamplingSettings.slug(p.config().sampling()), bytes / 1e6, p.manifest().description() == null ? ""
                                : p.manifest().description());
            }
            return ExitCodes.OK;
        }
    }

    /** {@code cddpm model show}. */
    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Draw and score what a model makes of test, new_test and novel label sets: labelled grids, a progressive strip.",
            footer = {"Samples one image per condition of each --conditions file with the model's own sampling setting (or the options),",
                "writes OUT/FILE/grid.png (labelled), the PNGs, images.npz and OUT/progressive.png, and scores each file with the",
                "model's evaluator (a package's own, else the checkpoint's run's), printing its held-out accuracy as the ceiling.",
                "With tracking (the default), the result is an MLflow run of --experiment named after the model ($MLFLOW_TRACKING_URI,",
                "else a local server on mlruns/ for the command's length); --register also registers the model's files as a new",
                "version of a registered model of its name (then: cddpm sample --checkpoint models:/NAME/VERSION)."})
    static final class Show implements Callable<Integer> {
        @Parameters(index = "0", description = "A shipped model's name (e.g. iclevr32), a package folder or a checkpoint file.")
        String model;

        @Option(names = "--conditions", split = ",", description = "Condition files: test.json-style files or test / new_test / singles"
                + " (default: test, new_test and experiments/conditions/novel.json).")
        List<String> conditions;

        @Option(names = "--out", description = "Output folder (default: runs/showcase/NAME).")
        Path out;

        @Option(names = "--overwrite", description = "Replace the pictures of an earlier show in --out.")
        boolean overwrite;

        @Option(names = "--experiment", defaultValue = "models", description = "MLflow experiment of the run (default ${DEFAULT-VALUE}).")
        String experiment;

        @Option(names = "--no-tracking", description = "Record nothing in MLflow.")
        boolean noTracking;

        @Option(names = "--register", description = "Register the model's files as a version of the registered model NAME.")
        boolean register;

        @Mixin
        SamplingOptions sampling = new SamplingOptions();

        @Override
        public Integer call() throws Exception {
            sampling.checkBatch();
            if (register && noTracking) {
                throw new InvalidInputException("--register needs tracking: drop --no-tracking");
            }
            Path source = ModelCheckpoints.local(Path.of(model));
            if (register && !ModelPackage.isPackage(source)) {
                throw new InvalidInputException("--register takes a model package (a shipped model's name or a package folder): " + source
                        + " is a checkpoint; 'cddpm model export' makes a package of it");
            }
            String name = ModelPackage.isPackage(source) ? ModelPackage.open(source).name() : stem(source);
            Path dir = out != null ? out : Path.of("runs", "showcase", name);
            if (!overwrite && Files.isDirectory(dir)) {
                try (Stream<Path> entries = Files.list(dir)) {
                    if (entries.findAny().isPresent()) {
                        throw new InvalidInputException("--out " + dir + ": holds the pictures of an earlier show; pass --overwrite to replace"
                                + " them, or another --out");
                    }
                }
            }
            OutputPaths.folder(dir, "--out");
            var config = Checkpoint.readConfig(source);
            SamplingConfig chosen = sampling.over(config);
            List<ConditionFile> files = new ArrayList<>();
            for (String c : conditions != null ? conditions : defaultConditions()) {
                files.add(ConditionFile.resolve(c, Labels.builtin()));
            }
            Path evaluatorFile = EvaluateCommand.ownEvaluator(source, config);
            Engines.pytorch();
            System.out.printf("%s: drawing %s with %s into %s%n", name, String.join(", ", files.stream().map(ConditionFile::name).toList()),
                    SamplingSettings.slug(chosen), dir);
            ModelShowcase.Result result;
            try (Evaluator evaluator = Evaluator.load(evaluatorFile)) {
                result = ModelShowcase.draw(source, chosen, files, evaluator, dir, sampling.batch(), System.out);
            }
            System.out.printf(Locale.ROOT, "drew %d images in %.1f s; progressive denoising of '%s': %s%n",
                    files.stream().mapToInt(ConditionFile::size).sum(), result.seconds(), String.join(", ", files.get(0).conditions().get(0)),
                    result.progressive());
            if (!noTracking) {
                if (!ModelPackage.isPackage(source)) {
                    System.out.println("not recorded in MLflow: " + source + " is a checkpoint, whose run records its own evaluations"
                            + " (a package made by 'cddpm model export' can be shown and registered)");
                } else {
                    try (StateDatabase state = StateDatabase.open();
                            TrackingSession tracking = TrackingSession.open(TrackingConfig.defaults(), state.dataSource(), System.out)) {
                        ModelShowcase.track(tracking.tracker(), experiment, ModelPackage.open(source), chosen, result, register);
                        tracking.announceView(experiment, ExperimentView.SHARE_KEY);
                        System.out.printf("recorded in MLflow at %s: experiment '%s', run '%s (shipped model)'%s%n", tracking.tracker().uri(),
                                experiment, name, register ? ", registered as model '" + name + "'" : "");
                    }
                }
            }
            return ExitCodes.OK;
        }

        private static List<String> defaultConditions() {
            List<String> list = new ArrayList<>(List.of("test", "new_test"));
            Path novel = Path.of(System.getProperty("cddpm.home", ".")).resolve("experiments/conditions/novel.json");
            if (Files.isRegularFile(novel)) {
                list.add(novel.toString());
            }
            return list;
        }

        private static String stem(Path checkpoint) {
            String n = checkpoint.getFileName().toString();
            return n.endsWith(".ckpt") ? n.substring(0, n.length() - 5) : n;
        }
    }

    /** {@code cddpm model export}. */
    @Command(name = "export", mixinStandardHelpOptions = true,
            description = "Make a model package of a checkpoint: EMA weights (bf16 by default), its config and its evaluator.",
            footer = {"Writes OUT/model.json, config.yaml, unet-ema.safetensors and evaluator.safetensors (into a temporary folder,",
                "renamed into place; OUT must not exist). The weights keep the checkpoint's provenance; model.json records the",
                "source checkpoint's SHA-256, epoch and step, the evaluator's held-out accuracy, and each file's SHA-256, which",
                "every reader checks. bf16 halves the size; a bf16-trained model samples in bf16 anyway."})
    static final class Export implements Callable<Integer> {
        @Option(names = "--checkpoint", required = true, description = "The checkpoint (RUN/checkpoints/epoch-NNNN.ckpt).")
        Path checkpoint;

        @Option(names = "--out", required = true, description = "The package folder to create (e.g. models/NAME).")
        Path out;

        @Option(names = "--name", description = "The model's name (default: the --out folder's name).")
        String name;

        @Option(names = "--description", description = "One line on what the model is.")
        String description;

        @Option(names = "--evaluator", description = "Evaluator weights to ship with it (default: the checkpoint's own, if found).")
        Path evaluator;

        @Option(names = "--no-evaluator", description = "Ship no evaluator.")
        boolean noEvaluator;

        @Option(names = "--weights", defaultValue = "bf16", description = "bf16 or fp32 (default ${DEFAULT-VALUE}); the evaluator follows.")
        String weights;

        @Override
        public Integer call() {
            DataType type = switch (weights) {
                case "bf16" -> DataType.BFLOAT16;
                case "fp32" -> DataType.FLOAT32;
                default -> throw new InvalidInputException("--weights " + weights + ": bf16 or fp32");
            };
            if (Files.exists(out)) {
                throw new InvalidInputException("--out " + out + ": exists; a package is never written over (remove it, or choose another)");
            }
            String packageName = name != null ? name : out.toAbsolutePath().normalize().getFileName().toString();
            if (!ModelCheckpoints.SHORT_NAME.matcher(packageName).matches()) {
                throw new InvalidInputException("--name " + packageName + ": lowercase letters, digits, '.', '_' and '-' (at most 64)");
            }
            var config = Checkpoint.readConfig(checkpoint);
            Path eval = noEvaluator ? null : evaluator != null ? evaluator
                    : EvaluatorWeights.ofCheckpoint(checkpoint, config).orElseThrow(() -> new InvalidInputException(
                            "the checkpoint's own evaluator is not here; pass --evaluator WEIGHTS or --no-evaluator"));
            if (eval != null && !eval.getFileName().toString().endsWith(".safetensors")) {
                throw new InvalidInputException("--evaluator " + eval + ": a package ships a .safetensors evaluator");
            }
            Engines.pytorch();
            try (NDManager manager = NDManager.newBaseManager()) {
                Checkpoint c = Checkpoint.read(checkpoint, manager);
                ModelPackage p = ModelPackage.write(c, checkpoint, eval, out, packageName, description, type, type == DataType.BFLOAT16,
                        manager);
                long bytes = 0;
                try (Stream<Path> files = Files.list(p.dir())) {
                    for (Path f : files.sorted().toList()) {
                        long size = f.toFile().length();
                        bytes += size;
                        System.out.printf(Locale.ROOT, "  %-24s %8.1f MB%n", f.getFileName(), size / 1e6);
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                System.out.printf(Locale.ROOT, "wrote model package '%s' (%s epoch %d, %.1f MB) to %s%n", packageName, checkpoint.getFileName(),
                        c.epoch(), bytes / 1e6, out);
            }
            return ExitCodes.OK;
        }
    }
}
