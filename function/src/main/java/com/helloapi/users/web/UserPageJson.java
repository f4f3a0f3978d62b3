package com.helloapi.users.web;

import java.util.List;

import org.jspecify.annotations.Nullable;

/** A page of users in the shape of Django REST Framework's CursorPagination: absolute links, or null. */
record UserPageJson(@Nullable String next, @Nullable String previous, List<UserJson> results) {
}
