package io.cddpm.render;

import io.cddpm.core.AtomicFiles;
import io.cddpm.core.InvalidInputException;
import io.cddpm.core.Limits;
import io.cddpm.core.Seeds;
import io.cddpm.data.ConditionFile;
import io.cddpm.data.LabeledImage;
import io.cddpm.data.Labels;
import io.cddpm.data.SafeNames;
import io.cddpm.data.TrainSpec;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;

/**
 * Renders an i-CLEVR-compatible dataset in the course's layout: {@code DIR/train.json},
 * {@code DIR/objects.json}, {@code DIR/test.json}, {@code DIR/new_test.json} and one PNG per entry
 * in {@code DIR/iclevr/}. Each scene is seeded from (seed, scene name) alone, so the output is
 * byte-identical whatever the thread count, order or limit.
 */
public final class DatasetRenderer {
    public static final String IMAGE_DIR = "iclevr";

    /** What was rendered. */
    public record Summary(int images, double seconds) {
        public double imagesPerSecond() {
            return images / Math.max(seconds, 1e-9);
        }
    }

    private final int size;
    private final long seed;
    private final int threads;

    public DatasetRenderer(int size, long seed, int threads) {
        this.size = Limits.imageSize(size, "--size");
        this.seed = seed;
        this.threads = Math.max(1, threads);
    }

    /** Renders every entry of the spec (scenes built object by object) into {@code out}. */
    public Summary renderSpec(TrainSpec spec, Path out, IntConsumer progress) {
        for (LabeledImage e : spec.entries()) {
            // before anything is written: a name that would leave out/iclevr/ is refused by name
            SafeNames.resolve(out.resolve(IMAGE_DIR), e.fileName(), spec.source() + ": entry");
        }
        int[] drawn = drawable(spec.labels());
        List<SceneGroups.Group> groups = SceneGroups.of(spec.entries());
        long start = System.nanoTime();
        prepare(out, spec.labels());
        runAll(groups.size(), i -> renderGroup(groups.get(i), out, drawn), progress);
        writeSpec(out.resolve("train.json"), spec.entries());
        return new Summary(spec.size(), (System.nanoTime() - start) / 1e9);
    }

