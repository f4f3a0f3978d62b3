package com.helloapi.users;

import java.net.IDN;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * The writable fields of a user, validated: name and e-mail address, trimmed. In a partial update (PATCH) a null
 * field is one the client did not send. Built only through {@link #complete} and {@link #partial}, which hold every
 * rule and report every broken one at once, in Django REST Framework's words.
 */
public record UserFields(@Nullable String name, @Nullable String email) {

    static final int NAME_MAX_LENGTH = 150;

    static final int EMAIL_MAX_LENGTH = 254;

    static final String REQUIRED = "This field is required.";

    static final String NULL = "This field may not be null.";

    static final String NOT_A_STRING = "Not a valid string.";

    static final String BLANK = "This field may not be blank.";

    static final String NULL_CHARACTERS = "Null characters are not allowed.";

    static final String INVALID_UNICODE = "This field contains invalid Unicode (an unpaired surrogate).";

    static final String INVALID_EMAIL = "Enter a valid email address.";

    // Django's EmailValidator, whose verdicts clients of the original API know.
    private static final Pattern USER_PART = Pattern.compile(
            "[-!#$%&'*+/=?^_`{}|~0-9A-Z]+(\\.[-!#$%&'*+/=?^_`{}|~0-9A-Z]+)*"
                    + "|\"([\\x01-\\x08\\x0b\\x0c\\x0e-\\x1f!#-\\[\\]-\\x7f]|\\\\[\\x01-\\x09\\x0b\\x0c\\x0e-\\x7f])*\"",
            Pattern.CASE_INSENSITIVE);

    private static final Pattern DOMAIN_PART = Pattern
        .compile("((?:[A-Z0-9](?:[A-Z0-9-]{0,61}[A-Z0-9])?\\.)+)(?:[A-Z0-9-]{2,63}(?<!-))", Pattern.CASE_INSENSITIVE);

    /** Every field present and valid, as POST and PUT require. */
    public static UserFields complete(Map<String, Object> body) {
        return validate(body, false);
    }

    /** The fields present, each valid; absent ones stay null, as PATCH allows. */
    public static UserFields partial(Map<String, Object> body) {
        return validate(body, true);
    }

    private static UserFields validate(Map<String, Object> body, boolean partial) {
        Map<String, List<String>> errors = new LinkedHashMap<>();
        String name = field(body, "name", partial, NAME_MAX_LENGTH, errors);
        String email = field(body, "email", partial, EMAIL_MAX_LENGTH, errors);
        if (email != null && !errors.containsKey("email") && !isEmail(email)) {
            errors.computeIfAbsent("email", key -> new ArrayList<>()).add(INVALID_EMAIL);
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        return new UserFields(name, email);
    }

    private static @Nullable String field(Map<String, Object> body, String key, boolean partial, int maxLength,
            Map<String, List<String>> errors) {
        if (!body.containsKey(key)) {
            if (!partial) {
                errors.put(key, List.of(REQUIRED));
            }
            return null;
        }
        if (!(body.get(key) instanceof String raw)) {
            errors.put(key, List.of(body.get(key) == null ? NULL : NOT_A_STRING));
            return null;
        }
        String value = raw.strip();
        if (value.isEmpty()) {
            errors.put(key, List.of(BLANK));
            return null;
        }
        List<String> problems = new ArrayList<>();
        // Counted in code points, as PostgreSQL's varchar(n) and Python count characters.
        if (value.codePointCount(0, value.length()) > maxLength) {
            problems.add("Ensure this field has no more than " + maxLength + " characters.");
        }
        if (value.indexOf('\0') >= 0) {
            problems.add(NULL_CHARACTERS);
        }
        if (hasUnpairedSurrogate(value)) {
            problems.add(INVALID_UNICODE);
        }
        if (!problems.isEmpty()) {
            errors.put(key, problems);
            return null;
        }
        return value;
    }

    static boolean hasUnpairedSurrogate(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < value.length()
                    && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            }
            else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    static boolean isEmail(String value) {
        int at = value.lastIndexOf('@');
        if (at <= 0 || at == value.length() - 1 || value.length() > 320) {
            return false;
        }
        String user = value.substring(0, at);
        String domain = value.substring(at + 1);
        if (!USER_PART.matcher(user).matches()) {
            return false;
        }
        if (domain.toLowerCase(Locale.ROOT).equals("localhost") || DOMAIN_PART.matcher(domain).matches()) {
            return true;
        }
        try {
            return DOMAIN_PART.matcher(IDN.toASCII(domain, IDN.ALLOW_UNASSIGNED)).matches();
        }
        catch (IllegalArgumentException ex) {
            return false;
        }
    }
}
