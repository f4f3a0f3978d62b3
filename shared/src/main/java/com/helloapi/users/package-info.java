/**
 * The users of HelloAPI: the {@link com.helloapi.users.User} record and the {@link com.helloapi.users.Users}
 * repository, shared by the container and the Lambda target.
 */
@NullMarked
package com.helloapi.users;

import org.jspecify.annotations.NullMarked;
