package io.cddpm.tracking;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The processes of a local MLflow server, found by its data folder in Linux's /proc: cddpm's guard
 * and {@code mlflow server} name the backend store {@code sqlite:///<folder>/mlflow.db} on their
 * command line, gunicorn and its workers (whose command line does not) carry it in their environment
 * as {@code _MLFLOW_SERVER_FILE_STORE}. A process is never picked by its name or port alone, so no
 * other server on the machine is touched. Zombies (exited, waiting to be reaped) do not count. Where
 * /proc cannot be read, none are found.
 */
final class ServerProcesses {
    private static final Path PROC = Path.of("/proc");
    private static final String STORE_VARIABLE = "_MLFLOW_SERVER_FILE_STORE=";

    private ServerProcesses() {}

    /** The backend store URI of the server of dataDir, as it appears in the processes. */
    static String backendStore(Path dataDir) {
        return "sqlite:///" + dataDir.toAbsolutePath().resolve("mlflow.db");
    }

    /** Every live process serving dataDir: the guard, mlflow, gunicorn and its workers. */
    static List<ProcessHandle> of(Path dataDir) {
        String store = backendStore(dataDir);
        return ProcessHandle.allProcesses().filter(p -> serves(p.pid(), store)).toList();
    }

    /** The live processes serving dataDir in the process group pgid (a server's group is its mlflow's pid). */
    static List<ProcessHandle> inGroup(Path dataDir, long pgid) {
        return of(dataDir).stream().filter(p -> processGroup(p.pid()) == pgid).toList();
    }

    /** Sends SIGTERM to each, then SIGKILL to those still there after grace. */
    static void stop(List<ProcessHandle> processes, Duration grace) {
        processes.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + grace.toNanos();
        for (ProcessHandle p : processes) {
            while (alive(p.pid()) && System.nanoTime() < deadline) {
                sleep();
            }
        }
        processes.stream().filter(p -> alive(p.pid())).forEach(ProcessHandle::destroyForcibly);
    }

    private static void sleep() {
        try {
            TimeUnit.MILLISECONDS.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The process group of pid (field 5 of /proc/PID/stat), or -1 when it is gone. */
    static long processGroup(long pid) {
        String[] stat = stat(pid);
        return stat == null ? -1 : Long.parseLong(stat[2]);
    }

    /** True while pid exists and is not a zombie. */
    static boolean alive(long pid) {
        String[] stat = stat(pid);
        return stat != null && !stat[0].equals("Z") && !stat[0].equals("X");
    }

    /** The fields of /proc/PID/stat after the command name (state, ppid, pgrp, ...), or null. */
    private static String[] stat(long pid) {
        try {
            String s = Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"), StandardCharsets.ISO_8859_1);
            // the command name is in parentheses and may itself hold spaces and parentheses
            return s.substring(s.lastIndexOf(')') + 2).trim().split(" ");
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static boolean serves(long pid, String store) {
        if (!alive(pid)) {
            return false;
        }
        List<String> args = nulSeparated(pid, "cmdline");
        return args.stream().anyMatch(a -> a.equals(store)) || nulSeparated(pid, "environ").contains(STORE_VARIABLE + store);
    }

    private static List<String> nulSeparated(long pid, String file) {
        try {
            return Arrays.asList(Files.readString(PROC.resolve(Long.toString(pid)).resolve(file), StandardCharsets.UTF_8).split("\0"));
        } catch (IOException | RuntimeException e) {
            return List.of(); // gone, or another user's
        }
    }
}
