package com.helloapi.users.web;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.helloapi.settings.InvalidSettingsException;
import com.helloapi.users.web.Cursors.Position;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** Pagination cursors: opaque, signed, portable between tasks that share the secret. */
class CursorsUnitTest {

    static final String SECRET = "a-secret-of-at-least-sixteen-characters";

    @Test
    void roundTripsBothDirections() {
        Cursors cursors = new Cursors(SECRET);

        assertThat(cursors.decode(cursors.encode(new Position(42, false)))).isEqualTo(new Position(42, false));
        assertThat(cursors.decode(cursors.encode(new Position(7, true)))).isEqualTo(new Position(7, true));
    }

    @Test
    void anotherTaskWithTheSameSecretAcceptsTheCursor() {
        String cursor = new Cursors(SECRET).encode(new Position(42, false));

        assertThat(new Cursors(SECRET).decode(cursor)).isEqualTo(new Position(42, false));
    }

    @Test
    void aDifferentSecretRejectsIt() {
        String cursor = new Cursors(SECRET).encode(new Position(42, false));

        assertThat(new Cursors(SECRET + "x").decode(cursor)).isNull();
    }

    @Test
    void rejectsTamperingAndGarbage() {
        Cursors cursors = new Cursors(SECRET);
        String cursor = cursors.encode(new Position(42, false));
        String forgedPayload = Base64.getUrlEncoder().withoutPadding().encodeToString("n1".getBytes());

        assertThat(cursors.decode(forgedPayload + cursor.substring(cursor.indexOf('.')))).isNull();
        assertThat(cursors.decode(cursor.substring(0, cursor.length() - 2))).isNull();
        for (String garbage : new String[] { "", ".", "abc", "a.b.c", "!!!.???", "x".repeat(500) }) {
            assertThat(cursors.decode(garbage)).as(garbage).isNull();
        }
    }

    @Test
    void signsEachPositionWithItsOwnHmacWhenSharedByManyThreads() throws Exception {
        Cursors cursors = new Cursors(SECRET);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();

        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            List<Future<String>> encoded = new ArrayList<>();
            for (int id = 0; id < 2000; id++) {
                Position position = new Position(id, id % 2 == 0);
                encoded.add(threads.submit(() -> cursors.encode(position)));
            }
            for (int id = 0; id < 2000; id++) {
                byte[] payload = ((id % 2 == 0 ? "p" : "n") + id).getBytes(StandardCharsets.US_ASCII);
                String expected = base64.encodeToString(payload) + "."
                        + base64.encodeToString(Arrays.copyOf(mac.doFinal(payload), 16));

                assertThat(encoded.get(id).get()).isEqualTo(expected);
            }
        }
        finally {
            threads.shutdownNow();
        }
    }

    @Test
    void aMissingOrShortSecretStopsStartUp() {
        assertThatExceptionOfType(InvalidSettingsException.class).isThrownBy(() -> new Cursors(""))
            .withMessageContaining("SECRET_KEY");
    }
}