    /**
     * Renders {@code count} ground-truth images for arbitrary label lists (cycling through the
     * file's conditions), named {@code cond_NNNNNN.png}, with their labels in {@code out/train.json}.
     */
    public Summary renderConditions(ConditionFile conditions, int count, Path out, IntConsumer progress) {
        List<LabeledImage> entries = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int c = i % conditions.size();
            entries.add(new LabeledImage(String.format("cond_%06d.png", i), conditions.conditions().get(c), conditions.indices().get(c)));
        }
        int[] drawn = drawable(conditions.labels());
        long start = System.nanoTime();
        prepare(out, conditions.labels());
        runAll(entries.size(), i -> renderGroup(new SceneGroups.Group(entries.get(i).fileName(), List.of(entries.get(i))), out, drawn),
                progress);
        writeSpec(out.resolve("train.json"), entries);
        return new Summary(entries.size(), (System.nanoTime() - start) / 1e9);
    }

    /** Renders one label list as an image (used by tests and callers that want pixels, not files). */
    public BufferedImage renderOne(String sceneKey, int[] labels) {
        return renderScenes(sceneKey, List.of(labels)).get(0);
    }

    private final ThreadLocal<ScenePlanner> planners = new ThreadLocal<>();
    private final ThreadLocal<RayTracer> tracers = new ThreadLocal<>();

    /** The scenes of one group: objects added one at a time; placement retried from scratch if stuck. */
    List<Scene> planGroup(String key, List<int[]> steps) {
        ScenePlanner planner = planners.get();
        if (planner == null) {
            planner = new ScenePlanner(size);
            planners.set(planner);
        }
        SplittableRandom random = new SplittableRandom(Seeds.mix(seed, key.hashCode()));
        for (int restart = 0; ; restart++) {
            Scene scene = planner.emptyScene(random);
            List<Scene> scenes = new ArrayList<>();
            List<Integer> placed = new ArrayList<>();
            boolean ok = true;
            for (int[] step : steps) {
                for (int label : step) {
                    if (placed.contains(label)) {
                        continue;
                    }
                    Scene next = planner.add(scene, label, random);
                    if (next == null) {
                        ok = false;
                        break;
                    }
                    scene = next;
                    placed.add(label);
                }
                if (!ok) {
                    break;
                }
                scenes.add(scene);
            }
            if (ok) {
                return scenes;
            }
            if (restart > 50) {
                throw new IllegalStateException("could not place the objects of scene " + key + " visibly after 50 restarts");
            }
        }
    }

    private List<BufferedImage> renderScenes(String key, List<int[]> steps) {
        RayTracer tracer = tracers.get();
        if (tracer == null) {
            tracer = new RayTracer(size <= 128 ? 3 : 2);
            tracers.set(tracer);
        }
        List<BufferedImage> images = new ArrayList<>();
        for (Scene scene : planGroup(key, steps)) {
            images.add(tracer.render(scene, size));
        }
        return images;
    }

    /**
     * What the renderer draws for each label of a vocabulary: the index {@code 8 * shape + color}
     * its name ("red cube") spells. The renderer used to draw by index alone, so a custom
     * objects.json with an unknown color ("pink cube") or another order was drawn with the built-in
     * label of that index (gray) under the wrong name; such a label is now refused by name.
     */
    static int[] drawable(Labels labels) {
        int[] out = new int[labels.size()];
        for (int i = 0; i < out.length; i++) {
            String name = labels.name(i);
            int index = i;
            out[i] = ObjectLabel.parse(name).orElseThrow(() -> new InvalidInputException(labels.source() + ": label '" + name
                    + "' (index " + index + ") cannot be rendered: labels are '<color> <shape>' with colors "
                    + String.join(", ", ObjectLabel.COLORS) + " and shapes cube, sphere, cylinder")).index();
        }
        return out;
    }

    private int renderGroup(SceneGroups.Group group, Path out, int[] drawn) {
        List<int[]> steps = new ArrayList<>();
        for (LabeledImage image : group.images()) {
            int[] step = new int[image.indices().length];
            for (int k = 0; k < step.length; k++) {
                step[k] = drawn[image.indices()[k]];
            }
            steps.add(step);
        }
        List<BufferedImage> images = renderScenes(group.key(), steps);
        for (int i = 0; i < images.size(); i++) {
            Path file = SafeNames.resolve(out.resolve(IMAGE_DIR), group.images().get(i).fileName(), "image");
            AtomicFiles.writePng(images.get(i), file);
        }
        return images.size();
    }

    private interface Task {
        int run(int index);
    }

    private void runAll(int count, Task task, IntConsumer progress) {
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "render");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Integer>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int index = i;
                futures.add(pool.submit(() -> task.run(index)));
            }
            for (Future<Integer> f : futures) {
                progress.accept(f.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("rendering interrupted", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(cause);
        } finally {
            pool.shutdownNow();
        }
    }

    private static void prepare(Path out, Labels labels) {
        try {
            Files.createDirectories(out.resolve(IMAGE_DIR));
            Map<String, Integer> objects = new LinkedHashMap<>();
            for (int i = 0; i < labels.size(); i++) {
                objects.put(labels.name(i), i);
            }
            Files.writeString(out.resolve("objects.json"), Labels.toJson(objects), StandardCharsets.UTF_8);
            for (String name : List.of("test.json", "new_test.json")) {
                try (InputStream in = DatasetRenderer.class.getResourceAsStream("/iclevr/" + name)) {
                    Files.copy(in, out.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("preparing " + out, e);
        }
    }

    private static void writeSpec(Path file, List<LabeledImage> entries) {
        Map<String, List<String>> spec = new LinkedHashMap<>();
        for (LabeledImage e : entries) {
            spec.put(e.fileName(), e.labels());
        }
        try {
            Files.writeString(file, Labels.toJson(spec), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + file, e);
        }
    }

}
