package io.cddpm.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cddpm.runs.EpochRecord;
import io.cddpm.runs.EvaluationRecord;
import io.cddpm.runs.RunFolder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run descriptions and the registry's score tags, from a run folder's records. */
class TrialSummaryTest {
    @Test
    void describesTheTrialAndItsSweep(@TempDir Path dir) {
        RunFolder folder = RunFolder.of(dir.resolve("lr=1e-4"));
        folder.writeHistory(List.of(new EpochRecord(1, 0.5, 1e-4, 100.0, 10.0, 3L, 500L), new EpochRecord(2, 0.4, 1e-4, 120.0, 9.0, 6L, 510L)));
        Map<String, Double> acc = new LinkedHashMap<>();
        acc.put("test", 0.5);
        acc.put("new_test", 0.25);
        folder.recordEvaluation(EvaluationRecord.of(1, "checkpoints/epoch-0001.ckpt", new io.cddpm.config.SamplingConfig(io.cddpm.diffusion.DdimScheduler.KIND, 10, 0.0, 2.0, 0.0, 0, true), "evaluator#0", Map.of("test", 0.1, "new_test", 0.1), "t"));
        folder.recordEvaluation(EvaluationRecord.of(2, "checkpoints/epoch-0002.ckpt", new io.cddpm.config.SamplingConfig(io.cddpm.diffusion.DdimScheduler.KIND, 10, 0.0, 2.0, 0.0, 0, true), "evaluator#0", acc, "t"));
        TrialSummary s = TrialSummary.of("lr=1e-4", folder, 75);
        assertEquals(Map.of("accuracy_test", "0.5000", "accuracy_new_test", "0.2500", "mean_accuracy", "0.3750", "sampling", "ddim10_w2_eta0"),
                s.scoreTags());
        String md = s.markdown();
        assertTrue(md.contains("**Accuracy** (epoch 2, sampling ddim10_w2_eta0): test **0.5000**, new_test **0.2500**, mean **0.3750**"), md);
        assertTrue(md.contains("| 2 | 110.0 | 1m 15s |"), md);
        assertTrue(md.contains("cddpm run " + folder.config().toAbsolutePath()), md);
        String table = TrialSummary.table("exp", List.of(TrialSummary.of("lr=1e-4", folder, Double.NaN), TrialSummary.failed("lr=1", "FAILED: NaN loss")));
        assertTrue(table.contains("| trial | test | new_test | mean | evaluator ceiling | epochs | images/s | wall time |"), table);
        assertTrue(table.contains("| lr=1e-4 | 0.5000 | 0.2500 | 0.3750 | – | 2 | 110.0 | 19 s |"), "wall time from the epochs: " + table);
        assertTrue(table.contains("| lr=1 | FAILED: NaN loss |"), table);
    }

    /** Issue 31: an evaluator's held-out accuracy stands beside its accuracies, and under 0.9 they are called unreliable. */
    @Test
    void theEvaluatorsCeilingStandsBesideTheAccuracies(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("evaluators"));
        Files.write(dir.resolve("evaluators/weak.safetensors"), io.cddpm.model.Safetensors.toBytes(Map.of(), Map.of("heldout_accuracy", "0.495050")));
        Files.write(dir.resolve("evaluators/good.safetensors"), io.cddpm.model.Safetensors.toBytes(Map.of(), Map.of("heldout_accuracy", "0.992000")));
        RunFolder weak = RunFolder.of(dir.resolve("exp/weak"));
        RunFolder good = RunFolder.of(dir.resolve("exp/good"));
        io.cddpm.config.SamplingConfig ddim = new io.cddpm.config.SamplingConfig(io.cddpm.diffusion.DdimScheduler.KIND, 10, 0.0, 2.0, 0.0, 0, true);
        weak.recordEvaluation(EvaluationRecord.of(1, "checkpoints/epoch-0001.ckpt", ddim, "weak.safetensors#abc", Map.of("test", 0.4), "t"));
        good.recordEvaluation(EvaluationRecord.of(1, "checkpoints/epoch-0001.ckpt", ddim, "good.safetensors#def", Map.of("test", 0.9), "t"));
        String md = TrialSummary.of("weak", weak, 10).markdown();
        assertTrue(md.contains("mean **0.4000** (UNRELIABLE: the evaluator's held-out accuracy, their ceiling, is 0.4951, under 0.90)"), md);
        assertTrue(TrialSummary.of("good", good, 10).markdown().contains("mean **0.9000** (evaluator ceiling 0.9920)"));
        String table = TrialSummary.table("exp", List.of(TrialSummary.of("weak", weak, 10), TrialSummary.of("good", good, 10)));
        assertTrue(table.contains("| weak | 0.4000 | 0.4000 | 0.4951 (unreliable) |") && table.contains("| good | 0.9000 | 0.9000 | 0.9920 |")
                && table.contains("the accuracies it gives samples mean little"), table);
    }

    /** evaluations.json written before eta, object guidance and seed were recorded still reads, those fields null. */
    @Test
    void readsEvaluationsWrittenBeforeTheSamplingWasRecordedInFull(@TempDir Path dir) throws Exception {
        RunFolder folder = RunFolder.of(dir.resolve("old"));
        Files.createDirectories(folder.evaluations().getParent());
        Files.writeString(folder.evaluations(), """
                {"evaluations":[{"epoch":15,"checkpoint":"checkpoints/epoch-0015.ckpt","sampler":"ddim","steps":50,
                "guidance":2.0,"accuracy":{"test":0.8472,"new_test":0.9048},"timestamp":"2026-12-04T07:23:10Z"}]}""");
        EvaluationRecord r = folder.readEvaluations().get(0);
        assertEquals(0.8472, r.accuracy().get("test"));
        assertEquals("ddim, 50 steps, guidance 2.0", r.sampling());
        folder.recordEvaluation(EvaluationRecord.of(17, "checkpoints/epoch-0017.ckpt",
                new io.cddpm.config.SamplingConfig(io.cddpm.diffusion.DdimScheduler.KIND, 50, 1.0, 3.0, 1.0, 2, true), "evaluator#0", Map.of("test", 0.9), "t"));
        assertEquals("ddim, 50 steps, eta 1.0, guidance 3.0, object guidance 1.0, seed 2", folder.readEvaluations().get(1).sampling());
    }
}
