package com.helloapi.users.web;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import com.helloapi.users.web.JsonBodies.BodyTooLargeException;
import com.helloapi.users.web.JsonBodies.MalformedBodyException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** What the adapter makes of a write's body: a JSON object, or a client error. */
class JsonBodiesUnitTest {

    final JsonBodies bodies = new JsonBodies();

    @Test
    void readsAnObject() {
        assertThat(bodies.readObject(body("{\"name\":\"Ada\"}"), -1)).containsEntry("name", "Ada");
    }

    @Test
    void aBodyThatCannotBeReadIsTheClientsError() {
        InputStream broken = new InputStream() {

            @Override
            public int read() throws IOException {
                throw new IOException("Invalid chunk header");
            }
        };

        assertThatExceptionOfType(MalformedBodyException.class).isThrownBy(() -> bodies.readObject(broken, -1))
            .withMessage("The request body could not be read.");
    }

    @Test
    void aDeclaredLengthOverTheLimitIsRefusedUnread() {
        assertThatExceptionOfType(BodyTooLargeException.class)
            .isThrownBy(() -> bodies.readObject(body("{}"), Long.MAX_VALUE));
    }

    @Test
    void acceptsAndIgnoresALeadingByteOrderMark() {
        assertThat(bodies.readObject(bytes(0xef, 0xbb, 0xbf, '{', '}'), -1)).isEmpty();
        assertThat(bodies.readObject(bytes(0xef, 0xbb, 0xbf), -1)).isEmpty();
    }

    @Test
    void readsStrictUtf8Only() {
        // Overlong "/" and NUL, an encoded surrogate, past U+10FFFF, a cut sequence; UTF-16 is no JSON body either.
        for (byte[] bad : new byte[][] { { (byte) 0xc0, (byte) 0xaf }, { (byte) 0xc0, (byte) 0x80 },
                { (byte) 0xed, (byte) 0xa0, (byte) 0x80 }, { (byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80 },
                { (byte) 0xc3 } }) {
            byte[] json = new byte[bad.length + 10];
            System.arraycopy(new byte[] { '{', '"', 'a', '"', ':', '"' }, 0, json, 0, 6);
            System.arraycopy(bad, 0, json, 6, bad.length);
            System.arraycopy(new byte[] { 'x', '"', '}', ' ' }, 0, json, 6 + bad.length, 4);
            assertThatExceptionOfType(MalformedBodyException.class)
                .isThrownBy(() -> bodies.readObject(new ByteArrayInputStream(json), -1))
                .withMessage("JSON parse error: the body is not valid UTF-8.");
        }
        assertThatExceptionOfType(MalformedBodyException.class).isThrownBy(
                () -> bodies.readObject(new ByteArrayInputStream("{}".getBytes(StandardCharsets.UTF_16LE)), -1));
    }

    @Test
    void deepNestingIsMalformed() {
        assertThatExceptionOfType(MalformedBodyException.class)
            .isThrownBy(() -> bodies.readObject(body("{\"a\":" + "[".repeat(65) + "]".repeat(65) + "}"), -1));
    }

    static InputStream bytes(int... values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return new ByteArrayInputStream(bytes);
    }

    static InputStream body(String json) {
        return new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8));
    }
}
