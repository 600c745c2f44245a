package io.cddpm.state;

import io.cddpm.core.InvalidInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import javax.sql.DataSource;
import org.h2.api.ErrorCode;
import org.h2.jdbcx.JdbcConnectionPool;

/**
 * cddpm's state database: trials, sweeps, the tracking outbox and the Quartz schedules, in one H2
 * file under {@code $CDDPM_STATE} (default {@code ./cddpm-state}).
 *
 * <p>Embedded and file-locked: one process at a time has it open (H2's {@code FILE_LOCK=FILE}), and no
 * process listens on a socket for it (no {@code AUTO_SERVER}: that opened a TCP port on every interface
 * with an empty password, and a remote {@code CREATE ALIAS} runs Java code). Within one process, every
 * opener (the pipeline, the Quartz job store of {@code serve}) shares the one open database. A second
 * process gets an {@link InvalidInputException} naming the state directory and the process that holds
 * it, at once (no waiting: {@code serve} holds the database for as long as it runs). The folder is made
 * readable by its owner only. The database is closed by its owner ({@code DB_CLOSE_ON_EXIT=FALSE}), not by
 * H2's shutdown hook, so a stopping process can still write its last records before it closes it.
 */
public final class StateDatabase implements AutoCloseable {
    public static final String ENV = "CDDPM_STATE";
    public static final String PROPERTY = "cddpm.state";
    private static final String DEFAULT_DIR = "cddpm-state";
    private static final String FILE = "cddpm";

    private final String url;
    private final JdbcConnectionPool pool;
    /** Held while open, so that an idle pool does not let H2 close (and unlock) the database in between. */
    private final Connection anchor;

    private StateDatabase(Path dir, String url) {
        this.url = url;
        this.pool = JdbcConnectionPool.create(url, "", "");
        try {
            this.anchor = pool.getConnection();
        } catch (SQLException e) {
            pool.dispose();
            RuntimeException error = lockedError(e, dir).isPresent() ? lockedError(e, dir).get()
                    : new IllegalStateException("cannot open the state database in " + dir + ": " + e.getMessage(), e);
            throw error;
        }
    }

    /** The folder of the state database: -Dcddpm.state, else $CDDPM_STATE, else ./cddpm-state. */
    public static Path directory() {
        return Path.of(System.getProperty(PROPERTY, System.getenv().getOrDefault(ENV, DEFAULT_DIR))).toAbsolutePath();
    }

    /** The JDBC URL of the state database in the default {@link #directory()}. */
    public static String defaultUrl() {
        return url(directory());
    }

    /** The JDBC URL of the state database in dir: embedded, file-locked, no server, closed by its owner. */
    public static String url(Path dir) {
        return "jdbc:h2:" + dir.resolve(FILE) + ";FILE_LOCK=FILE;DB_CLOSE_ON_EXIT=FALSE";
    }

    /** Opens the state database in the default {@link #directory()}. */
    public static StateDatabase open() {
        return open(directory());
    }

    /**
     * Opens (creating when absent, owner-only) the state database in dir.
     *
     * @throws InvalidInputException when another process has it open
     */
    public static StateDatabase open(Path dir) {
        createPrivate(dir);
        return new StateDatabase(dir, url(dir));
    }

    /**
     * The clear error for an SQL exception that says another process has the database file locked,
     * naming the state directory; empty for any other error.
     */
    public static Optional<InvalidInputException> lockedError(Throwable e, Path dir) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && (s.getErrorCode() == ErrorCode.DATABASE_ALREADY_OPEN_1
                    || s.getErrorCode() == ErrorCode.LOCK_TIMEOUT_1)) {
                return Optional.of(new InvalidInputException("the state database in " + dir + " is in use by another cddpm process"
                        + " (a `cddpm serve`, `run`, `reevaluate` or `schedule` command); one process at a time may use it:"
                        + " wait for that process to end (stop `cddpm serve` to change schedules), or give this one its own"
                        + " state directory with $" + ENV + " or -D" + PROPERTY, e));
            }
        }
        return Optional.empty();
    }

    private static void createPrivate(Path dir) {
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir);
                if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the state directory " + dir, e);
        }
    }

    public String url() {
        return url;
    }

    public DataSource dataSource() {
        return pool;
    }

    @Override
    public void close() {
        try {
            anchor.close();
        } catch (SQLException e) {
            // closing anyway
        }
        pool.dispose();
    }
}
