package com.helloapi.users;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The configuration that the shared module's own tests boot; not part of the test jar. */
@SpringBootApplication
class UsersTestApplication {
}
