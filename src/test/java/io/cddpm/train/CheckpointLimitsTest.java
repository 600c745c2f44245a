package io.cddpm.train;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import io.cddpm.core.HostileFiles.Entry;
import io.cddpm.core.HostileFiles;
import io.cddpm.core.InvalidInputException;
import io.cddpm.model.Safetensors;
import io.cddpm.runs.Checkpoint;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** Issue 12, point 3: cddpm checkpoints and safetensors that declare more than they hold are refused by entry, unallocated. */
class CheckpointLimitsTest {
    private static final long ALLOWED = 64L << 20;

    @TempDir
    Path dir;

    private static String refusal(Executable read) {
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        long before = mx.getThreadAllocatedBytes(id);
        String m = assertThrows(InvalidInputException.class, read).getMessage();
        long allocated = mx.getThreadAllocatedBytes(id) - before;
        assertTrue(allocated < ALLOWED, "allocated " + allocated + " bytes: " + m);
        return m;
    }

    private Path checkpoint(String name, String bombed, Entry bomb) throws IOException {
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (String e : new String[] {"state.json", "config.yaml", "model.safetensors", "ema.safetensors", "optimizer.safetensors"}) {
            entries.put(e, e.equals(bombed) ? bomb : Entry.of("{}".getBytes(StandardCharsets.UTF_8)));
        }
        return HostileFiles.zip(dir.resolve(name), entries);
    }

    @Test
    void aDeflateBombEntryIsRefusedByName() throws IOException {
        Path file = checkpoint("bomb.ckpt", "model.safetensors", Entry.zeros(2241)); // 2.35 GB in 2.3 MB
        String m = refusal(() -> Checkpoint.read(file, null));
        assertTrue(m.startsWith(file.toString()) && m.contains("entry 'model.safetensors' declares 2349858816 bytes"), m);

        Path text = checkpoint("text.ckpt", "state.json", Entry.zeros(100));
        m = refusal(() -> Checkpoint.read(text, null));
        assertTrue(m.contains("entry 'state.json' declares 104857600 bytes, more than the 67108864"), m);
    }

    @Test
    void anEntryThatInflatesPastItsDeclaredSizeIsRefused() throws IOException {
        Path file = checkpoint("liar.ckpt", "config.yaml", Entry.zeros(64).declaring(100));
        String m = refusal(() -> Checkpoint.readConfig(file));
        assertTrue(m.startsWith(file.toString()) && m.contains("entry 'config.yaml' holds more than the 100 bytes it declares"), m);
        m = refusal(() -> Checkpoint.read(file, null));
        assertTrue(m.contains("entry 'config.yaml'"), m);
    }

    private static byte[] safetensors(String header) {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + json.length + 16).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).put(json).array();
    }

    @Test
    void safetensorsHeadersAreCheckedAgainstTheBytesPresent() {
        String m = refusal(() -> Safetensors.read(safetensors("{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],"
                + "\"data_offsets\":[0,0]}}"), null, "m.safetensors"));
        assertTrue(m.contains("m.safetensors") && m.contains("tensor 'w' declares shape"), m);
        m = refusal(() -> Safetensors.read(safetensors("{\"w\":{\"dtype\":\"F32\",\"shape\":[4]}}"), null, "m.safetensors"));
        assertTrue(m.contains("tensor 'w' lacks a shape list or two data_offsets"), m);
        m = refusal(() -> Safetensors.read(safetensors("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[9223372036854775807,0]}}"),
                null, "m.safetensors"));
        assertTrue(m.contains("data_offsets"), m);
        byte[] huge = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(Long.MAX_VALUE - 4).array();
        m = refusal(() -> Safetensors.read(huge, null, "h.safetensors"));
        assertTrue(m.contains("h.safetensors") && m.contains("header length"), m);
    }
}
