package com.helloapi.users;

import org.jspecify.annotations.Nullable;

/**
 * Which page of users to list: up to {@code limit} users after (or, going back, before) an id, optionally only those
 * with an e-mail address equal to {@code email} regardless of case. The filter follows the field's text rules: no NUL
 * (PostgreSQL refuses it in a query) and no unpaired surrogates.
 */
public record UserQuery(int limit, @Nullable Long afterId, @Nullable Long beforeId, @Nullable String email) {

    public static final int DEFAULT_LIMIT = 20;

    public static final int MAX_LIMIT = 100;

    public UserQuery {
        if (limit < 1) {
            throw new InvalidInputException("limit", "Ensure this value is greater than or equal to 1.");
        }
        if (limit > MAX_LIMIT) {
            throw new InvalidInputException("limit",
                    "Ensure this value is less than or equal to " + MAX_LIMIT + ".");
        }
        if (email != null && email.indexOf('\0') >= 0) {
            throw new InvalidInputException("email", UserFields.NULL_CHARACTERS);
        }
        if (email != null && UserFields.hasUnpairedSurrogate(email)) {
            throw new InvalidInputException("email", UserFields.INVALID_UNICODE);
        }
        if (afterId != null && beforeId != null) {
            throw new IllegalArgumentException("A page starts after an id or ends before one, not both");
        }
    }

    /** The first page. */
    public static UserQuery first(int limit, @Nullable String email) {
        return new UserQuery(limit, null, null, email);
    }
}
