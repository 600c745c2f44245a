package io.cddpm.core;

import java.util.Arrays;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Lookup of enum constants by their lowercase ids (as written in configs, checkpoints and on the command line). */
public final class EnumIds {
    private EnumIds() {}

    /**
     * The constant whose id is {@code id}; otherwise IllegalArgumentException
     * "unknown WHAT 'ID' (valid: a, b, c)" (config errors show that message with the file, line and key).
     */
    public static <E extends Enum<E>> E byId(E[] values, Function<E, String> idOf, String id, String what) {
        for (E v : values) {
            if (idOf.apply(v).equals(id)) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown " + what + " '" + id + "' (valid: "
                + Arrays.stream(values).map(idOf).collect(Collectors.joining(", ")) + ")");
    }
}
