package com.helloapi.security;

import java.util.List;

import com.helloapi.settings.InvalidSettingsException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** CORS_ALLOWED_ORIGINS: none by default, origins as browsers send them, and anything else stops the start. */
class CorsSettingsUnitTest {

    @Test
    void allowsNoOriginByDefault() {
        assertThat(new CorsSettings(null).allowedOrigins()).isEmpty();
        assertThat(new CorsSettings(List.of("")).allowedOrigins()).isEmpty();
    }

    @Test
    void keepsOriginsTrimmed() {
        CorsSettings settings = new CorsSettings(
                List.of(" https://app.example.com", "http://localhost:3000 ", "https://admin.example.com/", "*"));

        assertThat(settings.allowedOrigins()).containsExactly("https://app.example.com", "http://localhost:3000",
                "https://admin.example.com/", "*");
    }

    @Test
    void rejectsWhatIsNotAnOrigin() {
        assertThatExceptionOfType(InvalidSettingsException.class)
            .isThrownBy(() -> new CorsSettings(List.of("https://app.example.com", "app.example.com",
                    "https://app.example.com/path")))
            .withMessageContaining("CORS_ALLOWED_ORIGINS")
            .withMessageContaining("'app.example.com', 'https://app.example.com/path'");
    }
}
