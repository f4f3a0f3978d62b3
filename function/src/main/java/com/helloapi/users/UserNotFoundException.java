package com.helloapi.users;

/** There is no user with that id (any more). */
public class UserNotFoundException extends RuntimeException {

    public UserNotFoundException(long id) {
        super("No user with id " + id + ".");
    }
}
