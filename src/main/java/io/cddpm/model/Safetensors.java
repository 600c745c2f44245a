package io.cddpm.model;

import io.cddpm.core.Tensors;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cddpm.core.InvalidInputException;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The safetensors format: an 8-byte little-endian header length, a JSON header (name -> dtype,
 * shape, data_offsets; optional "__metadata__" of strings), then the raw little-endian tensor
 * bytes. Reads F32, F16, I64 (to NDArrays of that type) and BF16 (widened to float32), and writes what it is
 * given (float32 optionally as BF16).
 */
public final class Safetensors {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Safetensors() {}

    /** A file's tensors (in header order) and metadata. */
    public record Contents(Map<String, NDArray> tensors, Map<String, String> metadata) {}

    public static void write(OutputStream out, Map<String, NDArray> tensors, Map<String, String> metadata) throws IOException {
        write(out, tensors, metadata, false);
    }

    /**
     * Writes tensors; with {@code floatsAsBf16}, float32 tensors are stored as BF16 (rounded to nearest
     * even, here in Java: DJL's PyTorch engine has no bf16 NDArray conversion and aborts the JVM on one).
     */
    public static void write(OutputStream out, Map<String, NDArray> tensors, Map<String, String> metadata, boolean floatsAsBf16)
            throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            NDArray a = e.getValue();
            DataType stored = floatsAsBf16 && a.getDataType() == DataType.FLOAT32 ? DataType.BFLOAT16 : a.getDataType();
            long bytes = a.size() * stored.getNumOfBytes();
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", code(stored, e.getKey()));
            var shape = t.putArray("shape");
            for (long d : a.getShape().getShape()) {
                shape.add(d);
            }
            t.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
        out.write(len.array());
        out.write(json);
        for (int i = json.length; i < padded; i++) {
            out.write(' ');
        }
        for (NDArray a : tensors.values()) {
            if (floatsAsBf16 && a.getDataType() == DataType.FLOAT32) {
                out.write(bf16(a.toFloatArray()));
                continue;
            }
            ByteBuffer data = a.toByteBuffer();
            byte[] bytes = new byte[data.remaining()];
            data.order(ByteOrder.LITTLE_ENDIAN).get(bytes);
            out.write(bytes);
        }
    }

    /** float32 values as little-endian BF16, rounded to nearest even (NaN stays NaN). */
    static byte[] bf16(float[] values) {
        byte[] out = new byte[values.length * 2];
        for (int i = 0; i < values.length; i++) {
            int bits = Float.floatToRawIntBits(values[i]);
            int half;
            if (Float.isNaN(values[i])) {
                half = (bits >>> 16) | 0x40; // a quiet NaN whatever the low bits were
            } else {
                half = (bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16;
            }
            out[2 * i] = (byte) half;
            out[2 * i + 1] = (byte) (half >>> 8);
        }
        return out;
    }

    /** The bytes as float32 values widened from little-endian BF16 (exact). */
    static ByteBuffer widenBf16(byte[] all, int begin, int count) {
        ByteBuffer f = ByteBuffer.allocateDirect(count * 4).order(ByteOrder.nativeOrder());
        for (int i = 0; i < count; i++) {
            int half = (all[begin + 2 * i] & 0xFF) | (all[begin + 2 * i + 1] & 0xFF) << 8;
            f.putFloat(Float.intBitsToFloat(half << 16));
        }
        f.rewind();
        return f;
    }

    public static byte[] toBytes(Map<String, NDArray> tensors, Map<String, String> metadata) {
        return toBytes(tensors, metadata, false);
    }

    /** {@link #write(OutputStream, Map, Map, boolean)} into a byte array. */
    public static byte[] toBytes(Map<String, NDArray> tensors, Map<String, String> metadata, boolean floatsAsBf16) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            write(out, tensors, metadata, floatsAsBf16);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    /** Reads a safetensors stream; {@code source} names it in error messages. */
    public static Contents read(InputStream in, NDManager manager, String source) throws IOException {
        byte[] all = in.readAllBytes();
        return read(all, manager, source);
    }

    /** Only the {@code __metadata__} strings of a safetensors file (reads the header, not the tensors). */
    public static Map<String, String> metadata(Path file) {
        Map<String, String> metadata = new LinkedHashMap<>();
        header(file).path("__metadata__").fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
        return metadata;
    }

    /** How many tensors a safetensors file holds (reads the header only). */
    public static int tensorCount(Path file) {
        int n = 0;
        for (var it = header(file).fieldNames(); it.hasNext();) {
            n += it.next().equals("__metadata__") ? 0 : 1;
        }
        return n;
    }

    private static JsonNode header(Path file) {
        try (DataInputStream in = new DataInputStream(Files.newInputStream(file))) {
            byte[] len = in.readNBytes(8);
            long headerLength = len.length < 8 ? -1 : ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (headerLength <= 0 || headerLength > 100_000_000L) {
                throw new InvalidInputException(file + ": not a safetensors file");
            }
            byte[] json = in.readNBytes((int) headerLength);
            if (json.length < headerLength) {
                throw new InvalidInputException(file + ": truncated safetensors header");
            }
            return JSON.readTree(new String(json, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new InvalidInputException(file + ": unreadable safetensors (" + e.getMessage() + ")", e);
        }
    }

    public static Contents read(byte[] all, NDManager manager, String source) {
        if (all.length < 8) {
            throw new InvalidInputException(source + ": truncated safetensors (" + all.length + " bytes)");
        }
        long headerLength = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (headerLength <= 0 || headerLength > all.length - 8) {
            throw new InvalidInputException(source + ": not a safetensors file (header length " + headerLength + ")");
        }
        JsonNode header;
        try {
            header = JSON.readTree(new String(all, 8, (int) headerLength, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new InvalidInputException(source + ": corrupt safetensors header", e);
        }
        long dataStart = 8 + headerLength;
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("__metadata__")) {
                e.getValue().fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            JsonNode t = e.getValue();
            DataType type = type(t.path("dtype").asText(), source, e.getKey());
            JsonNode offsets = t.path("data_offsets");
            if (!t.path("shape").isArray() || !offsets.isArray() || offsets.size() != 2
                    || !offsets.get(0).canConvertToLong() || !offsets.get(1).canConvertToLong()) {
                throw new InvalidInputException(source + ": tensor '" + e.getKey() + "' lacks a shape list or two data_offsets");
            }
            long[] dims = new long[t.path("shape").size()];
            long count = 1;
            for (int i = 0; i < dims.length; i++) {
                dims[i] = t.path("shape").get(i).asLong(-1);
                // the declared shape is checked against the bytes present before anything is allocated
                if (dims[i] < 0 || (dims[i] > 0 && count > all.length / dims[i])) {
                    throw new InvalidInputException(source + ": tensor '" + e.getKey() + "' declares shape " + t.path("shape")
                            + ", more elements than the " + all.length + "-byte file holds");
                }
                count *= dims[i];
            }
            long first = offsets.get(0).asLong();
            long last = offsets.get(1).asLong();
            if (first < 0 || last < first || last > all.length - dataStart) {
                throw new InvalidInputException(source + ": tensor '" + e.getKey() + "' data_offsets " + offsets
                        + " lie outside the " + (all.length - dataStart) + " data bytes (truncated file?)");
            }
            long begin = dataStart + first;
            long end = dataStart + last;
            Shape shape = new Shape(dims);
            if (end > all.length || begin > end || end - begin != count * type.getNumOfBytes()) {
                throw new InvalidInputException(source + ": tensor '" + e.getKey() + "' data out of bounds or wrong size (truncated file?)");
            }
            if (type == DataType.BFLOAT16) {
                // widened to float32 (exactly): DJL's PyTorch engine aborts the JVM converting a bf16 NDArray
                tensors.put(e.getKey(), Tensors.owned(manager, widenBf16(all, (int) begin, (int) count), shape, DataType.FLOAT32));
                continue;
            }
            ByteBuffer data = ByteBuffer.allocateDirect((int) (end - begin)).order(ByteOrder.nativeOrder());
            data.put(ByteBuffer.wrap(all, (int) begin, (int) (end - begin)).order(ByteOrder.LITTLE_ENDIAN).slice());
            data.rewind();
            tensors.put(e.getKey(), Tensors.owned(manager, data, shape, type));
        }
        return new Contents(tensors, metadata);
    }

    private static String code(DataType type, String name) {
        return switch (type) {
            case FLOAT32 -> "F32";
            case FLOAT16 -> "F16";
            case BFLOAT16 -> "BF16";
            case INT64 -> "I64";
            case INT32 -> "I32";
            case UINT8 -> "U8";
            case FLOAT64 -> "F64";
            default -> throw new IllegalArgumentException("tensor " + name + ": dtype " + type + " not supported in safetensors");
        };
    }

    private static DataType type(String code, String source, String name) {
        return switch (code) {
            case "F32" -> DataType.FLOAT32;
            case "F16" -> DataType.FLOAT16;
            case "BF16" -> DataType.BFLOAT16;
            case "I64" -> DataType.INT64;
            case "I32" -> DataType.INT32;
            case "U8" -> DataType.UINT8;
            case "F64" -> DataType.FLOAT64;
            default -> throw new InvalidInputException(source + ": tensor '" + name + "' has unsupported dtype " + code);
        };
    }
}
