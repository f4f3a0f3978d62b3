package com.helloapi.database;

import com.zaxxer.hikari.HikariDataSource;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.flyway.autoconfigure.FlywayMigrationStrategy;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The connection pool, built from {@link DatabaseSettings} so that deployments set DB_* variables rather than a JDBC
 * URL, and borrowers queued and held connections limited by {@link GuardedDataSource}. Pool sizes and timeouts stay in
 * {@code spring.datasource.hikari.*}.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(DatabaseSettings.class)
class DatabaseConfiguration {

    @Bean
    GuardedDataSource dataSource(DatabaseSettings settings, Environment environment) {
        HikariDataSource pool = new HikariDataSource();
        Binder.get(environment).bind("spring.datasource.hikari", Bindable.ofInstance(pool));
        pool.setJdbcUrl(settings.jdbcUrl());
        pool.setUsername(settings.username());
        pool.setPassword(settings.password());
        pool.addDataSourceProperty("options", settings.sessionOptions());
        pool.addDataSourceProperty("connectTimeout", "2");
        return new GuardedDataSource(pool, settings.holdTimeout());
    }

    /**
     * Migrates at start-up unless {@code spring.flyway.enabled=false}, read when the application starts. Under Spring
     * AOT (as the image runs) Flyway's own switch is a condition, fixed when the jar was built; the image's AOT-cache
     * training run, which has no database, needs it to stay a switch. The migration may hold its connection for longer
     * than {@code DB_HOLD_TIMEOUT}.
     */
    @Bean
    FlywayMigrationStrategy migrateUnlessDisabled(Environment environment, GuardedDataSource dataSource) {
        return flyway -> {
            if (environment.getProperty("spring.flyway.enabled", Boolean.class, true)) {
                dataSource.withoutHoldLimit(flyway::migrate);
            }
        };
    }
}
