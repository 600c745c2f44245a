package io.cddpm.state;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Trials and sweeps in cddpm's state database ({@link StateDatabase}): keyed by run
 * directory, with the config hash, status, MLflow run key, newest checkpoint and epoch, and times.
 * A re-run skips a FINISHED trial whose config hash is unchanged and continues an unfinished one
 * (same checkpoint folder, same MLflow run).
 */
public final class TrialStore {
    /** One trial's row. */
    public record Row(String runDir, String configHash, TrialStatus status, String runKey, String lastCheckpoint, int lastEpoch) {}

    private static final int MAX_ERROR = 4000;

    private final DataSource db;

    public TrialStore(DataSource db) {
        this.db = db;
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("""
                    CREATE TABLE IF NOT EXISTS TRIAL (
                      RUN_DIR VARCHAR(1000) PRIMARY KEY,
                      EXPERIMENT VARCHAR(400) NOT NULL,
                      LABEL VARCHAR(1000) NOT NULL,
                      CONFIG_HASH VARCHAR(64) NOT NULL,
                      CONFIG CLOB NOT NULL,
                      STATUS VARCHAR(20) NOT NULL,
                      RUN_KEY VARCHAR(200),
                      LAST_CHECKPOINT VARCHAR(1000),
                      LAST_EPOCH INT DEFAULT 0 NOT NULL,
                      ERROR VARCHAR(4000),
                      STARTED TIMESTAMP,
                      FINISHED TIMESTAMP)""");
            s.execute("""
                    CREATE TABLE IF NOT EXISTS SWEEP (
                      RUN_KEY VARCHAR(200) PRIMARY KEY,
                      EXPERIMENT VARCHAR(400) NOT NULL,
                      CONFIG_HASH VARCHAR(64) NOT NULL,
                      STATUS VARCHAR(20) NOT NULL,
                      STARTED TIMESTAMP NOT NULL,
                      FINISHED TIMESTAMP)""");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open the state database: " + e.getMessage(), e);
        }
    }

    private Connection connect() throws SQLException {
        return db.getConnection();
    }

    public Optional<Row> find(Path runDir) {
        try (Connection c = connect(); PreparedStatement p = c.prepareStatement(
                "SELECT RUN_DIR, CONFIG_HASH, STATUS, RUN_KEY, LAST_CHECKPOINT, LAST_EPOCH FROM TRIAL WHERE RUN_DIR = ?")) {
            p.setString(1, key(runDir));
            try (ResultSet r = p.executeQuery()) {
                return r.next()
                        ? Optional.of(new Row(r.getString(1), r.getString(2), TrialStatus.valueOf(r.getString(3)), r.getString(4), r.getString(5), r.getInt(6)))
                        : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Records a trial as RUNNING (new, or again after a crash or a config change). */
    public void start(Path runDir, String experiment, String label, String hash, String config, String runKey) {
        update("MERGE INTO TRIAL (RUN_DIR, EXPERIMENT, LABEL, CONFIG_HASH, CONFIG, STATUS, RUN_KEY, STARTED, ERROR, FINISHED) "
                + "KEY (RUN_DIR) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)",
                key(runDir), experiment, label, hash, config, TrialStatus.RUNNING.name(), runKey, Timestamp.from(Instant.now()));
    }

    /** The MLflow run key of an unfinished sweep of this experiment and config (one a crash or kill left RUNNING). */
    public Optional<String> openSweep(String experiment, String configHash) {
        try (Connection c = connect(); PreparedStatement p = c.prepareStatement(
                "SELECT RUN_KEY FROM SWEEP WHERE EXPERIMENT = ? AND CONFIG_HASH = ? AND STATUS = ? ORDER BY STARTED DESC")) {
            p.setString(1, experiment);
            p.setString(2, configHash);
            p.setString(3, TrialStatus.RUNNING.name());
            try (ResultSet r = p.executeQuery()) {
                return r.next() ? Optional.of(r.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public void startSweep(String runKey, String experiment, String configHash) {
        update("INSERT INTO SWEEP (RUN_KEY, EXPERIMENT, CONFIG_HASH, STATUS, STARTED) VALUES (?, ?, ?, ?, ?)",
                runKey, experiment, configHash, TrialStatus.RUNNING.name(), Timestamp.from(Instant.now()));
    }

    public void finishSweep(String runKey, TrialStatus status) {
        update("UPDATE SWEEP SET STATUS = ?, FINISHED = ? WHERE RUN_KEY = ?", status.name(), Timestamp.from(Instant.now()), runKey);
    }

    public void checkpoint(Path runDir, Path checkpoint, int epoch) {
        update("UPDATE TRIAL SET LAST_CHECKPOINT = ?, LAST_EPOCH = ? WHERE RUN_DIR = ?", checkpoint.toString(), epoch, key(runDir));
    }

    public void finish(Path runDir) {
        update("UPDATE TRIAL SET STATUS = ?, FINISHED = ? WHERE RUN_DIR = ?", TrialStatus.FINISHED.name(), Timestamp.from(Instant.now()),
                key(runDir));
    }

    public void fail(Path runDir, String error) {
        update("UPDATE TRIAL SET STATUS = ?, ERROR = ?, FINISHED = ? WHERE RUN_DIR = ?", TrialStatus.FAILED.name(),
                error.length() > MAX_ERROR ? error.substring(0, MAX_ERROR) : error, Timestamp.from(Instant.now()), key(runDir));
    }

    private void update(String sql, Object... args) {
        try (Connection c = connect(); PreparedStatement p = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                p.setObject(i + 1, args[i]);
            }
            p.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("state database: " + e.getMessage(), e);
        }
    }

    private static String key(Path runDir) {
        return runDir.toAbsolutePath().normalize().toString();
    }
}
