package com.helloapi.users.web;

import java.time.format.DateTimeFormatter;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.helloapi.users.User;

/** A user as the API shows it; timestamps are RFC 3339 in UTC. */
record UserJson(long id, String name, String email, @JsonProperty("created_at") String createdAt,
        @JsonProperty("updated_at") String updatedAt) {

    static UserJson of(User user) {
        return new UserJson(user.id(), user.name(), user.email(), DateTimeFormatter.ISO_INSTANT.format(user.createdAt()),
                DateTimeFormatter.ISO_INSTANT.format(user.updatedAt()));
    }
}
