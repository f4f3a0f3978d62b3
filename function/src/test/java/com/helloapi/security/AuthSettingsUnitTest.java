package com.helloapi.security;

import com.helloapi.settings.InvalidSettingsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** AUTH_* settings: authentication is off without an issuer, and a setting that cannot work stops the start. */
class AuthSettingsUnitTest {

    @Test
    void isOffWithoutAnIssuer() {
        AuthSettings settings = new AuthSettings("", "", false);

        assertThat(settings.enabled()).isFalse();
        assertThat(settings.issuerUri()).isNull();
        assertThat(settings.audience()).isNull();
    }

    @Test
    void isOnWithAnIssuer() {
        AuthSettings settings = new AuthSettings(
                " https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf ", "client-1", true);

        assertThat(settings.enabled()).isTrue();
        assertThat(settings.issuerUri()).isEqualTo("https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf");
        assertThat(settings.audience()).isEqualTo("client-1");
    }

    @ParameterizedTest
    @ValueSource(strings = { "cognito-idp.eu-west-1.amazonaws.com/pool", "ftp://issuer.example", "https://",
            "https://issuer.example/?x=1", "not a url" })
    void rejectsAnIssuerThatIsNotAnHttpUrl(String issuer) {
        assertThatExceptionOfType(InvalidSettingsException.class).isThrownBy(() -> new AuthSettings(issuer, null, false))
            .withMessageContaining("AUTH_ISSUER_URI must be an https://");
    }

    @Test
    void rejectsProtectedReadsOrAnAudienceWithoutAnIssuer() {
        assertThatExceptionOfType(InvalidSettingsException.class).isThrownBy(() -> new AuthSettings(null, "api", true))
            .withMessage("AUTH_AUDIENCE is set but AUTH_ISSUER_URI is not; "
                    + "AUTH_PROTECT_READS is true but AUTH_ISSUER_URI is not set");
    }
}
