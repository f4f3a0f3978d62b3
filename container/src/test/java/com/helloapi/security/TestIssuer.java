package com.helloapi.security;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicInteger;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.jspecify.annotations.Nullable;

/**
 * A local OIDC issuer for tests, like a Cognito user pool on 127.0.0.1: it serves its discovery document and JWKS
 * over HTTP and signs RS256 tokens with its key. One per test JVM, so cached Spring contexts keep reaching it.
 */
final class TestIssuer {

    static final String AUDIENCE = "helloapi-test-client";

    private static final String KEY_ID = "test-key-1";

    private static @Nullable TestIssuer shared;

    private final HttpServer server;

    private final String uri;

    private final RSAKey key;

    /** A key the issuer never published, under the issuer's key id: its signatures must not verify. */
    private final RSAKey stranger;

    private final AtomicInteger requests = new AtomicInteger();

    private TestIssuer() throws IOException, JOSEException {
        this.key = newKey();
        this.stranger = newKey();
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        this.uri = "http://127.0.0.1:" + server.getAddress().getPort() + "/eu-west-1_TestPool";
        String discovery = "{\"issuer\":\"" + uri + "\",\"jwks_uri\":\"" + uri + "/.well-known/jwks.json\","
                + "\"id_token_signing_alg_values_supported\":[\"RS256\"],\"subject_types_supported\":[\"public\"],"
                + "\"response_types_supported\":[\"code\"]}";
        String jwks = new JWKSet(key.toPublicJWK()).toString();
        server.createContext("/eu-west-1_TestPool/.well-known/openid-configuration",
                exchange -> respond(exchange, discovery));
        server.createContext("/eu-west-1_TestPool/.well-known/jwks.json", exchange -> respond(exchange, jwks));
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stop(0), "test-issuer-stop"));
    }

    static synchronized TestIssuer shared() {
        if (shared == null) {
            try {
                shared = new TestIssuer();
            }
            catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
            catch (JOSEException ex) {
                throw new IllegalStateException(ex);
            }
        }
        return shared;
    }

    /** An issuer URL where nothing listens: a port that was free a moment ago. */
    static String unreachableUri() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return "http://127.0.0.1:" + socket.getLocalPort() + "/eu-west-1_Gone";
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    String uri() {
        return uri;
    }

    /** How many requests the issuer has answered. */
    int requests() {
        return requests.get();
    }

    /** A valid token: this issuer, the test audience, five minutes to live. */
    String token() {
        return token(claims());
    }

    JWTClaimsSet.Builder claims() {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder().issuer(uri)
            .subject("user-42")
            .audience(AUDIENCE)
            .issueTime(Date.from(now))
            .expirationTime(Date.from(now.plus(Duration.ofMinutes(5))));
    }

    String token(JWTClaimsSet.Builder claims) {
        return sign(claims.build(), key);
    }

    /** The same claims, signed with a key the issuer does not publish. */
    String tokenSignedByAStranger() {
        return sign(claims().build(), stranger);
    }

    private static String sign(JWTClaimsSet claims, RSAKey with) {
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(KEY_ID).type(JOSEObjectType.JWT).build(), claims);
        try {
            jwt.sign(new RSASSASigner(with));
        }
        catch (JOSEException ex) {
            throw new IllegalStateException(ex);
        }
        return jwt.serialize();
    }

    private static RSAKey newKey() throws JOSEException {
        return new RSAKeyGenerator(2048).keyID(KEY_ID).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.RS256)
            .generate();
    }

    private void respond(HttpExchange exchange, String json) throws IOException {
        requests.incrementAndGet();
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
