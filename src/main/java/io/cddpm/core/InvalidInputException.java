package io.cddpm.core;

/**
 * A problem with what the user gave us (a file, a key, a value), as opposed to a bug or an
 * environment failure. The message must name the file, key or value at fault; the command line
 * maps it to exit code 2.
 */
public class InvalidInputException extends RuntimeException {
    public InvalidInputException(String message) {
        super(message);
    }

    public InvalidInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
