package com.helloapi.lambda;

import java.util.Map;
import java.util.function.Function;

import com.helloapi.settings.InvalidSettingsException;
import com.helloapi.settings.SecretsManagerSecrets;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.util.StringUtils;

/**
 * Reads the cursor-signing key from Secrets Manager at start-up when {@code APP_SECRET_ARN} names it (a plain string,
 * or JSON with SECRET_KEY), so that the Lambda function's environment holds only its ARN. That key never rotates.
 * The database's credentials ({@code DB_SECRET_ARN}) are not read here but by the driver, on every new connection
 * (com.helloapi.database), so that a rotated password reaches running processes. A secret that cannot be read stops
 * the start with one line naming it.
 */
public class SecretsManagerSettings implements EnvironmentPostProcessor, Ordered {

    static final String APP_SECRET_ARN = "APP_SECRET_ARN";

    static final String PROPERTY_SOURCE = "secretsManager";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Function<String, String> secrets;

    public SecretsManagerSettings() {
        this(SecretsManagerSecrets::read);
    }

    /** @param secrets reads a secret's string by ARN */
    SecretsManagerSettings(Function<String, String> secrets) {
        this.secrets = secrets;
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        String appSecret = environment.getProperty(APP_SECRET_ARN);
        if (!StringUtils.hasText(appSecret)) {
            return;
        }
        String value = read(this.secrets, appSecret);
        environment.getPropertySources()
            .addFirst(new MapPropertySource(PROPERTY_SOURCE, Map.of("helloapi.cursor-secret", value)));
    }

    /** The cursor-signing key the secret holds. */
    static String read(Function<String, String> secrets, String appSecret) {
        String value;
        try {
            value = secrets.apply(appSecret);
        }
        catch (RuntimeException ex) {
            throw new InvalidSettingsException("Cannot read the " + APP_SECRET_ARN + " secret " + appSecret + ": "
                    + ex.getMessage());
        }
        if (value == null) {
            throw new InvalidSettingsException(APP_SECRET_ARN + " secret " + appSecret + " has no string value");
        }
        if (value.strip().startsWith("{")) {
            try {
                value = JSON.readTree(value).path("SECRET_KEY").asString("");
            }
            catch (JacksonException ex) {
                // Never quote the secret itself.
                throw new InvalidSettingsException(APP_SECRET_ARN + " secret is not valid JSON");
            }
        }
        return value;
    }
}
