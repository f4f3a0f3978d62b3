package com.helloapi.users;

import java.util.List;

/** One page of users in ascending id order, and whether there are more after and before it. */
public record UserPage(List<User> users, boolean hasNext, boolean hasPrevious) {
}
