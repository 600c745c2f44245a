package io.cddpm.state;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/**
 * Creates (or migrates) tables with idempotent statements ({@code CREATE TABLE IF NOT EXISTS},
 * {@code ALTER TABLE ... ADD COLUMN IF NOT EXISTS}) while other processes may do the same: on a shared
 * PostgreSQL database, workers starting together race to create the same table, and the loser gets a
 * duplicate-key error from the catalog although the table is there; it tries again, and then the
 * statements find everything in place.
 */
public final class SchemaCreation {
    /** Statements on one connection. */
    @FunctionalInterface
    public interface Statements {
        void run(Statement s) throws SQLException;
    }

    private static final int ATTEMPTS = 5;

    private SchemaCreation() {}

    /** Runs the statements, again (up to 5 times, a moment apart) while they fail; what names the tables in the error. */
    public static void run(String what, DataSource db, Statements statements) {
        for (int attempt = 1; ; attempt++) {
            try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
                statements.run(s);
                return;
            } catch (SQLException e) {
                if (attempt >= ATTEMPTS) {
                    throw new IllegalStateException("cannot create " + what + " in the state database: " + e.getMessage(), e);
                }
                try {
                    Thread.sleep(100L * attempt);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while creating " + what, interrupted);
                }
            }
        }
    }
}
