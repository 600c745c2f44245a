package io.cddpm.cli;

import io.cddpm.core.InvalidInputException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks where a command will write before it does the work: minutes of sampling or training used
 * to end in a raw UncheckedIOException because {@code --out} named a file where a folder was
 * expected (or an unwritable place). A bad output is an input error, exit 2, with the option and
 * path named, found in the first second.
 */
final class OutputPaths {
    private OutputPaths() {}

    /** {@code dir} as an output folder: created if missing; refused if it is a file or not writable. */
    static Path folder(Path dir, String option) {
        given(dir, option);
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new InvalidInputException(option + " " + dir + ": exists and is not a folder (the output is a folder)");
        }
        create(dir, option, dir);
        if (!Files.isWritable(dir)) {
            throw new InvalidInputException(option + " " + dir + ": folder is not writable");
        }
        return dir;
    }

    /**
     * {@code dir} as a folder that could be made and written, without making it: the nearest existing path on
     * the way must be a writable folder.
     */
    static void creatable(Path dir, String option) {
        given(dir, option);
        Path p = dir.toAbsolutePath().normalize();
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        if (p == null) {
            return;
        }
        if (!Files.isDirectory(p)) {
            throw new InvalidInputException(option + " " + dir + ": " + p + " exists and is not a folder");
        }
        if (!Files.isWritable(p)) {
            throw new InvalidInputException(option + " " + dir + ": folder is not writable" + (p.equals(dir.toAbsolutePath().normalize())
                    ? "" : ": cannot create it in " + p));
        }
    }

    /** {@code file} as an output file: its folder is created if missing; refused if it is a folder or cannot be written. */
    static Path file(Path file, String option) {
        given(file, option);
        if (Files.isDirectory(file)) {
            throw new InvalidInputException(option + " " + file + ": is a folder (the output is a file)");
        }
        Path parent = file.toAbsolutePath().getParent();
        if (Files.exists(parent) && !Files.isDirectory(parent)) {
            throw new InvalidInputException(option + " " + file + ": " + parent + " exists and is not a folder");
        }
        create(parent, option, file);
        if (!Files.isWritable(parent) || (Files.exists(file) && !Files.isWritable(file))) {
            throw new InvalidInputException(option + " " + file + ": not writable");
        }
        return file;
    }

    /** An empty path would mean the current folder: an unset variable in a script, not a choice. */
    private static void given(Path path, String option) {
        if (path.toString().isEmpty()) {
            throw new InvalidInputException(option + " '': empty path (give a folder or file; '.' for the current folder)");
        }
    }

    private static void create(Path dir, String option, Path given) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            boolean denied = e instanceof AccessDeniedException
                    || e instanceof FileSystemException f && "Read-only file system".equals(f.getReason());
            throw new InvalidInputException(option + " " + given + (denied ? ": folder is not writable: cannot create " + dir + " ("
                    + (e instanceof AccessDeniedException ? "permission denied" : "read-only file system") + ")"
                    : ": cannot create folder " + dir + " (" + e + ")"), e);
        }
    }
}
