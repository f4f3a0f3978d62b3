package com.helloapi.container;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.helloapi.contract.HttpExchange.Target;
import com.helloapi.contract.UsersContract;
import com.helloapi.testing.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The users contract against the packaged jar as the image starts it: Spring AOT's generated bean definitions
 * ({@code -Dspring.aot.enabled=true}), in its own JVM, on the test database. Run by failsafe once the jar is built.
 */
class AotPackageIntegrationTest extends UsersContract {

    private static Process app;

    private static Path log;

    private static HttpTarget target;

    @BeforeAll
    static void startTheJarInAotMode() throws IOException {
        Path jar = jar();
        assertThat(jar).as("built by package").exists();
        TestDatabase database = TestDatabase.shared();
        int port = GracefulShutdownIntegrationTest.freePort();
        log = Files.createTempFile("helloapi-aot", ".log");
        app = GracefulShutdownIntegrationTest.start(database, port, log, "-Dspring.aot.enabled=true", "-jar",
                jar.toAbsolutePath().toString());
        await().atMost(Duration.ofSeconds(90))
            .until(() -> !app.isAlive()
                    || GracefulShutdownIntegrationTest.status(port, "/actuator/health/readiness") == 200);
        assertThat(app.isAlive()).as("started; its log: %s", log).isTrue();
        target = new HttpTarget(port);
    }

    @AfterAll
    static void stop() throws Exception {
        if (app != null) {
            app.destroy();
            app.waitFor();
        }
    }

    @Override
    protected Target target() {
        return target;
    }

    @Test
    void ranTheAotGeneratedContext() throws IOException {
        assertThat(Files.readString(log)).contains("Starting AOT-processed HelloApiContainer");
    }

    /** What container/Dockerfile does to train the JDK's AOT cache: a start with no database, Flyway switched off. */
    @Test
    void startsWithoutADatabaseWhenMigrationsAreOffAsTheImageTrainingRunDoes() throws Exception {
        Path trainingLog = Files.createTempFile("helloapi-aot-training", ".log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-Dspring.aot.enabled=true",
                "-Dspring.context.exit=onRefresh", "-jar", jar().toAbsolutePath().toString())
            .redirectErrorStream(true)
            .redirectOutput(trainingLog.toFile());
        Map<String, String> env = builder.environment();
        env.put("PORT", String.valueOf(GracefulShutdownIntegrationTest.freePort()));
        env.put("DB_HOST", "localhost");
        env.put("DB_PORT", "1");
        env.put("DB_USERNAME", "aot-training");
        env.put("SECRET_KEY", "aot-training-only-not-a-secret");
        env.put("SPRING_FLYWAY_ENABLED", "false");
        env.put("LOG_FORMAT", "");
        Process training = builder.start();

        assertThat(training.waitFor(90, TimeUnit.SECONDS)).isTrue();
        assertThat(training.exitValue()).as(Files.readString(trainingLog)).isZero();
    }

    private static Path jar() {
        return Path.of(System.getProperty("helloapi.jar", "target/helloapi.jar"));
    }
}
