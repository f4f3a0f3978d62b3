package com.helloapi.users;

import java.time.Instant;

import org.springframework.data.annotation.Id;
import org.springframework.data.relational.core.mapping.Table;

/**
 * A user as stored: the database assigns the id, the timestamps and the version that changes on every write.
 */
@Table("users")
public record User(@Id long id, String name, String email, long version, Instant createdAt, Instant updatedAt) {
}
