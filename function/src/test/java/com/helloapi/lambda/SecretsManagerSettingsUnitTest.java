package com.helloapi.lambda;

import java.util.HashMap;
import java.util.Map;

import com.helloapi.settings.InvalidSettingsException;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** The cursor-signing key read at start-up from its ARN, with a map standing in for Secrets Manager. */
class SecretsManagerSettingsUnitTest {

    static final String DB_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-1234";

    static final String APP_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:helloapi-app";

    final Map<String, String> secrets = new HashMap<>(Map.of(APP_ARN, "0123456789abcdef0123456789"));

    @Test
    void turnsTheAppSecretIntoTheCursorKeyAheadOfTheEnvironment() {
        StandardEnvironment environment = environment(Map.<String, Object>of("APP_SECRET_ARN", APP_ARN,
                "helloapi.cursor-secret", "from-environment"));

        new SecretsManagerSettings(this.secrets::get).postProcessEnvironment(environment, new SpringApplication());

        assertThat(environment.getProperty("helloapi.cursor-secret")).isEqualTo("0123456789abcdef0123456789");
    }

    @Test
    void leavesTheDatabaseSecretToTheDriver() {
        StandardEnvironment environment = environment(Map.<String, Object>of("DB_SECRET_ARN", DB_ARN));

        new SecretsManagerSettings(arn -> {
            throw new AssertionError("no secret should be read at start-up");
        }).postProcessEnvironment(environment, new SpringApplication());

        assertThat(environment.getPropertySources().contains(SecretsManagerSettings.PROPERTY_SOURCE)).isFalse();
    }

    @Test
    void readsSecretKeyFromAJsonAppSecretToo() {
        this.secrets.put(APP_ARN, "{\"SECRET_KEY\":\"json-held-key-0123456789\"}");

        assertThat(SecretsManagerSettings.read(this.secrets::get, APP_ARN)).isEqualTo("json-held-key-0123456789");
    }

    @Test
    void rejectsAnAppSecretThatIsNotJsonWithoutQuotingIt() {
        this.secrets.put(APP_ARN, "{\"SECRET_KEY\": hunter2");

        assertThatExceptionOfType(InvalidSettingsException.class)
            .isThrownBy(() -> SecretsManagerSettings.read(this.secrets::get, APP_ARN))
            .withMessageContaining("APP_SECRET_ARN")
            .withMessageNotContaining("hunter2");
    }

    @Test
    void namesTheSecretThatCannotBeRead() {
        assertThatExceptionOfType(InvalidSettingsException.class)
            .isThrownBy(() -> SecretsManagerSettings.read(arn -> {
                throw new IllegalStateException("AccessDeniedException");
            }, APP_ARN))
            .withMessage("Cannot read the APP_SECRET_ARN secret " + APP_ARN + ": AccessDeniedException");
    }

    private static StandardEnvironment environment(Map<String, Object> properties) {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("test", properties));
        return environment;
    }
}
