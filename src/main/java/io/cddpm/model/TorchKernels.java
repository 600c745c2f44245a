package io.cddpm.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.jni.JniUtils;
import io.cddpm.core.Engines;
import java.io.IOException;
import java.io.InputStream;
import java.lang.ref.Reference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The libtorch operators DJL 0.33 does not expose, from cddpm's own small JNI library
 * ({@code src/main/native}, built by {@code mvn package} against the headers of the libtorch DJL
 * loads): fused SiLU and GroupNorm, scaled dot-product (flash) attention, and libtorch's autocast
 * for bf16 mixed precision. They take and return DJL arrays, so autograd runs through them.
 *
 * <p>When the library is not in the jar (a platform build.sh does not cover) or
 * {@code CDDPM_KERNELS=djl} is set, {@link #available()} is false and the model falls back to
 * DJL's own operators (same results, slower); bf16 then gives a clear error.
 */
public final class TorchKernels {
    static final String RESOURCE = "/native/linux-x86_64/libcddpm_kernels.so";
    /** Present beside the library when it was built with AddressSanitizer ({@code mvn -Pasan}, see build.sh). */
    static final String ASAN_MARKER = "/native/linux-x86_64/libcddpm_kernels.asan";

    private static volatile String unavailable;
    private static volatile boolean loaded;
    private static volatile boolean switchedOff;

    private TorchKernels() {}

    /** Whether the native kernels are loaded (loads them on first call). */
    public static boolean available() {
        ensureLoaded();
        return loaded && !switchedOff;
    }

    /** Tests compare both implementations in one JVM: false routes every caller to DJL's operators. */
    static void useNative(boolean on) {
        switchedOff = !on;
    }

    /** Why the kernels are not available, or null when they are. */
    public static String unavailableReason() {
        ensureLoaded();
        return unavailable;
    }

    /** "native" when the kernels run, "djl" for the fallback operators. */
    public static String implementation() {
        return available() ? "native" : "djl";
    }

    private static synchronized void ensureLoaded() {
        if (loaded || unavailable != null) {
            return;
        }
        String choice = System.getenv().getOrDefault("CDDPM_KERNELS", System.getProperty("cddpm.kernels", "native"));
        if (choice.equalsIgnoreCase("djl")) {
            unavailable = "CDDPM_KERNELS=djl selects DJL's own operators";
            return;
        }
        if (!choice.equalsIgnoreCase("native")) {
            throw new IllegalArgumentException("CDDPM_KERNELS=" + choice + ": expected native or djl");
        }
        Engine engine = Engines.pytorch(); // libtorch must be in the process before our library binds to it
        try (InputStream in = TorchKernels.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                unavailable = "the native kernel library " + RESOURCE + " is not in this build (src/main/native/build.sh"
                        + " builds it on linux-x86_64 with g++; see the README)";
                return;
            }
            if (asanBuild() && !asanRuntimeLoaded()) {
                // loading it would abort the JVM ("ASan runtime does not come first in initial library list")
                unavailable = "the native kernels in this build were compiled with AddressSanitizer (mvn -Pasan) and need the"
                        + " ASan runtime preloaded: LD_PRELOAD=$(g++ -print-file-name=libasan.so) (see `make asan`); rebuild"
                        + " without -Pasan for normal use";
                return;
            }
            byte[] bytes = in.readAllBytes();
            Path file = cacheFile(bytes);
            System.load(file.toString());
            String built = nativeTorchVersion();
            if (!engine.getVersion().startsWith(built)) {
                unavailable = "the native kernels were built for libtorch " + built + " but DJL loaded " + engine.getVersion();
                return;
            }
            loaded = true;
        } catch (IOException | UnsatisfiedLinkError e) {
            unavailable = "the native kernel library could not be loaded: " + e.getMessage();
        }
    }

    /** Whether the packed library is the AddressSanitizer build. */
    public static boolean asanBuild() {
        return TorchKernels.class.getResource(ASAN_MARKER) != null;
    }

    /** Whether this process runs with the AddressSanitizer runtime (preloaded with LD_PRELOAD). */
    public static boolean asanRuntimeLoaded() {
        try {
            return Files.readAllLines(Path.of("/proc/self/maps")).stream().anyMatch(l -> l.contains("/libasan.so"));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Writes the library once per content hash under the user's cache, so concurrent JVMs share it safely. */
    private static Path cacheFile(byte[] bytes) throws IOException {
        String hash;
        try {
            hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        Path dir = Path.of(System.getProperty("user.home"), ".cache", "cddpm", "native", hash);
        Path file = dir.resolve("libcddpm_kernels.so");
        if (!Files.isRegularFile(file) || Files.size(file) != bytes.length) {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "kernels", ".tmp");
            Files.write(tmp, bytes);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        return file;
    }

    private static void require() {
        if (!available()) {
            throw new IllegalStateException("native kernels unavailable: " + unavailable);
        }
    }

    /**
     * The native tensor behind an array. The raw handle is only valid while the array is open and
     * reachable: every caller below keeps the array reachable until the native call has returned
     * ({@link Reference#reachabilityFence}), because an array DJL created from Java data holds its
     * memory in a direct buffer that is freed by the buffer's cleaner once the array is unreachable,
     * whatever libtorch is doing with it.
     */
    private static long handle(NDArray a) {
        return ((PtNDArray) a).getHandle();
    }

    /** Wraps a new native tensor in like's manager; the tensor is freed when that fails (e.g. the manager is closed). */
    private static NDArray result(NDArray like, long handle) {
        try {
            return new PtNDArray((PtNDManager) like.getManager(), handle);
        } catch (RuntimeException e) {
            JniUtils.deleteNDArray(handle);
            throw e;
        }
    }

    /** x * sigmoid(x) as one kernel. */
    public static NDArray silu(NDArray x) {
        require();
        try {
            return result(x, nativeSilu(handle(x)));
        } finally {
            Reference.reachabilityFence(x);
        }
    }

    /** torch.nn.functional.group_norm with a per-channel affine. */
    public static NDArray groupNorm(NDArray x, int groups, NDArray weight, NDArray bias, double eps) {
        require();
        try {
            return result(x, nativeGroupNorm(handle(x), groups, handle(weight), handle(bias), eps));
        } finally {
            Reference.reachabilityFence(x);
            Reference.reachabilityFence(weight);
            Reference.reachabilityFence(bias);
        }
    }

    /** softmax(q k^T / sqrt(d)) v over (B, heads, L, d) arrays. */
    public static NDArray attention(NDArray q, NDArray k, NDArray v) {
        require();
        try {
            return result(q, nativeAttention(handle(q), handle(k), handle(v)));
        } finally {
            Reference.reachabilityFence(q);
            Reference.reachabilityFence(k);
            Reference.reachabilityFence(v);
        }
    }

    /** The array as float32 (a bf16 result of an autocast region, for DJL code that reads it). */
    public static NDArray toFloat32(NDArray x) {
        require();
        try {
            return result(x, nativeToFloat32(handle(x)));
        } finally {
            Reference.reachabilityFence(x);
        }
    }

    /** Whether the array holds bfloat16 (DJL 0.33 cannot name that type). */
    public static boolean isBFloat16(NDArray x) {
        require();
        try {
            return nativeIsBFloat16(handle(x)) != 0;
        } finally {
            Reference.reachabilityFence(x);
        }
    }

    /**
     * A bf16 autocast region on this thread for {@code device}: matrix products and convolutions run
     * in bfloat16 on fp32 master weights, as {@code torch.autocast(device, torch.bfloat16)}. Close it
     * before backward.
     */
    public static Region autocast(Device device) {
        require();
        boolean cuda = device.isGpu();
        if (nativeAutocastEnabled(cuda)) {
            return () -> {};
        }
        nativeSetAutocast(true, cuda);
        return () -> nativeSetAutocast(false, cuda);
    }

    /** A scope that ends with try-with-resources and throws nothing. */
    @FunctionalInterface
    public interface Region extends AutoCloseable {
        @Override
        void close();
    }

    private static native String nativeTorchVersion();

    private static native long nativeSilu(long x);

    private static native long nativeGroupNorm(long x, long groups, long weight, long bias, double eps);

    private static native long nativeAttention(long q, long k, long v);

    private static native long nativeToFloat32(long x);

    private static native int nativeIsBFloat16(long x);

    private static native void nativeSetAutocast(boolean enabled, boolean cuda);

    private static native boolean nativeAutocastEnabled(boolean cuda);
}
