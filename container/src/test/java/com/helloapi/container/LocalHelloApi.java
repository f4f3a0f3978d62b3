package com.helloapi.container;

import java.nio.file.Path;

import com.helloapi.testing.TestDatabase;

/**
 * Runs HelloAPI on a developer's machine with nothing installed but a JDK:
 * {@code ./mvnw -pl container -am -DskipTests test-compile spring-boot:test-run}. Unless DB_HOST is set, it starts an
 * embedded PostgreSQL 15 that keeps its data in {@code .data/postgres} across restarts. It lives with the tests so
 * that the embedded database never ships in the production jar.
 */
public final class LocalHelloApi {

    private LocalHelloApi() {
    }

    public static void main(String[] args) {
        String host = System.getenv("DB_HOST");
        if (host == null || host.isBlank()) {
            Path data = Path.of(".data", "postgres").toAbsolutePath();
            TestDatabase database = TestDatabase.startEmbedded(data);
            database.properties().forEach((key, value) -> System.setProperty(key, String.valueOf(value)));
            System.out.println("HelloAPI local run: embedded PostgreSQL 15 on localhost:" + database.port()
                    + ", data kept in " + data + " (delete it to start afresh; set DB_HOST to use another server)");
        }
        String secret = System.getenv("SECRET_KEY");
        if (secret == null || secret.isBlank()) {
            System.setProperty("helloapi.cursor-secret", "local-development-cursor-key-not-for-production");
        }
        if (System.getenv("LOG_FORMAT") == null) {
            // Plain text logs on a terminal; deployments log JSON lines.
            System.setProperty("LOG_FORMAT", "");
        }
        HelloApiContainer.main(args);
    }
}
