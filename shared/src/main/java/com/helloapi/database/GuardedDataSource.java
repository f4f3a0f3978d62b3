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
 * The pool as the application sees it: borrowers queue in a {@link BorrowQueue} for at most the pool's connection
 * timeout, and a connection still held after {@code DB_HOLD_TIMEOUT} (the database or the network stopped answering
 * mid-query) is aborted: its socket is closed, the blocked query fails with an I/O error (answered 503) and the pool
 * replaces the connection.
 * <p>
 * Both limits are kept by one watchdog thread rather than by a timer per wait or per read. pgjdbc's socketTimeout
 * would guard the held connection read by read, but on virtual threads every read then arms and cancels a JDK timer,
 * which cost about 12 % of a GET's throughput (README, Performance).
 */
final class GuardedDataSource extends DelegatingDataSource
        implements SmartDataSource, ConnectionQueue, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(GuardedDataSource.class);

    private static final long WATCH_PERIOD_MILLIS = 100;

    private final HikariDataSource pool;

    private final BorrowQueue queue;

    private final long waitTimeoutNanos;

    private final Duration holdTimeout;

    private final Map<Connection, Borrow> borrowed = new ConcurrentHashMap<>();

    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "db-watchdog");
        thread.setDaemon(true);
        return thread;
    });

    /** @param holdTimeout zero for no limit */
    GuardedDataSource(HikariDataSource pool, Duration holdTimeout) {
        super(pool);
        this.pool = pool;
        this.queue = new BorrowQueue(pool.getMaximumPoolSize());
        this.waitTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(pool.getConnectionTimeout());
        this.holdTimeout = holdTimeout;
        watchdog.scheduleWithFixedDelay(this::watch, WATCH_PERIOD_MILLIS, WATCH_PERIOD_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Override
    public Connection getConnection() throws SQLException {
        queue.enter();
        try {
            Connection connection = super.getConnection();
            borrowed.put(connection, new Borrow(System.nanoTime(), false));
            return connection;
        }
        catch (SQLException | RuntimeException ex) {
            queue.leave();
            throw ex;
        }
    }

    /**
     * Spring's {@code DataSourceUtils} asks this just before it closes a connection it took from here (every
     * JdbcTemplate and transaction does), so most connections are given back here as they go back to the pool. Those
     * closed by other code (Flyway) are found closed by the watchdog.
     */
    @Override
    public boolean shouldClose(Connection connection) {
        givenBack(connection);
        return true;
    }

    private void givenBack(Connection connection) {
        if (borrowed.remove(connection) != null) {
            queue.leave();
        }
    }

    private void watch() {
        queue.expire(waitTimeoutNanos);
        long now = System.nanoTime();
        borrowed.forEach((connection, borrow) -> {
            try {
                if (connection.isClosed()) {
                    givenBack(connection);
                }
                else if (!borrow.aborted() && !holdTimeout.isZero() && now - borrow.since() > holdTimeout.toNanos()) {
                    log.warn("Aborting a database connection held for {} ms, longer than DB_HOLD_TIMEOUT ({}): the "
                            + "database or the network stopped answering", (now - borrow.since()) / 1_000_000,
                            holdTimeout);
                    connection.abort(Runnable::run);
                    // Still held until its borrower closes it, so that its place in the queue is not given twice.
                    borrowed.replace(connection, borrow, new Borrow(borrow.since(), true));
                }
            }
            catch (SQLException | RuntimeException ex) {
                // The next look tries again; an exception here would cancel the watchdog for good.
                log.warn("Could not abort an overdue database connection", ex);
            }
        });
    }

    /** Connections borrowed and not yet given back. */
    int borrowedCount() {
        return borrowed.size();
    }

    @Override
    public int waiting() {
        return queue.waiting();
    }

    private record Borrow(long since, boolean aborted) {
    }

    @Override
    public void close() {
        watchdog.shutdownNow();
        // Without the watchdog no one would end their wait.
        queue.expire(-1);
        pool.close();
    }
}
