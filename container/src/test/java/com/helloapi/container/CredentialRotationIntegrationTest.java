package com.helloapi.container;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.helloapi.testing.LocalSecretsManager;
import com.helloapi.testing.PostgresCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The password of the role the API logs in as rotates twice under steady load, and no request fails: the API runs as
 * the ECS task runs it (its own JVM, {@code DB_SECRET_ARN} and the AWS SDK's standard environment), the real SDK talks
 * to a local Secrets Manager stand-in, PostgreSQL checks passwords (scram-sha-256), and the pool retires its
 * connections every 30 s, so every connection logs in again after each rotation. Each rotation changes the password
 * first and the secret right after, as a single-user rotation does: the driver's cached credentials then fail, and it
 * must fetch the secret again. Before serving, the migration task's command migrates the schema as the owner, with
 * the owner's secret, and gives the runtime role the password its own secret was created with.
 */
class CredentialRotationIntegrationTest {

    static final String REGION = "eu-west-1";

    static final String DATABASE = "rotation";

    @Test
    void rotatingTwiceUnderLoadFailsNoRequest(@TempDir Path logs) throws Exception {
        assumeTrue(PostgresCluster.isAvailable(), "needs root and PostgreSQL 15's server to make a cluster");
        try (PostgresCluster cluster = PostgresCluster.create(); LocalSecretsManager secrets = LocalSecretsManager.start()) {
            cluster.createDatabase(DATABASE);
            String ownerSecret = LocalSecretsManager.arn(REGION, "rds!db-owner");
            String runtimeSecret = LocalSecretsManager.arn(REGION, "helloapi-runtime");
            secrets.putCredentials(ownerSecret, cluster.superuser(), cluster.superuserPassword());
            // As the stack creates it: a generated password the role does not have yet.
            secrets.putCredentials(runtimeSecret, "helloapi_app", "first-password-of-the-runtime-role");

            Process migration = start(cluster, secrets, ownerSecret, logs.resolve("migrate.log"), "migrate",
                    "DB_RUNTIME_SECRET_ARN", runtimeSecret);
            assertThat(migration.waitFor(90, TimeUnit.SECONDS)).isTrue();
            assertThat(migration.exitValue()).as(Files.readString(logs.resolve("migrate.log"))).isZero();
            assertThat(cluster.queryIn(DATABASE, "SELECT count(*) FROM flyway_schema_history WHERE success"))
                .isEqualTo("2");

            assertThat(Files.readString(logs.resolve("migrate.log"))).contains("Gave helloapi_app the password");
            int port = GracefulShutdownIntegrationTest.freePort();
            Process api = start(cluster, secrets, runtimeSecret, logs.resolve("api.log"), null, "PORT",
                    String.valueOf(port), "DB_MIGRATE", "false", "DB_POOL_MAX_LIFETIME", "30s", "DB_POOL_SIZE", "4",
                    "DB_POOL_MIN_IDLE", "4");
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            ExecutorService load = Executors.newFixedThreadPool(4);
            try {
                await().atMost(Duration.ofSeconds(90))
                    .until(() -> !api.isAlive() || GracefulShutdownIntegrationTest.status(port, "/api/users/") == 200);
                assertThat(api.isAlive()).as(Files.readString(logs.resolve("api.log"))).isTrue();

                AtomicBoolean running = new AtomicBoolean(true);
                AtomicInteger answered = new AtomicInteger();
                ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
                List<Future<?>> clients = new ArrayList<>();
                for (int c = 0; c < 4; c++) {
                    int clientId = c;
                    clients.add(load.submit(() -> {
                        for (int i = 0; running.get(); i++) {
                            HttpRequest request = (i % 4 == 0) ? post(port, clientId, i) : get(port);
                            try {
                                HttpResponse<String> response = client.send(request,
                                        HttpResponse.BodyHandlers.ofString());
                                if (response.statusCode() >= 300) {
                                    failures.add(Instant.now() + " " + request.method() + " "
                                            + response.statusCode() + " " + response.body());
                                }
                                answered.incrementAndGet();
                                Thread.sleep(20);
                            }
                            catch (InterruptedException ex) {
                                return;
                            }
                            catch (Exception ex) {
                                failures.add(Instant.now() + " " + request.method() + " " + ex);
                            }
                        }
                    }));
                }

                Thread.sleep(5_000);
                Instant first = Instant.now();
                rotate(cluster, secrets, runtimeSecret, "second-password-of-the-runtime-role");
                // Past the pool's lifetime (30 s, less up to 2.5 % of it): every connection has logged in again.
                Thread.sleep(35_000);
                assertThat(loginsSince(cluster, first)).as("connections opened after the first rotation").isPositive();
                Instant second = Instant.now();
                rotate(cluster, secrets, runtimeSecret, "third-password-of-the-runtime-role");
                Thread.sleep(35_000);
                assertThat(loginsSince(cluster, second)).as("connections opened after the second rotation")
                    .isPositive();
                running.set(false);
                for (Future<?> each : clients) {
                    each.get(30, TimeUnit.SECONDS);
                }

                assertThat(answered.get()).as("requests answered").isGreaterThan(1000);
                assertThat(failures).as("failed requests; the API logged:\n%s",
                        Files.readString(logs.resolve("api.log"))).isEmpty();
                assertThat(secrets.reads()).as("the secret read again after each rotation").isGreaterThanOrEqualTo(4);
            }
            finally {
                load.shutdownNow();
                api.destroy();
                api.waitFor(30, TimeUnit.SECONDS);
                api.destroyForcibly();
            }
        }
    }

    /** A single-user rotation: the role's password changes, then the secret does. */
    private static void rotate(PostgresCluster cluster, LocalSecretsManager secrets, String arn, String password) {
        cluster.execute("ALTER ROLE helloapi_app PASSWORD '" + password + "'");
        secrets.putCredentials(arn, "helloapi_app", password);
    }

    /** How many of the runtime role's sessions began after a moment. */
    private static int loginsSince(PostgresCluster cluster, Instant since) {
        return Integer.parseInt(cluster.query("SELECT count(*) FROM pg_stat_activity WHERE usename = 'helloapi_app'"
                + " AND backend_start > '" + since + "'::timestamptz"));
    }

    private static HttpRequest get(int port) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/users/?limit=5"))
            .timeout(Duration.ofSeconds(10))
            .build();
    }

    private static HttpRequest post(int port, int client, int i) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/users/"))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"Rotation\",\"email\":\"rotation-" + client + "-" + i
                    + "-" + System.nanoTime() + "@example.com\"}"))
            .build();
    }

    /**
     * The API's JVM with a task's environment: the database's address, the secret's ARN, the AWS SDK's region,
     * credentials and Secrets Manager endpoint (here, the stand-in), then {@code more} as name/value pairs.
     */
    private static Process start(PostgresCluster cluster, LocalSecretsManager secrets, String secretArn, Path log,
            String argument, String... more) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), HelloApiContainer.class.getName()));
        if (argument != null) {
            command.add(argument);
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.directory(new File(System.getProperty("java.io.tmpdir")));
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> name.startsWith("DB_") || name.startsWith("AWS_"));
        env.put("DB_HOST", cluster.host());
        env.put("DB_PORT", String.valueOf(cluster.port()));
        env.put("DB_NAME", DATABASE);
        env.put("DB_SSLMODE", "disable");
        env.put("DB_SECRET_ARN", secretArn);
        env.put("AWS_REGION", REGION);
        env.put("AWS_ACCESS_KEY_ID", "AKIDLOCALSTANDIN");
        env.put("AWS_SECRET_ACCESS_KEY", "local-stand-in-secret");
        env.put("AWS_ENDPOINT_URL_SECRETS_MANAGER", secrets.endpoint());
        env.put("SECRET_KEY", "rotation-test-cursor-secret");
        env.put("LOG_FORMAT", "");
        for (int i = 0; i + 1 < more.length; i += 2) {
            env.put(more[i], more[i + 1]);
        }
        return builder.start();
    }
}
