package io.cddpm.schedule;

import java.sql.Connection;
import java.sql.SQLException;
import org.h2.jdbcx.JdbcConnectionPool;
import org.quartz.utils.ConnectionProvider;

/**
 * Quartz's connections to cddpm's H2 state database (Quartz instantiates it from the properties and
 * sets {@link #setUrl}); a plain H2 pool, since no pooling library is needed for one scheduler thread.
 */
public final class H2ConnectionProvider implements ConnectionProvider {
    private String url;
    private JdbcConnectionPool pool;

    public void setUrl(String url) {
        this.url = url;
    }

    @Override
    public void initialize() throws SQLException {
        pool = JdbcConnectionPool.create(url, "", "");
        QuartzTables.ensure(pool);
    }

    @Override
    public Connection getConnection() throws SQLException {
        return pool.getConnection();
    }

    @Override
    public void shutdown() {
        if (pool != null) {
            pool.dispose();
        }
    }
}
