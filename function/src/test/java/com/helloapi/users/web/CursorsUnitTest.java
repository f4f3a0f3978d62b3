package com.helloapi.users.web;

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
        String forgedPayload = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString("n1".getBytes());

        assertThat(cursors.decode(forgedPayload + cursor.substring(cursor.indexOf('.')))).isNull();
        assertThat(cursors.decode(cursor.substring(0, cursor.length() - 2))).isNull();
        for (String garbage : new String[] { "", ".", "abc", "a.b.c", "!!!.???", "x".repeat(500) }) {
            assertThat(cursors.decode(garbage)).as(garbage).isNull();
        }
    }

    @Test
    void aMissingOrShortSecretStopsStartUp() {
        assertThatExceptionOfType(InvalidSettingsException.class).isThrownBy(() -> new Cursors(""))
            .withMessageContaining("SECRET_KEY");
    }
}
