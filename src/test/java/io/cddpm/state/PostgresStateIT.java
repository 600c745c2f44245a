package io.cddpm.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cddpm.core.InvalidInputException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The state database on a real PostgreSQL: settings, credentials, tables made by racing workers, a sweep ended exactly once. */
class PostgresStateIT {
    private static TestPostgres pg;

    @BeforeAll
    static void start() throws Exception {
        pg = TestPostgres.start();
    }

    @AfterAll
    static void stop() throws Exception {
        pg.close();
    }

    @Test
    void badSettingsAreNamedAndPasswordsNeverShown() {
        InvalidInputException other = assertThrows(InvalidInputException.class,
                () -> StateDatabase.openServer("jdbc:mysql://db/cddpm", Map.of()));
        assertTrue(other.getMessage().contains("CDDPM_STATE=jdbc:mysql://db/cddpm") && other.getMessage().contains("jdbc:postgresql://"),
                other.getMessage());
        InvalidInputException inUrl = assertThrows(InvalidInputException.class,
                () -> StateDatabase.openServer(pg.url() + "?user=postgres&password=s3cret", Map.of()));
        assertFalse(inUrl.getMessage().contains("s3cret"), inUrl.getMessage());
        assertTrue(inUrl.getMessage().contains("CDDPM_STATE_PASSWORD"), inUrl.getMessage());
        InvalidInputException unknown = assertThrows(InvalidInputException.class,
                () -> StateDatabase.openServer(pg.url(), Map.of(StateDatabase.USER_ENV, "nobody_here", StateDatabase.PASSWORD_ENV, "s3cret")));
        assertFalse(unknown.getMessage().contains("s3cret"), unknown.getMessage());
        assertTrue(unknown.getMessage().contains("cannot connect"), unknown.getMessage());
    }

    @Test
    void workersStartingTogetherCreateTheTablesAndEndASweepOnce() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<StateDatabase> opened = new ArrayList<>();
        try {
            List<Future<TrialStore>> stores = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                StateDatabase db = StateDatabase.openServer(pg.url(), Map.of(StateDatabase.USER_ENV, TestPostgres.USER));
                assertTrue(db.shared());
                opened.add(db);
                stores.add(pool.submit(() -> new TrialStore(db.dataSource())));
            }
            TrialStore store = stores.get(0).get();
            for (Future<TrialStore> f : stores) {
                f.get(); // none failed on the race to create the tables
            }
            store.startSweep("sweep-1", "exp", "h");
            Path a = Path.of("/shared/runs/exp/a");
            Path b = Path.of("/shared/runs/exp/b");
            store.queue(a, "exp", "a", "h", "config: a", "sweep-1", 0);
            store.queue(b, "exp", "b", "h", "config: b", "sweep-1", 1);
            assertEquals(List.of(TrialStatus.QUEUED, TrialStatus.QUEUED), store.trials("sweep-1").stream().map(TrialStore.Entry::status).toList());
            store.start(a, "exp", "a", "h", "config: a", "run-a", "sweep-1", "host-1");
            store.checkpoint(a, a.resolve("checkpoints/epoch-0002.ckpt"), 2);
            TrialStore.Entry entry = store.trials("sweep-1").get(0);
            assertEquals(List.of(TrialStatus.RUNNING, "host-1", 2, "run-a"), List.of(entry.status(), entry.worker(), entry.lastEpoch(), entry.runKey()));
            store.finish(a);
            store.fail(b, "boom");
            List<Future<Boolean>> enders = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                TrialStore s = stores.get(i).get();
                enders.add(pool.submit(() -> s.endSweep("sweep-1", TrialStatus.FAILED)));
            }
            int ended = 0;
            for (Future<Boolean> f : enders) {
                ended += f.get() ? 1 : 0;
            }
            assertEquals(1, ended, "exactly one worker ends the sweep");
            assertEquals(TrialStatus.FAILED, store.sweep("sweep-1").orElseThrow().status());
            assertEquals("sweep-1", store.sweepsStartingWith("sweep").get(0).key());
        } finally {
            pool.shutdownNow();
            opened.forEach(StateDatabase::close);
        }
    }
}
