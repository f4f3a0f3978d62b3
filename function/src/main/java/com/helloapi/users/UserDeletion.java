package com.helloapi.users;

import org.jspecify.annotations.Nullable;

/** The deletion of user {@code id}, if it still has {@code expectedVersion} (null: whatever its version). */
public record UserDeletion(long id, @Nullable Long expectedVersion) {
}
