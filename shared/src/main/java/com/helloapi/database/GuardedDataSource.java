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
 * The pool as the application sees it: borrowers queue in a {@link BorrowQueue} for at most the pool's connection
 * timeout, and a connection still held after the hold timeout ({@code DB_STATEMENT_TIMEOUT} and two seconds: the
 * database or the network stopped answering mid-query, where a healthy server would have cancelled it) is aborted: its socket is closed, the blocked query fails with an I/O error (answered 503) and the pool
 * replaces the connection.
 * <p>
 * Both limits are kept by one watchdog thread rather than by a timer per wait or per read. pgjdbc's socketTimeout
 * would guard the held connection read by read, but on virtual threads every read then arms and cancels a JDK timer,
 * and HikariCP's own timed waits are no cheaper: together 15-50 % of a GET's CPU (decision 11).
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

    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(
            daemon("db-watchdog"));

    /** Closing a socket can block (TLS waits for a writer stuck on a silent peer): never on the watchdog's thread. */
    private final ExecutorService aborts = Executors.newCachedThreadPool(daemon("db-abort"));

    /** The thread migrating the schema, whose connections the hold timeout leaves alone. */
    private volatile @Nullable Thread migrating;

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
            boolean limited = !holdTimeout.isZero() && Thread.currentThread() != migrating;
            borrowed.put(connection, new Borrow(System.nanoTime(), limited));
            return connection;
        }
        catch (Throwable ex) {
            queue.leave();
            throw ex;
        }
    }

    /**
     * Runs a schema migration, whose connection is held for all of it: a long one is not a database that stopped
     * answering (each statement still has {@code DB_STATEMENT_TIMEOUT}).
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

    /**
     * Spring's {@code DataSourceUtils} asks this instead of closing a connection it took from here (every
     * JdbcTemplate and transaction does). The connection goes back to the pool before its place goes to the next
     * waiter, who then finds it free in the pool rather than waiting there. Connections closed by other code (Flyway)
     * are found closed by the watchdog.
     */
    @Override
    public boolean shouldClose(Connection connection) {
        Borrow borrow = borrowed.remove(connection);
        try {
            connection.close();
        }
        catch (SQLException ex) {
            // As DataSourceUtils itself treats a failed close: the pool has dealt with the connection.
            log.debug("Could not close a JDBC connection", ex);
        }
        finally {
            if (borrow != null) {
                queue.leave();
            }
        }
        return false;
    }

    private void watch() {
        try {
            queue.expire(waitTimeoutNanos);
            long now = System.nanoTime();
            borrowed.forEach((connection, borrow) -> {
                if (isClosed(connection)) {
                    if (borrowed.remove(connection) != null) {
                        queue.leave();
                    }
                }
                else if (borrow.limited() && now - borrow.since() > holdTimeout.toNanos()
                        // Once: still held until its borrower closes it, so that its place is not given twice.
                        && borrowed.replace(connection, borrow, new Borrow(borrow.since(), false))) {
                    log.warn("Aborting a database connection held for {} ms, longer than its hold timeout ({}): the "
                            + "database or the network stopped answering", (now - borrow.since()) / 1_000_000,
                            holdTimeout);
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

    /** Connections borrowed and not yet given back. */
    int borrowedCount() {
        return borrowed.size();
    }

    @Override
    public int waiting() {
        return queue.waiting();
    }

    /** @param limited whether the hold timeout still applies: not to a migration's, nor to one already aborted */
    private record Borrow(long since, boolean limited) {
    }

    @Override
    public void close() {
        watchdog.shutdownNow();
        queue.close();
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
