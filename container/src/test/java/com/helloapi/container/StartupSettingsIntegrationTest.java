package com.helloapi.container;

import com.helloapi.HelloApi;
import com.helloapi.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/** A missing or wrong setting stops the start with one clear report, not a wall of stack traces. */
@ExtendWith(OutputCaptureExtension.class)
class StartupSettingsIntegrationTest {

    static final String SECRET = "--helloapi.cursor-secret=a-test-secret-of-some-length";

    /** Starts the application with these settings as command-line arguments, which outrank the environment. */
    void start(String... settings) {
        String[] args = new String[settings.length + 2];
        args[0] = "--db.host=";
        args[1] = "--db.username=";
        System.arraycopy(settings, 0, args, 2, settings.length);
        assertThatException().isThrownBy(
                () -> new SpringApplicationBuilder(HelloApi.class).web(WebApplicationType.NONE).run(args));
    }

    static void assertOneReport(CapturedOutput output, String problem) {
        assertThat(output).contains("APPLICATION FAILED TO START").contains(problem);
        // No stack trace, in plain text or in a JSON log line.
        assertThat(output.getAll()).doesNotContainPattern("\\sat [a-z]+\\.[a-z]+\\.").doesNotContain("stack_trace");
    }

    @Test
    void missingDatabaseHostAndUser(CapturedOutput output) {
        start(SECRET);

        assertOneReport(output, "Invalid settings: DB_HOST is not set; DB_USERNAME is not set (nor DB_SECRET_ARN)");
    }

    @Test
    void unknownSslMode(CapturedOutput output) {
        start(SECRET, "--db.host=localhost", "--db.username=postgres", "--db.sslmode=sometimes");

        assertOneReport(output, "DB_SSLMODE must be one of");
    }

    @Test
    void poolLifetimeShorterThanHikariAccepts(CapturedOutput output) {
        start(SECRET, "--db.host=localhost", "--db.username=postgres", "--db.pool-max-lifetime=10s");

        assertOneReport(output, "DB_POOL_MAX_LIFETIME must be at least 30s, not PT10S");
    }

    @Test
    void secretThatIsNotAnArn(CapturedOutput output) {
        start(SECRET, "--db.host=localhost", "--db.secret-arn=helloapi/db");

        assertOneReport(output, "DB_SECRET_ARN must be a secret's ARN");
    }

    @Test
    void missingSecretKey(CapturedOutput output) {
        TestDatabase database = TestDatabase.shared();
        start("--db.host=localhost", "--db.port=" + database.port(), "--db.username=postgres", "--db.name=postgres",
                "--helloapi.cursor-secret=");

        assertOneReport(output, "SECRET_KEY must be set");
    }

    @Test
    void unreachableDatabase(CapturedOutput output) {
        start(SECRET, "--db.host=127.0.0.1", "--db.port=1", "--db.username=postgres");

        assertOneReport(output, "Cannot use the database");
    }
}
