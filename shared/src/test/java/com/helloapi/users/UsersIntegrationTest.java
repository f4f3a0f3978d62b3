package com.helloapi.users;

import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.data.jdbc.test.autoconfigure.DataJdbcTest;
import org.springframework.boot.jdbc.test.autoconfigure.AutoConfigureTestDatabase;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** The repository over the real Flyway migrations on a real PostgreSQL. */
@DataJdbcTest
@AutoConfigureTestDatabase(replace = AutoConfigureTestDatabase.Replace.NONE)
@Transactional(propagation = Propagation.NOT_SUPPORTED)
class UsersIntegrationTest {

    @Autowired
    Users users;

    @Autowired
    JdbcClient jdbc;

    @BeforeEach
    void emptyTable() {
        jdbc.sql("TRUNCATE users RESTART IDENTITY").update();
    }

    @Test
    void insertAssignsIdTimestampsAndFirstVersion() {
        User ada = users.insert("Ada", "ada@example.com");

        assertThat(ada.id()).isPositive();
        assertThat(ada.version()).isEqualTo(1);
        assertThat(ada.createdAt()).isEqualTo(ada.updatedAt());
        assertThat(users.findUser(ada.id())).contains(ada);
    }

    @Test
    void rejectsAnEmailTakenInAnotherCase() {
        users.insert("Ada", "ada@example.com");

        assertThatExceptionOfType(DuplicateKeyException.class)
            .isThrownBy(() -> users.insert("Other", "ADA@Example.COM"));
    }

    @Test
    void updateChangesOnlyGivenFieldsAndBumpsVersion() {
        User ada = users.insert("Ada", "ada@example.com");

        User renamed = users.update(ada.id(), "Ada Lovelace", null, null).orElseThrow();

        assertThat(renamed.name()).isEqualTo("Ada Lovelace");
        assertThat(renamed.email()).isEqualTo("ada@example.com");
        assertThat(renamed.version()).isEqualTo(2);
        assertThat(renamed.createdAt()).isEqualTo(ada.createdAt());
        assertThat(renamed.updatedAt()).isAfter(ada.updatedAt());
    }

    @Test
    void updateWithStaleVersionChangesNothing() {
        User ada = users.insert("Ada", "ada@example.com");
        users.update(ada.id(), "Ada Lovelace", null, 1L).orElseThrow();

        assertThat(users.update(ada.id(), "Stale", null, 1L)).isEmpty();
        assertThat(users.findUser(ada.id()).orElseThrow().name()).isEqualTo("Ada Lovelace");
    }

    @Test
    void deleteHonoursTheExpectedVersion() {
        User ada = users.insert("Ada", "ada@example.com");

        assertThat(users.delete(ada.id(), 7L)).isZero();
        assertThat(users.delete(ada.id(), 1L)).isOne();
        assertThat(users.exists(ada.id())).isFalse();
    }

    @Nested
    class KeysetPages {

        List<User> all;

        @BeforeEach
        void fiveUsers() {
            all = IntStream.rangeClosed(1, 5).mapToObj(i -> users.insert("User " + i, "u" + i + "@example.com"))
                .toList();
        }

        @Test
        void pagesForwardFromAnId() {
            assertThat(users.findAfter(all.get(1).id(), 2)).containsExactly(all.get(2), all.get(3));
        }

        @Test
        void pagesBackwardFromAnId() {
            assertThat(users.findBefore(all.get(3).id(), 2)).containsExactly(all.get(2), all.get(1));
        }

        @Test
        void filtersByEmailIgnoringCase() {
            assertThat(users.findByEmailAfter("U3@EXAMPLE.com", 0, 10)).containsExactly(all.get(2));
            assertThat(users.findByEmailBefore("u3@example.com", all.get(2).id(), 10)).isEmpty();
        }
    }
}
