package io.cddpm.schedule;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.quartz.utils.ConnectionProvider;

/**
 * Quartz's connections: those of cddpm's open state database (H2 or PostgreSQL), registered with
 * Quartz under the scheduler's data source name. Quartz's tables are created on first use. The pool
 * belongs to the state database: shutting the scheduler down leaves it open.
 */
final class StateConnectionProvider implements ConnectionProvider {
    private final DataSource db;
    private final boolean postgres;

    StateConnectionProvider(DataSource db, boolean postgres) {
        this.db = db;
        this.postgres = postgres;
    }

    @Override
    public void initialize() throws SQLException {
        QuartzTables.ensure(db, postgres);
    }

    @Override
    public Connection getConnection() throws SQLException {
        return db.getConnection();
    }

    @Override
    public void shutdown() {
        // the state database's owner closes it
    }
}
