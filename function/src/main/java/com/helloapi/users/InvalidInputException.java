package com.helloapi.users;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Input broke one or more rules: field name to the messages that say which. */
public class InvalidInputException extends RuntimeException {

    private final Map<String, List<String>> errors;

    public InvalidInputException(Map<String, List<String>> errors) {
        super("Invalid input: " + errors.keySet());
        this.errors = Collections.unmodifiableMap(new LinkedHashMap<>(errors));
    }

    public InvalidInputException(String field, String message) {
        this(Map.of(field, List.of(message)));
    }

    public Map<String, List<String>> errors() {
        return errors;
    }
}
