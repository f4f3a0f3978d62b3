package com.helloapi.users;

import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * A change to user {@code id}: the fields as the client sent them, to be validated, and the version the client
 * expects the user to have (null to change it whatever its version).
 */
public record UserUpdate(long id, Map<String, Object> fields, @Nullable Long expectedVersion) {
}
