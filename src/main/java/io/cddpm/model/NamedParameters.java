package io.cddpm.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A block's parameters under stable, readable names: DJL prefixes every child with its position
 * ("01conv_in", "03down_blocks.0.resnets.0"); this strips those prefixes so names read like
 * diffusers' / torchvision's state-dict keys ("conv_in.weight", "down_blocks.0.resnets.0.norm1.bias").
 */
public final class NamedParameters {
    private NamedParameters() {}

    public static Map<String, Parameter> of(Block block) {
        Map<String, Parameter> out = new LinkedHashMap<>();
        collect(block, "", out);
        return out;
    }

    private static void collect(Block block, String prefix, Map<String, Parameter> out) {
        for (Pair<String, Parameter> p : block.getDirectParameters()) {
            out.put(prefix + p.getValue().getName(), p.getValue());
        }
        for (Pair<String, Block> child : block.getChildren()) {
            collect(child.getValue(), prefix + strip(child.getKey()) + ".", out);
        }
    }

    /** "03down_blocks.0.resnets.0" -> "down_blocks.0.resnets.0". */
    static String strip(String childName) {
        int i = 0;
        while (i < childName.length() && Character.isDigit(childName.charAt(i))) {
            i++;
        }
        return childName.substring(i);
    }

    /** name -> current value array (not copies). */
    public static Map<String, NDArray> arrays(Block block) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        of(block).forEach((k, v) -> out.put(k, v.getArray()));
        return out;
    }
}
