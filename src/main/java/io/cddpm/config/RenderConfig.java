package io.cddpm.config;

/**
 * What to render when {@code dataset.root} is {@code render}.
 *
 * @param count how many entries of the spec to render (null = all)
 * @param seed  the renderer's seed
 * @param spec  a train.json-style condition file to render (null = the built-in train.json)
 */
public record RenderConfig(Integer count, long seed, String spec) {
    public static RenderConfig defaults() {
        return new RenderConfig(300, 0, null);
    }
}
