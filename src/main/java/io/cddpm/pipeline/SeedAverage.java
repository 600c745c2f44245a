package io.cddpm.pipeline;

import io.cddpm.config.SamplingConfig;
import io.cddpm.config.SamplingSettings;
import io.cddpm.runs.EvaluationRecord;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A checkpoint's accuracies under one sampling setting averaged over the seeds it was scored with (a sweep
 * over {@code sampling.seed}): the figure a result is quoted by, since one seed's accuracy moves by a few
 * hundredths on 32 conditions.
 *
 * @param setting the setting's short name without its seed ({@link SamplingSettings#slug} at seed 0)
 * @param seeds   the seeds averaged, in scoring order (at least two)
 * @param mean    condition file -> mean accuracy, for the files every one of the seeds was scored on
 */
public record SeedAverage(String setting, List<Long> seeds, Map<String, Double> mean) {
    public SeedAverage {
        seeds = List.copyOf(seeds);
        mean = Collections.unmodifiableMap(new LinkedHashMap<>(mean));
    }

    /**
     * The averages of the settings scored under two or more seeds. settings.get(i) drew records.get(i); a failed
     * record is left out (its setting is averaged over the seeds that were scored), and a seed scored twice counts once.
     */
    public static List<SeedAverage> of(List<SamplingConfig> settings, List<EvaluationRecord> records) {
        if (settings.size() != records.size()) {
            throw new IllegalArgumentException(settings.size() + " settings for " + records.size() + " evaluations");
        }
        Map<String, Map<Long, Map<String, Double>>> groups = new LinkedHashMap<>();
        for (int i = 0; i < settings.size(); i++) {
            EvaluationRecord r = records.get(i);
            if (r.failed() || r.accuracy().isEmpty()) {
                continue;
            }
            SamplingConfig s = settings.get(i);
            groups.computeIfAbsent(SamplingSettings.slug(s.withSeed(0)), k -> new LinkedHashMap<>()).putIfAbsent(s.seed(), r.accuracy());
        }
        List<SeedAverage> out = new ArrayList<>();
        groups.forEach((setting, bySeed) -> {
            if (bySeed.size() < 2) {
                return;
            }
            Map<String, Double> mean = new LinkedHashMap<>();
            for (String file : bySeed.values().iterator().next().keySet()) {
                if (bySeed.values().stream().allMatch(a -> a.containsKey(file))) {
                    mean.put(file, bySeed.values().stream().mapToDouble(a -> a.get(file)).average().orElseThrow());
                }
            }
            if (!mean.isEmpty()) {
                out.add(new SeedAverage(setting, new ArrayList<>(bySeed.keySet()), mean));
            }
        });
        return out;
    }
}
