package com.helloapi.database;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;

import com.helloapi.testing.TestDatabase;
import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/** The hold timeout against a real PostgreSQL: what it aborts, and what it leaves alone. */
class HoldTimeoutDataSourceIntegrationTest {

    private static final Duration TIMEOUT = Duration.ofMillis(500);

    private HoldTimeoutDataSource dataSource;

    private JdbcTemplate jdbc;

    @BeforeEach
    void onePooledConnection() {
        TestDatabase database = TestDatabase.shared();
        HikariDataSource pool = new HikariDataSource();
        pool.setJdbcUrl(database.jdbcUrl());
        pool.setUsername(database.username());
        pool.setPassword(database.password());
        pool.setMaximumPoolSize(1);
        dataSource = new HoldTimeoutDataSource(pool, TIMEOUT);
        jdbc = new JdbcTemplate(dataSource);
    }

    @AfterEach
    void close() {
        dataSource.close();
    }

    @Test
    void aQueryHoldingItsConnectionTooLongFailsAndThePoolReplacesTheConnection() {
        int backend = backendPid();
        long start = System.nanoTime();

        assertThatExceptionOfType(DataAccessResourceFailureException.class)
            .isThrownBy(() -> jdbc.execute("SELECT pg_sleep(10)"));
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        // Between the timeout and the watchdog's next look after it, with room for a slow machine.
        assertThat(took).isBetween(TIMEOUT, TIMEOUT.multipliedBy(6));
        assertThat(backendPid()).isNotEqualTo(backend);
        assertThat(dataSource.borrowedCount()).isZero();
    }

    @Test
    void connectionsGivenBackInTimeAreNeverAborted() throws InterruptedException {
        int backend = backendPid();
        for (int i = 0; i < 100; i++) {
            assertThat(jdbc.queryForObject("SELECT ?", Integer.class, i)).isEqualTo(i);
        }
        assertThat(dataSource.borrowedCount()).isZero();

        Thread.sleep(TIMEOUT.multipliedBy(3).toMillis());

        assertThat(backendPid()).isEqualTo(backend);
    }

    @Test
    void aConnectionClosedOutsideSpringIsForgottenNotAborted() throws SQLException {
        int backend = backendPid();
        try (Connection connection = dataSource.getConnection()) {
            assertThat(connection.isValid(1)).isTrue();
        }
        assertThat(dataSource.borrowedCount()).isOne();

        await().atMost(TIMEOUT.multipliedBy(4)).until(() -> dataSource.borrowedCount() == 0);

        assertThat(backendPid()).isEqualTo(backend);
    }

    private int backendPid() {
        return jdbc.queryForObject("SELECT pg_backend_pid()", Integer.class);
    }
}
