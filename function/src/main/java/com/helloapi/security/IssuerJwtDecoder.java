package com.helloapi.security;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.core.NestedExceptionUtils;
import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtAudienceValidator;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtDecoderInitializationException;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.jwt.SupplierJwtDecoder;
import org.springframework.web.client.RestTemplate;

/**
 * Checks bearer JWTs against an OIDC issuer: signature by a key of the issuer's JWKS, {@code iss}, {@code exp} and
 * {@code nbf} (60 s leeway), and {@code aud} when an audience is required. The issuer's discovery document is read
 * on the first token, not at start-up, so an unreachable issuer never stops the application from starting; a failed
 * discovery is retried on the next token.
 */
final class IssuerJwtDecoder implements JwtDecoder {

    /** Discovery and key fetches fail within this, like the database does, instead of pinning a request thread. */
    static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final String issuerUri;

    private final JwtDecoder delegate;

    IssuerJwtDecoder(String issuerUri, @Nullable String audience) {
        this.issuerUri = issuerUri;
        this.delegate = new SupplierJwtDecoder(() -> discover(issuerUri, audience));
    }

    private static JwtDecoder discover(String issuerUri, @Nullable String audience) {
        SimpleClientHttpRequestFactory requests = new SimpleClientHttpRequestFactory();
        requests.setConnectTimeout(TIMEOUT);
        requests.setReadTimeout(TIMEOUT);
        NimbusJwtDecoder decoder = NimbusJwtDecoder.withIssuerLocation(issuerUri)
            .restOperations(new RestTemplate(requests))
            .build();
        List<OAuth2TokenValidator<Jwt>> validators = new ArrayList<>();
        validators.add(JwtValidators.createDefaultWithIssuer(issuerUri));
        if (audience != null) {
            validators.add(new JwtAudienceValidator(audience));
        }
        decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(validators));
        return decoder;
    }

    /**
     * @throws org.springframework.security.oauth2.jwt.BadJwtException when the token is not acceptable (401)
     * @throws JwtException when the issuer cannot be asked (503)
     */
    @Override
    public Jwt decode(String token) {
        try {
            return delegate.decode(token);
        }
        catch (JwtDecoderInitializationException ex) {
            // Not a verdict on the token: the issuer's configuration could not be read.
            throw new JwtException("the configuration of issuer " + issuerUri + " could not be read: "
                    + NestedExceptionUtils.getMostSpecificCause(ex).getMessage(), ex);
        }
    }
}
