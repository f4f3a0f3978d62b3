package com.helloapi.users.web;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.helloapi.settings.InvalidSettingsException;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Opaque pagination cursors: a position (after or before a user id), signed with HMAC-SHA256 under the configured
 * secret ({@code SECRET_KEY}), so that a link minted by one task is accepted by every other task and after restarts,
 * and a cursor that was made up or altered is refused.
 */
@Component
class Cursors {

    private static final String ALGORITHM = "HmacSHA256";

    private static final int SIGNATURE_BYTES = 16;

    /**
     * Keyed once and cloned for each signature, since a Mac is not thread-safe and looking one up and keying it takes
     * longer than signing (docs/performance.md).
     */
    private final Mac signer;

    Cursors(@Value("${helloapi.cursor-secret:}") String secret) {
        if (secret.length() < 16) {
            throw new InvalidSettingsException(
                    "SECRET_KEY must be set to at least 16 characters (it signs pagination cursors)");
        }
        try {
            this.signer = Mac.getInstance(ALGORITHM);
            this.signer.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM));
            // A security provider whose Mac cannot be cloned stops the start, not every list request.
            this.signer.clone();
        }
        catch (GeneralSecurityException | CloneNotSupportedException ex) {
            throw new IllegalStateException("this JDK cannot key and clone an HmacSHA256 Mac", ex);
        }
    }

    /** A position in the id order: the page starts after {@code id}, or (backwards) ends before it. */
    record Position(long id, boolean before) {
    }

    String encode(Position position) {
        byte[] payload = ((position.before() ? "p" : "n") + position.id()).getBytes(StandardCharsets.US_ASCII);
        Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
        return base64.encodeToString(payload) + "." + base64.encodeToString(sign(payload));
    }

    /** @return the position, or null if the cursor is malformed or its signature does not match */
    @Nullable Position decode(String cursor) {
        int dot = cursor.indexOf('.');
        if (dot < 1 || cursor.length() > 100) {
            return null;
        }
        try {
            Base64.Decoder base64 = Base64.getUrlDecoder();
            byte[] payload = base64.decode(cursor.substring(0, dot));
            byte[] signature = base64.decode(cursor.substring(dot + 1));
            if (!MessageDigest.isEqual(signature, sign(payload))) {
                return null;
            }
            String text = new String(payload, StandardCharsets.US_ASCII);
            long id = Long.parseLong(text.substring(1));
            return switch (text.charAt(0)) {
                case 'n' -> new Position(id, false);
                case 'p' -> new Position(id, true);
                default -> null;
            };
        }
        catch (IllegalArgumentException | IndexOutOfBoundsException ex) {
            return null;
        }
    }

    private byte[] sign(byte[] payload) {
        try {
            return Arrays.copyOf(((Mac) signer.clone()).doFinal(payload), SIGNATURE_BYTES);
        }
        catch (CloneNotSupportedException ex) {
            throw new IllegalStateException("the JDK's HmacSHA256 can be cloned", ex);
        }
    }
}
