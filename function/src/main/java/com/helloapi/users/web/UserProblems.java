package com.helloapi.users.web;

import java.util.List;
import java.util.Map;

import com.helloapi.users.EmailTakenException;
import com.helloapi.users.InvalidInputException;
import com.helloapi.users.UserNotFoundException;
import com.helloapi.users.VersionMismatchException;
import com.helloapi.users.web.JsonBodies.BodyTooLargeException;
import com.helloapi.users.web.JsonBodies.MalformedBodyException;
import com.helloapi.users.web.UserController.InvalidCursorException;
import com.helloapi.users.web.UserController.UnknownUserPathException;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * What each failure of the user functions means in HTTP, as RFC 9457 problem details. Validation problems carry
 * an {@code errors} map of field to messages. Failures that are not about users (unknown routes, wrong methods and
 * media types, a database outage, bugs) are mapped by {@code com.helloapi.web.Problems}.
 */
@RestControllerAdvice(assignableTypes = UserController.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
class UserProblems {

    @ExceptionHandler
    ProblemDetail invalidInput(InvalidInputException ex) {
        return withErrors(HttpStatus.BAD_REQUEST, "The request has invalid fields.", ex.errors());
    }

    @ExceptionHandler
    ProblemDetail malformedBody(MalformedBodyException ex) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, ex.getMessage());
    }

    @ExceptionHandler
    ProblemDetail bodyTooLarge(BodyTooLargeException ex) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.CONTENT_TOO_LARGE, ex.getMessage());
    }

    @ExceptionHandler
    ProblemDetail invalidCursor(InvalidCursorException ex) {
        return withErrors(HttpStatus.BAD_REQUEST, "Invalid cursor.", Map.of("cursor", List.of("Invalid cursor.")));
    }

    @ExceptionHandler({ UserNotFoundException.class, UnknownUserPathException.class })
    ProblemDetail notFound() {
        return ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, "No user matches the given query.");
    }

    @ExceptionHandler
    ProblemDetail emailTaken(EmailTakenException ex) {
        return withErrors(HttpStatus.CONFLICT, ex.getMessage(), Map.of("email", List.of(ex.getMessage())));
    }

    @ExceptionHandler
    ProblemDetail versionMismatch(VersionMismatchException ex) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.PRECONDITION_FAILED,
                "The user has changed since the version in If-Match; fetch it again and retry.");
    }

    private static ProblemDetail withErrors(HttpStatus status, String detail, Map<String, List<String>> errors) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setProperty("errors", errors);
        return problem;
    }
}
