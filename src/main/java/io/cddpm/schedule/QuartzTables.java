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
 * Creates Quartz's JDBC job-store tables (QRTZ_*) in the state database on first use, from the H2
 * schema that ships inside the Quartz jar. That schema predates H2 2.x: its IMAGE columns become BLOB.
 */
final class QuartzTables {
    private static final String DDL = "/org/quartz/impl/jdbcjobstore/tables_h2.sql";

    private QuartzTables() {}

    static synchronized void ensure(DataSource db) throws SQLException {
        try (Connection c = db.getConnection()) {
            try (ResultSet r = c.getMetaData().getTables(null, null, "QRTZ_JOB_DETAILS", null)) {
                if (r.next()) {
                    return;
                }
            }
            String script;
            try (InputStream in = QuartzTables.class.getResourceAsStream(DDL)) {
                if (in == null) {
                    throw new SQLException("Quartz's H2 schema " + DDL + " is missing from the classpath");
                }
                script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new SQLException("cannot read " + DDL, e);
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

    /** The script's statements without comments, IMAGE -> BLOB. */
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
            if (!s.isEmpty() && !s.equalsIgnoreCase("COMMIT")) {
                out.add(s.replaceAll("(?i)\\bIMAGE\\b", "BLOB"));
            }
        }
        return out;
    }
}
