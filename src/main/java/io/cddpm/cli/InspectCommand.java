package io.cddpm.cli;

import io.cddpm.config.ConfigFlattener;
import io.cddpm.core.InvalidInputException;
import io.cddpm.eval.TorchCheckpoint;
import io.cddpm.model.Safetensors;
import io.cddpm.runs.Checkpoint;
import io.cddpm.runs.Provenance;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code cddpm inspect FILE}: what a weights file is and what produced it. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Show what a checkpoint (.ckpt), weights file (.safetensors) or PyTorch file (.pth) holds and what produced it.")
public final class InspectCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "A cddpm checkpoint, a safetensors file (e.g. ema.safetensors, an evaluator) or a .pth.")
    Path file;

    @Override
    public Integer call() {
        if (!Files.isRegularFile(file)) {
            throw new InvalidInputException(file + ": file not found");
        }
        String name = file.getFileName().toString();
        if (name.endsWith(".ckpt")) {
            checkpoint();
        } else if (name.endsWith(".safetensors")) {
            safetensors();
        } else if (name.endsWith(".pth") || name.endsWith(".pt")) {
            pth();
        } else {
            throw new InvalidInputException(file + ": not a .ckpt, .safetensors or .pth file");
        }
        return ExitCodes.OK;
    }

    private void checkpoint() {
        Checkpoint.Info info = Checkpoint.readInfo(file);
        System.out.println(file + ": cddpm checkpoint");
        System.out.printf("  epoch %d of %d, step %d, written %s%n", info.epoch(), info.config().training().epochs(), info.step(), info.created());
        System.out.printf("  experiment %s, config hash %s%n", info.config().name(), info.configHash());
        System.out.printf("  model %s at %dpx, %s prediction, %s schedule%n", info.config().model().preset().id(),
                info.config().resolution(), info.config().diffusion().predictionType().id(), info.config().diffusion().betaSchedule().id());
        info.entries().forEach((entry, size) -> System.out.printf("  entry %-24s %,d bytes%n", entry, size));
        provenance(info.provenance());
        Map<String, String> flat = ConfigFlattener.flatten(info.config());
        System.out.println("  config:");
        flat.forEach((k, v) -> System.out.printf("    %s = %s%n", k, v));
    }

    private void safetensors() {
        Map<String, String> metadata = Safetensors.metadata(file);
        System.out.println(file + ": safetensors, " + Safetensors.tensorCount(file) + " tensors");
        Provenance.fromMap(metadata, Checkpoint.PROVENANCE_KEY_PREFIX).ifPresentOrElse(this::provenance,
                () -> System.out.println("  provenance: none recorded"));
        new TreeMap<>(metadata).forEach((k, v) -> {
            if (!k.startsWith(Checkpoint.PROVENANCE_KEY_PREFIX)) {
                System.out.printf("  %s = %s%n", k, v);
            }
        });
    }

    private void pth() {
        Map<String, TorchCheckpoint.Tensor> state = TorchCheckpoint.stateDict(file);
        long values = state.values().stream().mapToLong(TorchCheckpoint.Tensor::size).sum();
        Map<String, Integer> dtypes = new TreeMap<>();
        state.values().forEach(t -> dtypes.merge(t.dtype(), 1, Integer::sum));
        System.out.printf("%s: PyTorch state dict, %d tensors, %,d values (%s)%n", file, state.size(), values, dtypes);
        System.out.println("  provenance: a PyTorch file records none (cddpm reads its tensors only)");
    }

    private void provenance(Provenance p) {
        if (p == null) {
            System.out.println("  provenance: none recorded (written before cddpm recorded it)");
            return;
        }
        System.out.println("  provenance:");
        p.toMap().forEach((k, v) -> System.out.printf("    %-16s %s%n", k, v));
    }
}
