package com.helloapi.database;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import com.zaxxer.hikari.HikariDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.datasource.DelegatingDataSource;
import org.springframework.jdbc.datasource.SmartDataSource;

/**
 * The pool as the application sees it, with a limit on how long a connection may be held. A connection still out
 * after {@code DB_HOLD_TIMEOUT} (the database or the network stopped answering mid-query) is aborted: its socket is
 * closed, the blocked query fails with an I/O error (answered 503) and the pool replaces the connection.
 * <p>
 * pgjdbc's socketTimeout would guard the same case read by read, but on virtual threads every read then arms and
 * cancels a JDK timer, which cost about 12 % of a GET's throughput (README, Performance). Here a borrow costs one
 * map entry, and one thread looks over the borrowed connections a few times per timeout.
 */
final class HoldTimeoutDataSource extends DelegatingDataSource implements SmartDataSource, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HoldTimeoutDataSource.class);

    private final HikariDataSource pool;

    private final Duration timeout;

    private final Map<Connection, Long> borrowedAt = new ConcurrentHashMap<>();

    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "db-hold-watchdog");
        thread.setDaemon(true);
        return thread;
    });

    HoldTimeoutDataSource(HikariDataSource pool, Duration timeout) {
        super(pool);
        this.pool = pool;
        this.timeout = timeout;
        // Aborts between the timeout and a quarter (at most a second) past it.
        long period = Math.max(50, Math.min(timeout.toMillis() / 4, 1000));
        watchdog.scheduleWithFixedDelay(this::abortOverdue, period, period, TimeUnit.MILLISECONDS);
    }

    @Override
    public Connection getConnection() throws SQLException {
        return borrowed(super.getConnection());
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return borrowed(super.getConnection(username, password));
    }

    private Connection borrowed(Connection connection) {
        borrowedAt.put(connection, System.nanoTime());
        return connection;
    }

    /**
     * Spring's {@code DataSourceUtils} asks this just before it closes a connection it took from here (every
     * JdbcTemplate and transaction does), so most connections leave the map as they go back to the pool. Those closed
     * by other code (Flyway) are found closed by the watchdog.
     */
    @Override
    public boolean shouldClose(Connection connection) {
        borrowedAt.remove(connection);
        return true;
    }

    private void abortOverdue() {
        long now = System.nanoTime();
        borrowedAt.forEach((connection, since) -> {
            try {
                if (connection.isClosed()) {
                    borrowedAt.remove(connection);
                }
                else if (now - since > timeout.toNanos()) {
                    log.warn("Aborting a database connection held for {} ms, longer than DB_HOLD_TIMEOUT ({}): the "
                            + "database or the network stopped answering", (now - since) / 1_000_000, timeout);
                    connection.abort(Runnable::run);
                    borrowedAt.remove(connection);
                }
            }
            catch (SQLException | RuntimeException ex) {
                // The next look tries again; an exception here would cancel the watchdog for good.
                log.warn("Could not abort an overdue database connection", ex);
            }
        });
    }

    /** Connections borrowed and not yet seen back. */
    int borrowedCount() {
        return borrowedAt.size();
    }

    @Override
    public void close() {
        watchdog.shutdownNow();
        pool.close();
    }
}
