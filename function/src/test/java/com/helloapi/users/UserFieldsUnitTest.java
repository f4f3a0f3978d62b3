package com.helloapi.users;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The rules for a user's name and e-mail address, without Spring or a database. */
class UserFieldsUnitTest {

    static Map<String, List<String>> errorsOf(Runnable validation) {
        InvalidInputException ex = catchThrowableOfType(InvalidInputException.class, validation::run);
        assertThat(ex).as("validation should fail").isNotNull();
        return ex.errors();
    }

    static Map<String, Object> body(Object... keyValues) {
        Map<String, Object> body = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            body.put((String) keyValues[i], keyValues[i + 1]);
        }
        return body;
    }

    @Test
    void acceptsAndTrimsACompleteUser() {
        UserFields fields = UserFields.complete(body("name", "  Ada ", "email", "\tada@example.com\n"));

        assertThat(fields).isEqualTo(new UserFields("Ada", "ada@example.com"));
    }

    @Test
    void partialKeepsAbsentFieldsNull() {
        assertThat(UserFields.partial(body("email", "ada@example.com")))
            .isEqualTo(new UserFields(null, "ada@example.com"));
        assertThat(UserFields.partial(body())).isEqualTo(new UserFields(null, null));
    }

    @Test
    void reportsEveryBrokenFieldAtOnce() {
        assertThat(errorsOf(() -> UserFields.complete(body("name", " ", "email", 7)))).containsOnly(
                Map.entry("name", List.of("This field may not be blank.")),
                Map.entry("email", List.of("Not a valid string.")));
    }

    @Nested
    class Name {

        @Test
        void isRequiredUnlessPartial() {
            assertThat(errorsOf(() -> UserFields.complete(body("email", "a@example.com"))))
                .containsOnly(Map.entry("name", List.of("This field is required.")));
        }

        @Test
        void mayNotBeNullEvenInAPartialUpdate() {
            assertThat(errorsOf(() -> UserFields.partial(body("name", null))))
                .containsOnly(Map.entry("name", List.of("This field may not be null.")));
        }

        @Test
        void countsCharactersNotUtf16Units() {
            String emoji = "\uD83D\uDE00";
            assertThat(UserFields.partial(body("name", emoji.repeat(150))).name()).hasSize(300);
            assertThat(errorsOf(() -> UserFields.partial(body("name", emoji.repeat(151)))))
                .containsOnly(Map.entry("name", List.of("Ensure this field has no more than 150 characters.")));
        }

        @Test
        void rejectsNulAndLoneSurrogates() {
            assertThat(errorsOf(() -> UserFields.partial(body("name", "a\0b"))).get("name"))
                .containsExactly("Null characters are not allowed.");
            assertThat(errorsOf(() -> UserFields.partial(body("name", "a\uD800b"))).get("name")).hasSize(1);
            assertThat(errorsOf(() -> UserFields.partial(body("name", "a\uDC00"))).get("name")).hasSize(1);
        }
    }

    @Nested
    class Email {

        @ParameterizedTest
        @ValueSource(strings = { "ada@example.com", "ADA@EXAMPLE.COM", "a.b-c+d@x-y.example.org", "ada@localhost",
                "\"ada..lovelace\"@example.com", "ada@müller.example", "ada@xn--mller-kva.example" })
        void acceptsWhatDjangoAccepts(String email) {
            assertThat(UserFields.isEmail(email)).isTrue();
        }

        @ParameterizedTest
        @ValueSource(strings = { "ada", "ada@", "@example.com", "ada@example", "ada@.example.com", "ada.@example.com",
                "ada@example..com", "ada@exam_ple.com", "ada@example.com-", "ada lovelace@example.com",
                "ada@[127.0.0.1", "ada@example.c", "ada@-example.com" })
        void rejectsWhatDjangoRejects(String email) {
            assertThat(UserFields.isEmail(email)).isFalse();
            assertThat(errorsOf(() -> UserFields.partial(body("email", email))))
                .containsOnly(Map.entry("email", List.of("Enter a valid email address.")));
        }

        @Test
        void hasAtMost254Characters() {
            String email = "a".repeat(243) + "@example.com";

            assertThat(errorsOf(() -> UserFields.partial(body("email", email))))
                .containsOnly(Map.entry("email", List.of("Ensure this field has no more than 254 characters.")));
        }
    }
}
