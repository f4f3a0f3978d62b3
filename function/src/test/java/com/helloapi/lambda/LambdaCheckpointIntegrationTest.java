package com.helloapi.lambda;

import java.sql.SQLException;

import javax.sql.DataSource;

import com.helloapi.contract.HttpExchange.Request;
import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Test;

import org.springframework.boot.jdbc.HikariCheckpointRestoreLifecycle;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What SnapStart does around the snapshot, step by step without a CRaC JVM: the handler's hook primes the request
 * path, Spring Boot's Hikari lifecycle (which Spring stops at checkpoint and starts at restore) closes every
 * connection, and after restore the next request opens a new one.
 */
class LambdaCheckpointIntegrationTest {

    @Test
    void primesThenClosesConnectionsBeforeTheSnapshotAndReopensAfterRestore() throws SQLException {
        LambdaHandler handler = LambdaTargets.handler();
        ConfigurableApplicationContext context = handler.applicationContext();
        HikariDataSource pool = context.getBean(DataSource.class).unwrap(HikariDataSource.class);
        HikariCheckpointRestoreLifecycle hikari = context.getBean(HikariCheckpointRestoreLifecycle.class);

        assertThat(handler.prime()).isEqualTo(200);
        assertThat(pool.getHikariPoolMXBean().getTotalConnections()).isPositive();

        hikari.stop();
        assertThat(pool.getHikariPoolMXBean().getTotalConnections()).isZero();

        hikari.start();
        assertThat(LambdaTargets.httpApi().send(Request.of("GET", "/api/users/")).status()).isEqualTo(200);
        assertThat(pool.getHikariPoolMXBean().getTotalConnections()).isPositive();
    }
}
