package com.helloapi.lambda;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

import com.helloapi.settings.InvalidSettingsException;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.util.ClassUtils;
import org.springframework.util.StringUtils;

/**
 * Reads secrets from Secrets Manager at start-up, so that the Lambda function's environment holds only their ARNs:
 * {@code DB_SECRET_ARN} (the RDS-managed master secret, JSON with username and password) becomes
 * {@code db.username} and {@code db.password}, and {@code APP_SECRET_ARN} (a plain string, or JSON with SECRET_KEY)
 * becomes the cursor-signing key. Without those variables (the container, where ECS injects the values) it does
 * nothing. A secret that cannot be read stops the start with one line naming it.
 */
public class SecretsManagerSettings implements EnvironmentPostProcessor, Ordered {

    static final String DB_SECRET_ARN = "DB_SECRET_ARN";

    static final String APP_SECRET_ARN = "APP_SECRET_ARN";

    static final String PROPERTY_SOURCE = "secretsManager";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final @Nullable Function<String, String> secrets;

    public SecretsManagerSettings() {
        this(null);
    }

    /** @param secrets reads a secret's string by ARN; null for Secrets Manager itself */
    SecretsManagerSettings(@Nullable Function<String, String> secrets) {
        this.secrets = secrets;
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        String dbSecret = environment.getProperty(DB_SECRET_ARN);
        String appSecret = environment.getProperty(APP_SECRET_ARN);
        if (!StringUtils.hasText(dbSecret) && !StringUtils.hasText(appSecret)) {
            return;
        }
        Map<String, Object> settings;
        if (this.secrets != null) {
            settings = read(this.secrets, dbSecret, appSecret);
        }
        else {
            if (!ClassUtils.isPresent("software.amazon.awssdk.services.secretsmanager.SecretsManagerClient",
                    SecretsManagerSettings.class.getClassLoader())) {
                throw new InvalidSettingsException(
                        "DB_SECRET_ARN/APP_SECRET_ARN are set but the Secrets Manager client is not on the classpath");
            }
            settings = SecretsManager.read(dbSecret, appSecret);
        }
        environment.getPropertySources().addFirst(new MapPropertySource(PROPERTY_SOURCE, settings));
    }

    /** The settings the two secrets hold. */
    static Map<String, Object> read(Function<String, String> secrets, @Nullable String dbSecret,
            @Nullable String appSecret) {
        Map<String, Object> settings = new LinkedHashMap<>();
        if (StringUtils.hasText(dbSecret)) {
            JsonNode credentials = json(fetch(secrets, DB_SECRET_ARN, dbSecret), DB_SECRET_ARN);
            String username = credentials.path("username").asString("");
            String password = credentials.path("password").asString("");
            if (username.isBlank() || password.isEmpty()) {
                throw new InvalidSettingsException(DB_SECRET_ARN + " secret has no username and password");
            }
            settings.put("db.username", username);
            settings.put("db.password", password);
        }
        if (StringUtils.hasText(appSecret)) {
            String value = fetch(secrets, APP_SECRET_ARN, appSecret);
            if (value.strip().startsWith("{")) {
                value = json(value, APP_SECRET_ARN).path("SECRET_KEY").asString("");
            }
            settings.put("helloapi.cursor-secret", value);
        }
        return settings;
    }

    private static String fetch(Function<String, String> secrets, String variable, String arn) {
        try {
            String value = secrets.apply(arn);
            if (value == null) {
                throw new InvalidSettingsException(variable + " secret " + arn + " has no string value");
            }
            return value;
        }
        catch (InvalidSettingsException ex) {
            throw ex;
        }
        catch (RuntimeException ex) {
            throw new InvalidSettingsException("Cannot read the " + variable + " secret " + arn + ": "
                    + ex.getMessage());
        }
    }

    private static JsonNode json(String secret, String variable) {
        try {
            return JSON.readTree(secret);
        }
        catch (JacksonException ex) {
            // Never quote the secret itself.
            throw new InvalidSettingsException(variable + " secret is not valid JSON");
        }
    }

    /** The AWS SDK part, in a class of its own so that the container, which lacks the SDK, never loads it. */
    private static final class SecretsManager {

        static Map<String, Object> read(@Nullable String dbSecret, @Nullable String appSecret) {
            // The JDK's HTTP client, the region and credentials Lambda puts in the environment; closed once read.
            try (software.amazon.awssdk.services.secretsmanager.SecretsManagerClient client =
                    software.amazon.awssdk.services.secretsmanager.SecretsManagerClient.builder()
                        .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create())
                        .build()) {
                return SecretsManagerSettings.read(
                        arn -> client.getSecretValue(request -> request.secretId(arn)).secretString(), dbSecret,
                        appSecret);
            }
        }
    }
}
