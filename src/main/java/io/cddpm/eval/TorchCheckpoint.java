package io.cddpm.eval;

import io.cddpm.core.BoundedReads;
import io.cddpm.core.InvalidInputException;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.Opcodes;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.Unpickler;
import net.razorvine.pickle.objects.ClassDict;
import net.razorvine.pickle.objects.ClassDictConstructor;

/**
 * Reads PyTorch checkpoints ({@code torch.save}) without Python: the zip format (torch >= 1.6) and
 * the legacy pickle format, using the razorvine unpickler with torch's rebuild functions and
 * storage types registered. Tensors (float32, float16, bfloat16, int64, ...) come back contiguous,
 * honouring strides and storage offsets; everything else comes back as plain Java objects (maps,
 * lists, numbers, strings).
 *
 * <p>A checkpoint is untrusted input, and both formats declare sizes before the data: pickle
 * strings and byte strings, legacy storage lengths, zip entry sizes, tensor shapes. Each is checked
 * against the bytes really left in the file or entry before anything is allocated, so a 10-byte
 * pickle declaring a 2 GB string is an error naming the file, not an OutOfMemoryError.
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
        } catch (IOException | PickleException | ClassCastException | IndexOutOfBoundsException | ArithmeticException
                | NullPointerException | NegativeArraySizeException | IllegalArgumentException | IllegalStateException e) {
            // whatever a damaged or hostile file makes the parser trip over is one error about the file
            throw new InvalidInputException("not a readable PyTorch checkpoint: " + file + ": " + why(e), e);
        }
    }

    private static String why(Exception e) {
        String m = e.getMessage();
        if (e instanceof ArithmeticException) {
            return "a declared size overflows (" + m + ")";
        }
        if (e instanceof NullPointerException || m == null || m.isBlank()) {
            return "malformed (" + e.getClass().getSimpleName() + (m == null ? "" : ": " + m) + ")";
        }
        return m;
    }

    /** Largest data.pkl accepted: object pickles of state dicts are kilobytes. */
    private static final long MAX_PICKLE = 256L << 20;

    /**
     * The razorvine unpickler allocates a string or byte string at the length the opcode declares;
     * this one first checks that length against the bytes left in the input.
     */
    private static class GuardedUnpickler extends Unpickler {
        private final LongSupplier left;

        GuardedUnpickler(LongSupplier left) {
            this.left = left;
        }

        @Override
        protected Object dispatch(short key) throws PickleException, IOException {
            int width = switch (key) {
                case 'X', 'B', 'T', 0x8b -> 4; // BINUNICODE, BINBYTES, BINSTRING, LONG4
                case 0x8d, 0x8e, 0x96 -> 8; // BINUNICODE8, BINBYTES8, BYTEARRAY8
                default -> 0;
            };
            if (width > 0) {
                if (!input.markSupported()) {
                    throw new IllegalStateException("guarded unpickling needs a markable stream");
                }
                input.mark(width);
                byte[] b = input.readNBytes(width);
                input.reset();
                if (b.length < width) {
                    throw new PickleException("truncated pickle (opcode 0x" + Integer.toHexString(key) + " without its length)");
                }
                ByteBuffer len = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
                long n = width == 4 ? Integer.toUnsignedLong(len.getInt()) : len.getLong();
                long after = left.getAsLong() - width;
                if (n < 0 || n > after) {
                    throw new PickleException("pickle opcode '" + (char) key + "' (0x" + Integer.toHexString(key) + ") declares "
                            + Long.toUnsignedString(n) + " bytes but only " + Math.max(0, after) + " follow");
                }
            }
            if (key == Opcodes.REDUCE || key == Opcodes.NEWOBJ) {
                refuseUnknownCall();
            }
            return super.dispatch(key);
        }

        /**
         * A call with arguments to a global nobody registered (os.system, subprocess.Popen, ...) is
         * what a malicious pickle does: it is never executed here, and it is refused by its name
         * rather than with the library's advice to register a constructor for it.
         */
        private void refuseUnknownCall() {
            Object args = stack.pop();
            Object callable = stack.peek();
            stack.add(args);
            if (callable instanceof ClassDictConstructor unknown && args instanceof Object[] a && a.length > 0) {
                String name = String.valueOf(((ClassDict) unknown.construct(new Object[0])).getClassName());
                throw new PickleException("refused: the file calls " + name + ", which a checkpoint never needs");
            }
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
            ByteArrayInputStream pickle = new ByteArrayInputStream(BoundedReads.zipEntry(zip, pkl, MAX_PICKLE));
            Unpickler unpickler = new GuardedUnpickler(pickle::available) {
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
                        long numel = t.length > 4 ? ((Number) t[4]).longValue() : -1;
                        if (numel >= 0 && e.getSize() >= 0 && Math.multiplyExact(numel, s.type.bytes()) > e.getSize()) {
                            throw new PickleException("storage data/" + k + " declares " + numel + " " + s.type.dtype()
                                    + " elements but entry '" + e.getName() + "' holds " + e.getSize() + " bytes");
                        }
                        try {
                            s.data = BoundedReads.zipEntry(zip, e, BoundedReads.MAX_ARRAY);
                        } catch (IOException ex) {
                            throw new PickleException("storage data/" + k + ": " + ex.getMessage());
                        }
                        return s;
                    });
                }
            };
            return unpickler.load(pickle);
        }
    }

    private static Object readLegacy(Path file) throws IOException {
        BoundedReads.Counting counted = new BoundedReads.Counting(new BufferedInputStream(Files.newInputStream(file)), Files.size(file));
        try (DataInputStream in = new DataInputStream(counted)) {
            Map<String, Storage> storages = new HashMap<>();
            Unpickler plain = new GuardedUnpickler(counted::remaining);
            Object magic = plain.load(in);
            if (!(magic instanceof BigInteger) && !(magic instanceof Number)) {
                throw new IOException("no torch magic number");
            }
            plain.load(in); // protocol version
            plain.load(in); // sys_info
            Unpickler objects = new GuardedUnpickler(counted::remaining) {
                @Override
                protected Object persistentLoad(Object pid) {
                    Object[] t = (Object[]) pid;
                    return storages.computeIfAbsent(String.valueOf(t[2]), k -> new Storage((StorageType) t[1]));
                }
            };
            Object root = objects.load(in);
            @SuppressWarnings("unchecked")
            List<Object> keys = (List<Object>) new GuardedUnpickler(counted::remaining).load(in);
            byte[] eight = new byte[8];
            for (Object key : keys) {
                Storage s = storages.get(String.valueOf(key));
                if (s == null) {
                    throw new IOException("storage key '" + key + "' is not used by any tensor (unknown storage)");
                }
                in.readFully(eight);
                long n = ByteBuffer.wrap(eight).order(ByteOrder.LITTLE_ENDIAN).getLong();
                long bytes = n < 0 ? -1 : Math.multiplyExact(n, (long) s.type.bytes());
                if (bytes < 0 || bytes > counted.remaining() || bytes > BoundedReads.MAX_ARRAY) {
                    throw new IOException("storage '" + key + "' declares " + n + " " + s.type.dtype() + " elements ("
                            + (bytes < 0 ? "a negative size" : bytes + " bytes") + ") but only " + counted.remaining()
                            + " bytes are left in the file");
                }
                s.data = new byte[(int) bytes];
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
        if (p.storage().data == null) {
            throw new PickleException("a tensor's storage has no data in the file");
        }
        if (shape.length != p.stride().length) {
            throw new PickleException("tensor shape " + Arrays.toString(shape) + " and stride "
                    + Arrays.toString(p.stride()) + " differ in rank");
        }
        long elements = p.storage().data.length / p.storage().type.bytes();
        long n = 1;
        long last = p.offset(); // the furthest element the view reaches
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] < 0 || p.stride()[d] < 0) {
                throw new PickleException("tensor with negative shape or stride " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, shape[d]);
            if (shape[d] > 0) {
                last = Math.addExact(last, Math.multiplyExact(shape[d] - 1, p.stride()[d]));
            }
        }
        // checked before the values are allocated: a shape may not claim more than its storage holds
        if (p.offset() < 0 || (n > 0 && last >= elements) || n > elements) {
            throw new PickleException("tensor of shape " + Arrays.toString(shape) + " (offset " + p.offset()
                    + ") reaches beyond its storage of " + elements + " " + p.storage().type.dtype() + " elements");
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
