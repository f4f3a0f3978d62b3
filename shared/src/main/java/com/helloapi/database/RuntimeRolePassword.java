package com.helloapi.database;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.Set;

import javax.sql.DataSource;

import com.helloapi.settings.InvalidSettingsException;
import com.helloapi.settings.SecretsManagerSecrets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Gives the runtime role the password its secret ({@code DB_RUNTIME_SECRET_ARN}) holds, when that secret's
 * credentials cannot log in yet: the migrations create the role without one, and Secrets Manager's alternating-users
 * rotation starts only from credentials that work. Run by the migration, as the owner; once a rotation has set the
 * password the login works and nothing changes.
 */
final class RuntimeRolePassword {

    private static final Logger log = LoggerFactory.getLogger(RuntimeRolePassword.class);

    /** The role the migrations create and the clone the rotation alternates with: nothing else is ever altered. */
    private static final Set<String> RUNTIME_ROLES = Set.of("helloapi_app", "helloapi_app_clone");

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private RuntimeRolePassword() {
    }

    static void ensure(DatabaseSettings settings, String secretArn, DataSource owner) {
        JsonNode secret = JSON.readTree(SecretsManagerSecrets.read(secretArn));
        String username = secret.path("username").asString("");
        String password = secret.path("password").asString("");
        if (!RUNTIME_ROLES.contains(username) || password.isEmpty()) {
            throw new InvalidSettingsException("DB_RUNTIME_SECRET_ARN must hold the password of one of "
                    + RUNTIME_ROLES + ", not of '" + username + "'");
        }
        if (canLogIn(settings, username, password)) {
            return;
        }
        try (Connection connection = owner.getConnection();
                PreparedStatement quote = connection.prepareStatement("SELECT quote_literal(?)")) {
            quote.setString(1, password);
            try (ResultSet literal = quote.executeQuery(); Statement alter = connection.createStatement()) {
                literal.next();
                alter.execute("ALTER ROLE " + username + " PASSWORD " + literal.getString(1));
            }
        }
        catch (SQLException ex) {
            throw new IllegalStateException("Could not give " + username + " its password: " + ex.getMessage(), ex);
        }
        log.info("Gave {} the password from DB_RUNTIME_SECRET_ARN: it could not log in yet", username);
    }

    private static boolean canLogIn(DatabaseSettings settings, String username, String password) {
        // pgjdbc itself, not the Secrets Manager driver: that one would log in with DB_SECRET_ARN's owner instead.
        Properties properties = new Properties();
        properties.putAll(settings.tlsProperties());
        properties.setProperty("user", username);
        properties.setProperty("password", password);
        properties.setProperty("connectTimeout", "5");
        try (Connection connection = DriverManager.getConnection(settings.pgjdbcUrl(), properties)) {
            return true;
        }
        catch (SQLException ex) {
            if ("28P01".equals(ex.getSQLState()) || "28000".equals(ex.getSQLState())) {
                return false;
            }
            throw new IllegalStateException("Could not check the runtime role's login: " + ex.getMessage(), ex);
        }
    }
}
