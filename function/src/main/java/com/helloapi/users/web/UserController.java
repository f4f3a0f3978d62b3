package com.helloapi.users.web;

import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.function.Consumer;
import java.util.function.Function;

import com.helloapi.users.InvalidInputException;
import com.helloapi.users.User;
import com.helloapi.users.UserDeletion;
import com.helloapi.users.UserNotFoundException;
import com.helloapi.users.UserPage;
import com.helloapi.users.UserQuery;
import com.helloapi.users.UserUpdate;
import com.helloapi.users.web.Cursors.Position;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;

import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.ServletServerHttpRequest;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.util.ForwardedHeaderUtils;
import org.springframework.web.util.UriComponents;
import org.springframework.web.util.UriComponentsBuilder;

import static org.springframework.http.MediaType.APPLICATION_JSON_VALUE;

/**
 * {@code /api/users/}: maps HTTP onto the user functions. Routes are declared without the trailing slash; the
 * trailing-slash filter makes {@code /api/users/} and {@code /api/users/1/} reach them too, without a redirect.
 * Handlers return bodies, set their headers on the response and declare their status, rather than return a
 * {@code ResponseEntity}, which costs Spring more work per request (docs/decisions/0004). Routes that
 * answer with a body declare that it is JSON, so a request that accepts no JSON is refused (406) before anything is
 * written, not after.
 */
@RestController
@RequestMapping("/api/users")
class UserController {

    static final String MERGE_PATCH_JSON_VALUE = "application/merge-patch+json";

    private static final String PATH = "/api/users/";

    /** User data changes with every write and may be personal: never stored by a cache. */
    private static final String NO_STORE = CacheControl.noStore().getHeaderValue();

    /** A host name, IPv4 or bracketed IPv6 address: anything else in a forwarded header is not used in links. */
    private static final Pattern ORIGIN_HOST = Pattern.compile("[A-Za-z0-9.-]{1,253}|\\[[0-9A-Fa-f:.]{2,45}\\]");

    private final Function<Map<String, Object>, User> createUser;

    private final Function<Long, User> getUser;

    private final Function<UserQuery, UserPage> listUsers;

    private final Function<UserUpdate, User> updateUser;

    private final Function<UserUpdate, User> patchUser;

    private final Consumer<UserDeletion> deleteUser;

    private final JsonBodies bodies;

    private final Cursors cursors;

    UserController(Function<Map<String, Object>, User> createUser, Function<Long, User> getUser,
            Function<UserQuery, UserPage> listUsers, Function<UserUpdate, User> updateUser,
            Function<UserUpdate, User> patchUser, Consumer<UserDeletion> deleteUser, JsonBodies bodies,
            Cursors cursors) {
        this.createUser = createUser;
        this.getUser = getUser;
        this.listUsers = listUsers;
        this.updateUser = updateUser;
        this.patchUser = patchUser;
        this.deleteUser = deleteUser;
        this.bodies = bodies;
        this.cursors = cursors;
    }

    @GetMapping(produces = APPLICATION_JSON_VALUE)
    UserPageJson list(@RequestParam(required = false) @Nullable String limit,
            @RequestParam(required = false) @Nullable String cursor,
            @RequestParam(required = false) @Nullable String email, HttpServletRequest request,
            HttpServletResponse response) {
        int size = limit == null ? UserQuery.DEFAULT_LIMIT : parseLimit(limit);
        String filter = email == null || email.isBlank() ? null : email.strip();
        Position position = cursor == null ? null : cursors.decode(cursor);
        if (cursor != null && position == null) {
            throw new InvalidCursorException();
        }
        UserQuery query = position == null ? UserQuery.first(size, filter)
                : position.before() ? new UserQuery(size, null, position.id(), filter)
                        : new UserQuery(size, position.id(), null, filter);
        UserPage page = listUsers.apply(query);

        List<User> users = page.users();
        Position next = !page.hasNext() ? null
                : new Position(users.isEmpty() ? position.id() - 1 : users.get(users.size() - 1).id(), false);
        Position previous = !page.hasPrevious() ? null
                : new Position(users.isEmpty() ? position.id() + 1 : users.get(0).id(), true);
        // Most lists fit one page: the forwarded headers are only read when there is a link to write.
        String links = next == null && previous == null ? "" : linkBase(request, limit == null ? null : size, filter);
        response.setHeader(HttpHeaders.CACHE_CONTROL, NO_STORE);
        return new UserPageJson(link(links, next), link(links, previous), users.stream().map(UserJson::of).toList());
    }

    @PostMapping(consumes = APPLICATION_JSON_VALUE, produces = APPLICATION_JSON_VALUE)
    @ResponseStatus(HttpStatus.CREATED)
    UserJson create(InputStream body,
            @RequestHeader(name = HttpHeaders.CONTENT_LENGTH, required = false) @Nullable Long length,
            HttpServletResponse response) {
        User user = createUser.apply(bodies.readObject(body, length == null ? -1 : length));
        response.setHeader(HttpHeaders.LOCATION, PATH + user.id() + "/");
        return representation(user, response);
    }

    @GetMapping(path = "/{id}", produces = APPLICATION_JSON_VALUE)
    @Nullable UserJson read(@PathVariable String id, WebRequest request, HttpServletResponse response) {
        User user = getUser.apply(parseId(id));
        if (request.checkNotModified(etag(user))) {
            // 304 Not Modified, with the ETag: the client's copy is current.
            return null;
        }
        return representation(user, response);
    }

