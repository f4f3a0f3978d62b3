package com.helloapi.users;

import java.util.List;
import java.util.Optional;

import org.jspecify.annotations.Nullable;
import org.springframework.data.jdbc.repository.query.Modifying;
import org.springframework.data.jdbc.repository.query.Query;
import org.springframework.data.repository.Repository;

/**
 * All users, in PostgreSQL. Each write is one statement, so the database (its unique index on lower(email) and the
 * version check in the WHERE clause) decides races, not the application. Lists are keyset pages by id. No method
 * is named like a CrudRepository one: those would run in a read-only transaction, three more round trips for one
 * SELECT.
 */
public interface Users extends Repository<User, Long> {

    @Query(value = "SELECT * FROM users WHERE id = :id",
            rowMapperClass = UserRowMapper.class)
    Optional<User> findUser(long id);

    @Query("SELECT EXISTS (SELECT 1 FROM users WHERE id = :id)")
    boolean exists(long id);

    /** Up to {@code limit} users with an id greater than {@code afterId}, in ascending id order. */
    @Query(value = "SELECT * FROM users WHERE id > :afterId ORDER BY id LIMIT :limit",
            rowMapperClass = UserRowMapper.class)
    List<User> findAfter(long afterId, int limit);

    /** Up to {@code limit} users with an id less than {@code beforeId}, in descending id order. */
    @Query(value = "SELECT * FROM users WHERE id < :beforeId ORDER BY id DESC LIMIT :limit",
            rowMapperClass = UserRowMapper.class)
    List<User> findBefore(long beforeId, int limit);

    @Query(value = "SELECT * FROM users WHERE lower(email) = lower(:email) AND id > :afterId"
            + " ORDER BY id LIMIT :limit",
            rowMapperClass = UserRowMapper.class)
    List<User> findByEmailAfter(String email, long afterId, int limit);

    @Query(value = "SELECT * FROM users WHERE lower(email) = lower(:email) AND id < :beforeId"
            + " ORDER BY id DESC LIMIT :limit",
            rowMapperClass = UserRowMapper.class)
    List<User> findByEmailBefore(String email, long beforeId, int limit);

    /**
     * Stores a new user.
     * @throws org.springframework.dao.DuplicateKeyException if the e-mail address is taken
     */
    @Query(value = "INSERT INTO users (name, email) VALUES (:name, :email) RETURNING *",
            rowMapperClass = UserRowMapper.class)
    User insert(String name, String email);

    /**
     * Changes the given fields (null leaves one as it is) if the user exists and, when {@code expectedVersion} is
     * given, still has that version.
     * @return the updated user, or empty if there is no such user or its version differs
     * @throws org.springframework.dao.DuplicateKeyException if the new e-mail address is taken
     */
    @Query(value = """
            UPDATE users
               SET name = COALESCE(CAST(:name AS varchar), name),
                   email = COALESCE(CAST(:email AS varchar), email),
                   version = version + 1,
                   updated_at = clock_timestamp()
             WHERE id = :id AND (CAST(:expectedVersion AS bigint) IS NULL OR version = :expectedVersion)
            RETURNING *""", rowMapperClass = UserRowMapper.class)
    Optional<User> update(long id, @Nullable String name, @Nullable String email, @Nullable Long expectedVersion);

    /** @return the number of users deleted: 0 if there is no such user or its version differs */
    @Modifying
    @Query("DELETE FROM users WHERE id = :id AND (CAST(:expectedVersion AS bigint) IS NULL OR version = :expectedVersion)")
    int delete(long id, @Nullable Long expectedVersion);
}
