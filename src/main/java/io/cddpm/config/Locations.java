package io.cddpm.config;

import io.cddpm.core.InvalidInputException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where each key of a config came from ("experiments/a.yaml:12" or "--set training.lr=0"), so that
 * errors found after binding can still name the file, the line and the key.
 * Paths are lists of segments: mapping keys, or "[i]" for the i-th list element.
 */
final class Locations {
    private final String source;
    private final Map<List<String>, String> where;
    private final String context;

    Locations(String source) {
        this(source, new HashMap<>(), "");
    }

    private Locations(String source, Map<List<String>, String> where, String context) {
        this.source = source;
        this.where = where;
        this.context = context;
    }

    String source() {
        return source;
    }

    /** A copy that adds {@code context} (e.g. " (sweep trial 'x')") to every message. */
    Locations copyWithContext(String context) {
        return new Locations(source, new HashMap<>(where), context);
    }

    void put(List<String> path, String location) {
        where.put(List.copyOf(path), location);
    }

    void putIfAbsent(List<String> path, String location) {
        where.putIfAbsent(List.copyOf(path), location);
    }

    boolean has(List<String> path) {
        return where.containsKey(path);
    }

    String get(List<String> path) {
        return where.get(path);
    }

    /** Points {@code path} and everything under it at {@code location}. */
    void replaceSubtree(List<String> path, String location) {
        where.keySet().removeIf(k -> k.size() >= path.size() && k.subList(0, path.size()).equals(path));
        put(path, location);
    }

    /** Points {@code path} and everything under it at where {@code from} and its children were. */
    void aliasSubtree(List<String> path, List<String> from) {
        String top = where.getOrDefault(from, source);
        replaceSubtree(path, top);
        Map<List<String>, String> add = new HashMap<>();
        where.forEach((k, v) -> {
            if (k.size() > from.size() && k.subList(0, from.size()).equals(from)) {
                List<String> p = new ArrayList<>(path);
                p.addAll(k.subList(from.size(), k.size()));
                add.put(List.copyOf(p), v);
            }
        });
        where.putAll(add);
    }

    /** The first candidate path that was stated in the file or an override, else the first. */
    @SafeVarargs
    final List<String> pick(List<String>... candidates) {
        for (List<String> c : candidates) {
            if (where.containsKey(c)) {
                return c;
            }
        }
        return candidates[0];
    }

    /** "file:line", "--set k=v", or the file name when the key was not stated (a default). */
    String describe(List<String> path) {
        String w = where.get(path);
        return w != null ? w : source + " (key not set there, default value)";
    }

    /** An error naming where, the key and what is wrong. */
    InvalidInputException error(List<String> path, String message) {
        return new InvalidInputException(describe(path) + ": key '" + dotted(path) + "': " + message + context);
    }

    /** An error about the file as a whole or a location without a key. */
    InvalidInputException error(String location, String message) {
        return new InvalidInputException(location + ": " + message + context);
    }

    static String dotted(List<String> path) {
        StringBuilder sb = new StringBuilder();
        for (String s : path) {
            if (!s.startsWith("[") && sb.length() > 0) {
                sb.append('.');
            }
            sb.append(s);
        }
        return sb.length() == 0 ? "(top level)" : sb.toString();
    }

    static List<String> path(String... segments) {
        return List.of(segments);
    }
}
