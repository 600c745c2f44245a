package io.cddpm.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The TCP sockets a process (and its descendants) listens on, read from Linux's /proc: the socket
 * inodes of /proc/PID/fd, matched with the LISTEN rows (state 0A) of /proc/net/tcp and /proc/net/tcp6.
 */
public final class ListeningSockets {
    private static final Pattern SOCKET = Pattern.compile("socket:\\[(\\d+)]");

    /** One listening socket: its local address as /proc shows it, decoded, and the pid that owns it. */
    public record Listener(long pid, String address, int port, boolean loopback) {
        @Override
        public String toString() {
            return address + ":" + port + " (pid " + pid + ")";
        }
    }

    private ListeningSockets() {}

    public static boolean supported() {
        return Files.isReadable(Path.of("/proc/net/tcp"));
    }

    /** Every TCP socket in LISTEN state owned by the process or one of its descendants. */
    public static List<Listener> of(ProcessHandle process) throws IOException {
        List<ProcessHandle> all = new ArrayList<>();
        all.add(process);
        process.descendants().forEach(all::add);
        List<Listener> out = new ArrayList<>();
        for (ProcessHandle p : all) {
            Set<String> inodes = socketInodes(p.pid());
            for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
                Path t = Path.of(table);
                if (!Files.isReadable(t)) {
                    continue;
                }
                // read once: the table changes between two reads (sockets open and close meanwhile)
                List<String> rows = Files.readAllLines(t);
                for (String line : rows.subList(1, rows.size())) {
                    String[] f = line.trim().split("\\s+");
                    // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
                    if (f.length > 9 && f[3].equals("0A") && inodes.contains(f[9])) {
                        String[] local = f[1].split(":");
                        out.add(decode(p.pid(), local[0], Integer.parseInt(local[1], 16)));
                    }
                }
            }
        }
        return out;
    }

    private static Set<String> socketInodes(long pid) throws IOException {
        Set<String> inodes = new HashSet<>();
        Path fds = Path.of("/proc", Long.toString(pid), "fd");
        if (!Files.isDirectory(fds)) {
            return inodes;
        }
        try (Stream<Path> s = Files.list(fds)) {
            for (Path fd : s.toList()) {
                try {
                    Matcher m = SOCKET.matcher(Files.readSymbolicLink(fd).toString());
                    if (m.matches()) {
                        inodes.add(m.group(1));
                    }
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        } catch (IOException e) {
            // the process ended meanwhile
        }
        return inodes;
    }

    /** /proc's hex address (IPv4: one little-endian word; IPv6: four) to text, and whether it is loopback. */
    static Listener decode(long pid, String hex, int port) {
        if (hex.length() == 8) {
            int[] b = bytesOfWord(hex);
            String a = b[0] + "." + b[1] + "." + b[2] + "." + b[3];
            return new Listener(pid, a, port, b[0] == 127);
        }
        int[] bytes = new int[16];
        for (int w = 0; w < 4; w++) {
            int[] b = bytesOfWord(hex.substring(w * 8, w * 8 + 8));
            System.arraycopy(b, 0, bytes, w * 4, 4);
        }
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 16; i += 2) {
            s.append(i == 0 ? "" : ":").append(Integer.toHexString(bytes[i] << 8 | bytes[i + 1]));
        }
        boolean zeros10 = true;
        for (int i = 0; i < 10; i++) {
            zeros10 &= bytes[i] == 0;
        }
        boolean v6Loopback = zeros10 && bytes[10] == 0 && bytes[11] == 0 && bytes[12] == 0 && bytes[13] == 0 && bytes[14] == 0 && bytes[15] == 1;
        boolean mappedLoopback = zeros10 && bytes[10] == 0xff && bytes[11] == 0xff && bytes[12] == 127;
        return new Listener(pid, s.toString(), port, v6Loopback || mappedLoopback);
    }

    private static int[] bytesOfWord(String hex8) {
        long v = Long.parseLong(hex8, 16);
        return new int[] {(int) (v & 0xff), (int) (v >> 8 & 0xff), (int) (v >> 16 & 0xff), (int) (v >> 24 & 0xff)};
    }
}
