package com.helloapi.database;

import com.amazonaws.secretsmanager.caching.SecretCache;
import com.amazonaws.secretsmanager.caching.SecretCacheConfiguration;
import com.amazonaws.secretsmanager.sql.AWSSecretsManagerPostgreSQLDriver;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * The Secrets Manager JDBC driver's secret cache, except that a login refused on authentication (the driver calls
 * {@link #refreshNow} on SQLSTATE 28P01 or 28000) reads the secret again at once. The library's own cache waits 2.5 to
 * 5 s first, which after a password rotation leaves the pool without connections and fails requests.
 */
final class RefreshingSecretCache extends SecretCache {

    private final SecretCacheConfiguration configuration;

    private volatile SecretCache current;

    private RefreshingSecretCache(SecretCacheConfiguration configuration) {
        super(configuration);
        this.configuration = configuration;
        this.current = new SecretCache(configuration);
    }

    /** The Secrets Manager JDBC driver for PostgreSQL, reading secrets through {@code client}. */
    static AWSSecretsManagerPostgreSQLDriver driver(SecretsManagerClient client) {
        return new AWSSecretsManagerPostgreSQLDriver(
                new RefreshingSecretCache(new SecretCacheConfiguration().withClient(client)));
    }

    @Override
    public String getSecretString(String secretId) {
        return current.getSecretString(secretId);
    }

    /** Starts an empty cache: the driver's next attempt reads the secret from Secrets Manager. */
    @Override
    public boolean refreshNow(String secretId) {
        current = new SecretCache(configuration);
        return true;
    }

    @Override
    public void close() {
        current.close();
    }
}
