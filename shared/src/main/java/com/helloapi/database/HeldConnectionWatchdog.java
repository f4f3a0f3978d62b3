package com.helloapi.database;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

import com.zaxxer.hikari.HikariDataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.datasource.DelegatingDataSource;
import org.springframework.jdbc.datasource.SmartDataSource;

/**
 * The pool as the application sees it, with one limit: a connection still held after the hold limit (the database or
 * the network stopped answering mid-statement, where a healthy server would have cancelled the statement long before)
 * is aborted: its socket is closed, the blocked statement fails with an I/O error (answered 503) and HikariCP replaces
 * the connection.
 * <p>
 * One watchdog thread keeps the limit for every connection. pgjdbc's {@code socketTimeout} would keep it read by read,
 * but on virtual threads every socket read then arms and cancels a JDK timer, which costs more than 10 % of a GET's
 * CPU (decision 11).
 */
final class HeldConnectionWatchdog extends DelegatingDataSource implements SmartDataSource, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HeldConnectionWatchdog.class);

    private static final long WATCH_PERIOD_MILLIS = 100;

    private final HikariDataSource pool;

    private final long holdLimitNanos;

    /** Each borrowed connection and when it was borrowed; {@code Long.MAX_VALUE} once exempt or aborted. */
    private final Map<Connection, Long> borrowed = new ConcurrentHashMap<>();

    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(
            daemon("db-watchdog"));

    /** Closing a socket can block (TLS waits for a writer stuck on a silent peer): never on the watchdog's thread. */
    private final ExecutorService aborts = Executors.newCachedThreadPool(daemon("db-abort"));

    /** The thread migrating the schema, whose connections the limit leaves alone. */
    private volatile @Nullable Thread migrating;

    HeldConnectionWatchdog(HikariDataSource pool, Duration holdLimit) {
        super(pool);
        this.pool = pool;
        this.holdLimitNanos = holdLimit.toNanos();
        watchdog.scheduleWithFixedDelay(this::watch, WATCH_PERIOD_MILLIS, WATCH_PERIOD_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Override
    public Connection getConnection() throws SQLException {
        Connection connection = super.getConnection();
        borrowed.put(connection, Thread.currentThread() == migrating ? Long.MAX_VALUE : System.nanoTime());
        return connection;
    }

    /** Spring's {@code DataSourceUtils} asks this before it closes a connection (every JdbcTemplate does). */
    @Override
    public boolean shouldClose(Connection connection) {
        borrowed.remove(connection);
        return true;
    }

    /**
     * Runs a schema migration, whose connection is held for all of it: a long migration is not a database that
     * stopped answering (each statement still has {@code DB_STATEMENT_TIMEOUT}).
     */
    void withoutHoldLimit(Runnable migration) {
        migrating = Thread.currentThread();
        try {
            migration.run();
        }
        finally {
            migrating = null;
        }
    }

    private void watch() {
        try {
            long now = System.nanoTime();
            borrowed.forEach((connection, since) -> {
                if (isClosed(connection)) {
                    // Closed by code that does not go through DataSourceUtils (Flyway).
                    borrowed.remove(connection);
                }
                else if (since != Long.MAX_VALUE && now - since > holdLimitNanos
                        && borrowed.replace(connection, since, Long.MAX_VALUE)) {
                    log.warn("Aborting a database connection held for {} ms, longer than {} ms: the database or the "
                            + "network stopped answering", (now - since) / 1_000_000, holdLimitNanos / 1_000_000);
                    aborts.execute(() -> abort(connection));
                }
            });
        }
        catch (Throwable ex) {
            // One exception would cancel the watchdog for good; the next look tries again.
            log.error("The database watchdog failed", ex);
        }
    }

    private static boolean isClosed(Connection connection) {
        try {
            return connection.isClosed();
        }
        catch (SQLException ex) {
            return false;
        }
    }

    private static void abort(Connection connection) {
        try {
            connection.abort(Runnable::run);
        }
        catch (SQLException | RuntimeException ex) {
            log.warn("Could not abort an overdue database connection", ex);
        }
    }

    @Override
    public void close() {
        watchdog.shutdownNow();
        pool.close();
        aborts.shutdown();
    }

    private static ThreadFactory daemon(String name) {
        return task -> {
            Thread thread = new Thread(task, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
