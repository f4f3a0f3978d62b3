/**
 * The HTTP adapter for the user functions: routes, status codes, headers and problem responses. Both targets run it:
 * Tomcat in the container, the delegating handler in Lambda.
 */
@NullMarked
package com.helloapi.users.web;

import org.jspecify.annotations.NullMarked;
