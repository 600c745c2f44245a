package io.cddpm.config;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cddpm.core.InvalidInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads a YAML (or JSON) document into a Jackson tree while recording the line of every key and
 * list element, which a plain {@code readTree} forgets. Aliases arrive resolved (by
 * {@link AliasResolvingParser}); YAML 1.1 merge keys ({@code <<}) are refused by name.
 */
final class SourceTree {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private SourceTree() {}

    /** The document's top-level mapping (empty for an empty document); lines go into {@code loc}. */
    static ObjectNode parse(String text, JsonFactory factory, Locations loc) {
        try (JsonParser p = factory.createParser(text)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                return NODES.objectNode();
            }
            if (first != JsonToken.START_OBJECT) {
                throw loc.error(where(p, loc), "the document must be a mapping of keys (name:, training:, ...), not "
                        + describe(first));
            }
            ObjectNode root = (ObjectNode) read(p, new ArrayList<>(), loc);
            if (p.nextToken() != null) {
                throw loc.error(where(p, loc), "only one YAML document is allowed per config file");
            }
            return root;
        } catch (JsonProcessingException e) {
            int line = e.getLocation() != null ? e.getLocation().getLineNr() : -1;
            String msg = e.getOriginalMessage().lines().findFirst().orElse("syntax error");
            if (e.getCause() instanceof MarkedYAMLException y && y.getProblemMark() != null) {
                line = y.getProblemMark().getLine() + 1; // SnakeYAML counts lines from 0
                msg = (y.getContext() != null ? y.getContext() + ": " : "") + y.getProblem();
            }
            throw new InvalidInputException((line > 0 ? loc.source() + ":" + line : loc.source()) + ": not valid YAML: " + msg, e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String where(JsonParser p, Locations loc) {
        return loc.source() + ":" + p.currentTokenLocation().getLineNr();
    }

    private static JsonNode read(JsonParser p, List<String> path, Locations loc) throws IOException {
        JsonToken t = p.currentToken();
        loc.putIfAbsent(path, where(p, loc));
        switch (t) {
            case START_OBJECT: {
                ObjectNode o = NODES.objectNode();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    List<String> child = new ArrayList<>(path);
                    child.add(name);
                    if (name.equals("<<")) {
                        throw loc.error(where(p, loc), "key '" + Locations.dotted(child) + "': YAML merge keys (<<) are not"
                                + " supported; alias a whole value instead (e.g. training: *base) or repeat the keys");
                    }
                    if (o.has(name)) {
                        throw loc.error(where(p, loc), "key '" + Locations.dotted(child) + "': duplicate key (first given at "
                                + loc.get(child) + ")");
                    }
                    loc.put(child, where(p, loc));
                    p.nextToken();
                    o.set(name, read(p, child, loc));
                }
                return o;
            }
            case START_ARRAY: {
                ArrayNode a = NODES.arrayNode();
                int i = 0;
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    List<String> child = new ArrayList<>(path);
                    child.add("[" + i++ + "]");
                    a.add(read(p, child, loc));
                }
                return a;
            }
            case VALUE_STRING:
                return NODES.textNode(p.getText());
            case VALUE_NUMBER_INT:
                switch (p.getNumberType()) {
                    case INT:
                        return NODES.numberNode(p.getIntValue());
                    case LONG:
                        return NODES.numberNode(p.getLongValue());
                    default:
                        return NODES.numberNode(p.getBigIntegerValue());
                }
            case VALUE_NUMBER_FLOAT:
                return NODES.numberNode(p.getDoubleValue());
            case VALUE_TRUE:
                return NODES.booleanNode(true);
            case VALUE_FALSE:
                return NODES.booleanNode(false);
            case VALUE_NULL:
                return NODES.nullNode();
            default:
                return NODES.textNode(p.getText());
        }
    }

    private static String describe(JsonToken t) {
        switch (t) {
            case START_ARRAY:
                return "a list";
            case VALUE_NULL:
                return "null";
            default:
                return "a single value";
        }
    }
}
