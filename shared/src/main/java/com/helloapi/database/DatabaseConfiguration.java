package com.helloapi.database;

import java.security.Security;

import com.zaxxer.hikari.HikariDataSource;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.flyway.autoconfigure.FlywayMigrationStrategy;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The connection pool: HikariCP over the AWS JDBC Wrapper, built from {@link DatabaseSettings} so that deployments
 * set DB_* variables rather than a JDBC URL. Pool sizes and timeouts stay in {@code spring.datasource.hikari.*}.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(DatabaseSettings.class)
class DatabaseConfiguration {

    /** RDS moves its endpoint's DNS name (TTL 5 s) to the standby on failover; the JVM would keep the old address. */
    private static final String DNS_CACHE_TTL = "networkaddress.cache.ttl";

    @Bean
    HikariDataSource dataSource(DatabaseSettings settings, Environment environment) {
        if (Security.getProperty(DNS_CACHE_TTL) == null) {
            Security.setProperty(DNS_CACHE_TTL, "5");
        }
        HikariDataSource pool = new HikariDataSource();
        Binder.get(environment).bind("spring.datasource.hikari", Bindable.ofInstance(pool));
        pool.setJdbcUrl(settings.jdbcUrl());
        pool.setDriverClassName(software.amazon.jdbc.Driver.class.getName());
        if (!settings.usesSecret()) {
            pool.setUsername(settings.username());
            pool.setPassword(settings.password());
        }
        settings.driverProperties().forEach(pool::addDataSourceProperty);
        pool.setMaxLifetime(settings.poolMaxLifetime().toMillis());
        pool.setExceptionOverrideClassName(ReadOnlyServerEviction.class.getName());
        return pool;
    }

    /**
     * Migrates at start-up unless {@code spring.flyway.enabled=false} ({@code DB_MIGRATE=false}), read when the
     * application starts. Under Spring AOT (as the image runs) Flyway's own switch is a condition, fixed when the jar
     * was built; the image's AOT-cache training run, which has no database, needs it to stay a switch. With
     * {@code DB_RUNTIME_SECRET_ARN} (the migration task's), the runtime role then gets its first password.
     */
    @Bean
    FlywayMigrationStrategy migrateUnlessDisabled(Environment environment, DatabaseSettings settings,
            HikariDataSource dataSource) {
        return flyway -> {
            if (environment.getProperty("spring.flyway.enabled", Boolean.class, true)) {
                flyway.migrate();
                String runtimeSecret = environment.getProperty("DB_RUNTIME_SECRET_ARN");
                if (runtimeSecret != null && !runtimeSecret.isBlank()) {
                    RuntimeRolePassword.ensure(settings, runtimeSecret, dataSource);
                }
            }
        };
    }
}
