package io.cddpm.viz;

import io.cddpm.runs.EpochRecord;
import io.cddpm.runs.EvaluationRecord;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The headline figures of a run, from its history and evaluations.
 *
 * @param lastEpoch       the last trained epoch (null without history)
 * @param finalLoss       the last epoch's loss
 * @param trainSeconds    total training wall time (sum of the epochs' seconds; null when not recorded)
 * @param imagesPerSecond mean training throughput over the epochs that recorded it
 * @param finalAccuracy   test name -> accuracy at the latest evaluated epoch
 * @param bestAccuracy    test name -> best accuracy over all evaluations
 * @param bestEpoch       test name -> the (first) epoch with the best accuracy
 */
public record RunFigures(
        Integer lastEpoch,
        Double finalLoss,
        Double trainSeconds,
        Double imagesPerSecond,
        Map<String, Double> finalAccuracy,
        Map<String, Double> bestAccuracy,
        Map<String, Integer> bestEpoch) {

    public static RunFigures of(List<EpochRecord> history, List<EvaluationRecord> evaluations) {
        Integer lastEpoch = history.isEmpty() ? null : history.get(history.size() - 1).epoch();
        Double finalLoss = history.isEmpty() ? null : history.get(history.size() - 1).loss();
        Double seconds = history.stream().anyMatch(e -> e.seconds() != null)
                ? history.stream().filter(e -> e.seconds() != null).mapToDouble(EpochRecord::seconds).sum() : null;
        Double ips = history.stream().anyMatch(e -> e.imagesPerS() != null)
                ? history.stream().filter(e -> e.imagesPerS() != null).mapToDouble(EpochRecord::imagesPerS).average().orElse(0) : null;
        Map<String, Double> last = new LinkedHashMap<>();
        Map<String, Integer> lastAt = new LinkedHashMap<>();
        Map<String, Double> best = new LinkedHashMap<>();
        Map<String, Integer> bestAt = new LinkedHashMap<>();
        for (EvaluationRecord e : evaluations) {
            for (Map.Entry<String, Double> a : e.accuracy().entrySet()) {
                String test = a.getKey();
                if (!lastAt.containsKey(test) || e.epoch() >= lastAt.get(test)) {
                    lastAt.put(test, e.epoch());
                    last.put(test, a.getValue());
                }
                if (!best.containsKey(test) || a.getValue() > best.get(test)) {
                    best.put(test, a.getValue());
                    bestAt.put(test, e.epoch());
                }
            }
        }
        return new RunFigures(lastEpoch, finalLoss, seconds, ips, ordered(last), ordered(best), ordered(bestAt));
    }

    private static <V> Map<String, V> ordered(Map<String, V> m) {
        Map<String, V> out = new LinkedHashMap<>();
        for (String t : TrainingPlots.orderTests(m.keySet())) {
            out.put(t, m.get(t));
        }
        return Collections.unmodifiableMap(out);
    }
}
