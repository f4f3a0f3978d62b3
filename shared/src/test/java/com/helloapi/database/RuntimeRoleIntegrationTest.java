package com.helloapi.database;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

import com.helloapi.testing.TestDatabase;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The role the serving tasks log in as ({@code helloapi_app}, made by the migrations) reads and writes users' rows
 * and can change nothing else: no DDL, no other table, no roles. A bug or an injection in the API cannot drop the
 * schema.
 */
class RuntimeRoleIntegrationTest {

    static final String PASSWORD = "runtime-role-test-password";

    static TestDatabase database;

    @BeforeAll
    static void migrateAsTheOwnerAndGiveTheRoleAPassword() throws SQLException {
        database = TestDatabase.shared();
        Flyway.configure()
            .dataSource(database.jdbcUrl(), database.username(), database.password())
            .locations("classpath:db/migration")
            .load()
            .migrate();
        try (Connection owner = database.connect(); Statement statement = owner.createStatement()) {
            // What Secrets Manager's rotation does; on a server with trust authentication it changes nothing.
            statement.execute("ALTER ROLE helloapi_app PASSWORD '" + PASSWORD + "'");
        }
    }

    static Connection runtime() throws SQLException {
        return DriverManager.getConnection(database.jdbcUrl(), "helloapi_app", PASSWORD);
    }

    @Test
    void readsAndWritesUsers() throws SQLException {
        try (Connection connection = runtime(); Statement statement = connection.createStatement()) {
            connection.setAutoCommit(false);
            statement.executeUpdate("INSERT INTO users (name, email) VALUES ('Role', 'role-test@example.com')");
            assertThat(statement.executeUpdate("UPDATE users SET name = 'Roles' WHERE email = 'role-test@example.com'"))
                .isOne();
            assertThat(statement.executeQuery("SELECT count(*) FROM users WHERE name = 'Roles'").next()).isTrue();
            assertThat(statement.executeUpdate("DELETE FROM users WHERE email = 'role-test@example.com'")).isOne();
            connection.rollback();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "DROP TABLE users", "ALTER TABLE users ADD COLUMN nickname text",
            "ALTER TABLE users DROP COLUMN email", "TRUNCATE users", "CREATE TABLE stolen (x int)",
            "DROP INDEX users_email_lower_key", "DELETE FROM flyway_schema_history", "SELECT * FROM flyway_schema_history",
            "CREATE ROLE intruder LOGIN", "ALTER ROLE helloapi_app CREATEROLE", "DROP SCHEMA public CASCADE",
            "CREATE SCHEMA intruder", "ALTER TABLE users OWNER TO helloapi_app" })
    void cannotChangeTheSchemaOrReachBeyondUsers(String sql) throws SQLException {
        try (Connection connection = runtime(); Statement statement = connection.createStatement()) {
            assertThatExceptionOfType(SQLException.class).isThrownBy(() -> statement.execute(sql))
                .satisfies(ex -> assertThat(ex.getSQLState()).as(ex.getMessage())
                    // insufficient_privilege, or must be owner of the object
                    .isIn("42501"));
        }
    }

    @Test
    void isNoSuperuserAndCannotCreateRolesOrDatabases() throws SQLException {
        try (Connection connection = runtime(); Statement statement = connection.createStatement()) {
            var row = statement.executeQuery(
                    "SELECT rolsuper, rolcreaterole, rolcreatedb, rolbypassrls FROM pg_roles WHERE rolname = current_user");
            assertThat(row.next()).isTrue();
            assertThat(row.getBoolean(1)).isFalse();
            assertThat(row.getBoolean(2)).isFalse();
            assertThat(row.getBoolean(3)).isFalse();
            assertThat(row.getBoolean(4)).isFalse();
        }
    }
}
