package com.helloapi.users;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.helloapi.testing.TestDatabase;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

import static org.assertj.core.api.Assertions.assertThat;

/** Migrations are safe when several tasks start at once, and never destroy data. */
class MigrationsIntegrationTest {

    @Test
    void tasksStartingAtOnceMigrateOnceWithoutErrors() throws Exception {
        TestDatabase server = TestDatabase.shared();
        String url = server.createDatabase();
        Callable<Integer> task = () -> Flyway.configure()
            .dataSource(url, server.username(), server.password())
            .locations("classpath:db/migration")
            .load()
            .migrate()
            .migrationsExecuted;

        ExecutorService tasks = Executors.newFixedThreadPool(4);
        List<Future<Integer>> results = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            results.add(tasks.submit(task));
        }
        int executed = 0;
        for (Future<Integer> result : results) {
            executed += result.get(60, TimeUnit.SECONDS);
        }
        tasks.shutdown();

        int migrations = migrationScripts().size();
        assertThat(executed).as("each migration ran exactly once across all tasks").isEqualTo(migrations);
        try (Connection connection = DriverManager.getConnection(url, server.username(), server.password());
                ResultSet rows = connection.createStatement()
                    .executeQuery("SELECT count(*) FROM flyway_schema_history WHERE success")) {
            rows.next();
            assertThat(rows.getInt(1)).isEqualTo(migrations);
        }
    }

    @Test
    void migrationsNeverDropOrDeleteData() throws IOException {
        for (Resource script : migrationScripts()) {
            String sql = script.getContentAsString(StandardCharsets.UTF_8).toUpperCase();
            assertThat(sql).as(script.getFilename())
                .doesNotContainPattern("DROP\\s+(TABLE|COLUMN|SCHEMA|DATABASE)")
                .doesNotContainPattern("TRUNCATE|DELETE\\s+FROM");
        }
    }

    static List<Resource> migrationScripts() throws IOException {
        return List.of(new PathMatchingResourcePatternResolver().getResources("classpath:db/migration/*.sql"));
    }
}
