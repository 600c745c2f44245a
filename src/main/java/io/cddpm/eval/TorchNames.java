package io.cddpm.eval;

import io.cddpm.core.Tensors;
import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import io.cddpm.core.InvalidInputException;
import io.cddpm.model.NamedParameters;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * DJL parameter names <-> torchvision state-dict keys (BatchNorm's gamma/beta/runningMean/runningVar
 * are torch's weight/bias/running_mean/running_var), and loading a torch state dict into a block
 * with clear errors for missing or unexpected keys and shape mismatches.
 */
public final class TorchNames {
    private TorchNames() {}

    /** torch key -> the block's parameter array. */
    public static Map<String, NDArray> parameters(Block block) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        NamedParameters.arrays(block).forEach((name, array) -> out.put(toTorch(name), array));
        return out;
    }

    static String toTorch(String djlName) {
        return djlName.replaceAll("\\.gamma$", ".weight").replaceAll("\\.beta$", ".bias")
                .replaceAll("\\.runningMean$", ".running_mean").replaceAll("\\.runningVar$", ".running_var");
    }

    /** Copies a torch state dict into the block; {@code num_batches_tracked} is ignored. */
    public static void load(Block block, Map<String, TorchCheckpoint.Tensor> stateDict, String source) {
        Map<String, NDArray> params = parameters(block);
        List<String> missing = new ArrayList<>();
        for (String key : params.keySet()) {
            if (!stateDict.containsKey(key)) {
                missing.add(key);
            }
        }
        List<String> unexpected = new ArrayList<>();
        for (String key : stateDict.keySet()) {
            if (!params.containsKey(key) && !key.endsWith("num_batches_tracked")) {
                unexpected.add(key);
            }
        }
        if (!missing.isEmpty() || !unexpected.isEmpty()) {
            throw new InvalidInputException(source + ": state dict does not fit a ResNet18 evaluator: "
                    + (missing.isEmpty() ? "" : missing.size() + " missing key(s) e.g. " + missing.subList(0, Math.min(3, missing.size())) + " ")
                    + (unexpected.isEmpty() ? "" : unexpected.size() + " unexpected key(s) e.g. " + unexpected.subList(0, Math.min(3, unexpected.size()))));
        }
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            TorchCheckpoint.Tensor t = stateDict.get(e.getKey());
            long[] want = e.getValue().getShape().getShape();
            if (!Arrays.equals(want, t.shape())) {
                throw new InvalidInputException(source + ": '" + e.getKey() + "' has shape " + Arrays.toString(t.shape())
                        + ", the model expects " + Arrays.toString(want));
            }
            Tensors.copyInto(e.getValue(), t.floats());
        }
    }
}
