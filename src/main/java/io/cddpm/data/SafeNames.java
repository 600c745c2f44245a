package io.cddpm.data;

import io.cddpm.core.InvalidInputException;
import java.nio.file.Path;

/**
 * The one check on file names that come from data (train.json keys, image folder names, names in a
 * cache file) before they become paths. A spec is data, not a program: its names may only reach
 * files under the folder they belong to. A safe name is a relative path of normal names joined by
 * forward slashes ({@code a.png}, {@code sub/a.png}); empty names, absolute paths, drive letters,
 * {@code .} or {@code ..} segments, empty segments, backslashes and NUL characters are refused with
 * the name and where it came from, so {@code {"../../escape.png": [...]}} cannot write outside
 * {@code --out} and {@code data check} cannot read outside its root.
 */
public final class SafeNames {
    private SafeNames() {}

    /**
     * Returns {@code name} when it is safe, otherwise throws naming it.
     *
     * @param where names the file and entry, for the message (e.g. {@code "train.json: entry"})
     */
    public static String check(String name, String where) {
        String why = problem(name);
        if (why != null) {
            throw new InvalidInputException(where + " '" + printable(name) + "': unsafe file name: " + why
                    + " (names are relative paths under the image folder, sub-folders separated by '/')");
        }
        return name;
    }

    /**
     * {@code root/name} after {@link #check}, verified again after normalising to lie inside
     * {@code root} (the belt to the check's braces).
     */
    public static Path resolve(Path root, String name, String where) {
        check(name, where);
        Path base = root.toAbsolutePath().normalize();
        Path resolved = base.resolve(name).normalize();
        if (!resolved.startsWith(base) || resolved.equals(base)) {
            throw new InvalidInputException(where + " '" + printable(name) + "': unsafe file name: resolves to " + resolved
                    + ", outside " + base);
        }
        return root.resolve(name);
    }

    /** Why a name is unsafe, or null when it is fine. */
    static String problem(String name) {
        if (name == null || name.isEmpty()) {
            return "empty";
        }
        if (name.indexOf('\0') >= 0) {
            return "contains a NUL character";
        }
        if (name.indexOf('\\') >= 0) {
            return "contains a backslash";
        }
        if (name.startsWith("/")) {
            return "absolute path";
        }
        if (name.length() >= 2 && name.charAt(1) == ':' && Character.isLetter(name.charAt(0))) {
            return "starts with a drive letter";
        }
        for (String segment : name.split("/", -1)) {
            if (segment.isEmpty()) {
                return "empty path segment ('//' or a trailing '/')";
            }
            if (segment.equals("..")) {
                return "contains '..'";
            }
            if (segment.equals(".")) {
                return "contains a '.' segment";
            }
        }
        return null;
    }

    private static String printable(String name) {
        return name == null ? "null" : name.replace("\0", "\\0");
    }
}
