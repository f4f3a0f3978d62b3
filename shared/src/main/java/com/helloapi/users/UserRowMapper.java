package com.helloapi.users;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;

import org.springframework.jdbc.core.RowMapper;

/**
 * Reads a row of {@code users} straight into a {@link User}. The hot queries use it instead of Spring Data JDBC's
 * generic entity conversion, a large share of a request's CPU in the profile (docs/performance.md).
 */
class UserRowMapper implements RowMapper<User> {

    @Override
    public User mapRow(ResultSet row, int rowNum) throws SQLException {
        return new User(row.getLong("id"), row.getString("name"), row.getString("email"), row.getLong("version"),
                row.getObject("created_at", OffsetDateTime.class).toInstant(),
                row.getObject("updated_at", OffsetDateTime.class).toInstant());
    }
}
