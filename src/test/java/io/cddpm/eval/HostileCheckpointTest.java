package io.cddpm.eval;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import io.cddpm.core.HostileFiles.Entry;
import io.cddpm.core.HostileFiles.Pickle;
import io.cddpm.core.HostileFiles;
import io.cddpm.core.InvalidInputException;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, point 3: PyTorch checkpoints that declare more than they hold are refused by name before
 * anything is allocated (measured: the read may allocate at most a few megabytes).
 */
class HostileCheckpointTest {
    private static final long ALLOWED = 64L << 20;

    @TempDir
    Path dir;

    /** The message of the refusal; fails if reading allocated more than {@link #ALLOWED} bytes. */
    private static String refusal(Path file) {
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        long before = mx.getThreadAllocatedBytes(id);
        String m = assertThrows(InvalidInputException.class, () -> TorchCheckpoint.read(file)).getMessage();
        long allocated = mx.getThreadAllocatedBytes(id) - before;
        assertTrue(allocated < ALLOWED, "reading " + file.getFileName() + " allocated " + allocated + " bytes: " + m);
        assertTrue(m.startsWith("not a readable PyTorch checkpoint: " + file + ": "), m);
        return m;
    }

    /** ('storage', torch.FloatStorage, key, 'cpu', numel) as a persistent id. */
    private static Pickle storage(Pickle p, String key, int numel) {
        return p.op('(').str("storage").global("torch", "FloatStorage").str(key).str("cpu").integer(numel).op('t', 'Q');
    }

    /** A legacy .pth: magic, protocol, sys_info, the object pickle (one storage), the key list, then raw storages. */
    private Path legacy(String name, String key, long declaredElements, int size) throws IOException {
        Pickle p = new Pickle().op('K', 1, '.').op('K', 1, '.').op('}', '.');
        storage(p.op(0x80, 2), "0", 4).op('.');
        p.op(']').str(key).op('a', '.').int64(declaredElements);
        byte[] b = p.bytes();
        return Files.write(dir.resolve(name), Arrays.copyOf(b, Math.max(b.length, size)));
    }

    @Test
    void aTenBytePickleDeclaringTwoGigabytesIsRefused() throws IOException {
        Path f = Files.write(dir.resolve("ten.pth"), new byte[] {(byte) 0x80, 2, 'X', (byte) 0xf0, (byte) 0xff, (byte) 0xff, 0x7f, 'a', 'b', '.'});
        String m = refusal(f);
        assertTrue(m.contains("declares 2147483632 bytes but only 3 follow"), m);
    }

    @Test
    void aLegacyStorageLongerThanTheFileIsRefused() throws IOException {
        Path f = legacy("legacy.pth", "0", 536_870_911L, 248);
        String m = refusal(f);
        assertTrue(Files.size(f) == 248 && m.contains("storage '0' declares 536870911 float32 elements (2147483644 bytes)"), m);
    }

    @Test
    void overflowsAndUnknownStorageKeysAreTheSameClearError() throws IOException {
        String m = refusal(legacy("overflow.pth", "0", Long.MAX_VALUE / 2, 0));
        assertTrue(m.contains("overflow"), m);
        m = refusal(legacy("negative.pth", "0", -5, 0));
        assertTrue(m.contains("a negative size"), m);
        m = refusal(legacy("unknown.pth", "9", 4, 0));
        assertTrue(m.contains("storage key '9'") && m.contains("unknown storage"), m);
    }

    private Path torchZip(String name, byte[] pickle, Entry data) throws IOException {
        Map<String, Entry> entries = new LinkedHashMap<>();
        entries.put("archive/data.pkl", Entry.of(pickle));
        entries.put("archive/data/0", data);
        return HostileFiles.zip(dir.resolve(name), entries);
    }

    @Test
    void aDeflateBombStorageIsRefusedByEntry() throws IOException {
        byte[] pickle = storage(new Pickle().op(0x80, 2), "0", 4).op('.').bytes();
        Path bomb = torchZip("bomb.pth", pickle, Entry.zeros(2241)); // 2.35 GB of zeros in 2.3 MB
        assertTrue(Files.size(bomb) < 4 << 20);
        String m = refusal(bomb);
        assertTrue(m.contains("entry 'archive/data/0' declares 2349858816 bytes"), m);

        byte[] sixteen = new byte[16];
        m = refusal(torchZip("liar.pth", pickle, Entry.zeros(1).declaring(16))); // inflates to 1 MiB
        assertTrue(m.contains("entry 'archive/data/0' holds more than the 16 bytes it declares"), m);
        m = refusal(torchZip("short.pth", pickle, Entry.of(sixteen).declaring(8)));
        assertTrue(m.contains("storage data/0 declares 4 float32 elements but entry 'archive/data/0' holds 8 bytes"), m);
        m = refusal(torchZip("picklebomb.pth", new byte[] {(byte) 0x80, 2, 'X', (byte) 0xf0, (byte) 0xff, (byte) 0xff, 0x7f, '.'},
                Entry.of(sixteen)));
        assertTrue(m.contains("declares 2147483632 bytes"), m);
    }

    @Test
    void aTensorShapeBeyondItsStorageIsRefusedBeforeAllocation() throws IOException {
        // _rebuild_tensor_v2(storage of 4 floats, 0, (2^30,), (1,)): 8 GB of doubles if believed
        Pickle p = new Pickle().op(0x80, 2).global("torch._utils", "_rebuild_tensor_v2").op('(');
        storage(p, "0", 4).integer(0).op('(').integer(1 << 30).op('t').op('(').integer(1).op('t', 't', 'R', '.');
        String m = refusal(torchZip("shape.pth", p.bytes(), Entry.of(new byte[16])));
        assertTrue(m.contains("tensor of shape [1073741824]") && m.contains("beyond its storage of 4 float32 elements"), m);
    }
}
