package com.helloapi.security;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

import com.helloapi.settings.InvalidSettingsException;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The browser origins allowed to call the API, bound from {@code CORS_ALLOWED_ORIGINS} (comma-separated): none by
 * default, {@code *} for any.
 */
@ConfigurationProperties("helloapi.cors")
record CorsSettings(List<String> allowedOrigins) {

    /** An origin as browsers send it: scheme, host and optional port (a trailing slash is forgiven). */
    private static final Pattern ORIGIN = Pattern.compile("https?://[^/\\s?#@]+/?");

    /** @throws InvalidSettingsException naming every origin that is not one */
    CorsSettings {
        List<String> origins = new ArrayList<>();
        List<String> wrong = new ArrayList<>();
        for (String origin : Objects.requireNonNullElse(allowedOrigins, List.<String>of())) {
            String value = origin.strip();
            if (value.equals("*") || ORIGIN.matcher(value).matches()) {
                origins.add(value);
            }
            else if (!value.isEmpty()) {
                wrong.add("'" + value + "'");
            }
        }
        if (!wrong.isEmpty()) {
            throw new InvalidSettingsException("CORS_ALLOWED_ORIGINS must list origins such as https://app.example.com"
                    + " (or *), not " + String.join(", ", wrong));
        }
        allowedOrigins = List.copyOf(origins);
    }
}
