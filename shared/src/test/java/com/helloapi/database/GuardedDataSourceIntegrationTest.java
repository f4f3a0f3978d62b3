package com.helloapi.database;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.helloapi.testing.TestDatabase;
import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/** The queue in front of the pool and the hold timeout, against a real PostgreSQL. */
@ExtendWith(OutputCaptureExtension.class)
class GuardedDataSourceIntegrationTest {

    private static final Duration HOLD_TIMEOUT = Duration.ofMillis(500);

    private static final Duration WAIT_TIMEOUT = Duration.ofMillis(500);

    private GuardedDataSource dataSource;

    private JdbcTemplate jdbc;

    @AfterEach
    void close() {
        dataSource.close();
    }

    @Test
    void aQueryHoldingItsConnectionTooLongFailsAndThePoolReplacesTheConnection() {
        pool(1, HOLD_TIMEOUT);
        int backend = backendPid();
        long start = System.nanoTime();

        assertThatExceptionOfType(DataAccessResourceFailureException.class)
            .isThrownBy(() -> jdbc.execute("SELECT pg_sleep(10)"));
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        // Between the timeout and the watchdog's next look after it, with room for a slow machine.
        assertThat(took).isBetween(HOLD_TIMEOUT, HOLD_TIMEOUT.multipliedBy(6));
        assertThat(backendPid()).isNotEqualTo(backend);
        assertThat(dataSource.borrowedCount()).isZero();
    }

    @Test
    void connectionsGivenBackInTimeAreNeverAborted() throws InterruptedException {
        pool(1, HOLD_TIMEOUT);
        int backend = backendPid();
        for (int i = 0; i < 100; i++) {
            assertThat(jdbc.queryForObject("SELECT ?", Integer.class, i)).isEqualTo(i);
        }
        assertThat(dataSource.borrowedCount()).isZero();

        Thread.sleep(HOLD_TIMEOUT.multipliedBy(3).toMillis());

        assertThat(backendPid()).isEqualTo(backend);
    }

    @Test
    void aConnectionClosedOutsideSpringIsGivenBackNotAborted(CapturedOutput output) throws SQLException {
        pool(1, HOLD_TIMEOUT);
        try (Connection connection = dataSource.getConnection()) {
            assertThat(connection.isValid(1)).isTrue();
        }
        assertThat(dataSource.borrowedCount()).isOne();

        await().atMost(HOLD_TIMEOUT.multipliedBy(4)).until(() -> dataSource.borrowedCount() == 0);

        assertThat(backendPid()).isPositive();
        assertThat(output).doesNotContain("Aborting");
    }

    @Test
    void aMigrationMayHoldItsConnectionLongerThanTheHoldTimeout(CapturedOutput output) {
        pool(1, HOLD_TIMEOUT);

        dataSource.withoutHoldLimit(() -> jdbc.execute("SELECT pg_sleep(1.5)"));

        assertThat(output).doesNotContain("Aborting");
        assertThat(dataSource.borrowedCount()).isZero();
    }

    @Test
    void aBorrowerWaitsForTheConnectionAndGetsItWhenItIsGivenBack() throws Exception {
        pool(1, Duration.ZERO);
        Connection held = DataSourceUtils.getConnection(dataSource);

        CompletableFuture<Integer> waiting = CompletableFuture.supplyAsync(this::backendPid);
        await().atMost(Duration.ofSeconds(2)).until(() -> dataSource.waiting() == 1);
        assertThat(waiting).isNotDone();
        DataSourceUtils.releaseConnection(held, dataSource);

        assertThat(waiting.get(2, TimeUnit.SECONDS)).isPositive();
        assertThat(dataSource.borrowedCount()).isZero();
    }

    @Test
    @Timeout(10)
    void aBorrowerWaitingLongerThanTheConnectionTimeoutFailsAndLeavesNoTrace() {
        pool(1, Duration.ZERO);
        Connection held = DataSourceUtils.getConnection(dataSource);
        long start = System.nanoTime();

        assertThatExceptionOfType(CannotGetJdbcConnectionException.class).isThrownBy(this::backendPid)
            .withRootCauseInstanceOf(SQLTransientConnectionException.class)
            .withStackTraceContaining("No database connection free within");
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(took).isBetween(WAIT_TIMEOUT, WAIT_TIMEOUT.multipliedBy(6));
        assertThat(dataSource.waiting()).isZero();
        DataSourceUtils.releaseConnection(held, dataSource);
        assertThat(backendPid()).isPositive();
        assertThat(dataSource.borrowedCount()).isZero();
    }

    @Test
    void manyBorrowersShareAFewConnectionsAndGiveEveryPlaceBack() throws Exception {
        pool(2, HOLD_TIMEOUT);
        ExecutorService borrowers = Executors.newFixedThreadPool(16);
        try {
            List<Future<Integer>> sums = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                sums.add(borrowers.submit(() -> {
                    int sum = 0;
                    for (int i = 0; i < 100; i++) {
                        sum += jdbc.queryForObject("SELECT ?", Integer.class, i);
                    }
                    return sum;
                }));
            }
            for (Future<Integer> sum : sums) {
                assertThat(sum.get(30, TimeUnit.SECONDS)).isEqualTo(4950);
            }
        }
        finally {
            borrowers.shutdownNow();
        }

        assertThat(dataSource.borrowedCount()).isZero();
        assertThat(dataSource.waiting()).isZero();
        // Exactly two places again: two borrowers get theirs at once, a third waits for one of them.
        Connection first = DataSourceUtils.getConnection(dataSource);
        Connection second = DataSourceUtils.getConnection(dataSource);
        assertThat(dataSource.waiting()).isZero();
        CompletableFuture<Integer> third = CompletableFuture.supplyAsync(this::backendPid);
        await().atMost(Duration.ofSeconds(2)).until(() -> dataSource.waiting() == 1);
        DataSourceUtils.releaseConnection(first, dataSource);
        assertThat(third.get(2, TimeUnit.SECONDS)).isPositive();
        DataSourceUtils.releaseConnection(second, dataSource);
    }

    @Test
    @Timeout(10)
    void closingFailsTheRequestsStillWaiting() {
        pool(1, Duration.ZERO);
        DataSourceUtils.getConnection(dataSource);
        CompletableFuture<Integer> waiting = CompletableFuture.supplyAsync(this::backendPid);
        await().atMost(Duration.ofSeconds(2)).until(() -> dataSource.waiting() == 1);

        dataSource.close();

        assertThat(waiting).failsWithin(Duration.ofSeconds(1)).withThrowableThat()
            .withRootCauseInstanceOf(SQLTransientConnectionException.class);
        assertThatExceptionOfType(SQLTransientConnectionException.class).isThrownBy(dataSource::getConnection);
    }

    private void pool(int size, Duration holdTimeout) {
        TestDatabase database = TestDatabase.shared();
        HikariDataSource pool = new HikariDataSource();
        pool.setJdbcUrl(database.jdbcUrl());
        pool.setUsername(database.username());
        pool.setPassword(database.password());
        pool.setMaximumPoolSize(size);
        pool.setConnectionTimeout(WAIT_TIMEOUT.toMillis());
        dataSource = new GuardedDataSource(pool, holdTimeout);
        jdbc = new JdbcTemplate(dataSource);
    }

    private int backendPid() {
        return jdbc.queryForObject("SELECT pg_backend_pid()", Integer.class);
    }
}
