package com.helloapi.database;

import com.zaxxer.hikari.HikariDataSource;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.flyway.autoconfigure.FlywayMigrationStrategy;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The connection pool, built from {@link DatabaseSettings} so that deployments set DB_* variables rather than a JDBC
 * URL. Pool sizes and timeouts stay in {@code spring.datasource.hikari.*}.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(DatabaseSettings.class)
class DatabaseConfiguration {

    @Bean
    @ConfigurationProperties("spring.datasource.hikari")
    HikariDataSource dataSource(DatabaseSettings settings) {
        HikariDataSource dataSource = new HikariDataSource();
        dataSource.setJdbcUrl(settings.jdbcUrl());
        dataSource.setUsername(settings.username());
        dataSource.setPassword(settings.password());
        dataSource.addDataSourceProperty("options", settings.sessionOptions());
        // A network that stops answering mid-query fails the request instead of hanging it. On virtual threads each
        // database read then arms and cancels a JDK timer: measured at about 12 % of a GET's throughput (README).
        dataSource.addDataSourceProperty("connectTimeout", "2");
        dataSource.addDataSourceProperty("socketTimeout", settings.socketTimeoutSeconds());
        return dataSource;
    }

    /**
     * Migrates at start-up unless {@code spring.flyway.enabled=false}, read when the application starts. Under Spring
     * AOT (as the image runs) Flyway's own switch is a condition, fixed when the jar was built; the image's AOT-cache
     * training run, which has no database, needs it to stay a switch.
     */
    @Bean
    FlywayMigrationStrategy migrateUnlessDisabled(Environment environment) {
        return flyway -> {
            if (environment.getProperty("spring.flyway.enabled", Boolean.class, true)) {
                flyway.migrate();
            }
        };
    }
}
