package io.cddpm.eval;

import io.cddpm.core.InvalidInputException;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.Unpickler;

/**
 * Reads PyTorch checkpoints ({@code torch.save}) without Python: the zip format (torch >= 1.6) and
 * the legacy pickle format, using the razorvine unpickler with torch's rebuild functions and
 * storage types registered. Tensors (float32, float16, bfloat16, int64, ...) come back contiguous,
 * honouring strides and storage offsets; everything else comes back as plain Java objects (maps,
 * lists, numbers, strings).
 */
public final class TorchCheckpoint {
    private static final long LEGACY_MAGIC_LO = 0x1950a86a20f9469cL; // magic number 0x1950a86a20f9469cfc6c

    private TorchCheckpoint() {}

    /** A tensor read from a checkpoint: dtype name (torch's), shape and contiguous values. */
    public record Tensor(String dtype, long[] shape, double[] values) {
        public long size() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }

        public float[] floats() {
            float[] f = new float[values.length];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) values[i];
            }
            return f;
        }
    }

    /**
     * collections.OrderedDict as unpickled: a state dict also carries a {@code _metadata} attribute
     * (module versions), set through __setstate__, which a state dict's values do not need.
     */
    public static final class OrderedDict extends LinkedHashMap<Object, Object> {
        private static final long serialVersionUID = 1L;

        /** Called reflectively by the unpickler's BUILD opcode; the attributes are dropped. */
        public void __setstate__(HashMap<?, ?> attributes) {
            // only _metadata (per-module version numbers) lives here
        }
    }

    /** A storage type global (torch.FloatStorage ...): its element type. */
    private record StorageType(String dtype, int bytes) implements IObjectConstructor {
        @Override
        public Object construct(Object[] args) {
            throw new PickleException("storage types are not constructed directly");
        }
    }

    /** Raw storage bytes, filled when read (zip: at once; legacy: after the object pickle). */
    private static final class Storage {
        final StorageType type;
        byte[] data;

        Storage(StorageType type) {
            this.type = type;
        }
    }

    /** A tensor view of a storage, materialised once all storages are read. */
    private record PendingTensor(Storage storage, long offset, long[] shape, long[] stride) {}

    private static final Map<String, StorageType> STORAGES = Map.of(
            "FloatStorage", new StorageType("float32", 4), "HalfStorage", new StorageType("float16", 2),
            "BFloat16Storage", new StorageType("bfloat16", 2), "LongStorage", new StorageType("int64", 8),
            "IntStorage", new StorageType("int32", 4), "DoubleStorage", new StorageType("float64", 8),
            "ByteStorage", new StorageType("uint8", 1), "BoolStorage", new StorageType("bool", 1),
            "CharStorage", new StorageType("int8", 1), "ShortStorage", new StorageType("int16", 2));

    static {
        STORAGES.forEach((name, type) -> Unpickler.registerConstructor("torch", name, type));
        Unpickler.registerConstructor("collections", "OrderedDict", args -> new OrderedDict());
        Unpickler.registerConstructor("torch._utils", "_rebuild_tensor_v2", args -> new PendingTensor(
                (Storage) args[0], ((Number) args[1]).longValue(), longs(args[2]), longs(args[3])));
        Unpickler.registerConstructor("torch._utils", "_rebuild_parameter", args -> args[0]);
    }

    private static long[] longs(Object o) {
        Object[] items = o instanceof Object[] a ? a : ((List<?>) o).toArray();
        long[] out = new long[items.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = ((Number) items[i]).longValue();
        }
        return out;
    }

    /** Reads a checkpoint file; tensors become {@link Tensor}s. */
    public static Object read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new InvalidInputException(file + ": checkpoint not found");
        }
        try {
            Object raw = isZip(file) ? readZip(file) : readLegacy(file);
            return materialise(raw);
        } catch (IOException | PickleException | ClassCastException | IndexOutOfBoundsException e) {
            throw new InvalidInputException(file + ": not a readable PyTorch checkpoint (" + e.getMessage() + ")", e);
        }
    }

    /** The state dict of a checkpoint that is {'model': state_dict} (the course's layout) or a state dict itself. */
    @SuppressWarnings("unchecked")
    public static Map<String, Tensor> stateDict(Path file) {
        Object root = read(file);
        if (root instanceof Map<?, ?> m && m.get("model") instanceof Map<?, ?> model) {
            root = model;
        }
        if (!(root instanceof Map<?, ?> map)) {
            throw new InvalidInputException(file + ": expected a dict of tensors or {'model': state_dict}");
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (e.getValue() instanceof Tensor t) {
                out.put(String.valueOf(e.getKey()), t);
            }
        }
        return out;
    }

    private static boolean isZip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(4);
            return head.length == 4 && head[0] == 'P' && head[1] == 'K';
        }
    }

    private static Object readZip(Path file) throws IOException {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry pkl = zip.stream().filter(e -> e.getName().endsWith("/data.pkl") || e.getName().equals("data.pkl"))
                    .findFirst().orElseThrow(() -> new IOException("no data.pkl in the archive"));
            String prefix = pkl.getName().substring(0, pkl.getName().length() - "data.pkl".length());
            Map<String, Storage> storages = new HashMap<>();
            Unpickler unpickler = new Unpickler() {
                @Override
                protected Object persistentLoad(Object pid) {
                    Object[] t = (Object[]) pid;
                    String key = String.valueOf(t[2]);
                    return storages.computeIfAbsent(key, k -> {
                        Storage s = new Storage((StorageType) t[1]);
                        ZipEntry e = zip.getEntry(prefix + "data/" + k);
                        if (e == null) {
                            throw new PickleException("storage data/" + k + " missing");
                        }
                        try (InputStream in = zip.getInputStream(e)) {
                            s.data = in.readAllBytes();
                        } catch (IOException ex) {
                            throw new PickleException("reading storage " + k + ": " + ex.getMessage());
                        }
                        return s;
                    });
                }
            };
            try (InputStream in = zip.getInputStream(pkl)) {
                return unpickler.load(in);
            }
        }
    }

    private static Object readLegacy(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            Map<String, Storage> storages = new HashMap<>();
            Unpickler plain = new Unpickler();
            Object magic = plain.load(in);
            if (!(magic instanceof BigInteger) && !(magic instanceof Number)) {
                throw new IOException("no torch magic number");
            }
            plain.load(in); // protocol version
            plain.load(in); // sys_info
            Unpickler objects = new Unpickler() {
                @Override
                protected Object persistentLoad(Object pid) {
                    Object[] t = (Object[]) pid;
                    return storages.computeIfAbsent(String.valueOf(t[2]), k -> new Storage((StorageType) t[1]));
                }
            };
            Object root = objects.load(in);
            @SuppressWarnings("unchecked")
            List<Object> keys = (List<Object>) new Unpickler().load(in);
            byte[] eight = new byte[8];
            for (Object key : keys) {
                Storage s = storages.get(String.valueOf(key));
                in.readFully(eight);
                long n = ByteBuffer.wrap(eight).order(ByteOrder.LITTLE_ENDIAN).getLong();
                s.data = new byte[Math.toIntExact(n * s.type.bytes())];
                in.readFully(s.data);
            }
            return root;
        }
    }

    private static Object materialise(Object o) {
        if (o instanceof PendingTensor p) {
            return tensor(p);
        }
        if (o instanceof Map<?, ?> m) {
            Map<Object, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(k, materialise(v)));
            return out;
        }
        if (o instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(v -> out.add(materialise(v)));
            return out;
        }
        if (o instanceof Object[] a) {
            List<Object> out = new ArrayList<>();
            for (Object v : a) {
                out.add(materialise(v));
            }
            return out;
        }
        return o;
    }

    private static Tensor tensor(PendingTensor p) {
        long[] shape = p.shape();
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        double[] values = new double[Math.toIntExact(n)];
        ByteBuffer buf = ByteBuffer.wrap(p.storage().data).order(ByteOrder.LITTLE_ENDIAN);
        int bytes = p.storage().type.bytes();
        long[] index = new long[shape.length];
        for (int i = 0; i < values.length; i++) {
            long pos = p.offset();
            for (int d = 0; d < shape.length; d++) {
                pos += index[d] * p.stride()[d];
            }
            values[i] = element(buf, (int) (pos * bytes), p.storage().type.dtype());
            for (int d = shape.length - 1; d >= 0; d--) {
                if (++index[d] < shape[d]) {
                    break;
                }
                index[d] = 0;
            }
        }
        return new Tensor(p.storage().type.dtype(), shape, values);
    }

    /** IEEE 754 half precision to float (Float.float16ToFloat needs Java 20). */
    static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            if (mant == 0) {
                return Float.intBitsToFloat(sign);
            }
            float v = mant / 1024f * (float) Math.pow(2, -14);
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }

    private static double element(ByteBuffer b, int at, String dtype) {
        return switch (dtype) {
            case "float32" -> b.getFloat(at);
            case "float64" -> b.getDouble(at);
            case "float16" -> halfToFloat(b.getShort(at));
            case "bfloat16" -> Float.intBitsToFloat((b.getShort(at) & 0xffff) << 16);
            case "int64" -> b.getLong(at);
            case "int32" -> b.getInt(at);
            case "int16" -> b.getShort(at);
            case "int8" -> b.get(at);
            case "uint8", "bool" -> b.get(at) & 0xff;
            default -> throw new PickleException("unsupported dtype " + dtype);
        };
    }
}
