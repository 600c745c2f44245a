package io.cddpm.state;

import io.cddpm.core.AtomicFiles;
import io.cddpm.core.BuildInfo;
import io.cddpm.core.InvalidInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.h2.api.ErrorCode;
import org.h2.jdbcx.JdbcConnectionPool;
import org.postgresql.ds.PGConnectionPoolDataSource;

/**
 * cddpm's state database: trials, sweeps, the tracking outbox and the Quartz schedules, in one H2
 * file under {@code $CDDPM_STATE} (default {@code ./cddpm-state}), or, for several machines, in a
 * shared PostgreSQL database when {@code $CDDPM_STATE} is a {@code jdbc:postgresql://host[:port]/db} URL
 * (user and password from {@code $CDDPM_STATE_USER} / {@code $CDDPM_STATE_PASSWORD}, else PGUSER / PGPASSWORD;
 * never in the URL, and the URL is never shown with credentials). Each store creates or migrates its own
 * tables on first use, with SQL both databases speak.
 *
 * <p>The H2 file:
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
    /** The user of a PostgreSQL state database (else PGUSER). */
    public static final String USER_ENV = "CDDPM_STATE_USER";
    /** The password of a PostgreSQL state database (else PGPASSWORD). */
    public static final String PASSWORD_ENV = "CDDPM_STATE_PASSWORD";
    private static final String DEFAULT_DIR = "cddpm-state";
    private static final String FILE = "cddpm";
    private static final String HOLDER = "holder";
    private static final String POSTGRESQL = "jdbc:postgresql://";
    /** Connections to a PostgreSQL state database: the Quartz threads, the outbox worker and the trial's own. */
    private static final int SERVER_CONNECTIONS = 16;

    private final String url;
    private final String where;
    private final boolean shared;
    private final JdbcConnectionPool pool;
    /** H2: the file naming the process that has the database open; null for PostgreSQL. */
    private final Path holderFile;
    /** H2: held while open, so that an idle pool does not let H2 close (and unlock) the database in between; null for PostgreSQL. */
    private final Connection anchor;

    private StateDatabase(Path dir, String url) {
        this.url = url;
        this.where = dir.toString();
        this.shared = false;
        this.holderFile = dir.resolve(HOLDER);
        this.pool = JdbcConnectionPool.create(url, "", "");
        try {
            this.anchor = pool.getConnection();
            // who holds the database, for the message another process gets (H2's own lock file does not say)
            AtomicFiles.writeString(holderFile, "pid " + ProcessHandle.current().pid() + " on " + BuildInfo.host() + " since " + Instant.now()
                    + ProcessHandle.current().info().arguments().map(a -> ": " + String.join(" ", a)).map(t -> t.length() > 300
                            ? t.substring(0, 300) + "..." : t).orElse("") + "\n");
        } catch (SQLException e) {
            pool.dispose();
            RuntimeException error = lockedError(e, dir).isPresent() ? lockedError(e, dir).get()
                    : new IllegalStateException("cannot open the state database in " + dir + ": " + e.getMessage(), e);
            throw error;
        }
    }

    private StateDatabase(String url, JdbcConnectionPool pool) {
        this.url = url;
        this.where = url;
        this.shared = true;
        this.holderFile = null;
        this.pool = pool;
        this.anchor = null;
    }

    /** The state setting: -Dcddpm.state, else $CDDPM_STATE, else ./cddpm-state (a folder, or a jdbc:postgresql:// URL). */
    public static String setting() {
        return System.getProperty(PROPERTY, System.getenv().getOrDefault(ENV, DEFAULT_DIR));
    }

    /** Whether the state setting names a shared database server rather than an H2 folder. */
    public static boolean isServerUrl(String setting) {
        return setting.startsWith("jdbc:");
    }

    /** The folder of the H2 state database: -Dcddpm.state, else $CDDPM_STATE, else ./cddpm-state. */
    public static Path directory() {
        String setting = setting();
        if (isServerUrl(setting)) {
            throw new IllegalStateException("the state database is a server (" + describe(setting) + "), not a folder");
        }
        return Path.of(setting).toAbsolutePath();
    }

    /** Where the configured state database is, for messages: its folder, or its URL (which holds no credentials). */
    public static String describe() {
        return describe(setting());
    }

    private static String describe(String setting) {
        return isServerUrl(setting) ? setting.replaceAll("(?i)([?&;]password=)[^&;]*", "$1***") : Path.of(setting).toAbsolutePath().toString();
    }

    /** The JDBC URL of the state database in the default {@link #directory()}. */
    public static String defaultUrl() {
        return url(directory());
    }

    /** The JDBC URL of the state database in dir: embedded, file-locked, no server, closed by its owner. */
    public static String url(Path dir) {
        return "jdbc:h2:" + dir.resolve(FILE) + ";FILE_LOCK=FILE;DB_CLOSE_ON_EXIT=FALSE";
    }

    /**
     * Opens the configured state database: the H2 folder, or the PostgreSQL database of a
     * {@code jdbc:postgresql://} URL (see the class comment).
     *
     * @throws InvalidInputException when the setting is a URL of another kind or holds a password, or the H2 folder is in use
     */
    public static StateDatabase open() {
        String setting = setting();
        return isServerUrl(setting) ? openServer(setting, System.getenv()) : open(Path.of(setting).toAbsolutePath());
    }

    /** Opens the PostgreSQL state database at url, with the user and password from env; fails at once when it cannot be reached. */
    static StateDatabase openServer(String url, Map<String, String> env) {
        String named = "$" + ENV + "=" + describe(url);
        if (!url.startsWith(POSTGRESQL)) {
            throw new InvalidInputException(named + ": not a state database cddpm can use: a folder (H2, one machine) or"
                    + " jdbc:postgresql://host[:port]/database (several machines)");
        }
        if (url.toLowerCase(java.util.Locale.ROOT).matches(".*[?&;]password=.*")) {
            throw new InvalidInputException(named + ": the URL holds a password; give it in $" + PASSWORD_ENV
                    + " (or PGPASSWORD) instead, so that it appears in no command line, log or file");
        }
        PGConnectionPoolDataSource source = new PGConnectionPoolDataSource();
        source.setURL(url);
        String user = first(env, USER_ENV, "PGUSER");
        if (user != null) {
            source.setUser(user);
        }
        String password = first(env, PASSWORD_ENV, "PGPASSWORD");
        if (password != null) {
            source.setPassword(password);
        }
        source.setApplicationName("cddpm");
        source.setTcpKeepAlive(true);
        source.setConnectTimeout(20);
        JdbcConnectionPool pool = JdbcConnectionPool.create(source);
        pool.setMaxConnections(SERVER_CONNECTIONS);
        try (Connection c = pool.getConnection()) {
            c.isValid(5);
        } catch (SQLException e) {
            pool.dispose();
            // the driver's messages name the host and the user, never the password
            throw new InvalidInputException(named + ": cannot connect to the state database (user from $" + USER_ENV
                    + " or PGUSER, password from $" + PASSWORD_ENV + " or PGPASSWORD): " + e.getMessage(), e);
        }
        return new StateDatabase(url, pool);
    }

    private static String first(Map<String, String> env, String... names) {
        for (String n : names) {
            String v = env.get(n);
            if (v != null && !v.isEmpty()) {
                return v;
            }
        }
        return null;
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
                        + holder(dir) + " (a `cddpm serve`, `run`, `reevaluate` or `schedule` command); one process at a time may use it:"
                        + " wait for that process to end (stop `cddpm serve` to change schedules), or give this one its own"
                        + " state directory with $" + ENV + " or -D" + PROPERTY, e));
            }
        }
        return Optional.empty();
    }

    /** ", pid N on HOST since T: ARGS" as the holder file of dir says, or "" when it says nothing. */
    private static String holder(Path dir) {
        try {
            Path file = dir.resolve(HOLDER);
            String text = Files.isRegularFile(file) ? Files.readString(file).trim() : "";
            return text.isEmpty() ? "" : " (" + text + ")";
        } catch (IOException e) {
            return "";
        }
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

    /** The JDBC URL (for PostgreSQL without credentials: they are never part of it). */
    public String url() {
        return url;
    }

    /** True for a database server several machines share (PostgreSQL), false for the embedded H2 file. */
    public boolean shared() {
        return shared;
    }

    /** Where the database is, for messages: the H2 folder or the server's URL. */
    public String where() {
        return where;
    }

    public DataSource dataSource() {
        return pool;
    }

    @Override
    public void close() {
        try {
            if (anchor != null) {
                anchor.close();
            }
        } catch (SQLException e) {
            // closing anyway
        }
        pool.dispose();
        if (holderFile != null) {
            try {
                Files.deleteIfExists(holderFile);
            } catch (IOException e) {
                // a stale holder file is only read when the database is in use
            }
        }
    }
}
