package com.helloapi.users;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.IntStream;

import com.helloapi.HelloApi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.cloud.function.context.FunctionCatalog;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.messaging.Message;
import org.springframework.messaging.support.MessageBuilder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** The user functions called directly, as beans and through the function catalog, on the real PostgreSQL. */
@SpringBootTest(classes = HelloApi.class, webEnvironment = WebEnvironment.NONE)
class UserFunctionsIntegrationTest {

    @Autowired
    Function<Map<String, Object>, User> createUser;

    @Autowired
    Function<Long, User> getUser;

    @Autowired
    Function<UserQuery, UserPage> listUsers;

    @Autowired
    Function<UserUpdate, User> updateUser;

    @Autowired
    Function<UserUpdate, User> patchUser;

    @Autowired
    Consumer<UserDeletion> deleteUser;

    @Autowired
    FunctionCatalog catalog;

    @Autowired
    JdbcClient jdbc;

    @BeforeEach
    void emptyTable() {
        jdbc.sql("TRUNCATE users RESTART IDENTITY").update();
    }

    User ada() {
        return createUser.apply(Map.of("name", "Ada", "email", "ada@example.com"));
    }

    @Test
    void areRegisteredInTheFunctionCatalog() {
        for (String name : List.of("createUser", "getUser", "listUsers", "updateUser", "patchUser", "deleteUser")) {
            assertThat((Object) catalog.lookup(name)).as(name).isNotNull();
        }
    }

    @Test
    void createUserThroughTheCatalogTakesJson() {
        Function<Message<byte[]>, Object> create = catalog.lookup("createUser", "application/json");

        create.apply(MessageBuilder.withPayload("{\"name\":\"Ada\",\"email\":\"ada@example.com\"}".getBytes())
            .setHeader("contentType", "application/json")
            .build());

        assertThat(getUser.apply(1L).email()).isEqualTo("ada@example.com");
    }

    @Nested
    class Create {

        @Test
        void storesTheTrimmedFields() {
            User user = createUser.apply(Map.of("name", " Ada ", "email", " ada@example.com "));

            assertThat(getUser.apply(user.id())).isEqualTo(user);
            assertThat(user.name()).isEqualTo("Ada");
        }

        @Test
        void rejectsATakenEmailInAnyCase() {
            ada();

            assertThatExceptionOfType(EmailTakenException.class)
                .isThrownBy(() -> createUser.apply(Map.of("name", "Eve", "email", "ADA@example.com")));
        }

        @Test
        void rejectsInvalidInputWithoutWriting() {
            assertThatExceptionOfType(InvalidInputException.class)
                .isThrownBy(() -> createUser.apply(Map.of("name", "Ada")));
            assertThat(listUsers.apply(UserQuery.first(10, null)).users()).isEmpty();
        }
    }

    @Nested
    class Change {

        @Test
        void updateNeedsBothFields() {
            User ada = ada();

            assertThatExceptionOfType(InvalidInputException.class)
                .isThrownBy(() -> updateUser.apply(new UserUpdate(ada.id(), Map.of("name", "A"), null)));
        }

        @Test
        void patchChangesOnlyWhatIsGivenAndBumpsTheVersion() {
            User ada = ada();

            User patched = patchUser.apply(new UserUpdate(ada.id(), Map.of("name", "Ada L"), ada.version()));

            assertThat(patched.name()).isEqualTo("Ada L");
            assertThat(patched.email()).isEqualTo(ada.email());
            assertThat(patched.version()).isEqualTo(ada.version() + 1);
        }

        @Test
        void aStaleVersionIsAMismatchAndAMissingUserIsNotFound() {
            User ada = ada();
            patchUser.apply(new UserUpdate(ada.id(), Map.of("name", "Ada L"), null));

            assertThatExceptionOfType(VersionMismatchException.class)
                .isThrownBy(() -> patchUser.apply(new UserUpdate(ada.id(), Map.of("name", "X"), ada.version())));
            assertThatExceptionOfType(UserNotFoundException.class)
                .isThrownBy(() -> patchUser.apply(new UserUpdate(99, Map.of("name", "X"), null)));
        }

        @Test
        void deleteHonoursTheVersion() {
            User ada = ada();

            assertThatExceptionOfType(VersionMismatchException.class)
                .isThrownBy(() -> deleteUser.accept(new UserDeletion(ada.id(), ada.version() + 1)));
            deleteUser.accept(new UserDeletion(ada.id(), ada.version()));
            assertThatExceptionOfType(UserNotFoundException.class).isThrownBy(() -> getUser.apply(ada.id()));
        }
    }

    @Nested
    class Listing {

        @BeforeEach
        void sevenUsers() {
            IntStream.rangeClosed(1, 7)
                .forEach(i -> createUser.apply(Map.of("name", "User " + i, "email", "u" + i + "@example.com")));
        }

        @Test
        void firstPageHasNextButNoPrevious() {
            UserPage page = listUsers.apply(UserQuery.first(3, null));

            assertThat(page.users()).extracting(User::id).containsExactly(1L, 2L, 3L);
            assertThat(page.hasNext()).isTrue();
            assertThat(page.hasPrevious()).isFalse();
        }

        @Test
        void pagesBackwardInAscendingOrder() {
            UserPage page = listUsers.apply(new UserQuery(3, null, 7L, null));

            assertThat(page.users()).extracting(User::id).containsExactly(4L, 5L, 6L);
            assertThat(page.hasPrevious()).isTrue();
            assertThat(page.hasNext()).isTrue();
        }

        @Test
        void lastPageHasNoNext() {
            UserPage page = listUsers.apply(new UserQuery(3, 6L, null, null));

            assertThat(page.users()).extracting(User::id).containsExactly(7L);
            assertThat(page.hasNext()).isFalse();
            assertThat(page.hasPrevious()).isTrue();
        }

        @Test
        void limitIsBetween1And100() {
            assertThatExceptionOfType(InvalidInputException.class).isThrownBy(() -> UserQuery.first(0, null));
            assertThatExceptionOfType(InvalidInputException.class).isThrownBy(() -> UserQuery.first(101, null));
        }

        @Test
        void emailFilterHasNoNulOrLoneSurrogates() {
            assertThatExceptionOfType(InvalidInputException.class).isThrownBy(() -> UserQuery.first(3, "a\u0000@x.org"))
                .satisfies(ex -> assertThat(ex.errors()).containsOnlyKeys("email"));
            assertThatExceptionOfType(InvalidInputException.class).isThrownBy(() -> UserQuery.first(3, "\ud800@x.org"))
                .satisfies(ex -> assertThat(ex.errors()).containsOnlyKeys("email"));
        }
    }
}
