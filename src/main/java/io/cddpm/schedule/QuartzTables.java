package io.cddpm.schedule;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * Creates Quartz's JDBC job-store tables (QRTZ_*) in the state database on first use, from the
 * schema of that database that ships inside the Quartz jar (H2's or PostgreSQL's), without its DROP
 * statements. The H2 schema predates H2 2.x: its IMAGE columns become BLOB. On a shared database
 * several workers may start at once: the script runs in one transaction, and a worker that lost the
 * race to create the tables finds them the next time it looks.
 */
final class QuartzTables {
    private static final String H2_DDL = "/org/quartz/impl/jdbcjobstore/tables_h2.sql";
    private static final String POSTGRES_DDL = "/org/quartz/impl/jdbcjobstore/tables_postgres.sql";
    private static final int ATTEMPTS = 5;

    private QuartzTables() {}

    static synchronized void ensure(DataSource db, boolean postgres) throws SQLException {
        for (int attempt = 1; ; attempt++) {
            try {
                create(db, postgres ? POSTGRES_DDL : H2_DDL);
                return;
            } catch (SQLException e) {
                if (attempt >= ATTEMPTS) {
                    throw e;
                }
                try {
                    Thread.sleep(200L * attempt);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private static boolean exists(Connection c) throws SQLException {
        for (String name : new String[] {"QRTZ_JOB_DETAILS", "qrtz_job_details"}) {
            try (ResultSet r = c.getMetaData().getTables(null, null, name, null)) {
                if (r.next()) {
                    return true;
                }
            }
        }
        return false;
    }

    private static void create(DataSource db, String ddl) throws SQLException {
        try (Connection c = db.getConnection()) {
            if (exists(c)) {
                return;
            }
            String script;
            try (InputStream in = QuartzTables.class.getResourceAsStream(ddl)) {
                if (in == null) {
                    throw new SQLException("Quartz's schema " + ddl + " is missing from the classpath");
                }
                script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new SQLException("cannot read " + ddl, e);
            }
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                for (String statement : statements(script)) {
                    s.execute(statement);
                }
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(auto);
            }
        }
    }

    /** The script's statements without comments and DROPs, IMAGE -> BLOB. */
    static List<String> statements(String script) {
        StringBuilder sb = new StringBuilder();
        for (String line : script.split("\n")) {
            String t = line.strip();
            if (t.startsWith("--") || t.isEmpty()) {
                continue;
            }
            sb.append(line).append('\n');
        }
        List<String> out = new ArrayList<>();
        for (String part : sb.toString().split(";")) {
            String s = part.strip();
            if (!s.isEmpty() && !s.equalsIgnoreCase("COMMIT") && !s.toUpperCase(java.util.Locale.ROOT).startsWith("DROP ")) {
                out.add(s.replaceAll("(?i)\\bIMAGE\\b", "BLOB"));
            }
        }
        return out;
    }
}
