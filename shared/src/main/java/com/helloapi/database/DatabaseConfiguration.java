package com.helloapi.database;

import java.security.Security;
import java.sql.Driver;
import java.util.Properties;

import com.helloapi.settings.InvalidSettingsException;
import com.helloapi.settings.SecretsManagerSecrets;
import com.zaxxer.hikari.HikariDataSource;
import software.amazon.awssdk.core.exception.SdkClientException;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.flyway.autoconfigure.FlywayMigrationStrategy;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;

/**
 * The connection pool: HikariCP over pgjdbc (through the Secrets Manager JDBC driver with {@code DB_SECRET_ARN}),
 * built from {@link DatabaseSettings} so that deployments set DB_* variables rather than a JDBC URL, with borrowers
 * queued and held connections limited by {@link GuardedDataSource}. Pool sizes and timeouts stay in
 * {@code spring.datasource.hikari.*}.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(DatabaseSettings.class)
class DatabaseConfiguration {

    /** RDS moves its endpoint's DNS name (TTL 5 s) to the standby on failover; the JVM would keep the old address. */
    private static final String DNS_CACHE_TTL = "networkaddress.cache.ttl";

    @Bean
    GuardedDataSource dataSource(DatabaseSettings settings, Environment environment) {
        if (Security.getProperty(DNS_CACHE_TTL) == null) {
            Security.setProperty(DNS_CACHE_TTL, "5");
        }
        HikariDataSource pool = new HikariDataSource();
        Binder.get(environment).bind("spring.datasource.hikari", Bindable.ofInstance(pool));
        Driver driver = settings.usesSecret() ? secretsManagerDriver(String.valueOf(settings.secretArn()))
                : new org.postgresql.Driver();
        SimpleDriverDataSource login = new SimpleDriverDataSource(driver, settings.jdbcUrl(), settings.loginUser(),
                settings.loginPassword());
        Properties properties = new Properties();
        properties.putAll(settings.driverProperties());
        login.setConnectionProperties(properties);
        pool.setDataSource(login);
        pool.setMaxLifetime(settings.poolMaxLifetime().toMillis());
        pool.setExceptionOverrideClassName(ReadOnlyServerEviction.class.getName());
        return new GuardedDataSource(pool, settings.holdLimit());
    }

    /**
     * The Secrets Manager JDBC driver. Loading its class makes a default instance with the SDK's default region chain,
     * which fails without {@code AWS_REGION}: reported as a setting, not as a stack trace.
     */
    private static Driver secretsManagerDriver(String secretArn) {
        try {
            return RefreshingSecretCache.driver(SecretsManagerSecrets.clientFor(secretArn));
        }
        catch (ExceptionInInitializerError | NoClassDefFoundError | SdkClientException ex) {
            throw new InvalidSettingsException("DB_SECRET_ARN is set, but the AWS SDK cannot start (set AWS_REGION): "
                    + (ex.getCause() != null ? ex.getCause().getMessage() : ex.getMessage()));
        }
    }

    /**
     * Migrates at start-up unless {@code spring.flyway.enabled=false} ({@code DB_MIGRATE=false}), read when the
     * application starts. Under Spring AOT (as the image runs) Flyway's own switch is a condition, fixed when the jar
     * was built; the image's AOT-cache training run, which has no database, needs it to stay a switch. With
     * {@code DB_RUNTIME_SECRET_ARN} (the migration task's), the runtime role then gets its first password.
     */
    @Bean
    FlywayMigrationStrategy migrateUnlessDisabled(Environment environment, DatabaseSettings settings,
            GuardedDataSource dataSource) {
        return flyway -> {
            if (environment.getProperty("spring.flyway.enabled", Boolean.class, true)) {
                dataSource.withoutHoldLimit(flyway::migrate);
                String runtimeSecret = environment.getProperty("DB_RUNTIME_SECRET_ARN");
                if (runtimeSecret != null && !runtimeSecret.isBlank()) {
                    RuntimeRolePassword.ensure(settings, runtimeSecret, dataSource);
                }
            }
        };
    }
}
