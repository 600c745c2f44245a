package io.cddpm.state;

import java.nio.file.Path;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcConnectionPool;

/**
 * cddpm's state database: trials, sweeps, the tracking outbox and the Quartz schedules, in one H2
 * file under {@code $CDDPM_STATE} (default {@code ./cddpm-state}). Opened by one process at a time.
 */
public final class StateDatabase implements AutoCloseable {
    public static final String ENV = "CDDPM_STATE";
    public static final String PROPERTY = "cddpm.state";
    private static final String DEFAULT_DIR = "cddpm-state";

    private final String url;
    private final JdbcConnectionPool pool;

    private StateDatabase(String url) {
        this.url = url;
        this.pool = JdbcConnectionPool.create(url, "", "");
    }

    /** The folder of the state database: -Dcddpm.state, else $CDDPM_STATE, else ./cddpm-state. */
    public static Path directory() {
        return Path.of(System.getProperty(PROPERTY, System.getenv().getOrDefault(ENV, DEFAULT_DIR))).toAbsolutePath();
    }

    /** The JDBC URL of the state database. */
    public static String defaultUrl() {
        // AUTO_SERVER: a second cddpm process (e.g. "schedule list" while "serve" runs) shares the file through the first
        return "jdbc:h2:" + directory().resolve("cddpm") + ";AUTO_SERVER=TRUE";
    }

    public static StateDatabase open() {
        return new StateDatabase(defaultUrl());
    }

    public String url() {
        return url;
    }

    public DataSource dataSource() {
        return pool;
    }

    @Override
    public void close() {
        pool.dispose();
    }
}