    @PutMapping(path = "/{id}", consumes = APPLICATION_JSON_VALUE, produces = APPLICATION_JSON_VALUE)
    UserJson replace(@PathVariable String id, InputStream body,
            @RequestHeader(name = HttpHeaders.CONTENT_LENGTH, required = false) @Nullable Long length,
            @RequestHeader(name = HttpHeaders.IF_MATCH, required = false) @Nullable String ifMatch,
            HttpServletResponse response) {
        long userId = parseId(id);
        Map<String, Object> fields = bodies.readObject(body, length == null ? -1 : length);
        return representation(change(updateUser, userId, fields, ifMatch), response);
    }

    @PatchMapping(path = "/{id}", consumes = { APPLICATION_JSON_VALUE, MERGE_PATCH_JSON_VALUE },
            produces = APPLICATION_JSON_VALUE)
    UserJson patch(@PathVariable String id, InputStream body,
            @RequestHeader(name = HttpHeaders.CONTENT_LENGTH, required = false) @Nullable Long length,
            @RequestHeader(name = HttpHeaders.IF_MATCH, required = false) @Nullable String ifMatch,
            HttpServletResponse response) {
        long userId = parseId(id);
        // Unlike POST and PUT, whose empty body misses required fields, an empty PATCH would change nothing.
        Map<String, Object> fields = bodies.readObject(body, length == null ? -1 : length, false);
        return representation(change(patchUser, userId, fields, ifMatch), response);
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(@PathVariable String id,
            @RequestHeader(name = HttpHeaders.IF_MATCH, required = false) @Nullable String ifMatch) {
        long userId = parseId(id);
        deleteUser.accept(new UserDeletion(userId, expectedVersion(userId, ifMatch)));
    }

    private User change(Function<UserUpdate, User> function, long userId, Map<String, Object> fields,
            @Nullable String ifMatch) {
        return function.apply(new UserUpdate(userId, fields, expectedVersion(userId, ifMatch)));
    }

    /** The user's JSON, with its ETag. */
    private static UserJson representation(User user, HttpServletResponse response) {
        response.setHeader(HttpHeaders.ETAG, etag(user));
        response.setHeader(HttpHeaders.CACHE_CONTROL, NO_STORE);
        return UserJson.of(user);
    }

    /** A strong ETag: the version changes with every write, and so does the representation. */
    static String etag(User user) {
        return "\"" + user.version() + "\"";
    }

    /**
     * The version an If-Match header requires, for the functions' conditional write: null when there is no
     * header or it is {@code *} (any current version), a version that matches no user when none of its tags is one
     * of ours (a weak tag never matches), or the current version when the header lists it among others.
     */
    private @Nullable Long expectedVersion(long id, @Nullable String ifMatch) {
        if (ifMatch == null || ifMatch.strip().equals("*")) {
            return null;
        }
        Set<Long> versions = new HashSet<>();
        for (String tag : ifMatch.split(",")) {
            String value = tag.strip();
            if (value.length() > 2 && value.startsWith("\"") && value.endsWith("\"")) {
                try {
                    versions.add(Long.parseLong(value.substring(1, value.length() - 1)));
                }
                catch (NumberFormatException ex) {
                    // Not one of ours: it matches no version.
                }
            }
        }
        if (versions.size() == 1) {
            return versions.iterator().next();
        }
        if (versions.size() > 1) {
            long current = getUser.apply(id).version();
            if (versions.contains(current)) {
                return current;
            }
        }
        return -1L;
    }

    /** Ids are positive 64-bit integers; anything else names no user. */
    private static long parseId(String id) {
        if (id.isEmpty() || id.length() > 19 || !id.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new UnknownUserPathException();
        }
        try {
            long value = Long.parseLong(id);
            if (value > 0) {
                return value;
            }
        }
        catch (NumberFormatException ex) {
            // Past Long.MAX_VALUE.
        }
        throw new UnknownUserPathException();
    }

    private static int parseLimit(String limit) {
        try {
            return Integer.parseInt(limit.strip());
        }
        catch (NumberFormatException ex) {
            throw new InvalidInputException("limit", "A valid integer is required.");
        }
    }

    /**
     * Where links point: this API's list path on the scheme, host and port the client used, as the load balancer
     * reports them in X-Forwarded-* (or Forwarded) headers, keeping the query parameters other than the cursor.
     */
    private static String linkBase(HttpServletRequest request, @Nullable Integer limit, @Nullable String email) {
        StringBuilder base = new StringBuilder(origin(request)).append(PATH).append('?');
        if (limit != null) {
            base.append("limit=").append(limit).append('&');
        }
        if (email != null) {
            base.append("email=").append(URLEncoder.encode(email, StandardCharsets.UTF_8)).append('&');
        }
        return base.append("cursor=").toString();
    }

    private static String origin(HttpServletRequest request) {
        ServletServerHttpRequest http = new ServletServerHttpRequest(request);
        String direct = request.getScheme() + "://" + request.getServerName() + ":" + request.getServerPort();
        try {
            UriComponents forwarded = ForwardedHeaderUtils.adaptFromForwardedHeaders(http.getURI(), http.getHeaders())
                .build();
            String host = forwarded.getHost();
            if (host == null || !ORIGIN_HOST.matcher(host).matches()) {
                return direct;
            }
            return UriComponentsBuilder.newInstance()
                .scheme(forwarded.getScheme())
                .host(host)
                .port(forwarded.getPort())
                .toUriString();
        }
        catch (IllegalArgumentException ex) {
            // Malformed forwarded headers: link to where the request arrived.
            return direct;
        }
    }

    private @Nullable String link(String base, @Nullable Position position) {
        return position == null ? null : base + cursors.encode(position);
    }

    /** The path names no user: 404, like a user that does not exist. */
    static class UnknownUserPathException extends RuntimeException {
    }

    /** The cursor was not minted by this API. */
    static class InvalidCursorException extends RuntimeException {
    }
}
