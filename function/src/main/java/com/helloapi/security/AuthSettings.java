package com.helloapi.security;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;

import com.helloapi.settings.InvalidSettingsException;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Bearer-token authentication, bound from {@code AUTH_ISSUER_URI}, {@code AUTH_AUDIENCE} and
 * {@code AUTH_PROTECT_READS}: off unless an issuer is set.
 */
@ConfigurationProperties("helloapi.auth")
record AuthSettings(@Nullable String issuerUri, @Nullable String audience, boolean protectReads) {

    /** @throws InvalidSettingsException naming every wrong setting */
    AuthSettings {
        issuerUri = blankToNull(issuerUri);
        audience = blankToNull(audience);
        List<String> problems = new ArrayList<>();
        if (issuerUri != null && !isHttpUrl(issuerUri)) {
            problems.add("AUTH_ISSUER_URI must be an https:// (or http://) URL, not '" + issuerUri + "'");
        }
        if (issuerUri == null && audience != null) {
            problems.add("AUTH_AUDIENCE is set but AUTH_ISSUER_URI is not");
        }
        if (issuerUri == null && protectReads) {
            problems.add("AUTH_PROTECT_READS is true but AUTH_ISSUER_URI is not set");
        }
        if (!problems.isEmpty()) {
            throw new InvalidSettingsException(String.join("; ", problems));
        }
    }

    boolean enabled() {
        return issuerUri != null;
    }

    private static @Nullable String blankToNull(@Nullable String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }

    private static boolean isHttpUrl(String value) {
        try {
            URI uri = new URI(value);
            return ("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) && uri.getHost() != null
                    && uri.getQuery() == null && uri.getFragment() == null;
        }
        catch (URISyntaxException ex) {
            return false;
        }
    }
}
