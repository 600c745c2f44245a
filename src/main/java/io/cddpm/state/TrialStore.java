package io.cddpm.state;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trials and sweeps in cddpm's state database ({@link StateDatabase}): keyed by run
 * directory, with the config hash, status, MLflow run key, newest checkpoint and epoch, and times;
 * for a submitted sweep also the sweep a trial belongs to, its place in it and the worker running it.
 * A re-run skips a FINISHED trial whose config hash is unchanged and continues an unfinished one
 * (same checkpoint folder, same MLflow run). The SQL is what H2 and PostgreSQL both speak.
 */
public final class TrialStore {
    /** One trial's row; config is the YAML it was (last) started with. */
    public record Row(String runDir, String configHash, TrialStatus status, String runKey, String lastCheckpoint, int lastEpoch,
            String config) {}

    /** A trial of a sweep as {@code cddpm status} shows it. */
    public record Entry(int index, String label, TrialStatus status, String worker, int lastEpoch, String runKey, String error,
            String runDir) {}

    /** A sweep: its parent run key (the sweep id), experiment, status and times. */
    public record Sweep(String key, String experiment, TrialStatus status, Instant started, Instant finished) {}

    /**
     * What the config hash column means: a version name and how to compute it from a trial's stored YAML
     * (empty when that YAML cannot be read any more). When a database was written under another
     * version, every row is re-hashed from its YAML once, on open, in one transaction.
     */
    public record Identity(String version, Function<String, Optional<String>> ofConfigYaml) {}

    private static final Logger LOG = LoggerFactory.getLogger(TrialStore.class);
    private static final int MAX_ERROR = 4000;
    private static final String IDENTITY_KEY = "trial_identity";

    private final DataSource db;

    /** The trials of a state database, with the config hash column taken as it is (for reading). */
    public TrialStore(DataSource db) {
        this(db, null);
    }

    /** The trials of a state database whose config hashes mean identity (rows of an older meaning are re-hashed now). */
    public TrialStore(DataSource db, Identity identity) {
        this.db = db;
        SchemaCreation.run("the trial tables", db, s -> {
            s.execute("""
                    CREATE TABLE IF NOT EXISTS TRIAL (
                      RUN_DIR VARCHAR(1000) PRIMARY KEY,
                      EXPERIMENT VARCHAR(400) NOT NULL,
                      LABEL VARCHAR(1000) NOT NULL,
                      CONFIG_HASH VARCHAR(64) NOT NULL,
                      CONFIG TEXT NOT NULL,
                      STATUS VARCHAR(20) NOT NULL,
                      RUN_KEY VARCHAR(200),
                      LAST_CHECKPOINT VARCHAR(1000),
                      LAST_EPOCH INT DEFAULT 0 NOT NULL,
                      ERROR VARCHAR(4000),
                      STARTED TIMESTAMP,
                      FINISHED TIMESTAMP)""");
            // a submitted sweep's trials: which sweep, where in it, and the worker that runs it now
            s.execute("ALTER TABLE TRIAL ADD COLUMN IF NOT EXISTS SWEEP_KEY VARCHAR(200)");
            s.execute("ALTER TABLE TRIAL ADD COLUMN IF NOT EXISTS TRIAL_INDEX INT");
            s.execute("ALTER TABLE TRIAL ADD COLUMN IF NOT EXISTS WORKER VARCHAR(300)");
            s.execute("CREATE INDEX IF NOT EXISTS TRIAL_SWEEP ON TRIAL(SWEEP_KEY)");
            s.execute("""
                    CREATE TABLE IF NOT EXISTS SWEEP (
                      RUN_KEY VARCHAR(200) PRIMARY KEY,
                      EXPERIMENT VARCHAR(400) NOT NULL,
                      CONFIG_HASH VARCHAR(64) NOT NULL,
                      STATUS VARCHAR(20) NOT NULL,
                      STARTED TIMESTAMP NOT NULL,
                      FINISHED TIMESTAMP)""");
            // facts about the database itself, e.g. which trial identity its hashes are
            s.execute("CREATE TABLE IF NOT EXISTS CDDPM_META (NAME VARCHAR(100) PRIMARY KEY, VAL VARCHAR(400) NOT NULL)");
        });
        if (identity != null) {
            rekey(identity);
        }
    }

