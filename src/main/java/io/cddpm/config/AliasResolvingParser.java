package io.cddpm.config;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.ObjectCodec;
import com.fasterxml.jackson.core.io.IOContext;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.CharArrayReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.CollectionEndEvent;
import org.yaml.snakeyaml.events.CollectionStartEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.NodeEvent;

/**
 * A YAML parser that reads aliases as YAML means them: {@code *e} is a copy of the node anchored
 * {@code &e} before it, so {@code epochs: &e 2} then {@code evaluate_every: *e} gives 2.
 *
 * <p>Jackson's {@link YAMLParser} hands an alias over as a string holding its name (and drops the
 * anchors of scalars), which is why {@code *e} used to read as the text 'e' and an undefined
 * {@code [*x]} as the file name 'x'. Jackson's own {@code YAMLAnchorReplayingParser} (2.19) loses
 * aliases nested in an anchored node and bounds only each alias, not their sum. This parser works one
 * level lower, on SnakeYAML's events, before Jackson types the scalars (so a replayed {@code 2} is
 * still an integer): every event is logged, an anchor remembers the span of the log its node took, and
 * an alias replays that span.
 *
 * <p>Refused, naming the line and the alias: an alias whose anchor is not defined before it, an alias
 * inside the node it names (a recursive structure), and aliases that replay more than
 * {@link #MAX_ALIASED_NODES} nodes in one document in all, which stops an alias bomb (each level
 * aliasing the previous one several times, growing exponentially) after a bounded amount of work.
 */
final class AliasResolvingParser extends YAMLParser {
    /** The most YAML nodes (values, lists, mappings) all aliases of one document may copy; a config needs a few dozen. */
    static final int MAX_ALIASED_NODES = 10_000;

    /** The events of an anchored node, {@code log[from, to)}, and how many nodes they hold. */
    private record Span(int from, int to, int nodes) {}

    /** An anchored collection being read: its name, first log index and nesting depth. */
    private record Open(String anchor, int from, int depth) {}

    private final List<Event> log = new ArrayList<>();
    private final Map<String, Span> anchors = new HashMap<>();
    private final Deque<Open> open = new ArrayDeque<>();
    private final Deque<Event> replay = new ArrayDeque<>();
    private int depth;
    private int aliasedNodes;

    private AliasResolvingParser(IOContext ctxt, int features, int yamlFeatures, LoaderOptions options, ObjectCodec codec,
            Reader reader) {
        super(ctxt, features, yamlFeatures, options, codec, reader);
    }

    @Override
    protected Event getEvent() throws IOException {
        Event e = replay.pollFirst();
        boolean fromAlias = e != null;
        if (e == null) {
            e = super.getEvent();
            if (e instanceof AliasEvent alias) {
                replay.addAll(resolve(alias)); // a span is never empty
                e = replay.removeFirst();
                fromAlias = true;
            }
            if (e == null) {
                return null;
            }
        }
        log.add(e);
        // a replayed node's anchors were defined where it is written; replaying must not redefine them
        String anchor = !fromAlias && e instanceof NodeEvent n ? n.getAnchor() : null;
        if (e instanceof CollectionStartEvent) {
            depth++;
            if (anchor != null) {
                open.push(new Open(anchor, log.size() - 1, depth));
            }
        } else if (e instanceof CollectionEndEvent) {
            depth--;
            while (!open.isEmpty() && open.peek().depth() > depth) {
                Open done = open.pop();
                anchors.put(done.anchor(), span(done.from()));
            }
        } else if (anchor != null) {
            anchors.put(anchor, span(log.size() - 1));
        }
        return e;
    }

    private List<Event> resolve(AliasEvent alias) throws IOException {
        String name = alias.getAnchor();
        for (Open o : open) {
            if (o.anchor().equals(name)) {
                throw refused(alias, "alias *" + name + " is inside the node anchored &" + name
                        + " (a recursive structure, which a config cannot hold)");
            }
        }
        Span span = anchors.get(name);
        if (span == null) {
            throw refused(alias, "undefined alias *" + name + " (no anchor &" + name + " before it in this document)");
        }
        aliasedNodes += span.nodes();
        if (aliasedNodes > MAX_ALIASED_NODES) {
            throw refused(alias, "alias *" + name + ": the document's aliases expand to more than " + MAX_ALIASED_NODES
                    + " YAML nodes (an alias bomb?)");
        }
        return log.subList(span.from(), span.to());
    }

    /** The span from {@code from} to the end of the log. */
    private Span span(int from) {
        int nodes = 0;
        for (Event e : log.subList(from, log.size())) {
            nodes += e instanceof NodeEvent ? 1 : 0;
        }
        return new Span(from, log.size(), nodes);
    }

    private JsonParseException refused(AliasEvent alias, String message) {
        return new JsonParseException(this, message, _locationFor(alias.getStartMark()));
    }

    /** Creates {@link AliasResolvingParser}s; otherwise a plain {@link YAMLFactory}. */
    static final class Factory extends YAMLFactory {
        private static final long serialVersionUID = 1L;

        /** Jackson requires a subclass to copy itself (ObjectMapper.copy() calls this); the default settings are all it has. */
        @Override
        public Factory copy() {
            return new Factory();
        }

        private YAMLParser parser(IOContext ctxt, Reader reader) {
            return new AliasResolvingParser(ctxt, _parserFeatures, _yamlParserFeatures, _loaderOptions, _objectCodec, reader);
        }

        @Override
        protected YAMLParser _createParser(InputStream in, IOContext ctxt) throws IOException {
            return parser(ctxt, _createReader(in, (JsonEncoding) null, ctxt));
        }

        @Override
        protected YAMLParser _createParser(Reader r, IOContext ctxt) {
            return parser(ctxt, r);
        }

        @Override
        protected YAMLParser _createParser(char[] data, int offset, int len, IOContext ctxt, boolean recyclable) {
            return parser(ctxt, new CharArrayReader(data, offset, len));
        }

        @Override
        protected YAMLParser _createParser(byte[] data, int offset, int len, IOContext ctxt) throws IOException {
            return parser(ctxt, _createReader(data, offset, len, (JsonEncoding) null, ctxt));
        }
    }
}
