package io.cddpm.cli;

import io.cddpm.pipeline.ModelCheckpoints;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.cddpm.config.ConfigLoader;
import io.cddpm.config.ExperimentConfig;
import io.cddpm.config.SamplingConfig;
import io.cddpm.config.SamplingSettings;
import io.cddpm.core.AtomicFiles;
import io.cddpm.core.Engines;
import io.cddpm.core.InvalidInputException;
import io.cddpm.data.ConditionFile;
import io.cddpm.data.Labels;
import io.cddpm.diffusion.SamplerKind;
import io.cddpm.eval.Evaluator;
import io.cddpm.eval.SamplingSweep;
import io.cddpm.runs.Checkpoint;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cddpm sampling-table}: accuracy against sampling cost (sampler, steps, guidance, seeds) for one checkpoint. */
@Command(name = "sampling-table", mixinStandardHelpOptions = true,
        description = "Score a checkpoint for each sampler setting (sampler and steps, guidance weights, seeds), with seconds per 32 images.")
public final class SamplingTableCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true, description = "A cddpm checkpoint (.ckpt), a model package folder or a shipped model's name (iclevr32), or a registered model models:/NAME@ALIAS or models:/NAME/VERSION (from $MLFLOW_TRACKING_URI).")
    Path checkpoint;

    @Option(names = "--evaluator", description = "Evaluator weights: checkpoint.pth or .safetensors (default: the evaluator the"
            + " checkpoint's own run is scored with, or a model package's own).")
    Path evaluator;

    @Option(names = "--conditions", split = ",", defaultValue = "test,new_test",
            description = "Condition files (test.json-style paths, or test / new_test / singles), comma-separated (default ${DEFAULT-VALUE}).")
    List<String> conditions;

    @Option(names = "--samplers", split = ",", defaultValue = "ddim:10,ddim:20,ddim:50,ddim:100,ddpm",
            description = "Sampler settings, comma-separated: ID:STEPS (ddim:50, dpmpp_2m:15), or ID alone for the config's"
                    + " sampling.steps (ddpm always runs every train timestep); ID one of ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).",
            completionCandidates = SamplerIds.class)
    List<String> samplers;

    @Option(names = "--guidance", split = ",", description = "Guidance weights, comma-separated (default: the checkpoint config's).")
    List<Double> guidance;

    @Option(names = "--object-guidance", split = ",",
            description = "Per-object guidance weights v, comma-separated (default: the checkpoint config's sampling.object_guidance).")
    List<Double> objectGuidance;

    @Option(names = "--seeds", split = ",", defaultValue = "0", description = "Sampling seeds, comma-separated; rows are averaged over them too.")
    List<Long> seeds;

    @Option(names = "--eta", description = "DDIM eta (default: the checkpoint config's).")
    Double eta;

    @Option(names = "--augmentation", split = ",", description = "For a cascade's super-resolution stage: noise levels (timesteps) added to"
            + " the base model's upsampled images, comma-separated (default: the config's sampling.augmentation).")
    List<Integer> augmentation;

    @Option(names = "--base", description = "For a cascade's super-resolution stage: the base model that draws the low-resolution images"
            + " first (checkpoint, package folder, shipped name or models:/NAME/VERSION; default: the config's sampling.base).")
    String baseModel;

    @Option(names = "--no-ema", description = "Score the raw weights instead of the EMA weights (what EMA adds, without retraining).")
    boolean noEma;

    @Option(names = "--batch", defaultValue = "64", description = "Images per forward pass (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--json", description = "Also write every row to this JSON file.")
    Path json;

    @Override
    public Integer call() throws Exception {
        if (batch <= 0) {
            throw new InvalidInputException("--batch " + batch + ": must be positive");
        }
        if (seeds.isEmpty()) {
            throw new InvalidInputException("--seeds: the list holds no seed (only commas); give one or more, comma-separated, e.g. --seeds 0,1,2");
        }
        if (json != null) {
            OutputPaths.file(json, "--json");
        }
        checkpoint = ModelCheckpoints.local(checkpoint);
        ExperimentConfig base = Checkpoint.readConfig(checkpoint);
        if (evaluator == null) {
            evaluator = EvaluateCommand.ownEvaluator(checkpoint, base);
        }
        List<SamplingConfig> settings = settings(base);
        List<ConditionFile> files = new ArrayList<>();
        for (String c : conditions) {
            files.add(ConditionFile.resolve(c, Labels.builtin()));
        }
        Engines.pytorch();
        boolean stage = settings.get(0).cascaded();
        System.out.println("weights: " + (settings.get(0).useEma() ? "EMA" : "raw (no EMA)")
                + (stage ? "; base model " + settings.get(0).base() + " draws the low-resolution images first" : ""));
        System.out.printf("%-8s %6s %8s %8s %s%6s %s %10s%n", "sampler", "steps", "guidance", "object", stage ? String.format("%6s ", "aug") : "", "seed",
                String.join(" ", files.stream().map(f -> String.format("%10s", f.name())).toList()), "s/32 img");
        List<SamplingSweep.Row> rows;
        try (Evaluator eval = Evaluator.load(evaluator)) {
            rows = SamplingSweep.run(checkpoint, settings, files, eval, batch, r -> System.out.printf("%s %6d %s %10.1f%n", prefix(r, stage),
                    r.sampling().seed(),
                    String.join(" ", r.accuracy().values().stream().map(a -> String.format("%10.4f", a)).toList()), r.secondsPer32()), ModelCheckpoints.LOCATOR);
        }
        if (seeds.size() > 1) {
            printMeans(rows, files, stage);
        }
        if (json != null) {
            List<Map<String, Object>> out = new ArrayList<>();
            for (SamplingSweep.Row r : rows) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("sampler", r.sampling().sampler().id());
                m.put("steps", r.denoisingSteps());
                m.put("eta", r.sampling().eta());
                m.put("guidance", r.sampling().guidance());
                m.put("object_guidance", r.sampling().objectGuidance());
                if (r.sampling().cascaded()) {
                    m.put("base", r.sampling().base());
                    m.put("augmentation", r.sampling().augmentation());
                }
                m.put("seed", r.sampling().seed());
                m.put("weights", r.sampling().useEma() ? "ema" : "raw");
                m.put("accuracy", r.accuracy());
                m.put("seconds_per_32_images", r.secondsPer32());
                out.add(m);
            }
            AtomicFiles.write(json, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(Map.of(
                    "checkpoint", checkpoint.toString(), "evaluator", evaluator.toString(), "rows", out)));
            System.out.println("rows written to " + json);
        }
        return ExitCodes.OK;
    }

    /** Every (sampler, guidance, object guidance, seed) combination, validated like the config's sampling section. */
    List<SamplingConfig> settings(ExperimentConfig base) {
        List<SamplingConfig> out = new ArrayList<>();
        SamplingConfig b = base.sampling();
        List<Double> weights = guidance == null || guidance.isEmpty() ? List.of(b.guidance()) : guidance;
        List<Double> objectWeights = objectGuidance == null || objectGuidance.isEmpty() ? List.of(b.objectGuidance()) : objectGuidance;
        List<Integer> levels = augmentation == null || augmentation.isEmpty() ? List.of(b.augmentation()) : augmentation;
        String baseName = baseModel != null ? baseModel : b.base();
        for (String spec : samplers) {
            String[] parts = spec.trim().split(":", -1);
            SamplerKind kind;
            try {
                kind = SamplerKind.of(parts[0]);
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException("--samplers '" + spec + "': " + e.getMessage());
            }
            if (parts.length > 2) {
                throw new InvalidInputException("--samplers '" + spec + "': expected ID or ID:STEPS (e.g. " + kind.id() + ":50)");
            }
            if (parts.length > 1 && !kind.takesSteps()) {
                throw new InvalidInputException("--samplers '" + spec + "': " + kind.id() + " takes no step count (it runs every train timestep)");
            }
            int steps;
            try {
                steps = parts.length > 1 ? Integer.parseInt(parts[1]) : kind.takesSteps() ? b.steps() : base.diffusion().trainTimesteps();
            } catch (NumberFormatException e) {
                throw new InvalidInputException("--samplers '" + spec + "': steps must be an integer (e.g. " + kind.id() + ":50)");
            }
            for (double w : weights) {
                for (double v : objectWeights) {
                    for (int level : levels) {
                        for (long seed : seeds) {
                            SamplingConfig s = new SamplingConfig(kind, steps, eta != null ? eta : b.eta(), w, v, seed, b.useEma() && !noEma,
                                    baseName, level);
                            try {
                                out.add(ConfigLoader.withSampling(base, s).sampling());
                            } catch (InvalidInputException e) {
                                throw new InvalidInputException("--samplers '" + spec + "' with --guidance " + w + " --object-guidance " + v
                                        + (augmentation == null ? "" : " --augmentation " + level) + ": " + e.getMessage(), e);
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    /** A row's setting columns: sampler, steps, guidance, object guidance and, for a stage, the augmentation level. */
    private static String prefix(SamplingSweep.Row r, boolean stage) {
        return String.format("%-8s %6d %8.2f %8.2f", r.sampling().sampler().id(), r.denoisingSteps(), r.sampling().guidance(),
                r.sampling().objectGuidance()) + (stage ? String.format(" %6d", r.sampling().augmentation()) : "");
    }

    private static void printMeans(List<SamplingSweep.Row> rows, List<ConditionFile> files, boolean stage) {
        System.out.println("mean over seeds:");
        Map<String, List<SamplingSweep.Row>> groups = new LinkedHashMap<>();
        for (SamplingSweep.Row r : rows) {
            // a setting without its seed, named as the pipeline's seed means name it (SeedAverage)
            groups.computeIfAbsent(SamplingSettings.slug(r.sampling().withSeed(0)), k -> new ArrayList<>()).add(r);
        }
        for (List<SamplingSweep.Row> g : groups.values()) {
            SamplingSweep.Row first = g.get(0);
            List<String> cells = new ArrayList<>();
            for (ConditionFile f : files) {
                cells.add(String.format("%10.4f", g.stream().mapToDouble(r -> r.accuracy().get(f.name())).average().orElse(Double.NaN)));
            }
            System.out.printf("%s %6s %s %10.1f%n", prefix(first, stage), "mean", String.join(" ", cells),
                    g.stream().mapToDouble(SamplingSweep.Row::secondsPer32).average().orElse(Double.NaN));
        }
    }
}
