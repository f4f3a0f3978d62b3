package com.helloapi.users;

/** Another user already has that e-mail address, in any letter case. */
public class EmailTakenException extends RuntimeException {

    static final String MESSAGE = "user with this email already exists.";

    EmailTakenException() {
        super(MESSAGE);
    }
}