    /**
     * Re-hashes every trial row under identity unless the database says it was written under it: in one
     * transaction, which first claims the marker row (a second process opening a shared database at the
     * same moment waits on that row, then finds the work done). A row whose YAML cannot be read keeps its
     * hash (and is then not reused: its folder counts as another config's results).
     *
     * @return how many rows got a new hash
     */
    int rekey(Identity identity) {
        try (Connection c = connect()) {
            if (identity.version().equals(meta(c, IDENTITY_KEY))) {
                return 0;
            }
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                if (execute(c, "UPDATE CDDPM_META SET VAL = ? WHERE NAME = ?", identity.version(), IDENTITY_KEY) == 0) {
                    execute(c, "INSERT INTO CDDPM_META (NAME, VAL) VALUES (?, ?)", IDENTITY_KEY, identity.version());
                }
                int changed = 0;
                List<String[]> rows = new ArrayList<>();
                try (PreparedStatement p = c.prepareStatement("SELECT RUN_DIR, CONFIG, CONFIG_HASH FROM TRIAL"); ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        rows.add(new String[] {r.getString(1), r.getString(2), r.getString(3)});
                    }
                }
                for (String[] row : rows) {
                    Optional<String> hash = identity.ofConfigYaml().apply(row[1]);
                    if (hash.isEmpty()) {
                        LOG.warn("state database: the config of trial {} cannot be read any more; it keeps its hash", row[0]);
                    } else if (!hash.get().equals(row[2])) {
                        changed += execute(c, "UPDATE TRIAL SET CONFIG_HASH = ? WHERE RUN_DIR = ?", hash.get(), row[0]);
                    }
                }
                c.commit();
                if (!rows.isEmpty()) {
                    LOG.info("state database: {} of {} trial(s) re-keyed to the {} identity", changed, rows.size(), identity.version());
                }
                return changed;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                if (identity.version().equals(meta(c, IDENTITY_KEY))) {
                    return 0; // another process did it meanwhile
                }
                throw e;
            } finally {
                c.setAutoCommit(auto);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("state database: cannot re-key the trials: " + e.getMessage(), e);
        }
    }

    private static String meta(Connection c, String name) throws SQLException {
        try (PreparedStatement p = prepare(c, "SELECT VAL FROM CDDPM_META WHERE NAME = ?", name); ResultSet r = p.executeQuery()) {
            return r.next() ? r.getString(1) : null;
        }
    }

    private Connection connect() throws SQLException {
        return db.getConnection();
    }

    public Optional<Row> find(Path runDir) {
        try (Connection c = connect(); PreparedStatement p = c.prepareStatement(
                "SELECT RUN_DIR, CONFIG_HASH, STATUS, RUN_KEY, LAST_CHECKPOINT, LAST_EPOCH, CONFIG FROM TRIAL WHERE RUN_DIR = ?")) {
            p.setString(1, key(runDir));
            try (ResultSet r = p.executeQuery()) {
                return r.next()
                        ? Optional.of(new Row(r.getString(1), r.getString(2), TrialStatus.valueOf(r.getString(3)), r.getString(4), r.getString(5),
                                r.getInt(6), r.getString(7)))
                        : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Records a trial as RUNNING (new, or again after a crash or a config change). */
    public void start(Path runDir, String experiment, String label, String hash, String config, String runKey) {
        start(runDir, experiment, label, hash, config, runKey, null, null);
    }

    /** Records a trial as RUNNING in worker (a host and process), as a trial of sweepKey (null outside a sweep). */
    public void start(Path runDir, String experiment, String label, String hash, String config, String runKey, String sweepKey,
            String worker) {
        Timestamp now = Timestamp.from(Instant.now());
        upsert(runDir,
                "UPDATE TRIAL SET EXPERIMENT = ?, LABEL = ?, CONFIG_HASH = ?, CONFIG = ?, STATUS = ?, RUN_KEY = ?, STARTED = ?, ERROR = NULL,"
                        + " FINISHED = NULL, SWEEP_KEY = COALESCE(?, SWEEP_KEY), WORKER = ? WHERE RUN_DIR = ?",
                new Object[] {experiment, label, hash, config, TrialStatus.RUNNING.name(), runKey, now, sweepKey, worker, key(runDir)},
                "INSERT INTO TRIAL (RUN_DIR, EXPERIMENT, LABEL, CONFIG_HASH, CONFIG, STATUS, RUN_KEY, STARTED, SWEEP_KEY, WORKER)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                new Object[] {key(runDir), experiment, label, hash, config, TrialStatus.RUNNING.name(), runKey, now, sweepKey, worker});
    }

    /**
     * Records a submitted trial as QUEUED in its sweep. A trial the database knows already (failed, or
     * left running by a crash) keeps its MLflow run key and checkpoints, so the worker that takes it
     * continues it.
     */
    public void queue(Path runDir, String experiment, String label, String hash, String config, String sweepKey, int index) {
        upsert(runDir,
                "UPDATE TRIAL SET EXPERIMENT = ?, LABEL = ?, CONFIG_HASH = ?, CONFIG = ?, STATUS = ?, ERROR = NULL, FINISHED = NULL,"
                        + " SWEEP_KEY = ?, TRIAL_INDEX = ?, WORKER = NULL WHERE RUN_DIR = ?",
                new Object[] {experiment, label, hash, config, TrialStatus.QUEUED.name(), sweepKey, index, key(runDir)},
                "INSERT INTO TRIAL (RUN_DIR, EXPERIMENT, LABEL, CONFIG_HASH, CONFIG, STATUS, SWEEP_KEY, TRIAL_INDEX)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                new Object[] {key(runDir), experiment, label, hash, config, TrialStatus.QUEUED.name(), sweepKey, index});
    }

    /** Counts a trial that had already finished (with the same config) as a trial of sweepKey, at index. */
    public void adopt(Path runDir, String sweepKey, int index) {
        update("UPDATE TRIAL SET SWEEP_KEY = ?, TRIAL_INDEX = ? WHERE RUN_DIR = ?", sweepKey, index, key(runDir));
    }

    /** UPDATE, or INSERT when there was no row, in one transaction (both databases; no dialect's MERGE). */
    private void upsert(Path runDir, String update, Object[] updateArgs, String insert, Object[] insertArgs) {
        try (Connection c = connect()) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                if (execute(c, update, updateArgs) == 0) {
                    execute(c, insert, insertArgs);
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(auto);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("state database: cannot record trial " + runDir + ": " + e.getMessage(), e);
        }
    }

    /**
     * The MLflow run key of the sweep of this experiment and identity, the newest one: an unfinished one (a
     * crash or kill left it RUNNING) before any that ended ({@link #reopenSweep} continues one of those).
     */
    public Optional<String> openSweep(String experiment, String configHash) {
        try (Connection c = connect(); PreparedStatement p = prepare(c, "SELECT RUN_KEY, STATUS FROM SWEEP WHERE EXPERIMENT = ? AND CONFIG_HASH = ?"
                + " ORDER BY CASE WHEN STATUS = ? THEN 0 ELSE 1 END, STARTED DESC", experiment, configHash, TrialStatus.RUNNING.name());
                ResultSet r = p.executeQuery()) {
            return r.next() ? Optional.of(r.getString(1)) : Optional.empty();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A sweep that ended is RUNNING again: the same sweep run again (its finished trials are reused or scored). */
    public void reopenSweep(String runKey) {
        update("UPDATE SWEEP SET STATUS = ?, FINISHED = NULL WHERE RUN_KEY = ?", TrialStatus.RUNNING.name(), runKey);
    }

    public void startSweep(String runKey, String experiment, String configHash) {
        update("INSERT INTO SWEEP (RUN_KEY, EXPERIMENT, CONFIG_HASH, STATUS, STARTED) VALUES (?, ?, ?, ?, ?)",
                runKey, experiment, configHash, TrialStatus.RUNNING.name(), Timestamp.from(Instant.now()));
    }

    public void finishSweep(String runKey, TrialStatus status) {
        update("UPDATE SWEEP SET STATUS = ?, FINISHED = ? WHERE RUN_KEY = ?", status.name(), Timestamp.from(Instant.now()), runKey);
    }

    /**
     * Ends a sweep that is still RUNNING; true for the one caller that ended it (the row is updated only
     * while it says RUNNING, so of several workers ending their last trials at once exactly one succeeds).
     */
    public boolean endSweep(String runKey, TrialStatus status) {
        return update("UPDATE SWEEP SET STATUS = ?, FINISHED = ? WHERE RUN_KEY = ? AND STATUS = ?", status.name(),
                Timestamp.from(Instant.now()), runKey, TrialStatus.RUNNING.name()) == 1;
    }

    /** A sweep by its key (the parent run key). */
    public Optional<Sweep> sweep(String runKey) {
        List<Sweep> found = sweeps("SELECT RUN_KEY, EXPERIMENT, STATUS, STARTED, FINISHED FROM SWEEP WHERE RUN_KEY = ?", runKey);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    /** The sweeps whose key starts with prefix (a sweep id may be given shortened), newest first. */
    public List<Sweep> sweepsStartingWith(String prefix) {
        return sweeps("SELECT RUN_KEY, EXPERIMENT, STATUS, STARTED, FINISHED FROM SWEEP WHERE RUN_KEY LIKE ? ORDER BY STARTED DESC",
                prefix.replace("%", "").replace("_", "") + "%");
    }

    /** The sweeps still RUNNING, newest first; when none is, the newest one (if any). */
    public List<Sweep> openSweeps() {
        List<Sweep> open = sweeps("SELECT RUN_KEY, EXPERIMENT, STATUS, STARTED, FINISHED FROM SWEEP WHERE STATUS = ? ORDER BY STARTED DESC",
                TrialStatus.RUNNING.name());
        if (!open.isEmpty()) {
            return open;
        }
        List<Sweep> all = sweeps("SELECT RUN_KEY, EXPERIMENT, STATUS, STARTED, FINISHED FROM SWEEP ORDER BY STARTED DESC");
        return all.isEmpty() ? List.of() : List.of(all.get(0));
    }

    private List<Sweep> sweeps(String sql, Object... args) {
        try (Connection c = connect(); PreparedStatement p = prepare(c, sql, args); ResultSet r = p.executeQuery()) {
            List<Sweep> out = new ArrayList<>();
            while (r.next()) {
                out.add(new Sweep(r.getString(1), r.getString(2), TrialStatus.valueOf(r.getString(3)), instant(r.getTimestamp(4)),
                        instant(r.getTimestamp(5))));
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("state database: " + e.getMessage(), e);
        }
    }

    /** The trials of a sweep, in sweep order (those run by a plain {@code cddpm run} have no place: last, by label). */
    public List<Entry> trials(String sweepKey) {
        try (Connection c = connect(); PreparedStatement p = prepare(c, "SELECT TRIAL_INDEX, LABEL, STATUS, WORKER, LAST_EPOCH, RUN_KEY,"
                + " ERROR, RUN_DIR FROM TRIAL WHERE SWEEP_KEY = ? ORDER BY TRIAL_INDEX, LABEL", sweepKey); ResultSet r = p.executeQuery()) {
            List<Entry> out = new ArrayList<>();
            while (r.next()) {
                int index = r.getInt(1);
                out.add(new Entry(r.wasNull() ? -1 : index, r.getString(2), TrialStatus.valueOf(r.getString(3)), r.getString(4), r.getInt(5),
                        r.getString(6), r.getString(7), r.getString(8)));
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("state database: " + e.getMessage(), e);
        }
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

    private int update(String sql, Object... args) {
        try (Connection c = connect()) {
            return execute(c, sql, args);
        } catch (SQLException e) {
            throw new IllegalStateException("state database: " + e.getMessage(), e);
        }
    }

    private static int execute(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement p = prepare(c, sql, args)) {
            return p.executeUpdate();
        }
    }

    private static PreparedStatement prepare(Connection c, String sql, Object... args) throws SQLException {
        PreparedStatement p = c.prepareStatement(sql);
        for (int i = 0; i < args.length; i++) {
            if (args[i] == null) {
                p.setNull(i + 1, java.sql.Types.VARCHAR); // only text columns are ever set to NULL here
            } else {
                p.setObject(i + 1, args[i]);
            }
        }
        return p;
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    private static String key(Path runDir) {
        return runDir.toAbsolutePath().normalize().toString();
    }
}
