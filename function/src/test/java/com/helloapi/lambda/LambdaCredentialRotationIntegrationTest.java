package com.helloapi.lambda;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.HashMap;
import java.util.Map;

import com.helloapi.HelloApi;
import com.helloapi.contract.HttpExchange.Request;
import com.helloapi.testing.LocalSecretsManager;
import com.helloapi.testing.PostgresCluster;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

import org.springframework.boot.jdbc.HikariCheckpointRestoreLifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The Lambda function logs in with the credentials of {@code DB_SECRET_ARN}, read by the driver through the real AWS
 * SDK (pointed at a local Secrets Manager stand-in), and keeps working when they rotate: between two events, and
 * across a SnapStart snapshot, whose cached credentials are stale by the time an environment is restored from it.
 * PostgreSQL checks passwords here (scram-sha-256), so stale credentials are refused as they would be on RDS.
 */
class LambdaCredentialRotationIntegrationTest {

    static final String DATABASE = "lambda_rotation";

    static final String ARN = LocalSecretsManager.arn("eu-west-1", "helloapi-runtime-lambda");

    @Test
    void readsRotatedCredentialsBetweenEventsAndAfterARestore() throws Exception {
        assumeTrue(PostgresCluster.isAvailable(), "needs root and PostgreSQL 15's server to make a cluster");
        try (PostgresCluster cluster = PostgresCluster.create(); LocalSecretsManager secrets = LocalSecretsManager.start()) {
            cluster.createDatabase(DATABASE);
            // The ECS stack's migration task migrates as the owner; the function never does (DB_MIGRATE=false).
            Flyway.configure()
                .dataSource(cluster.jdbcUrl(DATABASE), cluster.superuser(), cluster.superuserPassword())
                .locations("classpath:db/migration")
                .load()
                .migrate();
            rotate(cluster, secrets, "first-password-of-the-runtime-role");

            Map<String, String> before = setProperties(Map.of("db.host", cluster.host(), "db.port",
                    String.valueOf(cluster.port()), "db.name", DATABASE, "db.sslmode", "disable", "db.secret-arn",
                    ARN, "DB_MIGRATE", "false", "DB_POOL_SIZE", "1", "aws.region", "eu-west-1",
                    "aws.endpointUrlSecretsManager", secrets.endpoint()));
            LambdaHandler handler = null;
            try {
                handler = new LambdaHandler(HelloApi.class);
                assertThat(status(handler, Request.of("POST", "/api/users/")
                    .json("{\"name\":\"Before\",\"email\":\"before@example.com\"}"))).isEqualTo(201);
                int readsBefore = secrets.reads();

                // Between two events: the password changes and the connection it opened is gone.
                rotate(cluster, secrets, "second-password-of-the-runtime-role");
                cluster.executeIn(DATABASE, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        + " WHERE usename = 'helloapi_app'");
                Thread.sleep(1000);
                assertThat(status(handler, Request.of("GET", "/api/users/?limit=5"))).isEqualTo(200);
                assertThat(secrets.reads()).as("fetched again after the login failed").isGreaterThan(readsBefore);

                // SnapStart: prime and close the pool before the snapshot; the password rotates while it sleeps.
                HikariCheckpointRestoreLifecycle pool = handler.applicationContext()
                    .getBean(HikariCheckpointRestoreLifecycle.class);
                assertThat(handler.prime()).isEqualTo(200);
                pool.stop();
                int readsAtSnapshot = secrets.reads();
                rotate(cluster, secrets, "third-password-of-the-runtime-role");
                pool.start();
                assertThat(status(handler, Request.of("POST", "/api/users/")
                    .json("{\"name\":\"After\",\"email\":\"after@example.com\"}"))).isEqualTo(201);
                assertThat(secrets.reads()).as("fetched again after the restore").isGreaterThan(readsAtSnapshot);
                assertThat(cluster.queryIn(DATABASE, "SELECT count(*) FROM users")).isEqualTo("2");
            }
            finally {
                if (handler != null) {
                    handler.applicationContext().close();
                }
                restore(before);
            }
        }
    }

    /** A single-user rotation: the role's password changes, then the secret does. */
    private static void rotate(PostgresCluster cluster, LocalSecretsManager secrets, String password) {
        cluster.execute("ALTER ROLE helloapi_app PASSWORD '" + password + "'");
        secrets.putCredentials(ARN, "helloapi_app", password);
    }

    private static int status(LambdaHandler handler, Request request) throws Exception {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(LambdaTargets.httpApiEvent(request)), output, null);
        return LambdaTargets.readV2(output.toByteArray()).status();
    }

    /**
     * Configures the function as template.yaml does, plus {@code settings} and the AWS SDK's credentials, through
     * system properties (the SDK reads them when it fetches the secret, not only at start-up).
     *
     * @return the values they had, for {@link #restore}: the other Lambda tests share this JVM
     */
    private static Map<String, String> setProperties(Map<String, String> settings) {
        Map<String, String> all = new HashMap<>(settings);
        all.put("helloapi.cursor-secret", LambdaTargets.CURSOR_SECRET);
        all.put("DB_POOL_MIN_IDLE", "0");
        all.put("DB_POOL_ALLOW_SUSPENSION", "true");
        all.put("aws.accessKeyId", "AKIDLOCALSTANDIN");
        all.put("aws.secretAccessKey", "local-stand-in-secret");
        Map<String, String> before = new HashMap<>();
        all.keySet().forEach(key -> before.put(key, System.getProperty(key)));
        all.forEach(System::setProperty);
        return before;
    }

    private static void restore(Map<String, String> before) {
        before.forEach((key, value) -> {
            if (value == null) {
                System.clearProperty(key);
            }
            else {
                System.setProperty(key, value);
            }
        });
    }
}
