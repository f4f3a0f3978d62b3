/**
 * The user handlers as Spring Cloud Function beans ({@link com.helloapi.users.UserFunctions}) and the rules that
 * user input must meet. Nothing here knows about HTTP: {@code users.web} maps it.
 */
@NullMarked
package com.helloapi.users;

import org.jspecify.annotations.NullMarked;
