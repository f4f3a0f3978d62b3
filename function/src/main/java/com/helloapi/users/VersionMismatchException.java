package com.helloapi.users;

/** A conditional write named a version of the user that is no longer current. */
public class VersionMismatchException extends RuntimeException {

    VersionMismatchException(long id) {
        super("User " + id + " has changed since the version given.");
    }
}
